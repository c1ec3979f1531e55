/**
 * `create` of a rotating key: mints its first key, `<base>-g<generation>`. The resource's id is
 * `rotating/<base>`, stable across rotations (an update cannot change an id) and never a prefix,
 * so a release that knows only `ApiKey` cannot take it for a key.
 */
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
