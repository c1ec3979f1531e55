/**
 * The one line per credential that destroy and refresh print when a resource leaves the stack,
 * saying what proved it gone: the CLI's summary (`- 1 deleted`) says nothing of why. The engine
 * shows a dynamic provider's standard output during the command (attributed to the stack).
 * Shared by both resources; each passes its own words for the proof. Ids and names only,
 * never a value or a key.
 */

/** What removed the resource from the stack: destroy's own deletion, or refresh finding it gone. */
export type RemovalAction = "Revoked" | "Deleted" | "Refresh dropped";

/** `Revoked Baseten API key "abc": <why>.`, `Refresh dropped Baseten secret "t/n": <why>.` */
export function removalLine(action: RemovalAction, what: string, id: string, because: string): string {
  return `${action} ${what} ${JSON.stringify(id)}: ${because}.`;
}

/** Prints the line of one removed resource. */
export function announceRemoval(action: RemovalAction, what: string, id: string, because: string): void {
  process.stdout.write(`${removalLine(action, what, id, because)}\n`);
}
