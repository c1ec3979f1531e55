/**
 * The public resource: `new RotatingApiKey(name, args, opts)`.
 */
import * as pulumi from "@pulumi/pulumi";
import { registeredIdentity, withSecretOutputs } from "../core/registration";
import type { ApiKeyType } from "../core/keys/types";
import { PROVIDER_VERSION } from "../version";
// One provider object for every RotatingApiKey, captured by reference in users' state (see sharedProvider.ts).
import provider from "./sharedProvider";

/** The type token of the class, as the engine writes it into the resource's URN. */
const ROTATING_TYPE = "pulumi-nodejs:dynamic/baseten:RotatingApiKey";

/**
 * The identity its keys' names derive from: the resource's URN (unique in its stack: project,
 * stack, parent types and name), with the Pulumi organization where the engine gives one. Two
 * resources of one name under parents of different types then mint different names, and so do
 * two organizations' stacks of the same names. (Read once: the base name is kept in the inputs
 * after the first `check`.)
 */
function scopedIdentity(name: string, opts: pulumi.CustomResourceOptions | undefined) {
  const identity = registeredIdentity(name, PROVIDER_VERSION);
  let organization: string | undefined;
  try {
    organization = pulumi.getOrganization();
  } catch {
    organization = undefined; // an engine that passes no organization
  }
  const urn = pulumi.createUrn(name, ROTATING_TYPE, opts?.parent);
  return { ...identity, nameScope: urn.apply((u) => (organization ? `${organization}/${u}` : u)) };
}

/** The arguments of a {@link RotatingApiKey}. */
export interface RotatingApiKeyArgs {
  /** The keys' category, as for `ApiKey`. Changing it replaces the resource (a new base name). */
  type: pulumi.Input<ApiKeyType>;
  /** Models the keys are scoped to; only with `WORKSPACE_INVOKE` or `WORKSPACE_EXPORT_METRICS`. Changing them replaces the resource. */
  modelIds?: pulumi.Input<pulumi.Input<string>[]>;
  /** Team that owns the keys, by id. Not with `teamName`, nor for `PERSONAL` or `WORKSPACE_MANAGE_API_KEYS`. */
  teamId?: pulumi.Input<string>;
  /** Team that owns the keys, by its exact name. Not with `teamId`. */
  teamName?: pulumi.Input<string>;
  /**
   * When to rotate, and how long the previous key stays live after a rotation. Durations such
   * as `"30d"`, `"12h"` or `"1d12h"` (units w, d, h, m, s); `overlap` shorter than `every`.
   * Nothing happens between runs: a rotation happens at the first `pulumi up` after the due
   * date (README, "Rotation": schedule `pulumi up --refresh --yes`).
   */
  rotation: pulumi.Input<{ every: pulumi.Input<string>; overlap: pulumi.Input<string> }>;
  /**
   * Deliver each new key into this Baseten secret instead of giving it out as `apiKey`: the
   * plaintext goes from Baseten's answer straight into the secret, and is never in state,
   * outputs or logs (README, "Delivery"). `teamId` or `teamName` name the secret's team (the
   * organization default team when neither is set); `adoptExisting` takes over a secret of that
   * name that this resource did not write. Adding it to a key given out as `apiKey` rotates the
   * key into the secret in place; changing the secret's name or team, or removing it, replaces
   * the resource, deleting the old one first.
   */
  deliverTo?: pulumi.Input<{
    secretName: pulumi.Input<string>;
    teamId?: pulumi.Input<string>;
    teamName?: pulumi.Input<string>;
    adoptExisting?: pulumi.Input<boolean>;
  }>;
}

/**
 * A Baseten API key that rotates: one resource, with a stable id, that owns the newest key and,
 * for `rotation.overlap` after a rotation, the previous one. Keys are named
 * `<base>-g<generation>`. `pulumi destroy` revokes every key it owns, each verified.
 *
 * @example
 * const key = new RotatingApiKey("caller", { type: "WORKSPACE_INVOKE", rotation: { every: "30d", overlap: "2d" } });
 * export const apiKey = key.apiKey; // a secret: always the newest key
 *
 * @example
 * // The key goes into a Baseten secret that models read by name; no plaintext in state.
 * new RotatingApiKey("caller", {
 *   type: "WORKSPACE_INVOKE",
 *   rotation: { every: "30d", overlap: "2d" },
 *   deliverTo: { secretName: "upstream_api_key" },
 * });
 */
export class RotatingApiKey extends pulumi.dynamic.Resource {
  /** The newest key's prefix. */
  declare readonly prefix: pulumi.Output<string>;
  /** The newest key's plaintext, a Pulumi secret; undefined with `deliverTo` (the secret holds it). */
  declare readonly apiKey: pulumi.Output<string>;
  /** With `deliverTo`: the secret's name. */
  declare readonly secretName: pulumi.Output<string | undefined>;
  /** With `deliverTo`: Baseten's id of the secret holding the newest key. */
  declare readonly secretId: pulumi.Output<string | undefined>;
  /** The previous key's prefix while its overlap runs; undefined otherwise. */
  declare readonly previousPrefix: pulumi.Output<string | undefined>;
  /** When the newest key was minted (ISO). */
  declare readonly createdAt: pulumi.Output<string>;
  /** When the newest key is due to rotate (ISO): the first `pulumi up` after it rotates. */
  declare readonly rotateAfter: pulumi.Output<string>;
  /** The name of the key the current plan mints (`<base>-g<generation>`). */
  declare readonly keyName: pulumi.Output<string>;
  /** The newest key's generation. */
  declare readonly generation: pulumi.Output<number>;

  constructor(name: string, args: RotatingApiKeyArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      {
        prefix: undefined,
        // With delivery there is no `apiKey` output at all: the secret holds the key.
        ...(args.deliverTo === undefined ? { apiKey: undefined } : { secretName: undefined, secretId: undefined }),
        previousPrefix: undefined,
        createdAt: undefined,
        rotateAfter: undefined,
        keyName: undefined,
        generation: undefined,
        ...args,
        ...scopedIdentity(name, opts),
      },
      // With delivery, the old resource (its secret, then its keys) goes before a replacement writes
      // its secret. An option, not only diff.ts's answer: for `--replace` the engine calls no diff
      // (pulumi v3.248 step_generator.go), and an option set overrides the provider's answer.
      args.deliverTo === undefined
        ? withSecretOutputs(opts, "apiKey")
        : { ...withSecretOutputs(opts, "apiKey"), deleteBeforeReplace: true },
      "baseten",
      "RotatingApiKey",
    );
  }
}
