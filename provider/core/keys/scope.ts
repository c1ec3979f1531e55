/**
 * Finding a key by name. A name is unique only among the live keys of one scope (a personal
 * key's owner, or a team), and an organization admin's listing also holds every member's
 * personal keys, so a match by name must also match the scope by identity: the owner's user
 * id, the team's id. A team name proves nothing by itself: teams can be renamed, and two teams
 * can share a name. The listing names teams only by `team_name`, so listed keys are mapped to
 * team ids through `GET /v1/teams` (one request per process, made only when a candidate is
 * listed under some team).
 */
import { BasetenError } from "../../client/errors";
import { keysNamed, ListingIndex } from "../listings";
import type { ProviderRuntime } from "../runtime";
import { defaultTeamId } from "../teams";
import { witnessFields } from "../evidence";
import type { Caller } from "../../client/identity";
import type { ListedApiKey } from "../../client/baseten";
import type { ApiKeyOutputs } from "./types";

/**
 * The scope a key was created in, by identity: its type, for a personal key its owner's user
 * id, for a team key its team's id (`teamName` only for messages).
 */
export interface KeyScope {
  type: string;
  teamId?: string;
  teamName?: string;
  /** The owner of a personal key; undefined when not recorded (state written before 0.2.0). */
  ownerId?: string;
}

/** The scope recorded in a key's state. */
export function scopeOfStored(stored: Partial<ApiKeyOutputs>): KeyScope {
  return { type: stored.type ?? "", teamId: stored.teamId, teamName: stored.teamName, ownerId: stored.ownerId };
}

/** Where the listing puts a key, by team id: none, one team, or unknown (with why). */
type ListedTeam = { team: "none" } | { team: "id"; id: string } | { team: "unknown"; why: string };

async function listedTeamOf(rt: ProviderRuntime, key: ListedApiKey): Promise<ListedTeam> {
  if (key.teamName === undefined) return { team: "none" };
  const named = (await rt.teams()).filter((t) => t.name === key.teamName);
  if (named.length === 1) return { team: "id", id: named[0].id };
  return {
    team: "unknown",
    why:
      named.length === 0
        ? `key ${key.prefix} is listed under team ${JSON.stringify(key.teamName)}, which no team of GET /v1/teams is named`
        : `key ${key.prefix} is listed under team ${JSON.stringify(key.teamName)}, a name ${named.length} teams share (ids ${named.map((t) => t.id).join(", ")})`,
  };
}

/** The keys of a listing sorted by scope: those in it, and those whose team cannot be told. */
export interface ScopedKeys {
  inScope: ListedApiKey[];
  /** Keys that may be in the scope: their team name maps to no team id, or to several. */
  unknown: Array<{ key: ListedApiKey; why: string }>;
}

/**
 * The listed keys in `scope`: a personal key only when its owner is the scope's owner (a
 * personal key listed without an owner is the caller's own); a team key only when its team
 * name maps to the scope's team id; a teamless workspace key only when listed with no team or
 * under the default team (keys created without a team belong to it, and share its names).
 */
export async function keysInScope(
  rt: ProviderRuntime,
  listed: readonly ListedApiKey[],
  scope: KeyScope,
  callerId: string,
): Promise<ScopedKeys> {
  // Once per listing (or indexed part of one), scope and caller: every create of a command asks
  // about the same listing, which may hold tens of thousands of keys.
  return ListingIndex.of(listed).memo(memoKey("inScope", scope, callerId), () => sortIntoScope(rt, listed, scope, callerId));
}

function memoKey(what: string, scope: KeyScope, callerId: string): string {
  return JSON.stringify([what, scope.type, scope.teamId ?? null, scope.ownerId ?? null, callerId]);
}

async function sortIntoScope(
  rt: ProviderRuntime,
  listed: readonly ListedApiKey[],
  scope: KeyScope,
  callerId: string,
): Promise<ScopedKeys> {
  if (scope.type === "PERSONAL") {
    const inScope = listed.filter(
      (k) =>
        k.type === "PERSONAL" &&
        scope.ownerId !== undefined &&
        (k.ownerId === scope.ownerId || (k.ownerId === undefined && scope.ownerId === callerId)),
    );
    return { inScope, unknown: [] };
  }
  const result: ScopedKeys = { inScope: [], unknown: [] };
  for (const key of listed.filter((k) => k.type !== "PERSONAL")) {
    const where = await listedTeamOf(rt, key);
    if (where.team === "unknown") result.unknown.push({ key, why: where.why });
    else if (scope.teamId === undefined) {
      if (where.team === "none" || where.id === (await defaultTeamId(rt))) result.inScope.push(key);
    } else if (where.team === "id" && where.id === scope.teamId) result.inScope.push(key);
  }
  return result;
}

/**
 * The listed keys named `name` in `scope` (see keysInScope). Throws, naming the key, when a
 * key of that name is listed under a team name that maps to no single team id: it might be
 * the one sought, or another team's, and guessing either way could claim or forget a key.
 */
export async function keysNamedInScope(
  rt: ProviderRuntime,
  listed: readonly ListedApiKey[],
  name: string,
  scope: KeyScope,
  callerId: string,
): Promise<ListedApiKey[]> {
  const { inScope, unknown } = await keysInScope(rt, keysNamed(listed, name), scope, callerId);
  if (unknown.length > 0) {
    throw new BasetenError(
      "request",
      `Cannot tell whether the key named ${JSON.stringify(name)} in this management key's listing is in ${describeScope(scope)}: ` +
        `${unknown.map((u) => u.why).join("; ")}. Nothing was changed; rename the team on Baseten's Teams page so its name is unique, then rerun.`,
    );
  }
  return inScope;
}

/**
 * Whether the caller's listing is sure to show a key created in `scope`, so that the caller
 * may be recorded as its witness (`seenBy`) before any listing held it. Only what proves it
 * counts: a personal key is always in its owner's listing ("your personal API keys"); a team
 * key is in the listing of whoever manages that team's keys of its type, which `listed` proves
 * when it holds a key of the same type mapped to the same team id. A teamless key is proven
 * covered only by a key of its type listed with no team: one listed under the default team's
 * name may be the default team's own, and managing those and managing teamless keys may be
 * different rights. Otherwise the first listing that holds the key records its witness.
 */
export async function callerListsScope(
  rt: ProviderRuntime,
  listed: readonly ListedApiKey[],
  scope: KeyScope,
  callerId: string,
): Promise<boolean> {
  if (scope.type === "PERSONAL") return scope.ownerId === callerId;
  // Once per listing and scope: every create of a command asks about the same listing.
  return ListingIndex.of(listed).memo(memoKey("covers", scope, callerId), async () => {
    const sameType = ListingIndex.of(listed).matching("type", (k) => k.type, scope.type);
    if (scope.teamId === undefined) return sameType.some((k) => k.teamName === undefined);
    return (await keysInScope(rt, sameType, scope, callerId)).inScope.length > 0;
  });
}

/** A scope in words, for messages. */
export function describeScope(scope: KeyScope): string {
  if (scope.type === "PERSONAL")
    return scope.ownerId !== undefined ? `the personal keys of user ${scope.ownerId}` : "your personal keys";
  if (scope.teamId === undefined) return "the workspace (its default team)";
  return `team ${scope.teamId}${scope.teamName !== undefined ? ` (${JSON.stringify(scope.teamName)})` : ""}`;
}

/**
 * An `unconfirmed/<name>` entry was never seen by anyone: whoever's listing is sure to cover
 * its scope (see callerListsScope) can show that no key of its name is live. So the caller
 * becomes its witness when its current listing proves it covers the scope.
 */
export async function withScopeWitness<T extends Partial<ApiKeyOutputs>>(
  rt: ProviderRuntime,
  listed: readonly ListedApiKey[],
  stored: T,
  caller: Caller,
): Promise<T> {
  if (stored.seenBy !== undefined || stored.type === undefined) return stored;
  const covers = await callerListsScope(rt, listed, scopeOfStored(stored), caller.userId);
  return covers ? { ...stored, ...witnessFields(caller) } : stored;
}

/**
 * An `unconfirmed/<name>` personal entry stands for a key of its recorded owner only: another
 * user's key of that name is not it (issue 15). So only the owner may resolve it.
 */
export function refuseOtherOwner(stored: Partial<ApiKeyOutputs>, caller: Caller, what: string): void {
  if (stored.type !== "PERSONAL" || (stored.ownerId !== undefined && stored.ownerId === caller.userId)) return;
  const owner =
    stored.ownerId !== undefined
      ? `a personal key of Baseten user ${stored.ownerId}, and only that user's management key can find or revoke it`
      : "a personal key whose owner was not recorded (state written before 0.2.0), so no listing can tell it apart from another user's key of that name";
  throw new BasetenError(
    "request",
    `${what}: it stands for ${owner}; this management key belongs to user ${caller.userId}, whose own key of that name, if any, is not it. ` +
      `The entry is kept in state. Rerun with ${stored.ownerId !== undefined ? `user ${stored.ownerId}'s` : "the creator's"} management key (baseten:apiKey); ` +
      `or, once you know the key is revoked, remove the entry with \`pulumi state delete <urn>\`.`,
  );
}
