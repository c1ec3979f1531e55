/**
 * The one adapter from a resource folder's operations to Pulumi's `ResourceProvider`: every
 * resource's provider object is `createResourceProvider(itsFolder)`.
 *
 * This object is serialized into every resource's `__provider` by closure serialization (in a
 * user's install as a `require` of the resource's sharedProvider module) and re-created inside
 * the engine's provider host, which calls `configure` once and then the lifecycle methods. So:
 * - no credential may be reachable from it when it is serialized: stack config arrives in
 *   `configure` (in the host only) and the environment is read inside the methods;
 * - npm modules are required lazily inside functions (see client/http.ts);
 * - errors are recognised by name, not `instanceof`.
 *
 * What the core does for every resource: settings checked at `check` (so a preview fails where
 * `up` would), one runtime per process, errors prefixed with what was being done and given the
 * host's short line, the stored-config hint on refresh and destroy, and the line saying what
 * proved a removal.
 */
import type * as pulumi from "@pulumi/pulumi";
import { isBasetenError, withContext as basetenWithContext, withLimit } from "../client/errors";
import { withHostLine } from "./hostErrorLine";
import { announceRemoval } from "./removalLines";
import type { CheckFailure, DiffDecision } from "./resource";
import { ProviderRuntime } from "./runtime";
import { configuredSettingsOf, resolveSettings, settingsFailures, type ConfiguredSettings } from "./settings";

/** What `read` found: the resource as it is now, or proof that it is gone (refresh drops it). */
export type ReadResult<O> = { id: string; outs: O; inputs: Record<string, unknown> } | { gone: string };

/**
 * A resource folder, as the core sees it: its checks, its diff and its operations, and the
 * words its lines and errors use. Nothing else is needed to make a provider of it.
 */
export interface ResourceFolder<I, O> {
  /** "Baseten API key", "Baseten secret": the words of every line and error. */
  what: string;
  /** How destroy's error names the operation: "Revoking", "Deleting". */
  deleting: string;
  /** The name a create's error uses. */
  createdName(inputs: I): unknown;
  /** Validation and normalisation of inputs, with no network; the core adds the settings' failures. */
  check(
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): { inputs: Record<string, unknown>; failures: CheckFailure[] };
  diff(id: string, olds: O, news: I): DiffDecision;
  create(rt: ProviderRuntime, inputs: I): Promise<{ id: string; outs: O }>;
  read(rt: ProviderRuntime, id: string, stored: O | undefined): Promise<ReadResult<O>>;
  /** New outputs; reached only for the changes `diff` says are in place. */
  update(rt: ProviderRuntime, id: string, olds: O, news: I): Promise<O>;
  /** Deletes (revokes) it, proven, and returns the line destroy prints; throws to keep it in state. */
  delete(rt: ProviderRuntime, id: string, stored: O | undefined): Promise<string>;
  /** A copy of one of the folder's own typed errors prefixed with `what`; undefined for errors not its own. */
  withContext?(what: string, e: unknown): Error | undefined;
}

/** The provider object plus the per-process state it builds at run time. */
export interface ResourceProvider<I, O> extends pulumi.dynamic.ResourceProvider<I, O> {
  /** Stack config from `configure`; set only inside the engine's provider host. */
  configured?: ConfiguredSettings;
  /** Built on first use, inside the provider host. */
  runtime?: ProviderRuntime;
}

/** The runtime of a provider object: one per process, built from its configured settings. */
export function runtimeOf(provider: { configured?: ConfiguredSettings; runtime?: ProviderRuntime }): ProviderRuntime {
  if (!provider.runtime) provider.runtime = new ProviderRuntime(resolveSettings(provider.configured ?? {}));
  return provider.runtime;
}

/**
 * A copy of the error prefixed with what was being done, keeping its typed fields (never an
 * edit: one failed shared lookup rejects every resource waiting on it with the same error),
 * with the short line the engine's host prints besides the message.
 */
function withContext<I, O>(folder: ResourceFolder<I, O>, what: string, e: unknown): unknown {
  const copy = folder.withContext?.(what, e) ?? (isBasetenError(e) ? basetenWithContext(what, e) : undefined);
  return copy === undefined ? e : withHostLine(copy, what);
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

type Stored = { __provider?: string };

/**
 * Makes a provider object of `folder`. Each resource class uses one module-level instance (its
 * sharedProvider module) so every resource of a program stores the same serialized text; tests
 * make their own.
 */
export function createResourceProvider<I extends Stored, O>(folder: ResourceFolder<I, O>): ResourceProvider<I, O> {
  const named = (verb: string, id: unknown) => `${verb} ${folder.what} ${JSON.stringify(id)}`;
  return {
    async configure(req: pulumi.dynamic.ConfigureRequest) {
      this.configured = configuredSettingsOf(req.config);
    },

    async check(olds: I, news: I) {
      const { inputs, failures } = folder.check(
        (olds ?? {}) as unknown as Record<string, unknown>,
        news as unknown as Record<string, unknown>,
      );
      // The settings are checked here too (the management key included, without sending it), so
      // `pulumi preview` fails where `up` would.
      return { inputs: inputs as unknown as I, failures: [...failures, ...settingsFailures(this.configured ?? {})] };
    },

    async diff(id: string, olds: O, news: I) {
      return folder.diff(id, olds, news);
    },

    async create(inputs: I) {
      try {
        return await folder.create(runtimeOf(this), inputs);
      } catch (e) {
        throw withContext(folder, named("Creating", folder.createdName(inputs)), e);
      }
    },

    async read(id: string, props?: O) {
      let found;
      try {
        found = await folder.read(runtimeOf(this), id, props);
      } catch (e) {
        throw withContext(folder, named("Refreshing", id), withStoredConfigHint(e));
      }
      if ("gone" in found) {
        announceRemoval("Refresh dropped", folder.what, id, found.gone);
        return {}; // no id: proven gone, and refresh drops the resource
      }
      return { id: found.id, props: found.outs, inputs: found.inputs as unknown as O };
    },

    async update(id: string, olds: O, news: I) {
      try {
        return { outs: await folder.update(runtimeOf(this), id, olds, news) };
      } catch (e) {
        throw withContext(folder, named("Updating", id), e);
      }
    },

    async delete(id: string, props?: O) {
      let line;
      try {
        line = await folder.delete(runtimeOf(this), id, props);
      } catch (e) {
        throw withContext(folder, named(folder.deleting, id), withStoredConfigHint(e));
      }
      // The engine shows a dynamic provider's standard output during the command (attributed to
      // the stack): one line per resource says what was verified (ids and names only).
      process.stdout.write(line);
    },
  };
}
