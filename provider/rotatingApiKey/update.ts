/**
 * `update` of a rotating key, reached when `check` moved the schedule or a key is left to
 * retire (diff.ts): mint the key the plan names when the resource lacks it, then revoke every
 * key that is neither that key nor the previous one while its overlap runs (tombstones
 * verified). The order matters: a consumer fed by `apiKey` is updated after this, so the key
 * consumers hold (the last one delivered) outlives any run that mints its successor, even when
 * the overlap is "0s" or already over. A failure part-way keeps every key still owned in state.
 */
import { now as clockNow } from "../core/clock";
import { refuseOtherOwner } from "../core/keys/scope";
import type { ProviderRuntime } from "../core/runtime";
import { mintAndDeliver } from "./delivery/mintAndDeliver";
import { awaitingFreshWrite, overlapAfterWrite, stayingWithDelivery, type Staying } from "./delivery/overlap";
import type { Delivery } from "./delivery/types";
import { mintGeneration } from "./generations";
import { keptRotating } from "./kept";
import { newestKey, rotatingOutputs } from "./outputs";
import { describeFailed, describeRevoked, revokeOwned } from "./revoke";
import { durationSeconds } from "./schedule";
import type { OwnedKey, RotatingApiKeyInputs, RotatingApiKeyOutputs } from "./types";

type Inputs = RotatingApiKeyInputs & { __provider?: unknown };

export async function updateRotating(
  rt: ProviderRuntime,
  id: string,
  olds: RotatingApiKeyOutputs,
  news: Inputs,
): Promise<RotatingApiKeyOutputs> {
  let keys: OwnedKey[] = [...(olds.keys ?? [])];
  let apiKey = olds.apiKey ?? "";
  // The key consumers may hold: the last one a run that succeeded gave out as `apiKey`.
  const delivered = keys.find((k) => k.delivered && k.prefix && !k.leftBehind);
  // With `deliverTo`, no plaintext is stored: a newest key not proven in the secret (its write's
  // outcome unknown), or a secret to write again, needs a fresh key.
  const deliverTo = news.deliverTo;
  let delivery: Delivery | undefined = deliverTo ? olds.delivery : undefined;
  // A key whose write had an unknown outcome may yet be written by Baseten (a late commit, after
  // a newer key's write): before one is revoked, or its overlap starts, a fresh key is written,
  // so the secret's last write is this run's (`settles`, delivery/overlap.ts).
  const now = clockNow();
  const planDelivered = newestKey(news, keys)?.delivered === true;
  const settles = deliverTo !== undefined && planDelivered && delivery !== undefined && awaitingFreshWrite(keys, now).length > 0;
  if (settles)
    process.stdout.write(
      `Rotating key ${JSON.stringify(id)} writes a fresh key into its secret before revoking the keys whose write had an unknown outcome, ` +
        `so a late write of one of them cannot leave the secret holding a revoked key.\n`,
    );
  const rotates = deliverTo ? !planDelivered || delivery === undefined || settles : !newestKey(news, keys) || !apiKey;

  if (rotates) {
    // A personal key belongs to its user: another user's management key would mint the next
    // generation as its own key, and could not revoke the previous one.
    const model = keys.find((k) => !k.leftBehind);
    if (model) refuseOtherOwner(model, await rt.caller(), `Rotating key ${JSON.stringify(id)} cannot rotate`);
    // The plan names a key the resource does not have (a rotation is due, the newest was revoked
    // outside Pulumi, or its plaintext was lost): mint it first, before anything is revoked.
    const tracked = new Set(keys.map((k) => k.prefix).filter(Boolean));
    const from = Math.max(news.generation, ...keys.map((k) => k.generation + 1));
    if (deliverTo) {
      // Minted and written into the secret before anything is revoked (delivery/mintAndDeliver.ts).
      const done = await mintAndDeliver(rt, {
        inputs: { ...news, deliverTo },
        from,
        owned: keys,
        stored: delivery,
        keep: (message, _kind, kept, d) => keptRotating(message, id, news, kept, "", d),
      });
      // The secret holds the new key now: no write of unknown outcome is pending any more.
      keys = [done.key, ...keys, ...done.leftBehind].map(withoutPendingWrite);
      delivery = done.delivery;
    } else {
      const minted = await mintGeneration(rt, news, from, tracked, news.__provider, (kept, e, leftBehind) =>
        keptRotating(
          `${e.message} Nothing was revoked: every key this resource owned before stays live and tracked, and the next \`pulumi up\` mints again.`,
          id,
          news,
          [kept, ...keys, ...leftBehind],
          "",
        ),
      );
      keys = [minted.key, ...keys, ...minted.leftBehind];
      apiKey = minted.apiKey;
    }
  }

  const newest = keys[0];
  // Without delivery: consumers fed by `apiKey` are updated after this update, and only if the
  // whole run succeeds, so until a run that returned the newest key has succeeded, the delivered
  // key outlives it, through the planned overlap, or, with none left ("0s", or a retry after it
  // passed), until the next run. With delivery: every key the secret held or may have held, each
  // through a whole overlap from the write that replaced it (delivery/overlap.ts).
  const planned = news.overlapEndsAt ?? new Date(now).toISOString();
  // With delivery, the end of a write's overlap: a rotation `check` planned in this run moved
  // `rotatedAt`; any other write was off the schedule.
  const writeEnd =
    deliverTo && rotates
      ? overlapAfterWrite(
          olds.rotatedAt !== news.rotatedAt,
          news.overlapEndsAt,
          durationSeconds(news.rotation?.overlap) ?? 0,
          now,
        )
      : undefined;
  const previous: Staying[] = deliverTo
    ? stayingWithDelivery(keys, delivered, writeEnd, now)
    : onlyPrevious(keys, delivered, news.overlapEndsAt).map((key) => ({ key, overlapEndsAt: planned }));
  // The stored overlap's end is what `check` carries (so the next diff sees no change, even with
  // no key left to keep), or, without delivery, the end this run set for a delivered key the plan
  // had no overlap left for. With delivery, each kept key carries its own end.
  const overlapEndsAt = deliverTo || previous.length === 0 ? news.overlapEndsAt : planned;
  const staying = new Map(previous.map((p) => [p.key, p]));
  const retiring = keys.filter((k) => k !== newest && !staying.has(k)).reverse(); // oldest first
  keys = keys.filter((k) => k === newest || staying.has(k)).map((k) => keptKey(k, staying.get(k)));
  // The outputs name the key minted (a later generation than planned when a held name was skipped).
  const inputs = dropUndefined({ ...news, overlapEndsAt, generation: newest.generation, keyName: newest.name });

  const { revoked, failed } = await revokeOwned(rt, retiring);
  if (revoked.length > 0) process.stdout.write(`Rotating key ${JSON.stringify(id)} revoked ${describeRevoked(revoked)}.\n`);
  // An `unconfirmed/<name>` entry no listing can prove absent (most likely never minted) must not
  // fail every run: it stays tracked, is tried again at each rotation, and destroy insists on it.
  const unproven = failed.filter((f) => !f.key.prefix);
  const certain = failed.filter((f) => f.key.prefix);
  if (unproven.length > 0)
    process.stdout.write(
      `Rotating key ${JSON.stringify(id)} keeps tracking ${describeFailed(unproven)}; it is tried again at the next rotation and at destroy.\n`,
    );
  const stillTracked = [
    ...certain.map((f) => withoutOverlap(f.key)),
    ...unproven.map((f) => ({ ...withoutOverlap(f.key), unproven: true })),
  ];
  if (certain.length > 0) {
    const message =
      `Rotating key ${JSON.stringify(id)} could not prove ${certain.length} retiring key(s) revoked: ${describeFailed(certain)}. ` +
      (rotates ? `The rotation itself succeeded (newest key ${JSON.stringify(newest.prefix)}). ` : "") +
      (revoked.length ? `Revoked: ${revoked.map((r) => r.key.prefix || r.key.name).join(", ")}. ` : "") +
      `The keys not revoked stay tracked, and the next \`pulumi up\` (or \`pulumi destroy\`) tries them again once the cause is fixed.`;
    throw keptRotating(message, id, inputs, [...keys, ...stillTracked], apiKey, delivery);
  }
  // This run succeeds: whoever uses `apiKey` now gets the newest key (with delivery, the secret already holds it).
  return rotatingOutputs(inputs, [{ ...newest, delivered: true }, ...keys.slice(1), ...stillTracked], apiKey, delivery);
}

/**
 * Without delivery, the one key besides the newest that stays: consumers fed by `apiKey` are
 * updated after this update, and only if the whole run succeeds, so until a run that returned
 * the newest key has succeeded, the delivered key outlives it (through the planned overlap, or,
 * with none left, until the next run); otherwise the previous key while its overlap runs.
 */
function onlyPrevious(keys: OwnedKey[], delivered: OwnedKey | undefined, overlapEndsAt: string | undefined): OwnedKey[] {
  const newest = keys[0];
  if (delivered !== undefined && delivered !== newest) return [delivered];
  const inOverlap =
    overlapEndsAt !== undefined ? keys.find((k) => k !== newest && k.overlapEndsAt !== undefined && !k.leftBehind) : undefined;
  return inOverlap ? [inOverlap] : [];
}

/** A key as it stays: the newest without an overlap end, another with its end (and settled: no longer `mayBeDelivered`). */
function keptKey(key: OwnedKey, staying: Staying | undefined): OwnedKey {
  const kept = dropUndefined({ ...key, overlapEndsAt: staying?.overlapEndsAt });
  if (staying?.settled) delete kept.mayBeDelivered;
  return kept;
}

/** The key without its pending write; the same object when it has none (retention compares keys by identity). */
function withoutPendingWrite(key: OwnedKey): OwnedKey {
  if (key.pendingWrite === undefined) return key;
  const { pendingWrite: _settled, ...rest } = key;
  return rest;
}

function withoutOverlap(key: OwnedKey): OwnedKey {
  return dropUndefined({ ...key, overlapEndsAt: undefined });
}

function dropUndefined<T extends object>(value: T): T {
  const out = { ...value } as Record<string, unknown>;
  for (const [k, v] of Object.entries(out)) if (v === undefined) delete out[k];
  return out as T;
}
