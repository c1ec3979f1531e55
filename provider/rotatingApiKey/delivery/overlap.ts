/**
 * How long a key stays after the secret stopped holding it, with `deliverTo`. Consumers read the
 * secret whenever they start, not when a run succeeds, so a key the secret held (or may have
 * held) stays through a whole overlap counted from the write that replaced it, whether or not
 * that write was a planned rotation (a re-delivery after a lost write, a secret deleted outside
 * Pulumi, an interrupted run's key taken in). Each such key carries its own `overlapEndsAt`, and
 * `diff` and `update` both read it against the clock, so a run that wrote off the schedule needs
 * no second run to settle.
 */
import type { OwnedKey } from "../types";

/** Whether a key's own overlap still runs at `now`. */
export const overlapRuns = (k: OwnedKey, now: number): boolean =>
  k.overlapEndsAt !== undefined && now < Date.parse(k.overlapEndsAt);

/** A key the secret held, or may have held: it may stay through an overlap (a key merely left behind may not). */
const mayHaveBeenRead = (k: OwnedKey): boolean => k.prefix !== "" && (!k.leftBehind || k.mayBeDelivered === true);

/** The keys besides the newest kept because their overlap still runs. */
export function inOverlap(keys: OwnedKey[], now: number): OwnedKey[] {
  return keys.slice(1).filter((k) => mayHaveBeenRead(k) && overlapRuns(k, now));
}

/**
 * Keys besides the newest whose write may yet land (`mayBeDelivered`) and whose overlap does not
 * run (never started, or over): before one is revoked, or its overlap starts, a fresh key is
 * written, so the secret's last write is a run's own and a late commit of theirs cannot leave
 * the secret holding a revoked key.
 */
export function awaitingFreshWrite(keys: OwnedKey[], now: number): OwnedKey[] {
  return keys.slice(1).filter((k) => k.mayBeDelivered === true && k.prefix !== "" && !overlapRuns(k, now));
}

/** A key that stays besides the newest, and when its overlap ends. */
export interface Staying {
  key: OwnedKey;
  overlapEndsAt: string;
}

/**
 * After a write of a fresh key (`keys[0]`): the other keys that stay, each with the end of its
 * overlap. A key whose overlap runs keeps its end. The key the secret held before the write
 * (`delivered`), and every key it may have held whose overlap never started, get `end`. A
 * `mayBeDelivered` key whose overlap is over goes: the fresh write came first.
 */
export function keptAfterWrite(keys: OwnedKey[], delivered: OwnedKey | undefined, end: string, now: number): Staying[] {
  const kept: Staying[] = [];
  for (const key of keys.slice(1)) {
    if (!mayHaveBeenRead(key)) continue;
    if (overlapRuns(key, now)) kept.push({ key, overlapEndsAt: key.overlapEndsAt as string });
    else if (key === delivered || (key.mayBeDelivered === true && key.overlapEndsAt === undefined))
      kept.push({ key, overlapEndsAt: end });
  }
  return kept;
}
