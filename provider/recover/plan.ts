/**
 * Which live keys `baseten-recover` offers to revoke: keys that carry the name of one of the
 * stack's `ApiKey` resources or interrupted creates (a generated name, or one of its `-r<n>`),
 * in that resource's scope, and that no resource of the stack holds. A key a resource holds is
 * never offered, whatever its name; the rest are shown and confirmed before anything is revoked,
 * since a key kept on purpose outside the state (`retainOnDelete`) can carry such a name too.
 */
import { derivedNameOf, namesOfDerived } from "../core/keys/nameHolders";
import { keysNamed } from "../core/listings";
import { keysInScope, type KeyScope } from "../core/keys/scope";
import type { ProviderRuntime } from "../core/runtime";
import { resolveTeam } from "../core/teams";
import type { ListedApiKey } from "../client/baseten";
import { heldByStack, keyNameSources, type KeyNameSource, type StackState } from "./stackState";

/** A live key offered for revocation, and why. */
export interface Orphan {
  key: ListedApiKey;
  /** The resource whose name it carries. */
  urn: string;
  /** Whether that resource's create was interrupted (a pending create in state). */
  interrupted: boolean;
  /** The name was given in the program, not generated: anyone could have used it. */
  explicitName: boolean;
  /** The scope the key was found in, by identity (team id, owner). */
  scope: KeyScope;
}

/** A source's scope by identity: its team id (given, or looked up by name), its owner. */
async function scopeOf(rt: ProviderRuntime, source: KeyNameSource, callerId: string): Promise<KeyScope> {
  const team =
    source.teamId !== undefined || source.teamName !== undefined
      ? await resolveTeam(rt, source.teamId !== undefined ? { teamId: source.teamId } : { teamName: source.teamName })
      : {};
  // A personal key an interrupted create minted is its creator's: the user whose stack this is,
  // whose management key recovery runs with (a key listed without an owner is the caller's).
  const ownerId = source.type === "PERSONAL" ? (source.ownerId ?? callerId) : undefined;
  return { type: source.type, teamId: team.teamId, teamName: team.teamName, ownerId };
}

/** The live keys (of `listed`, the caller's listing) that no resource of the stack holds. */
export async function orphansOf(
  rt: ProviderRuntime,
  state: StackState,
  listed: readonly ListedApiKey[],
  callerId: string,
): Promise<Orphan[]> {
  const held = heldByStack(state);
  const found = new Map<string, Orphan>();
  for (const source of keyNameSources(state)) {
    const names = source.autoName ? namesOfDerived(derivedNameOf(source.name)) : [source.name];
    const named = names
      .flatMap((name) => keysNamed(listed, name))
      .filter((k) => !held.prefixes.has(k.prefix) && !held.names.has(k.name ?? ""));
    if (named.length === 0) continue;
    // Keys whose team cannot be told by id (`unknown`) are never offered.
    const scope = await scopeOf(rt, source, callerId);
    const { inScope } = await keysInScope(rt, named, scope, callerId);
    for (const key of inScope) {
      const earlier = found.get(key.prefix);
      // An interrupted create is the likelier author: keep that one when two sources match.
      if (earlier === undefined || (!earlier.interrupted && source.interrupted)) {
        found.set(key.prefix, { key, urn: source.urn, interrupted: source.interrupted, explicitName: !source.autoName, scope });
      }
    }
  }
  return [...found.values()].sort((a, b) => (a.key.name ?? "").localeCompare(b.key.name ?? ""));
}
