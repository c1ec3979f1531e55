/**
 * `update` of a rotating key, reached when `check` moved the schedule (diff.ts): mint the key
 * the plan names when the resource lacks it, then revoke every key that is neither that key
 * nor the previous one while its overlap runs (tombstones verified). The order matters: a
 * consumer fed by `apiKey` is updated after this, so the previous key must outlive this run
 * unless the overlap is over. A failure part-way keeps every key still owned in state.
 */
import type { ProviderRuntime } from "../core/runtime";
import { mintGeneration } from "./generations";
import { keptRotating } from "./kept";
import { newestKey, rotatingOutputs } from "./outputs";
import { describeRevoked, messageOf, revokeOwned } from "./revoke";
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
  const lastNewest = keys.find((k) => !k.leftBehind);
  const current = newestKey(news, keys);

  const rotates = !current || !apiKey;
  if (rotates) {
    // The plan names a key the resource does not have (a rotation is due, the newest was revoked
    // outside Pulumi, or its plaintext was lost): mint it first, before anything is revoked.
    const tracked = new Set(keys.map((k) => k.prefix).filter(Boolean));
    const from = Math.max(news.generation, ...keys.map((k) => k.generation + 1));
    const minted = await mintGeneration(rt, news, from, tracked, news.__provider, (kept, e, leftBehind) =>
      keptRotating(
        `${e.message} Nothing was revoked: every key this resource owned before stays live and tracked.`,
        id,
        news,
        [kept, ...keys, ...leftBehind],
        "",
      ),
    );
    keys = [minted.key, ...keys, ...minted.leftBehind];
    apiKey = minted.apiKey;
  }

  // While the overlap `check` carries runs, the previous key stays live: the key that was newest
  // before this rotation, or, with no rotation now, the key already in its overlap.
  const newest = keys[0];
  // A key whose plaintext was lost has no consumer to outlive.
  const plaintextLost = current !== undefined && !olds.apiKey;
  const inOverlap = rotates
    ? plaintextLost || !lastNewest?.prefix
      ? undefined
      : lastNewest
    : keys.find((k) => k !== newest && k.overlapEndsAt !== undefined);
  const previous =
    news.overlapEndsAt !== undefined && inOverlap && inOverlap !== newest && !inOverlap.leftBehind ? inOverlap : undefined;
  const stays = (k: OwnedKey) => k === newest || k === previous;
  const retiring = keys.filter((k) => !stays(k)).reverse(); // oldest first
  keys = keys
    .filter(stays)
    .map((k) => (k === previous ? { ...k, overlapEndsAt: news.overlapEndsAt } : { ...k, overlapEndsAt: undefined }));
  keys = keys.map(dropUndefined);

  const { revoked, failed } = await revokeOwned(rt, retiring);
  if (revoked.length > 0) process.stdout.write(`Rotating key ${JSON.stringify(id)} revoked ${describeRevoked(revoked)}.\n`);
  if (failed) {
    const unrevoked = retiring.filter((k) => !revoked.some((r) => r.key === k));
    const message =
      `${messageOf(failed.error)} The rotation itself succeeded (newest key ${JSON.stringify(newest.prefix)})` +
      (revoked.length ? `; revoked before this: ${revoked.map((r) => r.key.prefix).join(", ")}` : "") +
      `. The keys not revoked (${unrevoked.map((k) => k.prefix || k.name).join(", ")}) stay tracked, and the next \`pulumi up\` or \`pulumi destroy\` revokes them.`;
    throw keptRotating(message, id, news, [...keys, ...unrevoked.map((k) => ({ ...k, leftBehind: true }))], apiKey);
  }
  return rotatingOutputs(news, keys, apiKey);
}

function dropUndefined(key: OwnedKey): OwnedKey {
  const out = { ...key } as Record<string, unknown>;
  for (const [k, v] of Object.entries(out)) if (v === undefined) delete out[k];
  return out as unknown as OwnedKey;
}
