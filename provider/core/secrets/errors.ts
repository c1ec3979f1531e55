/**
 * The errors a `Secret` raises besides the client's `BasetenError`s. Recognised by `name` and
 * `reason` (the code crosses the closure-serialization boundary, so no `instanceof`).
 */

/** Why a secret operation refused to go on. */
export type SecretErrorReason =
  /** create: an equivalent name exists in the team and `adoptExisting` is not set. */
  | "exists"
  /** create: the upsert's `created_at` predates the listing: another writer's secret was overwritten. */
  | "other-writer"
  /** update or destroy: another id holds the name: the secret was deleted and recreated outside Pulumi. */
  | "replaced-outside"
  /** update: the team's listing lacks the secret, so an upsert would create a new one. */
  | "not-listed"
  /** destroy or refresh: Baseten gave no positive evidence that the secret is gone. */
  | "removal-unproven";

const ERROR_NAME = "SecretError";

/** A refusal of the Secret provider; the message says what happened and the way out. */
export class SecretError extends Error {
  readonly reason: SecretErrorReason;

  constructor(reason: SecretErrorReason, message: string) {
    super(message);
    // Closure serialization turns `super(...)` into a plain call of Error: set fields explicitly.
    this.message = message;
    this.name = ERROR_NAME;
    this.reason = reason;
  }
}

/** True for a `SecretError` (of any copy of this code), optionally of one reason. */
export function isSecretError(e: unknown, reason?: SecretErrorReason): e is SecretError {
  return (
    typeof e === "object" &&
    e !== null &&
    (e as { name?: unknown }).name === ERROR_NAME &&
    (reason === undefined || (e as { reason?: unknown }).reason === reason)
  );
}
