/**
 * A stack's secret is its `secretId`, not its name: Baseten's names are unique per team up to
 * equivalence, so a team listing that holds the stored name under another id proves the
 * stack's secret was deleted and another written in its place (by a colleague, a UI click).
 * Update and destroy write or delete only after the listing shows the stored id; the audit
 * log, where readable, confirms which id a DELETE removed (the tombstone holds only a name).
 */
import type { ListedSecret } from "../../client/secrets";
import { secretsNamedLike } from "../listings";
import { findDeletionOfName } from "./auditLog";
import type { BasetenClient } from "../../client/baseten";
import type { Caller } from "../../client/identity";
import { witnessFields } from "../evidence";
import type { SecretOutputs, StoredSecret } from "./types";

/** What the team's listing holds under the stored name. */
export type ListedAs =
  /** The stored id (or, for state without an id, any secret of the name). */
  | { state: "ours"; secret: ListedSecret }
  /** Another id: the stack's secret was replaced outside Pulumi. */
  | { state: "replaced"; secret: ListedSecret }
  /** Nothing of an equivalent name. */
  | { state: "absent" };

/** Which secret, if any, the team's listing holds under the stored name. */
export function listedAs(secrets: ReadonlyArray<ListedSecret>, stored: Pick<SecretOutputs, "name" | "secretId">): ListedAs {
  const named = secretsNamedLike(secrets, stored.name);
  if (named.length === 0) return { state: "absent" };
  // No stored id (not written by this package's releases, kept for safety): the name is all there is.
  if (stored.secretId === undefined) return { state: "ours", secret: named[0] };
  const ours = named.find((s) => s.id === stored.secretId);
  return ours !== undefined ? { state: "ours", secret: ours } : { state: "replaced", secret: named[0] };
}

/** How the listing's other secret is named in messages and lines: name and id, never a value. */
export function describeOther(other: ListedSecret): string {
  return `secret ${JSON.stringify(other.name)} (id ${other.id}, created ${other.createdAt})`;
}

/** What the audit log says of the secret a DELETE removed. */
export type DeletionRecord =
  /** A `SECRET_DELETED` entry of the name carries the stored id. */
  | { found: "ours" }
  /** The newest `SECRET_DELETED` entry of the name carries another id: a secret not the stack's was deleted. */
  | { found: "other"; secretId: string }
  /** No entry, or the log is unreadable (403 for non-admins in multi-team workspaces): the tombstone stands alone. */
  | { found: "nothing"; why: string };

/**
 * The newest `SECRET_DELETED` entry for the name Baseten's tombstone gave, since the DELETE was
 * sent (`sentAt`, epoch ms), compared by `secret_id` with the stored id (see auditLog.ts for how
 * it is found under each reading of `search`). Not "any entry of our id": the listing the DELETE
 * followed may be up to a minute old, so our id may have been deleted by a colleague just before
 * and the DELETE have removed their secret. An audit log that lags can make the newest entry an
 * older one of another id: destroy then fails and keeps the secret, which a rerun resolves.
 */
export async function deletionRecord(
  client: BasetenClient,
  stored: Pick<SecretOutputs, "name" | "secretId">,
  tombstoneName: string,
  sentAt: number,
): Promise<DeletionRecord> {
  let entry;
  try {
    entry = await findDeletionOfName(client, tombstoneName, sentAt);
  } catch (e) {
    const status = (e as { status?: unknown }).status;
    return { found: "nothing", why: `the audit log could not be read${typeof status === "number" ? ` (HTTP ${status})` : ""}` };
  }
  if (!entry) return { found: "nothing", why: "the audit log holds no entry of the deletion yet" };
  const id = entry.eventData.secret_id as string;
  return id === stored.secretId ? { found: "ours" } : { found: "other", secretId: id };
}

/** A stored secret as seen now by `caller`: a workspace recorded with an earlier witness is not carried over. */
export function withWitness<T extends StoredSecret>(stored: T, caller: Caller): T {
  const seen: T = { ...stored, ...witnessFields(caller) };
  if (caller.workspaceName === undefined) delete seen.seenInWorkspace;
  return seen;
}
