/** The state of a rotating key built from its inputs and the keys it owns, and the inputs a refresh gives back. */
import { unconfirmedId } from "../core/keys/keptInState";
import type { ApiKeyOutputs } from "../core/keys/types";
import type { Delivery } from "./delivery/types";
import type { OwnedKey, RotatingApiKeyInputs, RotatingApiKeyOutputs } from "./types";
import { ROTATE_NOW } from "./schedule";

/** The inputs stored in state, in the order the engine shows them. */
export const INPUT_FIELDS = [
  "type",
  "modelIds",
  "teamId",
  "teamName",
  "rotation",
  "deliverTo",
  "baseName",
  "generation",
  "keyName",
  "rotatedAt",
  "rotateAfter",
  "overlapEndsAt",
  "rotationReason",
  "providerVersion",
  "resourceName",
  "nameScope",
] as const;

/** The id under which one owned key is read and revoked: its prefix, or `unconfirmed/<name>`. */
export function keyIdOf(key: OwnedKey): string {
  return key.prefix || unconfirmedId(key.name);
}

/** An owned key as the core's key operations take it. */
export function asKeyOutputs(key: OwnedKey): ApiKeyOutputs {
  return { ...key, apiKey: "" };
}

/** The key minted for the current plan, when the resource has it: the first key, minted for `inputs.rotatedAt`. */
export function newestKey(inputs: Pick<RotatingApiKeyInputs, "rotatedAt">, keys: OwnedKey[]): OwnedKey | undefined {
  const first = keys[0];
  return first && !first.leftBehind && first.prefix && first.plannedAt === inputs.rotatedAt ? first : undefined;
}

/**
 * The state: the inputs, every owned key (newest first), and the outputs a program reads.
 * `apiKey` is the newest key's plaintext; empty while the plan's key is missing. With
 * `deliverTo` there is no `apiKey` at all: the secret (`delivery`) holds the key instead.
 */
export function rotatingOutputs(
  inputs: RotatingApiKeyInputs,
  keys: OwnedKey[],
  apiKey: string,
  delivery?: Delivery,
): RotatingApiKeyOutputs {
  const outs = {} as Record<string, unknown>;
  for (const field of INPUT_FIELDS)
    if ((inputs as unknown as Record<string, unknown>)[field] !== undefined)
      outs[field] = (inputs as unknown as Record<string, unknown>)[field];
  const newest = newestKey(inputs, keys);
  const previous = keys.find((k) => k !== newest && k.overlapEndsAt !== undefined && k.prefix);
  return {
    ...(outs as unknown as RotatingApiKeyInputs),
    keys,
    prefix: newest?.prefix ?? "",
    ...(inputs.deliverTo === undefined
      ? { apiKey: newest ? apiKey : "" }
      : { secretName: inputs.deliverTo.secretName, secretId: delivery?.secretId ?? "", ...(delivery ? { delivery } : {}) }),
    ...(previous ? { previousPrefix: previous.prefix } : {}),
    createdAt: newest?.mintedAt ?? "",
  };
}

/** The inputs a refreshed resource stands for; `rotateNow` makes the next `check` plan a rotation at once. */
export function inputsOfRotating(outs: RotatingApiKeyOutputs, rotateNow?: string): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (const field of INPUT_FIELDS)
    if ((outs as unknown as Record<string, unknown>)[field] !== undefined)
      inputs[field] = (outs as unknown as Record<string, unknown>)[field];
  if (rotateNow !== undefined) inputs[ROTATE_NOW] = rotateNow;
  return inputs;
}
