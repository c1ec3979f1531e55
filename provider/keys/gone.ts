/**
 * The evidence rule (../evidence.ts) applied to keys: what can prove a key revoked, and the
 * message when nothing does.
 */
import { BasetenError } from "../client/errors";
import { proveAbsence, type AbsenceVerdict } from "../evidence";
import type { ProviderRuntime } from "../runtime";
import type { ApiKeyOutputs, Caller } from "../types";

/**
 * Whether the caller's listing lacking a key proves it revoked, by (b) the audit log's
 * `API_KEY_DELETED` entry for exactly this prefix (Baseten's `search` is a case-insensitive
 * substring match, so the prefix is compared exactly here), or (c) a listing by the user who
 * last saw it, which for a personal key must be its owner (an admin's view of a member's
 * personal keys is not promised to stay).
 */
export function proveKeyRevoked(
  rt: ProviderRuntime,
  caller: Caller,
  stored: Partial<ApiKeyOutputs>,
  prefix: string | undefined,
): Promise<AbsenceVerdict> {
  const personalOfAnother =
    stored.type === "PERSONAL" && (stored.ownerId === undefined || stored.ownerId !== stored.seenBy)
      ? `it is a personal key${stored.ownerId ? ` of user ${stored.ownerId}` : " whose owner is not recorded"}, and only its owner's listing is sure to show it`
      : undefined;
  return proveAbsence({
    caller,
    seenBy: stored.seenBy,
    listingGap: personalOfAnother,
    auditLogRecordsDeletion:
      prefix === undefined
        ? undefined
        : async () =>
            (await rt.client.findAuditLogEntry(
              "API_KEYS",
              prefix,
              (e) => e.eventType === "API_KEY_DELETED" && e.eventData.prefix === prefix,
            )) !== undefined,
  });
}

/** Who to run the command as, for messages. */
function whichKey(stored: Partial<ApiKeyOutputs>): string {
  return stored.seenBy !== undefined
    ? `the management key of Baseten user ${stored.seenBy}, who last saw the key, or an organization admin's`
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
