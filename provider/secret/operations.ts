/**
 * The lifecycle of a `Secret` against Baseten: create (or adopt), update the value in place,
 * read (refresh) and delete, each proving what it claims. `provider.ts` adapts them to
 * Pulumi's dynamic-provider interface.
 */
import { BasetenError, isBasetenError, withLimit, type BasetenErrorKind } from "../client/errors";
import { BasetenClient } from "../client/baseten";
import { canonicalSecretName, secretNamesEquivalent, type ListedSecret } from "../client/secrets";
import { witnessFields } from "../core/evidence";
import { KeyListCache, secretNamedLike } from "../core/listings";
import { ProviderRuntime } from "../core/runtime";
import type { ResolvedSettings } from "../core/settings";
import type { Caller } from "../client/identity";
import { resolveTeam } from "../core/teams";
import { SecretError } from "./errors";
import { absenceUnproven, deletionUnproven, proveSecretGone } from "./gone";
import { deletionRecord, describeOther, listedAs } from "./identity";
import type { SecretInputs, SecretOutputs } from "./types";

/**
 * How far Baseten's clock may run behind this machine's before a `created_at` earlier than
 * the pre-create listing is taken for another writer's secret. The listing is the real guard;
 * this check catches a secret the listing did not show, and must not fire on clock skew.
 */
export const CLOCK_SKEW_ALLOWANCE_MS = 60_000;

/** One listing of a team's secrets and when it was asked for (this machine's clock). */
interface TeamListing {
  startedAt: number;
  secrets: ListedSecret[];
}

/** The resolved team of a secret. */
interface SecretTeam {
  teamId: string;
  teamName: string;
  teamSelector?: "teamId" | "teamName";
}

/** Per-process state: the shared runtime, the secrets client, one listing per team, create locks. */
export class SecretRuntime {
  readonly client: BasetenClient;
  /** The lookups every resource shares: teams, the caller (one request each per process), the audit log. */
  readonly shared: ProviderRuntime;
  private readonly listings = new Map<string, KeyListCache<TeamListing>>();
  private readonly createLocks = new Map<string, Promise<void>>();
  /** This machine's clock, injectable for tests. */
  readonly now: () => number;

  constructor(settings: ResolvedSettings, deps: { client?: BasetenClient; shared?: ProviderRuntime; now?: () => number } = {}) {
    this.client =
      deps.client ??
      new BasetenClient({
        baseUrl: settings.apiUrl,
        apiKey: settings.apiKey,
        timeoutMs: settings.timeoutMs,
        retry: { maxRetries: settings.maxRetries, budgetMs: settings.retryBudgetMs },
      });
    this.shared = deps.shared ?? new ProviderRuntime(settings);
    this.now = deps.now ?? Date.now;
  }

  /** The team's listing: one request per team per process, renewed after this process's writes. */
  listing(teamId: string): Promise<TeamListing> {
    let cache = this.listings.get(teamId);
    if (!cache) {
      cache = new KeyListCache<TeamListing>(async () => {
        const startedAt = this.now();
        return { startedAt, secrets: await this.client.listSecrets(teamId) };
      });
      this.listings.set(teamId, cache);
    }
    return cache.get();
  }

  /** Call after every write of this process to the team. */
  invalidate(teamId: string): void {
    this.listings.get(teamId)?.invalidate();
  }

  /** Runs `fn` after every earlier holder of `key` finished: serializes creates of equivalent names. */
  async exclusive<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const before = this.createLocks.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = before.then(() => mine);
    this.createLocks.set(key, tail);
    await before;
    try {
      return await fn();
    } finally {
      release();
      if (this.createLocks.get(key) === tail) this.createLocks.delete(key);
    }
  }
}

/** The team a program names, or the organization default team when it names none. */
async function resolveSecretTeam(rt: SecretRuntime, inputs: Pick<SecretInputs, "teamId" | "teamName">): Promise<SecretTeam> {
  const named = await resolveTeam(rt.shared, inputs);
  if (named.teamId !== undefined && named.teamName !== undefined)
    return { teamId: named.teamId, teamName: named.teamName, teamSelector: named.teamSelector };
  // The teamless secret routes disagree on the team (primary vs default), so the provider
  // resolves the default team itself and uses only team-scoped routes.
  const teams = await rt.shared.teams();
  const defaults = teams.filter((t) => t.isDefault === true);
  if (defaults.length !== 1) {
    throw new BasetenError(
      "configuration",
      `No team was given and Baseten marks ${defaults.length === 0 ? "no" : defaults.length} team${defaults.length === 1 ? "" : "s"} ` +
        `as the default (GET /v1/teams \`default: true\`). Set teamId or teamName on the Secret.`,
    );
  }
  return { teamId: defaults[0].id, teamName: defaults[0].name };
}

/** The resource id: `<teamId>/<name>`. */
export function secretResourceId(teamId: string, name: string): string {
  return `${teamId}/${name}`;
}

function describeTeam(team: { teamId: string; teamName: string }): string {
  return `team ${JSON.stringify(team.teamName)} (${team.teamId})`;
}

/** Failures after which an upsert may or may not have reached Baseten. */
const UNCERTAIN_FAILURES: BasetenErrorKind[] = ["timeout", "network", "server", "invalid-response"];

function outputsOf(
  inputs: SecretInputs,
  team: SecretTeam,
  written: ListedSecret,
  witness: ReturnType<typeof witnessFields>,
): { id: string; outs: SecretOutputs } {
  const outs: SecretOutputs = {
    ...inputs,
    secretId: written.id,
    teamId: team.teamId,
    teamName: team.teamName,
    createdAt: written.createdAt,
  };
  delete (outs as unknown as Record<string, unknown>).__provider;
  Object.assign(outs, witness);
  if (team.teamSelector !== undefined) outs.teamSelector = team.teamSelector;
  else delete outs.teamSelector;
  // The engine cannot store `undefined` ("Unexpected struct type").
  for (const [k, v] of Object.entries(outs)) if (v === undefined) delete (outs as unknown as Record<string, unknown>)[k];
  return { id: secretResourceId(team.teamId, inputs.name), outs };
}

/** How to take over a secret that exists, said by every refusal of create; `name` as Baseten holds it, when known. */
function adoptAdvice(name: string): string {
  return (
    `If it is this stack's own secret (an earlier \`pulumi up\` was interrupted after writing it) or you mean to take it over, ` +
    `set \`adoptExisting: true\` on the Secret (its value is overwritten with the program's), run \`pulumi up\`, then remove the flag. ` +
    `Otherwise choose another name, or delete ${JSON.stringify(name)} in Baseten first. (README: "After a crash during up of a Secret".)`
  );
}

/**
 * Creates the secret with one listing and one upsert. The upsert cannot refuse, so the
 * listing decides: an equivalent name in the team is refused unless `adoptExisting`. Creates
 * of equivalent names in one team are serialized within the process. A `created_at` earlier
 * than the listing means the upsert overwrote a secret the listing did not show: fail loudly.
 */
export async function createSecret(rt: SecretRuntime, inputs: SecretInputs): Promise<{ id: string; outs: SecretOutputs }> {
  const team = await resolveSecretTeam(rt, inputs);
  const lockKey = `${team.teamId}\u0000${canonicalSecretName(inputs.name)}`;
  return rt.exclusive(lockKey, async () => {
    // The caller first, then the listing: shared lookups run in a fixed order, so the
    // request log (and a fault injected by position) is the same on every run.
    const witness = witnessFields(await rt.shared.caller());
    const listing = await rt.listing(team.teamId);
    const existing = secretNamedLike(listing.secrets, inputs.name);
    if (existing && inputs.adoptExisting !== true) {
      throw new SecretError(
        "exists",
        `Secret ${JSON.stringify(inputs.name)} was not created: ${describeTeam(team)} already has a secret named ` +
          `${JSON.stringify(existing.name)} (id ${existing.id}, created ${existing.createdAt})` +
          `${existing.name === inputs.name ? "" : `, which Baseten treats as the same name (non-alphanumeric characters are equivalent)`}, ` +
          `and creating would overwrite its value. ${adoptAdvice(existing.name)}`,
      );
    }
    let written: ListedSecret;
    try {
      written = await rt.client.upsertSecret(team.teamId, inputs.name, inputs.value);
    } catch (e) {
      if (isBasetenError(e) && UNCERTAIN_FAILURES.includes(e.kind)) {
        throw withLimit(
          e,
          `The write of secret ${JSON.stringify(inputs.name)} may have reached Baseten: if it did, the next \`pulumi up\` ` +
            `refuses the name as existing. ${adoptAdvice(inputs.name)}`,
        );
      }
      if (isBasetenError(e) && e.kind === "request") {
        throw withLimit(
          e,
          `Baseten refused secret name ${JSON.stringify(inputs.name)} or its value: check the name (Baseten documents no alphabet; letters, digits and _ are safe).`,
        );
      }
      throw e;
    } finally {
      rt.invalidate(team.teamId);
    }
    if (!secretNamesEquivalent(written.name, inputs.name) || written.teamName !== team.teamName) {
      throw new BasetenError(
        "invalid-response",
        `Baseten's answer to the upsert of secret ${JSON.stringify(inputs.name)} in ${describeTeam(team)} names secret ` +
          `${JSON.stringify(written.name.slice(0, 100))} of team ${JSON.stringify(written.teamName.slice(0, 100))}. ` +
          `Check the secret in Baseten (GET /v1/teams/${team.teamId}/secrets); it is not recorded in state.`,
      );
    }
    if (existing) {
      if (written.id !== existing.id) {
        throw new SecretError(
          "replaced-outside",
          `Secret ${JSON.stringify(inputs.name)} in ${describeTeam(team)} changed id while it was adopted (listed ${existing.id}, ` +
            `upserted ${written.id}): something else deleted and recreated it meanwhile. Check who manages it, then rerun \`pulumi up\`.`,
        );
      }
    } else if (Date.parse(written.createdAt) < listing.startedAt - CLOCK_SKEW_ALLOWANCE_MS) {
      throw new SecretError(
        "other-writer",
        `Secret ${JSON.stringify(inputs.name)} in ${describeTeam(team)} existed before this create (id ${written.id}, ` +
          `created ${written.createdAt}) although the listing made just before did not show it: the upsert overwrote a value ` +
          `someone else wrote. It is not recorded in state, since it is not this stack's. Restore its value in Baseten, or ` +
          `take it over with \`adoptExisting: true\`.`,
      );
    }
    return outputsOf(inputs, team, written, witness);
  });
}

/**
 * A value change: one upsert into the secret's team, sent only after the team's listing shows
 * the stored id under the stored name (the upsert writes by name, so it would otherwise write
 * into whatever secret holds the name now). Baseten's answer must carry the stored id too: a
 * replacement between the listing and the upsert is reported, never recorded.
 */
export async function updateSecretValue(rt: SecretRuntime, olds: SecretOutputs, news: SecretInputs): Promise<SecretOutputs> {
  const team: SecretTeam = { teamId: olds.teamId, teamName: olds.teamName, teamSelector: olds.teamSelector };
  const carried: SecretOutputs = {
    ...olds,
    providerVersion: news.providerVersion,
    resourceName: news.resourceName,
    autoName: news.autoName,
  };
  if (news.adoptExisting === undefined) delete carried.adoptExisting;
  else carried.adoptExisting = news.adoptExisting;
  if (news.value === olds.value) return carried;
  const seen = listedAs((await rt.listing(team.teamId)).secrets, olds);
  if (seen.state === "replaced") {
    throw new SecretError(
      "replaced-outside",
      `Secret ${JSON.stringify(olds.name)} in ${describeTeam(team)} was replaced outside Pulumi: the team's listing holds ` +
        `${describeOther(seen.secret)} under its name, but state holds id ${olds.secretId}, so this stack's secret was deleted ` +
        `and another written in its place. Nothing was written: the other secret is left alone. Run \`pulumi refresh\` to drop ` +
        `this stack's secret from state; \`pulumi up\` then refuses the name as existing unless you take the other secret over ` +
        `with \`adoptExisting: true\`.`,
    );
  }
  if (seen.state === "absent") {
    throw new SecretError(
      "not-listed",
      `Secret ${JSON.stringify(olds.name)} (id ${olds.secretId}) is missing from the listing of ${describeTeam(team)}, so it ` +
        `was deleted outside Pulumi or this management key cannot see it. Nothing was written (the upsert would create a new ` +
        `secret, not update this one). Run \`pulumi refresh\`: it drops the secret from state when Baseten proves it deleted.`,
    );
  }
  let written: ListedSecret;
  try {
    written = await rt.client.upsertSecret(team.teamId, olds.name, news.value);
  } finally {
    rt.invalidate(team.teamId);
  }
  if (written.id !== olds.secretId) {
    throw new SecretError(
      "replaced-outside",
      `Secret ${JSON.stringify(olds.name)} in ${describeTeam(team)} was replaced outside Pulumi while it was updated: the ` +
        `listing just made showed id ${olds.secretId}, Baseten's answer to the upsert names id ${written.id}. The new value ` +
        `was written to that other secret. Check who else manages the secret; \`pulumi refresh\` then drops this stack's.`,
    );
  }
  return withWitness({ ...carried, value: news.value, createdAt: written.createdAt }, await rt.shared.caller());
}

/** `outs` as seen now by `caller`: a workspace recorded with an earlier witness is not carried over. */
function withWitness(outs: SecretOutputs, caller: Caller): SecretOutputs {
  const seen: SecretOutputs = { ...outs, ...witnessFields(caller) };
  if (caller.workspaceName === undefined) delete seen.seenInWorkspace;
  return seen;
}

/** Why refresh or destroy let a secret go, for the line each prints. */
export type SecretGone =
  | { proof: "tombstone" | "listing" | "audit-log" }
  /** The tombstone names it and the audit log's `SECRET_DELETED` entry carries its id. */
  | { proof: "tombstone-and-audit-log" }
  /** Another id holds its name: it was replaced outside Pulumi; that other secret is left alone. */
  | { proof: "replaced"; other: ListedSecret };

/**
 * Refresh: the secret as Baseten lists it now (value kept from state), or why it is gone. The
 * stored name under another id proves the stack's secret gone (names are unique per team).
 */
export async function readSecret(rt: SecretRuntime, stored: SecretOutputs): Promise<SecretOutputs | SecretGone> {
  const caller = await rt.shared.caller();
  const listing = await rt.listing(stored.teamId);
  const seen = listedAs(listing.secrets, stored);
  if (seen.state === "ours") {
    const found = seen.secret;
    return withWitness({ ...stored, secretId: found.id, createdAt: found.createdAt, teamName: found.teamName }, caller);
  }
  if (seen.state === "replaced") return { proof: "replaced", other: seen.secret };
  const verdict = await proveSecretGone(rt.shared, caller, stored);
  if (verdict.gone) return { proof: verdict.evidence };
  throw absenceUnproven(
    `Secret ${JSON.stringify(stored.name)} is missing from the listing of ${describeTeam(stored)}`,
    stored,
    verdict.reasons,
  );
}

/** True for what `readSecret` returns when the secret is gone. */
export function isSecretGone(read: SecretOutputs | SecretGone): read is SecretGone {
  return typeof (read as Partial<SecretGone>).proof === "string";
}

/**
 * Destroy: deletes the secret only after the team's listing shows the stored id under its name,
 * and resolves only on a matching tombstone or evidence it is gone, naming the proof. Another
 * id under the name proves the stack's secret gone, and that secret is left alone.
 */
export async function deleteSecret(rt: SecretRuntime, stored: SecretOutputs): Promise<SecretGone> {
  const seen = listedAs((await rt.listing(stored.teamId)).secrets, stored);
  if (seen.state === "replaced") return { proof: "replaced", other: seen.secret };
  if (seen.state === "absent")
    return provenGone(rt, stored, `Secret ${JSON.stringify(stored.name)} is missing from the listing of ${describeTeam(stored)}`);
  let result;
  const sentAt = rt.shared.now(); // the start of the audit-log window for this deletion
  try {
    result = await rt.client.deleteSecret(stored.teamId, stored.name);
  } finally {
    rt.invalidate(stored.teamId);
  }
  if (result.outcome === "deleted") {
    if (stored.secretId === undefined) return { proof: "tombstone" };
    const record = await deletionRecord(rt.shared, stored, result.tombstoneName, sentAt);
    if (record.found === "ours") return { proof: "tombstone-and-audit-log" };
    if (record.found === "nothing") return { proof: "tombstone" };
    throw new SecretError(
      "replaced-outside",
      `Baseten's tombstone names ${JSON.stringify(result.tombstoneName)}, but its audit log records that the secret deleted ` +
        `had id ${record.secretId}, not this stack's ${stored.secretId}: the secret was replaced outside Pulumi between the ` +
        `listing and the DELETE, and the other secret was deleted. Tell whoever wrote it; this stack's secret is kept in state ` +
        `until \`pulumi refresh\` proves it gone.`,
    );
  }
  const said = `Baseten answered HTTP 404${result.json ? "" : " with a body that is not JSON (check baseten:apiUrl / BASETEN_API_URL)"} to the DELETE of secret ${JSON.stringify(stored.name)} in ${describeTeam(stored)}`;
  const after = listedAs((await rt.listing(stored.teamId)).secrets, stored);
  if (after.state === "replaced") return { proof: "replaced", other: after.secret };
  if (after.state === "ours") throw deletionUnproven(`${said}, yet the team's listing still holds it`, stored, []);
  return provenGone(rt, stored, said);
}

/** The evidence rule for a secret the listing lacks: gone with its proof, or the error that keeps it. */
async function provenGone(rt: SecretRuntime, stored: SecretOutputs, what: string): Promise<SecretGone> {
  const caller = await rt.shared.caller();
  const verdict = await proveSecretGone(rt.shared, caller, stored);
  if (verdict.gone) return { proof: verdict.evidence };
  throw deletionUnproven(what, stored, verdict.reasons);
}

/** The inputs a refreshed secret stands for, so the next preview compares against them. */
export function secretInputsOfOutputs(outs: SecretOutputs): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (const k of ["name", "autoName", "value", "adoptExisting", "providerVersion", "resourceName", "nameScope"] as const)
    if (outs[k] !== undefined) inputs[k] = outs[k];
  if (outs.teamSelector === "teamId") inputs.teamId = outs.teamId;
  if (outs.teamSelector === "teamName") inputs.teamName = outs.teamName;
  return inputs;
}
