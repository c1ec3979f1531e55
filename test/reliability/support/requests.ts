/** Reading the emulator's request log by phase, without clearing it (the figures need all of it). */
import { SECRET_ROUTES, type BasetenEmulator, type LoggedRequest } from "../../emulator";

export const POST = "POST /v1/api_keys";
export const POST_TEAM = "POST /v1/teams/{team_id}/api_keys";
export const LIST = "GET /v1/api_keys";
export const DELETE = "DELETE /v1/api_keys/{prefix}";
export const TEAMS = "GET /v1/teams";
/** A team secret's write (an upsert by name) and its DELETE (../../emulator/secrets.ts). */
export const SECRET_WRITE = SECRET_ROUTES.upsertTeamSecret;
export const SECRET_DELETE = SECRET_ROUTES.deleteTeamSecret;

/** A position in the log: requests after it belong to the next phase. */
export function mark(emu: BasetenEmulator): number {
  const log = emu.requestLog();
  return log.length === 0 ? 0 : log[log.length - 1].seq;
}

/** Requests logged after `from` (a `mark`). Requests still in flight are logged when they end. */
export function since(emu: BasetenEmulator, from: number): LoggedRequest[] {
  return emu.requestLog().filter((r) => r.seq > from);
}

/** How many requests got each fault kind. */
export function faultCounts(log: LoggedRequest[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of log) if (r.fault !== undefined) counts[r.fault] = (counts[r.fault] ?? 0) + 1;
  return counts;
}

/**
 * The path shapes this provider may send: the key collection, one key as ONE encoded path
 * segment (no `/`, `?` or `#`, and no `.`/`..` step), the team collection (optionally
 * `?name=`), one team's key collection, the caller's identity and the audit log searched for
 * one prefix (or unsearched, from a mint time). Anything else means a crafted value escaped.
 */
export function isAllowedPath(rawPath: string): boolean {
  if (rawPath === "/v1/api_keys" || rawPath === "/v1/teams" || /^\/v1\/teams\?name=[^/#]*$/.test(rawPath)) return true;
  // The caller's identity, and the audit log (searched at most by one key's prefix, which travels
  // only as one URL-encoded query parameter: no raw `/`, `#` or `&` can escape it; bounded by the
  // key's mint time).
  if (
    rawPath === "/v1/users/me" ||
    /^\/v1\/audit_logs\?event_type_groups=API_KEYS&limit=200(&search=[^/#&]*)?(&start_epoch_millis=\d+)?$/.test(rawPath)
  )
    return true;
  const oneKey = /^\/v1\/api_keys\/([^/?#]+)$/.exec(rawPath);
  if (oneKey) return oneKey[1] !== "." && oneKey[1] !== ".." && !/^(%2e|\.){1,2}$/i.test(oneKey[1]);
  return /^\/v1\/teams\/[^/?#.]+\/api_keys$/.test(rawPath);
}
