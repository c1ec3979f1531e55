/**
 * Pulumi resource for Baseten API keys.
 *
 * @packageDocumentation
 */
export { ApiKey, type ApiKeyArgs } from "./apiKey/resource";
export { RotatingApiKey, type RotatingApiKeyArgs } from "./rotatingApiKey/resource";
export { Secret, type SecretArgs } from "./secret/resource";
export { isSecretError, SecretError, type SecretErrorReason } from "./core/secrets/errors";
export { API_KEY_TYPES, type ApiKeyType } from "./core/keys/types";
export { BasetenError, isBasetenError, type BasetenErrorKind } from "./client/errors";
export { PROVIDER_VERSION } from "./version";
