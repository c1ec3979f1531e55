/**
 * The public resource: `new Secret(name, args, opts)`.
 */
import * as pulumi from "@pulumi/pulumi";
import { registeredIdentity, withSecretOutputs } from "../core/registration";
import { PROVIDER_VERSION } from "../version";
// One provider object for every Secret, captured by reference in users' state (see sharedProvider.ts).
import provider from "./sharedProvider";
import type { SecretInputs } from "../core/secrets/types";

/** The arguments of a {@link Secret}. */
export interface SecretArgs {
  /**
   * The secret's value: a string or an `Output<string>` (for example an `ApiKey`'s `apiKey`).
   * Must not be empty. Wrapped in `pulumi.secret()`, so it is encrypted in state as an input
   * and as an output. Changing it updates the secret in place (one upsert, same `secretId`).
   */
  value: pulumi.Input<SecretInputs["value"]>;
  /**
   * The secret's name at Baseten, as models and chains read it (truss `secrets:`). Baseten
   * treats non-alphanumeric characters as equivalent (`hf_access_token` is `hf-access-token`).
   * @default `<resource name>-<7 random characters>`, generated once and kept.
   * Changing it replaces the secret (deleting first when the names are equivalent).
   */
  name?: pulumi.Input<SecretInputs["name"]>;
  /** Team that owns the secret, by id. Not with `teamName`. @default the organization default team */
  teamId?: pulumi.Input<string>;
  /** Team that owns the secret, by its exact name. Not with `teamId`. @default the organization default team */
  teamName?: pulumi.Input<string>;
  /**
   * Take over an existing secret of an equivalent name in the team, overwriting its value.
   * Without it, create refuses a name that exists (the upsert would silently overwrite).
   * @default false
   */
  adoptExisting?: pulumi.Input<boolean>;
}

/**
 * A Baseten secret. `pulumi up` writes it (refusing to overwrite one it did not create),
 * a value change updates it in place, and `pulumi destroy` deletes it and verifies Baseten's
 * tombstone (or other evidence) before it leaves state. Credentials come from
 * `baseten:apiKey` / `baseten:apiUrl` stack config or `BASETEN_API_KEY` / `BASETEN_API_URL`.
 *
 * @example
 * const key = new ApiKey("caller", { type: "WORKSPACE_INVOKE", modelIds: ["abcd1234"] });
 * new Secret("caller-key", { name: "embedder_api_key", value: key.apiKey });
 */
export class Secret extends pulumi.dynamic.Resource {
  /** Baseten's id of the secret, stable across value changes. */
  declare readonly secretId: pulumi.Output<string>;
  /** The secret's name at Baseten. */
  declare readonly name: pulumi.Output<string>;
  /** Id of the secret's team (the default team when the program names none). */
  declare readonly teamId: pulumi.Output<string>;
  /** Name of the secret's team. */
  declare readonly teamName: pulumi.Output<string>;
  /** When Baseten created the secret (ISO 8601). */
  declare readonly createdAt: pulumi.Output<string>;
  /** The value, a Pulumi secret. */
  declare readonly value: pulumi.Output<string>;

  constructor(name: string, args: SecretArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      {
        secretId: undefined,
        teamId: undefined,
        teamName: undefined,
        createdAt: undefined,
        ...args,
        // `additionalSecretOutputs` protects only outputs: the input must be a secret too.
        value: args.value === undefined ? undefined : pulumi.secret(args.value),
        ...registeredIdentity(name, PROVIDER_VERSION),
      },
      withSecretOutputs(opts, "value"),
      "baseten",
      "Secret",
    );
  }
}
