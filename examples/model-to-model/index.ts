// A search model on Baseten calls a reranker model. It gets an invoke-only key scoped to the
// reranker alone, delivered as a Baseten secret the search model reads at run time (truss
// `secrets:`). The key never leaves Baseten and Pulumi's encrypted state. It rotates on a
// schedule: the first `pulumi up` after the due date mints the next key and writes it into the
// secret in place; the previous key stays live through the overlap, for replicas that read the
// secret before the rotation, and the first `up` after the overlap revokes it.
import * as pulumi from "@pulumi/pulumi";
import { RotatingApiKey, Secret } from "@pulumi-baseten/api-key";

const config = new pulumi.Config();
// The called model's id, from its page on Baseten.
const rerankerModelId = config.get("rerankerModelId") ?? "abcd1234";
// The secret's name, as the calling model's truss config lists it under `secrets:`.
const secretName = config.get("secretName") ?? "reranker_api_key";
// How old a key gets before the next `up` rotates it, and how long the previous key then stays
// live: longer than the calling model's replicas run between restarts, which is when they read
// the secret again.
const every = config.get("rotateEvery") ?? "30d";
const overlap = config.get("overlap") ?? "2d";

// One resource owns every live key of the rotation (`<base>-g1`, `-g2`, ...): the newest, and
// the previous one while its overlap runs. Nothing happens between runs: schedule
// `pulumi up --refresh --yes` (README).
const key = new RotatingApiKey("reranker-invoke", {
  type: "WORKSPACE_INVOKE",
  modelIds: [rerankerModelId],
  rotation: { every, overlap },
});

// `value: key.apiKey` stays a secret all the way; it is always the newest key, so a rotation
// updates the secret in place (same secret id) in the `up` that mints it.
const secret = new Secret("reranker-api-key", { name: secretName, value: key.apiKey });

/** The newest key's prefix: it changes at every rotation. */
export const keyPrefix = key.prefix;
/** The previous key's prefix while its overlap runs (it is still live); undefined otherwise. */
export const previousPrefix = key.previousPrefix;
/** When the newest key is due: the first `pulumi up` after this time rotates it. */
export const rotateAfter = key.rotateAfter;
/** The secret the calling model reads, and its team. */
export const secretNameAtBaseten = secret.name;
export const secretTeam = secret.teamName;
/** Baseten's id of the secret: stable across rotations (the value is updated in place). */
export const secretId = secret.secretId;
