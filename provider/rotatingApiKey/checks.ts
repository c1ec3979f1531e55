/**
 * `check` of a `RotatingApiKey`: the key's own inputs checked as `ApiKey`'s are, `rotation`
 * validated, and the schedule planned (schedule.ts). No network; the clock is read here.
 */
import { now as clockNow } from "../core/clock";
import { checkKeyScope, checkKeyType } from "../core/keys/checks";
import { generatedName } from "../core/names";
import { beginCheck, typeOf, type CheckFailure } from "../core/resource";
import { sameSet } from "../core/sets";
import { UNKNOWN } from "../core/unknown";
import { checkDeliverTo } from "./delivery/checks";
import { INPUT_FIELDS } from "./outputs";
import { durationSeconds, MIN_EVERY_SECONDS, planSchedule, ROTATE_NOW } from "./schedule";

/** Inputs a program may set, those the class and `check` write, and what `read` leaves for `check`. */
const KNOWN_INPUTS = [...INPUT_FIELDS, "__provider", ROTATE_NOW];

/** Room after the base name for "-g<generation>". */
const GENERATION_ROOM = 8;

export function checkRotatingInputs(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
): { inputs: Record<string, unknown>; failures: CheckFailure[] } {
  const { inputs, failures, fail } = beginCheck(news, KNOWN_INPUTS, "baseten:RotatingApiKey", 6);
  const knownType = checkKeyType(news, fail);
  checkKeyScope(news, inputs, knownType, fail);
  checkDeliverTo(news, inputs, fail);

  const { every, overlap } = checkRotation(news.rotation, fail);

  // The base of every key's name: derived from the resource's identity and the inputs that
  // force a replacement, and kept while those stay the same (a renamed stack keeps its keys'
  // names), so a live key of `<base>-g<n>` can only be this resource's. A replacement for a
  // changed input derives a new base, so its keys never share a name with the old one's.
  const seed = (v: Record<string, unknown>) => ({
    type: v.type,
    modelIds: v.modelIds ?? undefined,
    teamId: v.teamId ?? undefined,
    teamName: v.teamName ?? undefined,
  });
  const baseName =
    typeof olds.baseName === "string" && olds.baseName && sameReplacingInputs(olds, news)
      ? olds.baseName
      : generatedName(news, seed(news), "key", GENERATION_ROOM);
  inputs.baseName = baseName;

  let now: number;
  try {
    now = clockNow();
  } catch (e) {
    fail("rotation", (e as Error).message);
    return { inputs, failures };
  }
  for (const field of ["generation", "keyName", "rotatedAt", "rotateAfter", "overlapEndsAt", "rotationReason", ROTATE_NOW])
    delete inputs[field];
  // A new base is a new resource (a replacement): its schedule starts with its first key.
  let planFrom: Record<string, unknown> = baseName === olds.baseName ? olds : {};
  // `deliverTo` added to a key given out as `apiKey`: a hand-over in place. The next key is
  // written into the secret (its plaintext is not stored, so it must be a new key), and the one
  // given out so far runs through the overlap as at any rotation.
  const secretName = (news.deliverTo as { secretName?: unknown } | undefined)?.secretName;
  if (planFrom.baseName !== undefined && olds.deliverTo === undefined && typeof secretName === "string")
    planFrom = {
      ...planFrom,
      [ROTATE_NOW]: `deliverTo added: the next key is written into secret ${JSON.stringify(secretName)}`,
    };
  const everyText = String((news.rotation as { every?: unknown } | undefined)?.every ?? "");
  Object.assign(inputs, planSchedule(planFrom, baseName, every, overlap, now, everyText));
  return { inputs, failures };
}

/** Whether the inputs whose change replaces the resource are the same (model ids as a set). */
function sameReplacingInputs(olds: Record<string, unknown>, news: Record<string, unknown>): boolean {
  const models = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
  return (
    olds.type === news.type &&
    sameSet(models(olds.modelIds), models(news.modelIds)) &&
    (olds.teamId ?? null) === (news.teamId ?? null) &&
    (olds.teamName ?? null) === (news.teamName ?? null)
  );
}

/** Checks `rotation: { every, overlap }`; returns their seconds where known. */
function checkRotation(
  rotation: unknown,
  fail: (property: string, reason: string) => void,
): { every?: number; overlap?: number } {
  if (rotation === UNKNOWN) return {};
  if (typeof rotation !== "object" || rotation === null || Array.isArray(rotation)) {
    fail("rotation", `is required: { every, overlap } as durations such as "30d" and "2d"; got ${typeOf(rotation ?? null)}`);
    return {};
  }
  const r = rotation as Record<string, unknown>;
  for (const k of Object.keys(r))
    if (k !== "every" && k !== "overlap") fail(`rotation.${k}`, "is not a field of rotation; the fields are every and overlap");
  const seconds = (field: "every" | "overlap"): number | undefined => {
    const v = r[field];
    if (v === UNKNOWN) return undefined;
    const s = durationSeconds(v);
    if (s === undefined)
      fail(
        `rotation.${field}`,
        `must be a duration such as "30d", "12h" or "1d12h" (units w, d, h, m, s); got ${typeof v === "string" ? JSON.stringify(v) : typeOf(v ?? null)}`,
      );
    return s;
  };
  const every = seconds("every");
  const overlap = seconds("overlap");
  if (every !== undefined && every < MIN_EVERY_SECONDS) fail("rotation.every", `must be at least 1m; got ${String(r.every)}`);
  if (every !== undefined && overlap !== undefined && overlap >= every)
    fail(
      "rotation.overlap",
      `must be shorter than rotation.every (${String(r.every)}): the next rotation ends a previous key's overlap anyway; got ${String(r.overlap)}`,
    );
  return { every, overlap };
}
