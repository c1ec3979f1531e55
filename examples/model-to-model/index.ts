// A search model on Baseten calls a reranker model. It gets an invoke-only key scoped to the
// reranker alone, delivered as a Baseten secret the search model reads at run time (truss
// `secrets:`). The key never leaves Baseten and Pulumi's encrypted state; rotating it
// replaces the key, updates the secret in place, and only then revokes the old key.
import * as pulumi from "@pulumi/pulumi";
import { ApiKey, Secret } from "@pulumi-baseten/api-key";

const config = new pulumi.Config();
// The called model's id, from its page on Baseten.
const rerankerModelId = config.get("rerankerModelId") ?? "abcd1234";
// The secret's name, as the calling model's truss config lists it under `secrets:`.
const secretName = config.get("secretName") ?? "reranker_api_key";
// `pulumi config set rotation 2027-01` rotates the key (any new value does).
const rotation = config.get("rotation") ?? "initial";

// No `name`: each key gets a fresh generated name, so a rotation mints the new key before the
// old one is revoked.
const key = new ApiKey("reranker-invoke", {
  type: "WORKSPACE_INVOKE",
  modelIds: [rerankerModelId],
  rotationTriggers: { rotation },
});

// `value: key.apiKey` stays a secret all the way; a new key updates the secret in place.
const secret = new Secret("reranker-api-key", { name: secretName, value: key.apiKey });

/** The live key's prefix: it changes at every rotation. */
export const keyPrefix = key.prefix;
/** The secret the calling model reads, and its team. */
export const secretNameAtBaseten = secret.name;
export const secretTeam = secret.teamName;
/** Baseten's id of the secret: stable across rotations (the value is updated in place). */
export const secretId = secret.secretId;
