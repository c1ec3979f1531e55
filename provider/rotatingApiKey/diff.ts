/**
 * `diff` of a rotating key: `olds` are the stored outputs, which hold the inputs `check` wrote.
 * The key's type, models and team (and so its base name) replace the resource; the schedule
 * fields that `check` moves (a rotation planned, an overlap ended, `rotation` changed) are an
 * in-place update, which mints or revokes, as is a key left to revoke (taken in from an
 * interrupted run, or whose revocation failed). Prefixes and the plaintext take no part.
 */
import { canonicalSecretName } from "../client/secrets";
import { now as clockNow } from "../core/clock";
import type { DiffDecision } from "../core/resource";
import { sameSet } from "../core/sets";
import { UNKNOWN } from "../core/unknown";
import { inOverlap } from "./delivery/overlap";
import type { OwnedKey } from "./types";

const containsUnknown = (v: unknown): boolean => JSON.stringify(v ?? null).includes(UNKNOWN);

/**
 * Inputs whose change replaces the resource. A new `deliverTo` target (or adding or removing
 * it) too: writing a secret needs a fresh key's plaintext, and two resources must never own one
 * secret name, so the old resource (its secret deleted, then its keys revoked) goes first.
 */
const REPLACING = ["type", "modelIds", "teamId", "teamName", "baseName", "deliverTo"] as const;

/**
 * Inputs `update` takes in place: the schedule `check` writes, and the release that stored it.
 * Not `generation` and `keyName`: a new plan always moves `rotatedAt`, and the outputs name the
 * key actually minted, which is a later generation when a held name was skipped.
 */
const IN_PLACE = ["rotation", "rotatedAt", "rotateAfter", "overlapEndsAt", "rotationReason", "providerVersion"] as const;

function same(field: string, a: unknown, b: unknown): boolean {
  if (field === "modelIds") {
    const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
    return sameSet(list(a), list(b));
  }
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/**
 * Whether `deliverTo` still names the secret the resource owns: an equivalent name (Baseten
 * treats `a-b` and `a_b` as one secret) in the same team, where the team may be named as before,
 * or by the id or name of the team the stored secret is in. `adoptExisting` matters only when a
 * secret is written anew: not a new target. Unknown at preview (a value from another resource):
 * only its name or team fields count, and make a replacement.
 */
function sameTarget(olds: Record<string, unknown>, news: Record<string, unknown>): boolean {
  const a = olds.deliverTo as Record<string, unknown> | undefined | null;
  const b = news.deliverTo as Record<string, unknown> | undefined | null;
  // Added: a hand-over in place (check plans a rotation into the secret). Removed: a replacement,
  // the secret deleted first (the class sets no option then, so this diff's order holds).
  if (a == null) return true;
  if (b == null) return false;
  if (b === (UNKNOWN as unknown)) return false;
  const fields = [b.secretName, b.teamId, b.teamName];
  if (fields.some(containsUnknown)) return false;
  if (typeof a.secretName !== "string" || typeof b.secretName !== "string") return false;
  if (canonicalSecretName(a.secretName) !== canonicalSecretName(b.secretName)) return false;
  const stored = olds.delivery as { teamId?: string; teamName?: string } | undefined;
  const asBefore = (a.teamId ?? null) === (b.teamId ?? null) && (a.teamName ?? null) === (b.teamName ?? null);
  const storedTeam =
    stored !== undefined &&
    ((b.teamId !== undefined && b.teamId === stored.teamId) || (b.teamName !== undefined && b.teamName === stored.teamName));
  return asBefore || storedTeam;
}

export function diffRotating(olds: Record<string, unknown>, news: Record<string, unknown>): DiffDecision {
  const replaces = REPLACING.filter((f) =>
    f === "deliverTo" ? !sameTarget(olds, news) : !same(f, olds[f], news[f]) || containsUnknown(news[f]),
  );
  const changed = IN_PLACE.some((f) => !same(f, olds[f], news[f]));
  // A newest key whose plaintext was lost (an interrupted mint) is replaced by the next update.
  const lostPlaintext = olds.apiKey === "";
  // With delivery: no plaintext is kept, so a plan whose key the secret does not certainly hold
  // (a write that failed, or a secret deleted or replaced outside Pulumi) needs the update.
  const deliveryDue = news.deliverTo !== undefined && olds.deliverTo !== undefined && !planDelivered(olds, news);
  return {
    changes: replaces.length > 0 || changed || lostPlaintext || deliveryDue || keysToRetire(olds, news),
    replaces: [...replaces],
    // Delete first: the old resource's secret and keys go before the new resource writes its secret.
    deleteBeforeReplace: replaces.length > 0 && olds.deliverTo !== undefined,
  };
}

/**
 * Whether the state holds a key the update would revoke with no schedule change: one taken in
 * from an interrupted run, or one whose revocation failed before. The next `up` retries it.
 */
function keysToRetire(olds: Record<string, unknown>, news: Record<string, unknown>): boolean {
  const keys = Array.isArray(olds.keys) ? (olds.keys as OwnedKey[]) : [];
  // The newest key not yet delivered (its run failed after the mint): the next update delivers it.
  const undelivered = keys[0] !== undefined && keys[0].prefix !== "" && keys[0].delivered !== true;
  // An unconfirmed entry no listing could prove absent waits for the next rotation (update.ts).
  const waits = (k: OwnedKey) => k.unproven === true;
  // With delivery, each key the secret held or may have held runs through its own overlap, read
  // against the clock as update.ts reads it (delivery/overlap.ts).
  if (news.deliverTo !== undefined) {
    const staying = inOverlap(keys, clockNow());
    return undelivered || keys.slice(1).some((k) => !staying.includes(k) && !waits(k));
  }
  const inPlannedOverlap = (k: OwnedKey) =>
    !k.leftBehind && k.overlapEndsAt !== undefined && k.overlapEndsAt === news.overlapEndsAt;
  return undelivered || keys.slice(1).some((k) => !inPlannedOverlap(k) && !waits(k));
}

/** Whether the secret certainly holds the key of the current plan: stored, minted for `news.rotatedAt`, and written. */
function planDelivered(olds: Record<string, unknown>, news: Record<string, unknown>): boolean {
  const newest = Array.isArray(olds.keys) ? (olds.keys[0] as OwnedKey | undefined) : undefined;
  return (
    olds.delivery !== undefined &&
    newest !== undefined &&
    !newest.leftBehind &&
    newest.prefix !== "" &&
    newest.plannedAt === news.rotatedAt &&
    newest.delivered === true
  );
}
