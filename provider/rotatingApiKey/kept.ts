/**
 * The error that keeps a rotating key in state after a failure part-way (a mint whose outcome
 * is unknown, a revocation that could not be proven): `{id, properties, reasons}` with every key
 * the resource still owns, and the provider code, which the engine's host does not add itself.
 */
import { KeyKeptInStateError } from "../core/keys/keptInState";
import { rotatingOutputs } from "./outputs";
import type { Delivery } from "./delivery/types";
import type { OwnedKey, RotatingApiKeyInputs } from "./types";

export function keptRotating(
  message: string,
  id: string,
  inputs: RotatingApiKeyInputs & { __provider?: unknown },
  keys: OwnedKey[],
  apiKey: string,
  delivery?: Delivery,
): KeyKeptInStateError {
  const properties = { ...rotatingOutputs(inputs, keys, apiKey, delivery), __provider: inputs.__provider };
  return new KeyKeptInStateError(message, id, properties, [message]);
}
