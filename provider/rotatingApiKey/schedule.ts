/**
 * The rotation schedule, planned by `check`. `check` sees the old inputs and the clock, not the
 * state, so the due date and the overlap's end are inputs it writes and carries over until they
 * pass: the preview then shows them change, with the reason. The schedule counts from the
 * `check` that planned a key, seconds before its mint.
 */
import { UNKNOWN } from "../core/unknown";
import type { RotatingApiKeyInputs } from "./types";

/** Durations as the program writes them: one or more `<n><unit>`, units w, d, h, m, s ("1d12h"). */
const DURATION = /^(\d+[wdhms])+$/;
const UNIT_SECONDS: Record<string, number> = { w: 604800, d: 86400, h: 3600, m: 60, s: 1 };

/** The shortest `every`: a key that rotates more often than this is a mistake. */
export const MIN_EVERY_SECONDS = 60;

/** The seconds of a duration text, or undefined when it is not one. */
export function durationSeconds(text: unknown): number | undefined {
  if (typeof text !== "string" || !DURATION.test(text)) return undefined;
  let total = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)([wdhms])/g)) total += Number(n) * UNIT_SECONDS[unit];
  return Number.isSafeInteger(total) ? total : undefined;
}

/** The name of a key of generation `n`. */
export function generationName(baseName: string, n: number): string {
  // Before a team id resolves, the base is unknown, and so is the name (not "<unknown>-g1").
  return baseName === UNKNOWN ? UNKNOWN : `${baseName}-g${n}`;
}

const iso = (ms: number) => new Date(ms).toISOString();

type Schedule = Pick<
  RotatingApiKeyInputs,
  "generation" | "keyName" | "rotatedAt" | "rotateAfter" | "overlapEndsAt" | "rotationReason"
>;

/** What `read` leaves in the inputs when the newest key is gone: the next `check` rotates at once, saying why. */
export const ROTATE_NOW = "rotateNowBecause";

/**
 * The schedule `check` stores: carried over from `olds` until the due date or the overlap's
 * end passes, then moved. `olds` without a schedule (a create, or a replacement) starts at
 * generation 1.
 */
export function planSchedule(
  olds: Record<string, unknown>,
  baseName: string,
  everySeconds: number | undefined,
  overlapSeconds: number | undefined,
  now: number,
  everyText = "",
): Schedule {
  const carried = typeof olds.generation === "number" && typeof olds.rotatedAt === "string";
  if (!carried) {
    return {
      generation: 1,
      keyName: generationName(baseName, 1),
      rotatedAt: iso(now),
      rotateAfter: everySeconds === undefined ? UNKNOWN : iso(now + everySeconds * 1000),
      rotationReason: "first key",
    };
  }
  const generation = olds.generation as number;
  const rotatedAt = Date.parse(olds.rotatedAt as string);
  // A changed `every` moves the due date of the newest key, counted from when it was planned.
  const rotateAfter = everySeconds === undefined ? Number.NaN : rotatedAt + everySeconds * 1000;
  const forced = typeof olds[ROTATE_NOW] === "string" ? (olds[ROTATE_NOW] as string) : undefined;
  if (forced !== undefined || now >= rotateAfter) {
    const next = generation + 1;
    return {
      generation: next,
      keyName: generationName(baseName, next),
      rotatedAt: iso(now),
      rotateAfter: everySeconds === undefined ? UNKNOWN : iso(now + everySeconds * 1000),
      // "0s" too: the update keeps the previous key until the next run either way (update.ts).
      ...(overlapSeconds !== undefined ? { overlapEndsAt: iso(now + overlapSeconds * 1000) } : {}),
      rotationReason: forced ?? `${String(olds.keyName)} reached its rotation age (every ${everyText}) at ${iso(rotateAfter)}`,
    };
  }
  const schedule: Schedule = {
    generation,
    keyName: generationName(baseName, generation),
    rotatedAt: olds.rotatedAt as string,
    rotateAfter: Number.isNaN(rotateAfter) ? UNKNOWN : iso(rotateAfter),
    rotationReason: typeof olds.rotationReason === "string" ? olds.rotationReason : "first key",
  };
  // The overlap runs until its end passes; then the inputs lose it, and the update revokes the previous key.
  if (typeof olds.overlapEndsAt === "string" && now < Date.parse(olds.overlapEndsAt)) schedule.overlapEndsAt = olds.overlapEndsAt;
  return schedule;
}
