/**
 * A rotating key's inputs and state. The schedule (generation, due date, overlap's end) is in
 * the inputs because `check` writes it: `check` sees the old inputs and the clock, never the
 * state (README, "Rotation").
 */
import type { ApiKeyOutputs, ApiKeyType } from "../core/keys/types";
import type { DeliverTo, Delivery, PendingWrite } from "./delivery/types";

/** `rotation` as the program writes it: durations such as "30d", "12h", "90m". */
export interface RotationInput {
  every: string;
  overlap: string;
}

/** The inputs of a `RotatingApiKey` after `check`: what the engine stores as its inputs. */
export interface RotatingApiKeyInputs {
  type: ApiKeyType;
  modelIds?: string[];
  teamId?: string;
  teamName?: string;
  rotation: RotationInput;
  /** Where each new key is written instead of being given out as `apiKey` (README, "Delivery"). */
  deliverTo?: DeliverTo;
  /** The stem of every key's name (`<baseName>-g<generation>`), derived once and kept. */
  baseName: string;
  /** The generation the newest key has (or, when a rotation is planned, will have). */
  generation: number;
  /** `<baseName>-g<generation>`: the name `up` mints, known at preview. */
  keyName: string;
  /** When the `check` that planned the newest generation ran (ISO). */
  rotatedAt: string;
  /** When the newest key is due to rotate (ISO): `rotatedAt` + `every`. */
  rotateAfter: string;
  /** While a previous key is in its overlap: when it ends (ISO). */
  overlapEndsAt?: string;
  /** Why the newest generation was planned, as the preview shows it. */
  rotationReason: string;
  providerVersion: string;
  resourceName?: string;
  nameScope?: string;
}

/** One key the resource owns, stored as a key's outputs are (without its plaintext). */
export interface OwnedKey extends Omit<ApiKeyOutputs, "apiKey"> {
  generation: number;
  /** When it was minted (ISO, the provider's clock: core/clock.ts). */
  mintedAt: string;
  /** The `rotatedAt` of the plan it was minted for: a newer plan means a rotation is due. */
  plannedAt: string;
  /** For the previous key while its overlap runs: when the overlap ends (ISO). */
  overlapEndsAt?: string;
  /**
   * Its plaintext was given out as `apiKey` by a create or update that succeeded, so consumers
   * may hold it: the key a rotation keeps through the overlap. Unset for a key whose mint's
   * outcome was unknown or whose plaintext was lost, and for keys taken in (`leftBehind`).
   */
  delivered?: boolean;
  /**
   * An `unconfirmed/<name>` entry (a mint whose outcome was never known) that no listing could
   * prove absent when it was retired: tracked, tried again at each rotation, and at destroy.
   */
  unproven?: boolean;
  /**
   * Found live under one of this resource's names at a create (a crashed create's, or a key of
   * the resource this one replaces): tracked, and revoked at the next rotation or destroy.
   */
  leftBehind?: boolean;
  /**
   * With `deliverTo`: the write of its plaintext into the secret had an unknown outcome (a
   * timeout, a lost connection), or it was found live when the secret already existed, so the
   * secret may hold it. Kept through the overlap after the next delivery, never revoked before.
   */
  mayBeDelivered?: boolean;
  /** With `deliverTo`: its write of unknown outcome went to a name no secret held (delivery/pending.ts). */
  pendingWrite?: PendingWrite;
}

/** The state of a `RotatingApiKey`. */
export interface RotatingApiKeyOutputs extends RotatingApiKeyInputs {
  /** Every live key it owns, newest first. */
  keys: OwnedKey[];
  /** The newest key's prefix; empty while it is missing (revoked outside Pulumi) until the next rotation. */
  prefix: string;
  /** The newest key's plaintext, a Pulumi secret; absent with `deliverTo` (the secret holds it). */
  apiKey?: string;
  /** With `deliverTo`: the secret this resource wrote and owns (its id, team, and who last saw it); absent while it must be written again. */
  delivery?: Delivery;
  /** With `deliverTo`: the secret's name, as written. */
  secretName?: string;
  /** With `deliverTo`: Baseten's id of the secret; empty while it must be written again. */
  secretId?: string;
  /** The previous key's prefix while its overlap runs. */
  previousPrefix?: string;
  /** When the newest key was minted (ISO). */
  createdAt: string;
}
