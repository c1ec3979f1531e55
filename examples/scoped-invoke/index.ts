// A search service calls two Baseten models: an embedder and a reranker. Each gets its own
// invoke-only key scoped to that one model, so a leaked key can call one model and nothing
// else, and each key can be rotated or revoked on its own.
import * as pulumi from "@pulumi/pulumi";
import { ApiKey } from "@pulumi-baseten/api-key";

const config = new pulumi.Config();
// The models' ids, from each model's page on Baseten.
// `pulumi config set --path 'models.embedder' <id>` (and `models.reranker`) overrides them.
const models = config.getObject<Record<string, string>>("models") ?? { embedder: "abcd1234", reranker: "efgh5678" };

const keys = Object.entries(models).map(
  ([role, modelId]) => [role, new ApiKey(`search-${role}`, { type: "WORKSPACE_INVOKE", modelIds: [modelId] })] as const,
);

/** Each key's prefix, by role: safe to show. */
export const prefixes = Object.fromEntries(keys.map(([role, key]) => [role, key.prefix]));
/** Each key's plaintext, by role: one secret output (`pulumi stack output apiKeys --show-secrets`). */
export const apiKeys = pulumi.secret(Object.fromEntries(keys.map(([role, key]) => [role, key.apiKey])));
