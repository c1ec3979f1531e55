// A search model on Baseten calls a reranker model. It gets an invoke-only key scoped to the
// reranker alone, delivered as a Baseten secret the search model reads at run time (truss
// `secrets:`). It rotates on a schedule: the first `pulumi up` after the due date mints the next
// key and writes it into the secret in place; the previous key stays live through the overlap,
// for replicas that read the secret before the rotation, and the first `up` after the overlap
// revokes it.
//
// Two forms, chosen by config `delivery` (README):
//   secret (the default): the RotatingApiKey writes each new key into the secret itself
//     (`deliverTo`). The plaintext goes from Baseten's answer into the secret and nowhere else:
//     not into Pulumi's state (not even encrypted), outputs or logs.
//   apiKey: the RotatingApiKey gives the newest key out as `apiKey` (a Pulumi secret, kept
//     encrypted in state) and a `Secret` resource writes it into the secret. For a consumer
//     outside Baseten too: `key.apiKey` can feed any other provider's secret store.
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
// How the key reaches the secret: "secret" (delivered by the key itself) or "apiKey" (an output, written by a Secret).
const delivery = config.get("delivery") ?? "secret";
if (delivery !== "secret" && delivery !== "apiKey")
  throw new Error(`config delivery must be "secret" or "apiKey"; got ${JSON.stringify(delivery)}`);
// For one `up` when moving a stack of the apiKey form to the secret form (README): take over the
// secret the apiKey form's Secret wrote.
const adoptExisting = config.getBoolean("adoptSecret") ?? false;

// One resource owns every live key of the rotation (`<base>-g1`, `-g2`, ...): the newest, and
// the previous one while its overlap runs. Nothing happens between runs: schedule
// `pulumi up --refresh --yes` (README).
const rotation = { every, overlap };
const key =
  delivery === "secret"
    ? // Each new key is minted and written into the secret in the same step; destroy deletes the
      // secret first, then revokes the keys. No `apiKey` output: the secret holds the key.
      new RotatingApiKey("reranker-invoke", {
        type: "WORKSPACE_INVOKE",
        modelIds: [rerankerModelId],
        rotation,
        deliverTo: adoptExisting ? { secretName, adoptExisting } : { secretName },
      })
    : new RotatingApiKey("reranker-invoke", { type: "WORKSPACE_INVOKE", modelIds: [rerankerModelId], rotation });

// The apiKey form: `value: key.apiKey` stays a secret all the way; it is always the newest key,
// so a rotation updates the secret in place (same secret id) in the `up` that mints it.
const secret = delivery === "apiKey" ? new Secret("reranker-api-key", { name: secretName, value: key.apiKey }) : undefined;

/** The newest key's prefix: it changes at every rotation. */
export const keyPrefix = key.prefix;
/** The previous key's prefix while its overlap runs (it is still live); undefined otherwise. */
export const previousPrefix = key.previousPrefix;
/** When the newest key is due: the first `pulumi up` after this time rotates it. */
export const rotateAfter = key.rotateAfter;
/** The secret the calling model reads. */
export const secretNameAtBaseten = secret ? secret.name : key.secretName;
/** Baseten's id of the secret: stable across rotations (the value is updated in place). */
export const secretId = secret ? secret.secretId : key.secretId;
