/**
 * The lifecycle operations against Baseten: create (mint or adopt), read (refresh), revoke.
 * `dynamicProvider.ts` adapts them to Pulumi's dynamic-provider interface.
 */
import { BasetenClient } from "./client/baseten";
import { BasetenError, isBasetenError, type BasetenErrorKind } from "./client/errors";
import { prefixProblem } from "./client/prefix";
import { KeyListCache } from "./keyListCache";
import type { ResolvedSettings } from "./settings";
import type { ApiKeyInputs, ApiKeyOutputs, ListedApiKey, Team } from "./types";

/** Per-process state of a configured provider: the client and its shared lookups. */
export class ProviderRuntime {
  readonly client: BasetenClient;
  readonly keys: KeyListCache;
  private readonly teamsByName = new Map<string, Promise<Team[]>>();
  private allTeams?: Promise<Team[]>;

  constructor(settings: ResolvedSettings, client?: BasetenClient) {
    this.client =
      client ??
      new BasetenClient({
        baseUrl: settings.apiUrl,
        apiKey: settings.apiKey,
        timeoutMs: settings.timeoutMs,
        retry: { maxRetries: settings.maxRetries },
      });
    this.keys = new KeyListCache(() => this.client.listKeys());
  }

  /** Teams named `name`, one request per name per process. */
  teamsNamed(name: string): Promise<Team[]> {
    let p = this.teamsByName.get(name);
    if (!p) {
      p = this.client.teamsNamed(name);
      this.teamsByName.set(name, p);
      p.catch(() => this.teamsByName.delete(name));
    }
    return p;
  }

  /** All teams, one request per process. */
  teams(): Promise<Team[]> {
    if (!this.allTeams) {
      const p = this.client.allTeams();
      this.allTeams = p;
      p.catch(() => (this.allTeams = undefined));
    }
    return this.allTeams;
  }
}

/** The resolved team of a key: both id and name, and which one the program gave. */
export interface ResolvedTeam {
  teamId?: string;
  teamName?: string;
  teamSelector?: "teamId" | "teamName";
}

/** The team a program names by `teamName` or `teamId`, checked at Baseten; `{}` when it names none. */
export async function resolveTeam(rt: ProviderRuntime, inputs: Pick<ApiKeyInputs, "teamId" | "teamName">): Promise<ResolvedTeam> {
  if (inputs.teamName !== undefined) {
    const teams = await rt.teamsNamed(inputs.teamName);
    const matching = teams.filter((t) => t.name === inputs.teamName);
    if (matching.length === 0) {
      throw new BasetenError(
        "configuration",
        `teamName: no Baseten team is named ${JSON.stringify(inputs.teamName)} (GET /v1/teams?name=). Check the name on Baseten's Teams page, or set teamId.`,
      );
    }
    if (matching.length > 1) {
      throw new BasetenError(
        "configuration",
        `teamName: ${matching.length} Baseten teams are named ${JSON.stringify(inputs.teamName)} (ids ${matching.map((t) => t.id).join(", ")}); set teamId to choose one.`,
      );
    }
    return { teamId: matching[0].id, teamName: matching[0].name, teamSelector: "teamName" };
  }
  if (inputs.teamId !== undefined) {
    const team = (await rt.teams()).find((t) => t.id === inputs.teamId);
    if (!team) {
      throw new BasetenError(
        "configuration",
        `teamId: no Baseten team has id ${JSON.stringify(inputs.teamId)} (GET /v1/teams). Check the id, or set teamName.`,
      );
    }
    return { teamId: team.id, teamName: team.name, teamSelector: "teamId" };
  }
  return {};
}

/**
 * The error the engine understands as "created, but failed to initialise": it keeps the
 * resource (with this id and these properties) in state instead of forgetting a live key.
 */
export class KeyKeptInStateError extends Error {
  constructor(
    message: string,
    readonly id: string,
    readonly properties: Record<string, unknown>,
    readonly reasons: string[],
  ) {
    super(message);
    this.message = message; // see BasetenError: serialized classes must set it themselves
    this.name = "KeyKeptInStateError";
  }
}

/** Failures after which the POST may or may not have reached Baseten. */
const UNCERTAIN_CREATE_FAILURES: BasetenErrorKind[] = ["timeout", "network", "server"];

/** How many times an uncertain create is resolved by listing and sending the POST again. */
const MAX_CREATE_RECOVERIES = 2;

function matchesScope(key: ListedApiKey, team: ResolvedTeam): boolean {
  return (key.teamName ?? undefined) === (team.teamName ?? undefined);
}

function outputsOf(inputs: ApiKeyInputs, team: ResolvedTeam, prefix: string, apiKey: string): ApiKeyOutputs {
  const outs: ApiKeyOutputs = { ...inputs, prefix, apiKey };
  delete (outs as unknown as Record<string, unknown>).__provider;
  if (team.teamId !== undefined) outs.teamId = team.teamId;
  if (team.teamName !== undefined) outs.teamName = team.teamName;
  if (team.teamSelector !== undefined) outs.teamSelector = team.teamSelector;
  return outs;
}

function howToRevokeByName(name: string): string {
  return (
    `Look for a key named ${JSON.stringify(name)} on Baseten's API keys page or with GET /v1/api_keys, ` +
    `revoke it there or with DELETE /v1/api_keys/<prefix>, then rerun \`pulumi up\`.`
  );
}

/**
 * The id of a key that may have been minted but whose prefix is unknown (its create failed
 * uncertainly and the listing that would have found it failed too): `unconfirmed/<name>`. The
 * slash makes it impossible as a prefix, so it can never reach a URL; read and revoke find the
 * key by its name instead.
 */
const UNCONFIRMED_ID = "unconfirmed/";

/** The key name an `unconfirmed/<name>` id stands for, or undefined for any other id. */
export function unconfirmedName(id: unknown): string | undefined {
  return typeof id === "string" && id.startsWith(UNCONFIRMED_ID) && id.length > UNCONFIRMED_ID.length
    ? id.slice(UNCONFIRMED_ID.length)
    : undefined;
}

/**
 * Mints a key: one POST when nothing fails. A failed POST must not leave a live key that no
 * state tracks, so when the failure leaves it open whether Baseten minted one, the provider
 * lists keys and looks for the name it sent (known before the POST):
 * - timeout, lost connection or 5xx, and no such key: nothing was minted; POST again;
 * - the same, and the key exists with a generated name: it is ours (random suffix), so it is
 *   revoked (tombstone verified) and the POST is sent again;
 * - the key exists with an explicit name, or Baseten answered 200 with an unreadable key: it
 *   cannot be used (its plaintext is lost) and may not be ours to revoke, so the engine keeps
 *   it in state (an initialisation error carrying its prefix); the next `pulumi up` replaces it.
 * - the listing fails too: the engine keeps the resource in state as `unconfirmed/<name>`,
 *   which refresh resolves by name and the next `pulumi up` replaces.
 */
export async function createKey(
  rt: ProviderRuntime,
  inputs: ApiKeyInputs & { adoptPrefix?: string },
  providerCode: unknown,
): Promise<{ id: string; outs: ApiKeyOutputs }> {
  if (inputs.adoptPrefix !== undefined) return adoptKey(rt, inputs as ApiKeyInputs & { adoptPrefix: string });
  const team = await resolveTeam(rt, inputs);
  for (let recovery = 0; ; recovery++) {
    let failure: BasetenError;
    try {
      const created = await rt.client.createKey({
        type: inputs.type,
        name: inputs.name,
        modelIds: inputs.modelIds,
        teamId: team.teamId,
      });
      return { id: created.prefix, outs: outputsOf(inputs, team, created.prefix, created.apiKey) };
    } catch (e) {
      if (!isBasetenError(e)) throw e;
      failure = e;
    } finally {
      rt.keys.invalidate();
    }
    const uncertain = UNCERTAIN_CREATE_FAILURES.includes(failure.kind);
    if (!uncertain && failure.kind !== "invalid-response") throw failure;

    let minted: ListedApiKey[];
    try {
      minted = (await rt.client.listKeys()).filter((k) => k.name === inputs.name && matchesScope(k, team));
    } catch (listError) {
      const why = isBasetenError(listError) ? listError.kind : "error";
      if (!uncertain) {
        failure.message += ` A key may have been minted, and checking for it failed (${why}). ${howToRevokeByName(inputs.name)}`;
        throw failure;
      }
      // Whether Baseten minted the key is unknown, and so is its prefix: keep the resource in
      // state under an id naming the key, so no later run forgets it. Refresh resolves it by
      // name (or drops it when none was minted); the next up replaces it; destroy revokes it.
      const id = `${UNCONFIRMED_ID}${inputs.name}`;
      const message =
        `${failure.message} A key named ${JSON.stringify(inputs.name)} may have been minted, and checking for it failed (${why}). ` +
        `It is kept in state as ${JSON.stringify(id)} so it is not forgotten: \`pulumi refresh\` finds it by name ` +
        `(or drops it if none was minted), and the next \`pulumi up\` replaces it.`;
      const properties = { ...outputsOf(inputs, team, "", ""), __provider: providerCode };
      throw new KeyKeptInStateError(message, id, properties, [message]);
    }
    if (uncertain && recovery < MAX_CREATE_RECOVERIES) {
      if (minted.length === 0) continue;
      if (inputs.autoName) {
        for (const orphan of minted) await rt.client.revokeKey(orphan.prefix);
        rt.keys.invalidate();
        continue;
      }
    }
    if (minted.length === 0) {
      failure.message += uncertain
        ? ` No key named ${JSON.stringify(inputs.name)} exists at Baseten (checked by listing), so none was minted; rerun \`pulumi up\`.`
        : ` A key may have been minted. ${howToRevokeByName(inputs.name)}`;
      throw failure;
    }
    const orphan = minted[0];
    const message =
      `${failure.message} Baseten did mint key ${orphan.prefix} named ${JSON.stringify(inputs.name)}, but its plaintext was lost. ` +
      `It is kept in state so it is not forgotten; the next \`pulumi up\` replaces it (revoking ${orphan.prefix}).`;
    const properties = { ...outputsOf(inputs, team, orphan.prefix, ""), __provider: providerCode };
    throw new KeyKeptInStateError(message, orphan.prefix, properties, [message]);
  }
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((v) => b.includes(v)) && b.every((v) => a.includes(v));

/**
 * Takes over an existing live key instead of minting one (`adoptPrefix`): one listing, no
 * write. Every field the program sets must match the live key; a field it leaves unset is
 * taken from the key (and `diff` then leaves it alone).
 */
async function adoptKey(
  rt: ProviderRuntime,
  inputs: ApiKeyInputs & { adoptPrefix: string },
): Promise<{ id: string; outs: ApiKeyOutputs }> {
  const prefix = inputs.adoptPrefix;
  const found = (await rt.keys.get()).find((k) => k.prefix === prefix);
  if (!found) {
    throw new BasetenError(
      "not-found",
      `adoptPrefix: no live Baseten key has prefix ${JSON.stringify(prefix)} (GET /v1/api_keys). Check the prefix on Baseten's API keys page; revoked keys cannot be adopted.`,
    );
  }
  const mismatches: string[] = [];
  if (found.type !== inputs.type) mismatches.push(`type is ${found.type}, the program says ${inputs.type}`);
  if (!inputs.autoName && inputs.name !== undefined && found.name !== inputs.name)
    mismatches.push(`name is ${JSON.stringify(found.name ?? null)}, the program says ${JSON.stringify(inputs.name)}`);
  if (inputs.modelIds !== undefined && !sameSet(found.modelIds ?? [], inputs.modelIds))
    mismatches.push(`model ids are ${JSON.stringify(found.modelIds ?? [])}, the program says ${JSON.stringify(inputs.modelIds)}`);
  // A team given by id is resolved to its name, the only team field Baseten lists.
  const team: ResolvedTeam =
    inputs.teamId !== undefined
      ? await resolveTeam(rt, inputs)
      : found.teamName !== undefined
        ? { teamName: found.teamName, teamSelector: inputs.teamName !== undefined ? "teamName" : undefined }
        : {};
  const programTeam = inputs.teamName ?? (inputs.teamId !== undefined ? team.teamName : undefined);
  if (programTeam !== undefined && found.teamName !== programTeam)
    mismatches.push(`team is ${JSON.stringify(found.teamName ?? null)}, the program says ${JSON.stringify(programTeam)}`);
  if (mismatches.length) {
    throw new BasetenError(
      "configuration",
      `adoptPrefix: key ${prefix} does not match the program: ${mismatches.join("; ")}. Make the program describe the key as it is.`,
    );
  }
  const outs = outputsOf(
    { ...inputs, name: found.name ?? inputs.name, modelIds: inputs.modelIds ?? found.modelIds },
    team,
    prefix,
    "",
  );
  // The engine cannot store an `undefined` value ("Unexpected struct type"): drop absent fields.
  for (const [k, v] of Object.entries(outs)) if (v === undefined) delete (outs as unknown as Record<string, unknown>)[k];
  return { id: prefix, outs };
}

/** Refresh: the key as Baseten lists it now, or undefined when it is gone. */
export async function readKey(rt: ProviderRuntime, id: string, stored: ApiKeyOutputs): Promise<ApiKeyOutputs | undefined> {
  const byName = unconfirmedName(id);
  if (byName !== undefined) {
    // A key that may have been minted: found by name, it gets its real prefix as its id.
    const named = (await rt.keys.get()).find((k) => k.name === byName && matchesScope(k, { teamName: stored.teamName }));
    if (!named) return undefined;
    id = named.prefix;
  }
  const problem = prefixProblem(id);
  if (problem)
    throw new BasetenError(
      "configuration",
      `The resource id ${JSON.stringify(String(id).slice(0, 100))} is not a key prefix: ${problem}.`,
    );
  const found = (await rt.keys.get()).find((k) => k.prefix === id);
  if (!found) return undefined;
  const sameModels =
    (stored.modelIds ?? []).length === (found.modelIds ?? []).length &&
    (found.modelIds ?? []).every((m) => (stored.modelIds ?? []).includes(m));
  const outs: ApiKeyOutputs = {
    ...stored,
    prefix: id,
    // Baseten never shows the plaintext again: keep it from state.
    apiKey: stored.apiKey ?? "",
    type: found.type as ApiKeyOutputs["type"],
    name: found.name ?? stored.name,
    // Keep the program's order when the set is the same, so refresh reports no change.
    modelIds: sameModels ? stored.modelIds : found.modelIds,
  };
  if (found.teamName !== undefined) outs.teamName = found.teamName;
  else delete outs.teamName;
  if (outs.modelIds === undefined) delete outs.modelIds;
  return outs;
}

/** The inputs a refreshed resource stands for, so the next preview compares against them. */
export function inputsOfOutputs(outs: ApiKeyOutputs): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  const keep = [
    "type",
    "name",
    "autoName",
    "modelIds",
    "rotationTriggers",
    "providerVersion",
    "resourceName",
    "adoptPrefix",
  ] as const;
  for (const k of keep)
    if ((outs as unknown as Record<string, unknown>)[k] !== undefined)
      inputs[k] = (outs as unknown as Record<string, unknown>)[k];
  if (outs.teamSelector === "teamId") inputs.teamId = outs.teamId;
  if (outs.teamSelector === "teamName") inputs.teamName = outs.teamName;
  return inputs;
}

/** Revokes the key; resolves when Baseten confirmed it with the right tombstone or answered 404. */
export async function revokeKey(rt: ProviderRuntime, id: string): Promise<"revoked" | "already-gone"> {
  const byName = unconfirmedName(id);
  if (byName !== undefined) {
    // A key that may have been minted: revoke whatever live key has its name, or nothing.
    const named = (await rt.client.listKeys()).filter((k) => k.name === byName);
    let outcome: "revoked" | "already-gone" = "already-gone";
    try {
      for (const key of named) if ((await rt.client.revokeKey(key.prefix)).outcome === "revoked") outcome = "revoked";
    } finally {
      rt.keys.invalidate();
    }
    return outcome;
  }
  const problem = prefixProblem(id);
  if (problem)
    throw new BasetenError(
      "configuration",
      `Cannot revoke: the resource id ${JSON.stringify(String(id).slice(0, 100))} is not a key prefix (${problem}); no request was sent.`,
    );
  try {
    return (await rt.client.revokeKey(id)).outcome;
  } finally {
    rt.keys.invalidate();
  }
}
