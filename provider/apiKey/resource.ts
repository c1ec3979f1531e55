/**
 * The public resource: `new ApiKey(name, args, opts)`.
 */
import * as pulumi from "@pulumi/pulumi";
import { registeredIdentity, withSecretOutputs } from "../core/registration";
// One provider object for every ApiKey, captured by reference in users' state (see sharedProvider.ts).
import provider from "../sharedProvider";
import type { ApiKeyInputs, ApiKeyType } from "../core/keys/types";
import { PROVIDER_VERSION } from "../version";

/** The arguments of an {@link ApiKey}. */
export interface ApiKeyArgs {
  /**
   * The key's category: `PERSONAL`, `WORKSPACE_MANAGE_ALL`, `WORKSPACE_INVOKE`,
   * `WORKSPACE_EXPORT_METRICS` or `WORKSPACE_MANAGE_API_KEYS`. Changing it replaces the key.
   */
  type: pulumi.Input<ApiKeyType>;
  /**
   * The key's name at Baseten: lowercase letters, digits and hyphens, unique among live keys
   * of its scope. @default `<resource name>-<7 random characters>`, generated once and kept.
   * Changing it replaces the key. Keeping an explicit name while changing anything else
   * revokes the old key before minting the new one (Baseten rejects two live keys with one
   * name); leave it unset for create-before-revoke rotation.
   */
  name?: pulumi.Input<ApiKeyInputs["name"]>;
  /** Models the key is scoped to; only with `WORKSPACE_INVOKE` or `WORKSPACE_EXPORT_METRICS`. */
  modelIds?: pulumi.Input<pulumi.Input<string>[]>;
  /** Team that owns the key, by id. Not with `teamName`, nor for `PERSONAL` or `WORKSPACE_MANAGE_API_KEYS`. */
  teamId?: pulumi.Input<string>;
  /** Team that owns the key, by its exact name (resolved with `GET /v1/teams?name=`). Not with `teamId`. */
  teamName?: pulumi.Input<string>;
  /** Arbitrary strings; any change replaces the key (like `keepers`). Use it to rotate. */
  rotationTriggers?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * Takes over an existing live key with this prefix instead of minting one (dynamic
   * resources cannot use `pulumi import`). `apiKey` is then empty: Baseten never shows a
   * plaintext again. `pulumi destroy` revokes the adopted key.
   */
  adoptPrefix?: pulumi.Input<string>;
}

/**
 * A Baseten API key. `pulumi up` mints it, `pulumi destroy` revokes it and verifies Baseten's
 * tombstone names this very key (or fails, keeping the key in state). Credentials come from
 * `baseten:apiKey` / `baseten:apiUrl` stack config or `BASETEN_API_KEY` / `BASETEN_API_URL`.
 *
 * @example
 * const key = new ApiKey("inference", { type: "WORKSPACE_INVOKE", modelIds: ["abcd1234"] });
 * export const apiKey = key.apiKey; // a secret
 */
export class ApiKey extends pulumi.dynamic.Resource {
  /** Baseten's prefix of the key; also the resource id. */
  declare readonly prefix: pulumi.Output<string>;
  /** The plaintext key, a Pulumi secret. Empty for an adopted key. */
  declare readonly apiKey: pulumi.Output<string>;
  /** The key's name at Baseten. */
  declare readonly name: pulumi.Output<string>;
  /** The key's category. */
  declare readonly type: pulumi.Output<string>;
  /** Models the key is scoped to, if any. */
  declare readonly modelIds: pulumi.Output<string[] | undefined>;
  /** Id of the key's team, if any. */
  declare readonly teamId: pulumi.Output<string | undefined>;
  /** Name of the key's team, if any. */
  declare readonly teamName: pulumi.Output<string | undefined>;

  constructor(name: string, args: ApiKeyArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      {
        // Every declared output is seeded, so each is an Output even when the program leaves
        // its input unset (a generated `name`): the engine fills them from the provider's outputs.
        prefix: undefined,
        apiKey: undefined,
        name: undefined,
        modelIds: undefined,
        teamId: undefined,
        teamName: undefined,
        ...args,
        // A generated name is derived from these and the inputs that force a replacement.
        ...registeredIdentity(name, PROVIDER_VERSION),
      },
      withSecretOutputs(opts, "apiKey"),
      "baseten",
      "ApiKey",
    );
  }
}
