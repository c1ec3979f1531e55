/**
 * The dynamic provider: Pulumi's `ResourceProvider` interface over `operations.ts`.
 *
 * This object is serialized into every resource's `__provider` by closure serialization and
 * re-created from that text inside the engine's provider host, which calls `configure` once
 * and then the lifecycle methods. So:
 * - no credential may be reachable from it when it is serialized: stack config arrives in
 *   `configure` (in the host only) and the environment is read inside the methods;
 * - npm modules are required lazily inside functions (see client/http.ts);
 * - errors are recognised by name, not `instanceof`.
 */
import type * as pulumi from "@pulumi/pulumi";
import { isBasetenError, withContext as basetenWithContext, withLimit } from "../client/errors";
import { diffInputs } from "./diff";
import { withHostLine } from "../core/hostErrorLine";
import { createKey } from "./create";
import { isKeyKeptInStateError, keptWithContext, unconfirmedName } from "./keptInState";
import { inputsOfOutputs, readKey } from "./read";
import { revokeKey, type Revocation } from "./delete";
import { updateKey } from "./update";
import { announceRemoval } from "../core/removalLines";
import { ProviderRuntime } from "../core/runtime";
import { configuredSettingsOf, resolveSettings, settingsFailures, type ConfiguredSettings } from "../core/settings";
import type { ApiKeyInputs, ApiKeyOutputs } from "./types";
import { checkInputs } from "./checks";

type Inputs = ApiKeyInputs & { adoptPrefix?: string; __provider?: string };

/** The provider object plus the per-process state it builds at run time. */
export interface ApiKeyProvider extends pulumi.dynamic.ResourceProvider<Inputs, ApiKeyOutputs> {
  /** Stack config from `configure`; set only inside the engine's provider host. */
  configured?: ConfiguredSettings;
  /** Built on first use, inside the provider host. */
  runtime?: ProviderRuntime;
}

function runtimeOf(provider: ApiKeyProvider): ProviderRuntime {
  if (!provider.runtime) provider.runtime = new ProviderRuntime(resolveSettings(provider.configured ?? {}));
  return provider.runtime;
}

/** What destroy and refresh print per key, by what proved it revoked. */
const REVOKED_BECAUSE = {
  tombstone: "Baseten's tombstone names it (verified)",
  "audit log": "Baseten's audit log records its revocation (verified)",
  listing: "no longer in the listing of the user who last saw it (verified)",
  "none minted": "no key of its name was ever listed (verified)",
} as const;

const WHAT = "Baseten API key";

/** Destroy's line for one resource. */
export function revocationLine(id: string, revocation: Revocation): string {
  const because = REVOKED_BECAUSE[revocation.proof];
  if (revocation.prefixes.length === 0) return `No Baseten API key to revoke for ${JSON.stringify(id)}: ${because}.\n`;
  const keys = revocation.prefixes.map((p) => JSON.stringify(p)).join(", ");
  const entry = revocation.prefixes.length === 1 && revocation.prefixes[0] === id ? "" : ` (state entry ${JSON.stringify(id)})`;
  return `Revoked Baseten API key ${keys}${entry}: ${because}.\n`;
}

/**
 * Prefixes errors with what was being done, keeping the typed fields: a copy per resource,
 * since one failed shared lookup rejects every resource waiting on it with the same error.
 */
function withContext(what: string, e: unknown): unknown {
  const copy = isKeyKeptInStateError(e) ? keptWithContext(what, e) : isBasetenError(e) ? basetenWithContext(what, e) : e;
  // The line the engine's host prints besides the message: short, and the same as Secret's.
  return copy !== e ? withHostLine(copy as Error, what) : copy;
}

/**
 * Refresh and destroy configure the provider from the config stored with the stack's last
 * update, not from the current stack config: a rejected key there needs that said.
 */
function withStoredConfigHint(e: unknown): unknown {
  if (!isBasetenError(e) || (e.status !== 401 && e.status !== 403)) return e;
  return withLimit(
    e,
    "Note: `pulumi refresh` and `pulumi destroy` use the management key stored with the stack's last `pulumi up`; " +
      "after changing baseten:apiKey, run `pulumi up` first, or pass `--run-program`.",
  );
}

/**
 * Makes a provider object. The `ApiKey` class uses one module-level instance so every
 * resource of a program stores the same serialized text; tests make their own.
 */
export function createApiKeyProvider(): ApiKeyProvider {
  return {
    async configure(req: pulumi.dynamic.ConfigureRequest) {
      this.configured = configuredSettingsOf(req.config);
    },

    async check(olds: Inputs, news: Inputs) {
      const { inputs, failures } = checkInputs(
        (olds ?? {}) as unknown as Record<string, unknown>,
        news as unknown as Record<string, unknown>,
      );
      // The settings are checked here too (the management key included, without sending it), so
      // `pulumi preview` fails where `up` would.
      return { inputs: inputs as Inputs, failures: [...failures, ...settingsFailures(this.configured ?? {})] };
    },

    async diff(id: string, olds: ApiKeyOutputs, news: Inputs) {
      const decision = diffInputs(olds as unknown as Record<string, unknown>, news as unknown as Record<string, unknown>);
      // An `unconfirmed/<name>` entry stands for whatever key has its name, and its replacement
      // derives the same name: revoke by name first, or the revocation would find the new key.
      if (decision.replaces.length > 0 && unconfirmedName(id) !== undefined) decision.deleteBeforeReplace = true;
      return decision;
    },

    async create(inputs: Inputs) {
      try {
        return await createKey(runtimeOf(this), inputs, inputs.__provider);
      } catch (e) {
        throw withContext(`Creating Baseten API key ${JSON.stringify(inputs.name ?? inputs.adoptPrefix)}`, e);
      }
    },

    async read(id: string, props?: ApiKeyOutputs) {
      try {
        const outs = await readKey(runtimeOf(this), id, props ?? ({} as ApiKeyOutputs), (proof) =>
          announceRemoval("Refresh dropped", WHAT, id, REVOKED_BECAUSE[proof]),
        );
        // No id: the key was revoked outside Pulumi, and refresh drops the resource.
        if (!outs) return {};
        // The id is the prefix read, which differs from `id` only for an `unconfirmed/<name>` id.
        return { id: outs.prefix, props: outs, inputs: inputsOfOutputs(outs) as unknown as ApiKeyOutputs };
      } catch (e) {
        throw withContext(`Refreshing Baseten API key ${JSON.stringify(id)}`, withStoredConfigHint(e));
      }
    },

    // Reached only when `providerVersion` changed or the same team is now named the other way
    // (see diff.ts): records them, so the engine stores the new provider code; writes nothing.
    async update(id: string, olds: ApiKeyOutputs, news: Inputs) {
      try {
        return { outs: await updateKey(runtimeOf(this), olds, news) };
      } catch (e) {
        throw withContext(`Updating Baseten API key ${JSON.stringify(id)}`, e);
      }
    },

    async delete(id: string, props?: ApiKeyOutputs) {
      let revocation;
      try {
        revocation = await revokeKey(runtimeOf(this), id, props ?? {});
      } catch (e) {
        throw withContext(`Revoking Baseten API key ${JSON.stringify(id)}`, withStoredConfigHint(e));
      }
      // The engine shows a dynamic provider's standard output during the command (attributed to
      // the stack): one line per key says what was verified, naming the prefix actually revoked
      // (for an `unconfirmed/<name>` entry, the key found by name; none when none was minted).
      process.stdout.write(revocationLine(id, revocation));
    },
  };
}
