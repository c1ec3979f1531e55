/**
 * The evidence rule for "gone", shared by every resource (it knows nothing of keys or
 * secrets). A resource leaves state only on positive evidence, because each weaker signal has
 * an innocent explanation that would forget a live credential:
 * - a JSON 404 is also what FastAPI answers for any unknown route (a wrong apiUrl path), and
 *   what a caller gets for a resource it cannot see;
 * - a listing holds only what its caller may see: "a key absent from one caller's listing may
 *   be live" (Baseten's API reference, `GET /v1/api_keys`).
 * Evidence is: (a) a tombstone naming the resource (checked where the DELETE is sent); (b) the
 * audit log recording its deletion; (c) a valid listing by the same Baseten user who last saw
 * the resource (`seenBy`), in the same workspace, when nothing limits what that user's listing
 * shows of it.
 */
import { isBasetenError } from "../client/errors";
import type { Caller } from "../client/identity";

/**
 * How far Baseten's clock may run behind this machine's when an audit-log search window starts
 * at a time of this machine (a key's mint time, a secret's DELETE): the window starts this much
 * earlier, so a skewed clock cannot hide the entries. Generous, since a wider window costs
 * nothing. Not a refusal's tolerance: core/secrets/write.ts's CREATED_AT_SKEW_ALLOWANCE_MS (one
 * minute) decides whether a `created_at` predates a listing, where erring long would let
 * another writer's secret pass as new.
 */
export const AUDIT_CLOCK_SKEW_MS = 10 * 60_000;

/** Everything known about a resource that the caller's listing no longer holds. */
export interface AbsenceFacts {
  /** The caller, whose valid listing lacks the resource. */
  caller: Caller;
  /**
   * The user whose listing can prove it gone (who last saw it, or owns it); undefined when no
   * listing is known to have held it (state written before 0.2.0, or never listed yet).
   */
  seenBy?: string;
  /**
   * Given by a resource that records its witness's workspace: a user id is an identity only
   * within its workspace (nothing documents it unique across workspaces), so the listing then
   * proves absence only when the caller's `workspace_name` is known and equals `recorded`.
   */
  witnessWorkspace?: { recorded?: string };
  /** Why even `seenBy`'s listing might lack it while it is live (e.g. another user's personal key). */
  listingGap?: string;
  /** Whether the audit log records its deletion; omitted when there is nothing to look up. */
  auditLogRecordsDeletion?: () => Promise<boolean>;
}

/** The outcome: gone, with the evidence, or not proven, with every reason. */
export type AbsenceVerdict = { gone: true; evidence: "audit-log" | "listing" } | { gone: false; reasons: string[] };

/** Applies (b) and (c) of the rule; see the module comment. At most one audit-log lookup. */
export async function proveAbsence(facts: AbsenceFacts): Promise<AbsenceVerdict> {
  const reasons: string[] = [];
  const otherWorkspace = facts.witnessWorkspace && workspaceMismatch(facts.caller, facts.witnessWorkspace.recorded);
  if (facts.seenBy === undefined) {
    reasons.push(
      "no Baseten user's listing is known to have held it (state written before 0.2.0, or not listed since it was created), so one listing proves nothing",
    );
  } else if (facts.seenBy !== facts.caller.userId) {
    reasons.push(
      `this management key belongs to Baseten user ${facts.caller.userId}, but only user ${facts.seenBy}'s listing ` +
        `can show it gone (the user who last saw it, or owns it), and what one user's listing lacks may be live`,
    );
  } else if (otherWorkspace) {
    reasons.push(otherWorkspace);
  } else if (facts.listingGap !== undefined) {
    reasons.push(facts.listingGap);
  } else {
    return { gone: true, evidence: "listing" };
  }
  if (facts.auditLogRecordsDeletion) {
    try {
      if (await facts.auditLogRecordsDeletion()) return { gone: true, evidence: "audit-log" };
      reasons.push("the audit log (GET /v1/audit_logs) records no deletion of it");
    } catch (e) {
      // A 403 proves nothing: in multi-team workspaces only organization admins may read the log.
      if (isBasetenError(e) && e.status === 403) {
        reasons.push("the audit log is readable only by organization admins (GET /v1/audit_logs answered HTTP 403)");
      } else {
        reasons.push(`reading the audit log failed (${isBasetenError(e) ? (e.status ?? e.kind) : "error"})`);
      }
    }
  }
  return { gone: false, reasons };
}

/** Why the caller's workspace does not tie its listing to the witness's, or undefined when it does. */
function workspaceMismatch(caller: Caller, recorded: string | undefined): string | undefined {
  if (recorded === undefined)
    return "no workspace was recorded with the user who saw it (state written before 0.3.0, or Baseten named none), so a user id alone does not identify that user's listing; a refresh while it is live records it";
  if (caller.workspaceName === undefined)
    return `GET /v1/users/me names no workspace for this management key, so its listing cannot be tied to workspace ${JSON.stringify(recorded)}, where it was seen`;
  if (caller.workspaceName !== recorded)
    return `this management key's workspace is ${JSON.stringify(caller.workspaceName)}, but it was seen in workspace ${JSON.stringify(recorded)} (renamed, or another workspace), so this listing proves nothing`;
  return undefined;
}

/**
 * What a witness records: who saw the resource, in which workspace (a user id is an identity
 * only within its workspace; see `witnessWorkspace`).
 */
export function witnessFields(caller: Caller): { seenBy: string; seenInWorkspace?: string } {
  return caller.workspaceName ? { seenBy: caller.userId, seenInWorkspace: caller.workspaceName } : { seenBy: caller.userId };
}

/** How a resource kind is named in the ways out of an unproven removal. */
export interface RemovalWords {
  /** "secret", "key". */
  noun: string;
  /** What removing it is called: "delete", "revoke". */
  remove: string;
  /** Its past participle: "deleted", "revoked". */
  removed: string;
  /** What refresh's way out says the user may know it is: "gone", "revoked". */
  knownAs: string;
  /** Where Baseten's UI removes it by hand: "Secrets page", "API keys page". */
  page: string;
}

/** Whose management key can prove it gone, for messages: its witness's (who `relation` it), or its creator's. */
export function whichKeyCanProve(words: RemovalWords, witness: string | undefined, relation = "last saw"): string {
  return witness !== undefined
    ? `the management key of Baseten user ${witness}, who ${relation} the ${words.noun}, or an organization admin's`
    : `the management key that created the ${words.noun}, or an organization admin's`;
}

/** Destroy's way out when a removal cannot be proven: `what` happened, `reasons` why nothing proves it. */
export function removalUnprovenText(words: RemovalWords, what: string, reasons: string[], whichKey: string): string {
  return (
    `${what}, and nothing proves the ${words.noun} ${words.removed}${reasons.length ? `: ${reasons.join("; ")}` : ""}. ` +
    `The ${words.noun} is kept in state. Ways out: rerun \`pulumi destroy\` with ${whichKey} (baseten:apiKey); or ` +
    `${words.remove} it by hand on Baseten's ${words.page}, then remove it from the stack with \`pulumi state delete <urn>\`.`
  );
}

/** Refresh's way out when the listing lacks a resource and nothing proves it gone. */
export function absenceUnprovenText(words: RemovalWords, what: string, reasons: string[], whichKey: string): string {
  return (
    `${what}, and nothing proves it ${words.removed}${reasons.length ? `: ${reasons.join("; ")}` : ""}. Refresh keeps it ` +
    `rather than forget a ${words.noun} that may be live. Ways out: rerun \`pulumi refresh\` with ${whichKey} ` +
    `(baseten:apiKey); or, if you know it is ${words.knownAs}, remove it from the stack with \`pulumi state delete <urn>\`.`
  );
}
