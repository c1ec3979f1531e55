/**
 * `diff` of a rotating key: `olds` are the stored outputs, which hold the inputs `check` wrote.
 * The key's type, models and team (and so its base name) replace the resource; the schedule
 * fields that `check` moves (a rotation planned, an overlap ended, `rotation` changed) are an
 * in-place update, which mints or revokes. Nothing else (prefixes, the plaintext) takes part.
 */
import type { DiffDecision } from "../core/resource";
import { sameSet } from "../core/sets";
import { UNKNOWN } from "../core/unknown";

const containsUnknown = (v: unknown): boolean => JSON.stringify(v ?? null).includes(UNKNOWN);

/** Inputs whose change replaces the resource. */
const REPLACING = ["type", "modelIds", "teamId", "teamName", "baseName"] as const;

/** Inputs `update` takes in place: the schedule `check` writes, and the release that stored it. */
const IN_PLACE = [
  "rotation",
  "generation",
  "keyName",
  "rotatedAt",
  "rotateAfter",
  "overlapEndsAt",
  "rotationReason",
  "providerVersion",
] as const;

function same(field: string, a: unknown, b: unknown): boolean {
  if (field === "modelIds") {
    const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
    return sameSet(list(a), list(b));
  }
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

export function diffRotating(olds: Record<string, unknown>, news: Record<string, unknown>): DiffDecision {
  const replaces = REPLACING.filter((f) => !same(f, olds[f], news[f]) || containsUnknown(news[f]));
  const changed = IN_PLACE.some((f) => !same(f, olds[f], news[f]));
  // A newest key whose plaintext was lost (an interrupted mint) is replaced by the next update.
  const lostPlaintext = olds.apiKey === "";
  return { changes: replaces.length > 0 || changed || lostPlaintext, replaces: [...replaces], deleteBeforeReplace: false };
}
