/**
 * Resources that must stay in state although their create failed: the error the engine
 * understands as "created, but failed to initialise", and the `unconfirmed/<name>` id of a
 * key that may have been minted under an unknown prefix.
 */

/**
 * The engine keeps the resource (with this id and these properties) in state instead of
 * forgetting a live key when `create` throws this.
 */
export class KeyKeptInStateError extends Error {
  constructor(
    message: string,
    readonly id: string,
    readonly properties: Record<string, unknown>,
    readonly reasons: string[],
  ) {
    super(message);
    this.message = message; // see BasetenError: serialized classes must set it themselves
    this.name = "KeyKeptInStateError";
  }
}

/** True for a KeyKeptInStateError, even one made by another copy of this code. */
export function isKeyKeptInStateError(e: unknown): e is KeyKeptInStateError {
  return typeof e === "object" && e !== null && (e as { name?: unknown }).name === "KeyKeptInStateError";
}

/** A copy of `e` whose message is `what: <message>` (never an edit of a shared error). */
export function keptWithContext(what: string, e: KeyKeptInStateError): KeyKeptInStateError {
  const message = `${what}: ${e.message}`;
  return new KeyKeptInStateError(message, e.id, e.properties, [message]);
}

/**
 * The id of a key that may have been minted but whose prefix is unknown: `unconfirmed/<name>`.
 * The slash makes it impossible as a prefix, so it can never reach a URL; read and revoke
 * find the key by its name (in its scope, with its owner) instead.
 */
const UNCONFIRMED_ID = "unconfirmed/";

export function unconfirmedId(name: string): string {
  return `${UNCONFIRMED_ID}${name}`;
}

/** The key name an `unconfirmed/<name>` id stands for, or undefined for any other id. */
export function unconfirmedName(id: unknown): string | undefined {
  return typeof id === "string" && id.startsWith(UNCONFIRMED_ID) && id.length > UNCONFIRMED_ID.length
    ? id.slice(UNCONFIRMED_ID.length)
    : undefined;
}
