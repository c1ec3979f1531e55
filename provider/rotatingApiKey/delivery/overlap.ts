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

/**
 * A key the secret held, or may have held: it may stay through an overlap. A key merely left
 * behind may not, unless it may have been delivered, or was (a write gave it its overlap: one
 * taken in and then settled keeps `leftBehind` and loses `mayBeDelivered`).
 */
const mayHaveBeenRead = (k: OwnedKey): boolean =>
  k.prefix !== "" && (!k.leftBehind || k.mayBeDelivered === true || k.overlapEndsAt !== undefined);

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

/** A key that stays besides the newest, when its overlap ends, and whether this write settled it. */
export interface Staying {
  key: OwnedKey;
  overlapEndsAt: string;
  /**
   * A `mayBeDelivered` key whose overlap was over before this write: a late commit of its write
   * would have come within that overlap, so after this write the key is one the secret held,
   * kept through one more overlap (a consumer may have read it up to now), then revoked.
   */
  settled?: true;
}

/**
 * After a write of a fresh key (`keys[0]`) at `now`: the other keys that stay, each with the end
 * of its overlap. A key whose overlap runs keeps its end. The key the secret held before the
 * write (`delivered`), and every key it may have held (`mayBeDelivered`), get `end`: a whole
 * overlap from this write. A `mayBeDelivered` key is settled by this write when its overlap was
 * over, or when there is no overlap (`"0s"`: no window for a late commit is kept at all).
 */
export function keptAfterWrite(keys: OwnedKey[], delivered: OwnedKey | undefined, end: string, now: number): Staying[] {
  const kept: Staying[] = [];
  const noOverlap = Date.parse(end) <= now;
  for (const key of keys.slice(1)) {
    if (!mayHaveBeenRead(key)) continue;
    if (overlapRuns(key, now)) kept.push({ key, overlapEndsAt: key.overlapEndsAt as string });
    else if (key.mayBeDelivered === true)
      kept.push({ key, overlapEndsAt: end, ...(key.overlapEndsAt !== undefined || noOverlap ? { settled: true as const } : {}) });
    else if (key === delivered) kept.push({ key, overlapEndsAt: end });
  }
  return kept;
}

/**
 * With delivery, the keys besides the newest that stay after this run: after a write that ended
 * at `writeEnd` (the end `overlapAfterWrite` gives), those `keptAfterWrite` keeps; in a run that
 * wrote nothing, those whose own overlap still runs.
 */
export function stayingWithDelivery(
  keys: OwnedKey[],
  delivered: OwnedKey | undefined,
  writeEnd: string | undefined,
  now: number,
): Staying[] {
  if (writeEnd !== undefined) return keptAfterWrite(keys, delivered, writeEnd, now);
  return inOverlap(keys, now).map((key) => ({ key, overlapEndsAt: key.overlapEndsAt as string }));
}

/**
 * The end of the overlap of the keys a write at `now` replaces. A rotation `check` planned in
 * this run: the end it planned, which it then carries (counted from its clock, seconds before
 * this write, so the keys and the stored plan end together and one run retires them). A write
 * off the schedule (a retry, a re-delivery, a settle): a whole overlap from now, never before an
 * end `check` still carries.
 */
export function overlapAfterWrite(
  plannedThisRun: boolean,
  planned: string | undefined,
  overlapSeconds: number,
  now: number,
): string {
  if (plannedThisRun && planned !== undefined) return planned;
  const fromNow = now + overlapSeconds * 1000;
  return new Date(planned !== undefined ? Math.max(Date.parse(planned), fromNow) : fromNow).toISOString();
}
