/**
 * Pulumi resource for Baseten API keys.
 *
 * @packageDocumentation
 */
export { ApiKey, type ApiKeyArgs } from "./apiKey";
export { API_KEY_TYPES, type ApiKeyType } from "./types";
export { BasetenError, isBasetenError, type BasetenErrorKind } from "./client/errors";
export { PROVIDER_VERSION } from "./version";
