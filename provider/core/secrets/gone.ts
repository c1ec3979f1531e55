/**
 * The evidence rule (../evidence.ts) applied to secrets: what can prove a secret gone besides
 * its tombstone, and the message when nothing does.
 */
import {
  absenceUnprovenText,
  proveAbsence,
  removalUnprovenText,
  whichKeyCanProve,
  type AbsenceVerdict,
  type RemovalWords,
} from "../evidence";
import type { BasetenClient } from "../../client/baseten";
import type { ListedSecret } from "../../client/secrets";
import type { ProviderRuntime } from "../runtime";
import type { Caller } from "../../client/identity";
import { findDeletionOfId } from "./auditLog";
import { SecretError } from "./errors";
import type { SecretOutputs, StoredSecret } from "./types";

/** Why refresh or destroy let a secret go, for the line each prints. */
export type SecretGone =
  | { proof: "tombstone" | "listing" | "audit-log" }
  /** The tombstone names it and the audit log's `SECRET_DELETED` entry carries its id. */
  | { proof: "tombstone-and-audit-log" }
  /** Another id holds its name: it was replaced outside Pulumi; that other secret is left alone. */
  | { proof: "replaced"; other: ListedSecret };

/** True for what `readSecret` returns when the secret is gone. */
export function isSecretGone(read: SecretOutputs | SecretGone): read is SecretGone {
  return typeof (read as Partial<SecretGone>).proof === "string";
}

/**
 * Whether the caller's listing lacking a secret proves it gone: (b) the audit log's
 * `SECRET_DELETED` entry for exactly this secret id (see auditLog.ts), or (c) a listing by the user who last saw it (`seenBy`).
 */
export function proveSecretGone(client: BasetenClient, caller: Caller, stored: Partial<SecretOutputs>): Promise<AbsenceVerdict> {
  const { secretId, name } = stored;
  return proveAbsence({
    caller,
    seenBy: stored.seenBy,
    witnessWorkspace: { recorded: stored.seenInWorkspace },
    auditLogRecordsDeletion:
      secretId === undefined || name === undefined
        ? undefined
        : async () => (await findDeletionOfId(client, secretId, name)) !== undefined,
  });
}

/** How a secret is named in the ways out. */
const SECRET_WORDS: RemovalWords = {
  noun: "secret",
  remove: "delete",
  removed: "deleted",
  knownAs: "gone",
  page: "Secrets page",
};

/** Destroy's way out when a deletion cannot be proven. */
export function deletionUnproven(what: string, stored: Partial<SecretOutputs>, reasons: string[]): SecretError {
  const text = removalUnprovenText(SECRET_WORDS, what, reasons, whichKeyCanProve(SECRET_WORDS, stored.seenBy));
  return new SecretError("removal-unproven", text);
}

/** Refresh's way out when a secret is missing from the listing without proof that it is gone. */
export function absenceUnproven(what: string, stored: Partial<SecretOutputs>, reasons: string[]): SecretError {
  const text = absenceUnprovenText(SECRET_WORDS, what, reasons, whichKeyCanProve(SECRET_WORDS, stored.seenBy));
  return new SecretError("removal-unproven", text);
}

/** The evidence rule for a secret the listing lacks: gone with its proof, or the error that keeps it. */
export async function provenGone(
  rt: ProviderRuntime,
  client: BasetenClient,
  stored: StoredSecret,
  what: string,
): Promise<SecretGone> {
  const caller = await rt.caller();
  const verdict = await proveSecretGone(client, caller, stored);
  if (verdict.gone) return { proof: verdict.evidence };
  throw deletionUnproven(what, stored, verdict.reasons);
}
