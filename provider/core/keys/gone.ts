/**
 * The evidence rule (../evidence.ts) applied to keys: what can prove a key revoked, and the
 * message when nothing does.
 */
import { BasetenError } from "../../client/errors";
import { proveAbsence, type AbsenceVerdict } from "../evidence";
import type { BasetenClient } from "../../client/baseten";
import type { Caller } from "../../client/identity";
import type { ApiKeyOutputs } from "./types";
import { findKeyEvent } from "./auditLog";

/**
 * Whose listing can prove a key gone: for a personal key its owner's ("your personal API
 * keys" are always listed to the owner; an admin's view of members' keys is not promised to
 * last), for any other key the user who last saw it.
 */
function witnessOf(stored: Partial<ApiKeyOutputs>): string | undefined {
  return stored.type === "PERSONAL" ? stored.ownerId : stored.seenBy;
}

/**
 * Whether the caller's listing lacking a key proves it revoked, by (b) the audit log's
 * `API_KEY_DELETED` entry for exactly this prefix, or (c) a listing by its witness (see
 * witnessOf) in the workspace where it was seen. The log is read by the key's prefix within
 * the window since it was minted (see findKeyEvent).
 */
export function proveKeyRevoked(
  client: BasetenClient,
  caller: Caller,
  stored: Partial<ApiKeyOutputs>,
  prefix: string | undefined,
): Promise<AbsenceVerdict> {
  return proveAbsence({
    caller,
    seenBy: witnessOf(stored),
    witnessWorkspace: { recorded: stored.seenInWorkspace },
    auditLogRecordsDeletion:
      prefix === undefined
        ? undefined
        : async () => (await findKeyEvent(client, "API_KEY_DELETED", prefix, stored.mintedAfter)) !== undefined,
  });
}

/** Who to run the command as, for messages. */
function whichKey(stored: Partial<ApiKeyOutputs>): string {
  const witness = witnessOf(stored);
  return witness !== undefined
    ? `the management key of Baseten user ${witness}, who ${stored.type === "PERSONAL" ? "owns" : "last saw"} the key, or an organization admin's`
    : "the management key that created the key, or an organization admin's";
}

/** Destroy's way out when a revocation cannot be proven. */
export function revocationUnproven(what: string, stored: Partial<ApiKeyOutputs>, reasons: string[]): BasetenError {
  return new BasetenError(
    "not-found",
    `${what}, and nothing proves the key revoked${reasons.length ? `: ${reasons.join("; ")}` : ""}. The key is kept in state. ` +
      `Ways out: rerun \`pulumi destroy\` with ${whichKey(stored)} (baseten:apiKey); or revoke it by hand on ` +
      `Baseten's API keys page, then remove it from the stack with \`pulumi state delete <urn>\`.`,
  );
}

/** Refresh's way out when a key is missing from the listing without proof that it is gone. */
export function absenceUnproven(what: string, stored: Partial<ApiKeyOutputs>, reasons: string[]): BasetenError {
  return new BasetenError(
    "not-found",
    `${what}, and nothing proves it revoked${reasons.length ? `: ${reasons.join("; ")}` : ""}. Refresh keeps it rather than forget a ` +
      `key that may be live. Ways out: rerun \`pulumi refresh\` with ${whichKey(stored)} (baseten:apiKey); or, ` +
      `if you know it is revoked, remove it from the stack with \`pulumi state delete <urn>\`.`,
  );
}
