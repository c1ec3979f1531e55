/**
 * Finding a key by name. A name is unique only among the live keys of one scope (a personal
 * key's owner, or a team), and an organization admin's listing also holds every member's
 * personal keys, so a match by name must also match the scope and the owner: anything else
 * could claim (and a later `up` revoke) a key that is not ours.
 */
import { keysNamed, ListingIndex } from "../keyListCache";
import type { ProviderRuntime } from "../runtime";
import { defaultTeamName } from "../teams";
import type { ListedApiKey } from "../types";

/** The scope a key was created in: its type and, for a team key, its team's name. */
export interface KeyScope {
  type: string;
  teamName?: string;
}

/**
 * The listed keys named `name` in `scope`: a personal key only when its owner is absent or is
 * the caller; a team key only in that team; a teamless workspace key only when listed with no
 * team or under the default team (keys created without a team belong to it).
 */
export async function keysNamedInScope(
  rt: ProviderRuntime,
  listed: readonly ListedApiKey[],
  name: string,
  scope: KeyScope,
  callerId: string,
): Promise<ListedApiKey[]> {
  return keysInScope(rt, keysNamed(listed, name), scope, callerId);
}

/** The listed keys in `scope` (see keysNamedInScope), whatever their names. */
export async function keysInScope(
  rt: ProviderRuntime,
  listed: readonly ListedApiKey[],
  scope: KeyScope,
  callerId: string,
): Promise<ListedApiKey[]> {
  // Once per listing, scope and caller: every create of a command asks about the same listing.
  return ListingIndex.of(listed).memo(JSON.stringify(["inScope", scope.type, scope.teamName ?? null, callerId]), () =>
    filterInScope(rt, listed, scope, callerId),
  );
}

async function filterInScope(
  rt: ProviderRuntime,
  listed: readonly ListedApiKey[],
  scope: KeyScope,
  callerId: string,
): Promise<ListedApiKey[]> {
  if (scope.type === "PERSONAL") {
    return listed.filter((k) => k.type === "PERSONAL" && (k.ownerId === undefined || k.ownerId === callerId));
  }
  const shared = listed.filter((k) => k.type !== "PERSONAL");
  if (scope.teamName !== undefined) return shared.filter((k) => k.teamName === scope.teamName);
  // The default team's name is looked up only when a candidate is listed under some team.
  const teamed = shared.filter((k) => k.teamName !== undefined);
  const defaultName = teamed.length > 0 ? await defaultTeamName(rt) : undefined;
  return shared.filter((k) => k.teamName === undefined || k.teamName === defaultName);
}

/**
 * Whether the caller's listing is sure to show a key created in `scope`, so that the caller
 * may be recorded as having seen it (`seenBy`) before any listing held it: a personal key is
 * always in its owner's listing ("your personal API keys"), and a team's keys are listed to
 * whoever manages that team, which the listing `listed` proves when it holds any key of the
 * scope. Otherwise the first listing that holds the key records it.
 */
export async function callerListsScope(
  rt: ProviderRuntime,
  listed: readonly ListedApiKey[],
  scope: KeyScope,
  callerId: string,
): Promise<boolean> {
  if (scope.type === "PERSONAL") return true;
  return (await keysInScope(rt, listed, scope, callerId)).length > 0;
}

/** A scope in words, for messages. */
export function describeScope(scope: KeyScope): string {
  if (scope.type === "PERSONAL") return "your personal keys";
  return scope.teamName !== undefined ? `team ${JSON.stringify(scope.teamName)}` : "the workspace (its default team)";
}

/**
 * An `unconfirmed/<name>` entry was never seen by anyone: whoever's listing is sure to cover
 * its scope (see callerListsScope) can show that no key of its name is live. So the caller
 * becomes its witness when its current listing proves it covers the scope.
 */
export async function withScopeWitness<T extends { type?: string; teamName?: string; seenBy?: string }>(
  rt: ProviderRuntime,
  listed: readonly ListedApiKey[],
  stored: T,
  callerId: string,
): Promise<T> {
  if (stored.seenBy !== undefined || stored.type === undefined) return stored;
  const covers = await callerListsScope(rt, listed, { type: stored.type, teamName: stored.teamName }, callerId);
  return covers ? { ...stored, seenBy: callerId } : stored;
}
