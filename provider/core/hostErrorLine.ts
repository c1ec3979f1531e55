/**
 * The line the engine's dynamic-provider host prints for a failure, shared by both resources.
 *
 * For a failure of check, diff, read or delete the host prints `${error}: ${error.stack}` to
 * its standard error (`@pulumi/pulumi/cmd/dynamic-provider/index.js`), which the CLI shows as a
 * line of its own, besides the error's message it shows with the resource. Left alone, that
 * line repeats the whole message and adds the provider's stack frames. This module makes it one
 * short line that says what kind of error it was and what was being done:
 *
 *   BasetenError (not-found): Revoking Baseten API key "abc" failed
 *
 * The message itself is untouched, so the CLI shows it in full once, with the resource.
 */

/** The kind of a typed error: a BasetenError's `kind`, a SecretError's `reason`; none for others. */
function kindOf(e: Error): string | undefined {
  const { kind, reason } = e as { kind?: unknown; reason?: unknown };
  if (typeof kind === "string") return kind;
  return typeof reason === "string" ? reason : undefined;
}

/**
 * Gives `e` (a fresh copy the provider made, never an error shared with other resources) the
 * short host line for `what`, the operation that failed (`Revoking Baseten API key "abc"`).
 */
export function withHostLine<E extends Error>(e: E, what: string): E {
  const kind = kindOf(e);
  const title = kind === undefined ? e.name : `${e.name} (${kind})`;
  // Own, non-enumerable properties: `${e}` calls toString, and the stack is read as text only.
  Object.defineProperty(e, "toString", { value: () => title, enumerable: false, configurable: true });
  Object.defineProperty(e, "stack", { value: `${what} failed`, enumerable: false, configurable: true, writable: true });
  return e;
}
