/**
 * The dynamic provider of `Secret`: Pulumi's `ResourceProvider` interface over operations.ts.
 * Serialized into `__provider` like ApiKey's (see ../apiKey/provider.ts): no credential is
 * reachable from it, npm modules are required lazily, errors are recognised by name.
 */
import type * as pulumi from "@pulumi/pulumi";
import { isBasetenError, withContext as basetenWithContext } from "../client/errors";
import { withHostLine } from "../core/hostErrorLine";
import { configuredSettingsOf, resolveSettings, settingsFailures, type ConfiguredSettings } from "../core/settings";
import { diffSecret } from "./diff";
import { isSecretError, SecretError } from "./errors";
import { ProviderRuntime } from "../core/runtime";
import { createSecret } from "./create";
import { deleteSecret } from "./delete";
import { isSecretGone, type SecretGone } from "./gone";
import { readSecret, secretInputsOfOutputs } from "./read";
import { secretResourceId } from "./outputs";
import { updateSecretValue } from "./update";
import { describeOther } from "./identity";
import { announceRemoval } from "../core/removalLines";
import type { SecretInputs, SecretOutputs } from "./types";
import { checkSecretInputs } from "./checks";

type Inputs = SecretInputs & { __provider?: string };

/** The provider object plus the per-process state it builds at run time. */
export interface SecretProvider extends pulumi.dynamic.ResourceProvider<Inputs, SecretOutputs> {
  /** Stack config from `configure`; set only inside the engine's provider host. */
  configured?: ConfiguredSettings;
  /** Built on first use, inside the provider host. */
  runtime?: ProviderRuntime;
}

function runtimeOf(provider: SecretProvider): ProviderRuntime {
  if (!provider.runtime) provider.runtime = new ProviderRuntime(resolveSettings(provider.configured ?? {}));
  return provider.runtime;
}

/** A copy of the error prefixed with what was being done, keeping the typed fields (never an edit: errors may be shared). */
function withContext(what: string, e: unknown): unknown {
  const copy = isBasetenError(e)
    ? basetenWithContext(what, e)
    : isSecretError(e)
      ? new SecretError(e.reason, `${what}: ${e.message}`)
      : e;
  // The line the engine's host prints besides the message: short, and the same as ApiKey's.
  return copy !== e ? withHostLine(copy as Error, what) : copy;
}

/** What destroy and refresh print per secret, by what proved it gone. */
const GONE_BECAUSE = {
  tombstone: "Baseten's tombstone names it (verified)",
  "tombstone-and-audit-log": "Baseten's tombstone names it and its audit log records the deletion of its id (verified)",
  "audit-log": "Baseten's audit log records its deletion (verified)",
  listing: "no longer in the listing of the user who last saw it (verified)",
} as const;

/** The line's reason: a replaced secret names the other one, which is left alone. */
function goneBecause(gone: SecretGone, stored: SecretOutputs): string {
  if (gone.proof !== "replaced") return GONE_BECAUSE[gone.proof];
  return (
    `replaced outside Pulumi: the team's listing holds ${describeOther(gone.other)} under its name, not id ` +
    `${stored.secretId}, so this stack's secret was deleted; that other secret is left alone (verified)`
  );
}

/** The stored outputs of a resource, completed from its id when an old state lacks a field. */
function storedOf(id: string, props: SecretOutputs | undefined): SecretOutputs {
  const outs = { ...(props ?? ({} as SecretOutputs)) };
  const slash = id.indexOf("/");
  if (outs.teamId === undefined && slash > 0) outs.teamId = id.slice(0, slash);
  if (outs.name === undefined && slash > 0) outs.name = id.slice(slash + 1);
  return outs;
}

/** Makes a provider object. The `Secret` class uses the one in sharedProvider.ts; tests make their own. */
export function createSecretProvider(): SecretProvider {
  return {
    async configure(req: pulumi.dynamic.ConfigureRequest) {
      this.configured = configuredSettingsOf(req.config);
    },

    async check(olds: Inputs, news: Inputs) {
      const { inputs, failures } = checkSecretInputs(
        (olds ?? {}) as unknown as Record<string, unknown>,
        news as unknown as Record<string, unknown>,
      );
      // The settings too, as ApiKey's check does: `pulumi preview` fails where `up` would.
      return { inputs: inputs as Inputs, failures: [...failures, ...settingsFailures(this.configured ?? {})] };
    },

    async diff(_id: string, olds: SecretOutputs, news: Inputs) {
      return diffSecret(olds as unknown as Record<string, unknown>, news as unknown as Record<string, unknown>);
    },

    async create(inputs: Inputs) {
      try {
        return await createSecret(runtimeOf(this), inputs);
      } catch (e) {
        throw withContext(`Creating Baseten secret ${JSON.stringify(inputs.name)}`, e);
      }
    },

    async read(id: string, props?: SecretOutputs) {
      const stored = storedOf(id, props);
      try {
        const outs = await readSecret(runtimeOf(this), stored);
        if (isSecretGone(outs)) {
          announceRemoval("Refresh dropped", "Baseten secret", id, goneBecause(outs, stored));
          // No id: proven gone, and refresh drops the resource.
          return {};
        }
        return {
          id: secretResourceId(outs.teamId, outs.name),
          props: outs,
          inputs: secretInputsOfOutputs(outs) as unknown as SecretOutputs,
        };
      } catch (e) {
        throw withContext(`Refreshing Baseten secret ${JSON.stringify(id)}`, e);
      }
    },

    async update(id: string, olds: SecretOutputs, news: Inputs) {
      try {
        return { outs: await updateSecretValue(runtimeOf(this), storedOf(id, olds), news) };
      } catch (e) {
        throw withContext(`Updating Baseten secret ${JSON.stringify(id)}`, e);
      }
    },

    async delete(id: string, props: SecretOutputs) {
      const stored = storedOf(id, props);
      let gone;
      try {
        gone = await deleteSecret(runtimeOf(this), stored);
      } catch (e) {
        throw withContext(`Deleting Baseten secret ${JSON.stringify(id)}`, e);
      }
      // One line per secret says what was verified (ids and names only, never the value).
      announceRemoval("Deleted", "Baseten secret", id, goneBecause(gone, stored));
    },
  };
}
