/**
 * The evidence rule for "gone", as one pure decision: a secret leaves state only on positive
 * evidence. A stand-in until the shared evidence module (the same rule for ApiKey) lands; the
 * decision is the same.
 */

/** One observation about whether a secret still exists. */
export type RemovalEvidence =
  /** DELETE answered 200 with a JSON tombstone naming this secret (equivalence checked by the client). */
  | { kind: "tombstone" }
  /** A 404 to DELETE. `json` false suggests a proxy or a wrong apiUrl. Proves nothing alone. */
  | { kind: "not-found"; json: boolean }
  /** A valid listing of the secret's team, made by `listedBy`, that does or does not hold it. */
  | { kind: "listing"; holds: boolean; listedBy?: string }
  /** The audit log, read or not (a 403 means it could not be read). */
  | { kind: "audit-log"; recordsDeletion: boolean };

/** What the provider knows of the secret from state. */
export interface RemovalSubject {
  /** The Baseten user who last saw the secret, if known. */
  seenBy?: string;
}

/** Whether the evidence proves the secret gone, and by what (for messages and tests). */
export type RemovalDecision = { gone: true; by: "tombstone" | "listing" | "audit-log" } | { gone: false };

/**
 * Gone when: a matching tombstone; or the audit log records the deletion; or a listing by
 * the same user who last saw the secret lacks it (a listing by another user may miss a
 * secret it cannot see). A 404 alone never proves anything: FastAPI answers one for unknown
 * routes too.
 */
export function decideRemoval(subject: RemovalSubject, evidence: readonly RemovalEvidence[]): RemovalDecision {
  for (const e of evidence) {
    if (e.kind === "tombstone") return { gone: true, by: "tombstone" };
    if (e.kind === "audit-log" && e.recordsDeletion) return { gone: true, by: "audit-log" };
    if (e.kind === "listing" && !e.holds && subject.seenBy !== undefined && e.listedBy === subject.seenBy)
      return { gone: true, by: "listing" };
  }
  return { gone: false };
}
