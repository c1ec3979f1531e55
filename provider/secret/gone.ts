/**
 * The evidence rule (../evidence.ts) applied to secrets: what can prove a secret gone besides
 * its tombstone, and the message when nothing does.
 */
import { proveAbsence, type AbsenceVerdict } from "../core/evidence";
import type { BasetenClient } from "../client/baseten";
import type { ListedSecret } from "../client/secrets";
import type { ProviderRuntime } from "../core/runtime";
import type { Caller } from "../client/identity";
import { findDeletionOfId } from "./auditLog";
import { SecretError } from "./errors";
import type { SecretOutputs } from "./types";

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

/** Who to run the command as, for messages. */
function whichKey(stored: Partial<SecretOutputs>): string {
  return stored.seenBy !== undefined
    ? `the management key of Baseten user ${stored.seenBy}, who last saw the secret, or an organization admin's`
    : "the management key that created the secret, or an organization admin's";
}

/** Destroy's way out when a deletion cannot be proven. */
export function deletionUnproven(what: string, stored: Partial<SecretOutputs>, reasons: string[]): SecretError {
  return new SecretError(
    "removal-unproven",
    `${what}, and nothing proves the secret deleted${reasons.length ? `: ${reasons.join("; ")}` : ""}. The secret is kept in state. ` +
      `Ways out: rerun \`pulumi destroy\` with ${whichKey(stored)} (baseten:apiKey); or delete it by hand on Baseten's ` +
      `Secrets page, then remove it from the stack with \`pulumi state delete <urn>\`.`,
  );
}

/** Refresh's way out when a secret is missing from the listing without proof that it is gone. */
export function absenceUnproven(what: string, stored: Partial<SecretOutputs>, reasons: string[]): SecretError {
  return new SecretError(
    "removal-unproven",
    `${what}, and nothing proves it deleted${reasons.length ? `: ${reasons.join("; ")}` : ""}. Refresh keeps it rather than ` +
      `forget a secret that may be live. Ways out: rerun \`pulumi refresh\` with ${whichKey(stored)} (baseten:apiKey); or, ` +
      `if you know it is gone, remove it from the stack with \`pulumi state delete <urn>\`.`,
  );
}

/** The evidence rule for a secret the listing lacks: gone with its proof, or the error that keeps it. */
export async function provenGone(
  rt: ProviderRuntime,
  client: BasetenClient,
  stored: SecretOutputs,
  what: string,
): Promise<SecretGone> {
  const caller = await rt.caller();
  const verdict = await proveSecretGone(client, caller, stored);
  if (verdict.gone) return { proof: verdict.evidence };
  throw deletionUnproven(what, stored, verdict.reasons);
}
