/**
 * Baseten's audit-log area (`GET /v1/audit_logs`): finds the newest entry that matches, paging
 * through a bounded number of pages. Entries come as `AuditLogEntry`, as far as the provider
 * reads them (`AuditLogEntryV1`).
 */
import { invalidResponse } from "./errors";
import { send, type Operation } from "./http";
import { isRecord, optionalString, parseJson } from "./json";

/** One audit-log entry (`AuditLogEntryV1`), as far as the provider reads it. */
export interface AuditLogEntry {
  eventType: string;
  eventData: Record<string, unknown>;
  /** When it happened (`created`, ISO 8601, Baseten's clock), as epoch ms; undefined when unreadable. */
  createdAt?: number;
  /** `actor.api_key_prefix`: the acting API key's prefix, when the actor is an API key. */
  actorKeyPrefix?: string;
  /** `actor.type` (USER, API_KEY, BASETEN_USER, ...; open) and `actor.email`, for messages. */
  actorType?: string;
  actorEmail?: string;
  /** `source` (UI, API, MCP, SYSTEM, OTHER; nullable): where the action came from. */
  source?: string;
}

/** Pages of the audit log read at most per lookup (200 entries a page). */
const MAX_AUDIT_PAGES = 10;

/** One item of a page as an entry, or undefined when it lacks its event type or data. */
function toEntry(item: unknown): AuditLogEntry | undefined {
  if (!isRecord(item) || typeof item.event_type !== "string" || !isRecord(item.event_data)) return undefined;
  const entry: AuditLogEntry = { eventType: item.event_type, eventData: item.event_data };
  const created = typeof item.created === "string" ? Date.parse(item.created) : NaN;
  if (Number.isFinite(created)) entry.createdAt = created;
  const actorKeyPrefix = isRecord(item.actor) ? optionalString(item.actor.api_key_prefix) : undefined;
  if (actorKeyPrefix) entry.actorKeyPrefix = actorKeyPrefix;
  const actorType = isRecord(item.actor) ? optionalString(item.actor.type) : undefined;
  if (actorType) entry.actorType = actorType;
  const actorEmail = isRecord(item.actor) ? optionalString(item.actor.email) : undefined;
  if (actorEmail) entry.actorEmail = actorEmail;
  const source = optionalString(item.source);
  if (source) entry.source = source;
  return entry;
}

/**
 * The newest audit-log entry of `group` (e.g. `API_KEYS`), among those `search` selects (all
 * when undefined), for which `matches` holds, or undefined when the pages read have none.
 * `search` is Baseten's case-insensitive substring filter, so `matches` must compare exactly.
 * `sinceEpochMs` (`start_epoch_millis`) bounds the window read: with it, the pages read cover
 * only entries since then. Throws a BasetenError (kind "authentication" for 403: in
 * multi-team workspaces only organization admins may read the log).
 */
export async function findAuditLogEntry(
  op: Operation,
  group: string,
  search: string | undefined,
  matches: (entry: AuditLogEntry) => boolean,
  sinceEpochMs?: number,
): Promise<AuditLogEntry | undefined> {
  let cursor: string | undefined;
  for (let page = 0; page < MAX_AUDIT_PAGES; page++) {
    const query = new URLSearchParams({ event_type_groups: group, limit: "200" });
    if (search !== undefined) query.set("search", search);
    if (sinceEpochMs !== undefined) query.set("start_epoch_millis", String(Math.max(0, Math.floor(sinceEpochMs))));
    if (cursor !== undefined) query.set("cursor", cursor);
    const target = { method: "GET", path: `/v1/audit_logs?${query}` };
    const result = await send(op, target);
    const parsed = parseJson(result, target);
    if (!isRecord(parsed) || !Array.isArray(parsed.items) || !isRecord(parsed.pagination)) {
      throw invalidResponse(target, "the body has no `items` array and `pagination`", result.status);
    }
    for (const item of parsed.items) {
      const entry = toEntry(item);
      if (entry && matches(entry)) return entry;
    }
    cursor = parsed.pagination.has_more === true ? optionalString(parsed.pagination.cursor) : undefined;
    if (cursor === undefined) return undefined;
  }
  return undefined;
}
