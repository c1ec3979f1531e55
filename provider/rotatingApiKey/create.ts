/**
 * `create` of a rotating key: mints its first key, `<base>-g<generation>`. The resource's id is
 * `rotating/<base>`, stable across rotations (an update cannot change an id) and never a prefix,
 * so a release that knows only `ApiKey` cannot take it for a key.
 */
import { BasetenError } from "../client/errors";
import { mintAndDeliver } from "./delivery/mintAndDeliver";
import type { DeliverTo } from "./delivery/types";
import { mintGeneration } from "./generations";
import { keptRotating } from "./kept";
import { rotatingOutputs } from "./outputs";
import type { RotatingApiKeyInputs, RotatingApiKeyOutputs } from "./types";
import type { ProviderRuntime } from "../core/runtime";

/** The resource id of a rotating key whose keys' names start with `baseName`. */
export function rotatingId(baseName: string): string {
  return `rotating/${baseName}`;
}

export async function createRotating(
  rt: ProviderRuntime,
  inputs: RotatingApiKeyInputs & { __provider?: unknown },
): Promise<{ id: string; outs: RotatingApiKeyOutputs }> {
  const id = rotatingId(inputs.baseName);
  if (inputs.deliverTo !== undefined) return createDelivering(rt, id, { ...inputs, deliverTo: inputs.deliverTo });
  // Live keys of this resource's names (an interrupted create's, or the keys of the resource
  // this one replaces) are tracked, and the first free generation from the planned one minted.
  const minted = await mintGeneration(rt, inputs, inputs.generation, new Set(), inputs.__provider, (kept, e, leftBehind) =>
    keptRotating(e.message, id, inputs, [kept, ...leftBehind], ""),
  );
  const delivered = { ...minted.key, delivered: true };
  // The outputs name the key minted: a later generation than planned when a held name was skipped.
  const named = { ...inputs, generation: delivered.generation, keyName: delivered.name };
  return { id, outs: rotatingOutputs(named, [delivered, ...minted.leftBehind], minted.apiKey) };
}

/**
 * A create with `deliverTo`: the first key minted and written into the secret (delivery/). A
 * failure that leaves a key live, or a secret written, keeps the resource in state with them;
 * one that leaves nothing (a refusal before the mint, a key revoked after a refused write)
 * creates nothing.
 */
async function createDelivering(
  rt: ProviderRuntime,
  id: string,
  inputs: RotatingApiKeyInputs & { deliverTo: DeliverTo; __provider?: unknown },
): Promise<{ id: string; outs: RotatingApiKeyOutputs }> {
  const done = await mintAndDeliver(rt, {
    inputs,
    from: inputs.generation,
    owned: [],
    stored: undefined,
    keep: (message, kind, keys, delivery) =>
      keys.length > 0 || delivery ? keptRotating(message, id, inputs, keys, "", delivery) : new BasetenError(kind, message),
  });
  const named = { ...inputs, generation: done.key.generation, keyName: done.key.name };
  return { id, outs: rotatingOutputs(named, [done.key, ...done.leftBehind], "", done.delivery) };
}
