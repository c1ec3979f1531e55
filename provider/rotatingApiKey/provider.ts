/**
 * `RotatingApiKey`'s folder as the core's adapter sees it (core/adapter.ts): one resource with a
 * stable id (`rotating/<base>`) that owns every live key of its rotation.
 */
import { createResourceProvider, type ResourceFolder, type ResourceProvider } from "../core/adapter";
import { isKeyKeptInStateError, keptWithContext } from "../core/keys/keptInState";
import { checkRotatingInputs } from "./checks";
import { createRotating } from "./create";
import { deleteRotating } from "./delete";
import { diffRotating } from "./diff";
import { readRotating } from "./read";
import type { RotatingApiKeyInputs, RotatingApiKeyOutputs } from "./types";
import { updateRotating } from "./update";

type Inputs = RotatingApiKeyInputs & { __provider?: string };

export type RotatingApiKeyProvider = ResourceProvider<Inputs, RotatingApiKeyOutputs>;

export const rotatingApiKeyFolder: ResourceFolder<Inputs, RotatingApiKeyOutputs> = {
  what: "rotating Baseten API key",
  deleting: "Revoking",
  createdName: (inputs) => inputs.keyName,
  check: checkRotatingInputs,
  diff: (_id, olds, news) => diffRotating(olds as unknown as Record<string, unknown>, news as unknown as Record<string, unknown>),
  create: (rt, inputs) => createRotating(rt, inputs),
  read: (rt, id, stored) => readRotating(rt, id, stored),
  update: (rt, id, olds, news) => updateRotating(rt, id, olds, news),
  delete: (rt, id, stored) => deleteRotating(rt, id, stored),
  withContext: (what, e) => (isKeyKeptInStateError(e) ? keptWithContext(what, e) : undefined),
};

/** Makes a provider object; the class uses the one in ./sharedProvider.ts, tests make their own. */
export function createRotatingApiKeyProvider(): RotatingApiKeyProvider {
  return createResourceProvider(rotatingApiKeyFolder);
}
