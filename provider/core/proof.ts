/**
 * "What proved it": the words destroy and refresh print for each way a credential is proven
 * gone, one table for every resource. The proofs themselves come from the evidence rule
 * (evidence.ts) and the tombstone checks of the client; this module only says them.
 */

/** Each way the provider proves a credential gone. */
export type Proof =
  /** A delete's tombstone named it. */
  | "tombstone"
  /** A delete's tombstone named it, and the audit log records the deletion of its id (a name alone proves nothing). */
  | "tombstone-and-audit-log"
  /** The audit log records its deletion or revocation. */
  | "audit-log"
  /** The listing of the user who last saw it no longer holds it. */
  | "listing"
  /** An entry whose create never finished: no credential of its name was ever listed. */
  | "none-minted";

/** How a resource names its credential and its removal, in the lines. */
export interface ProofWords {
  /** "key", "secret". */
  noun: string;
  /** "revocation", "deletion". */
  removal: string;
}

/** The reason printed for `proof`: `Baseten's tombstone names it (verified)`. */
export function provedBy(proof: Proof, words: ProofWords): string {
  switch (proof) {
    case "tombstone":
      return "Baseten's tombstone names it (verified)";
    case "tombstone-and-audit-log":
      return `Baseten's tombstone names it and its audit log records the ${words.removal} of its id (verified)`;
    case "audit-log":
      return `Baseten's audit log records its ${words.removal} (verified)`;
    case "listing":
      return "no longer in the listing of the user who last saw it (verified)";
    case "none-minted":
      return `no ${words.noun} of its name was ever listed (verified)`;
  }
}
