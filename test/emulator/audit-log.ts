/**
 * `GET /v1/audit_logs` (spec `ListAuditLogsResponseV1`, `AuditLogEntryV1`,
 * `AuditLogEventApiKeyCreatedV1`, `AuditLogEventApiKeyDeletedV1`; ../shared/baseten/README.md
 * "Audit log"): entries newest first, up to 200 a page with a cursor; `event_type_groups`
 * filters by group (`API_KEYS`, `SECRETS`); `start_epoch_millis` and `end_epoch_millis` bound
 * the window ("Epoch milliseconds for the start of the window", spec); `search` is a
 * case-insensitive substring match on "resource names and IDs in the entry", read as
 * EmulatorModes.auditSearch says. Other event types are not produced by this emulator.
 */
import type { EmulatorModes } from "./types";

export interface AuditEntry {
  id: string;
  created: string;
  event_type: string;
  event_data: Record<string, unknown>;
  actor: { type: "USER" | "API_KEY"; email?: string | null; api_key_prefix?: string | null; api_key_name?: string | null };
  /** Spec AuditLogSourceV1 (UI, API, MCP, SYSTEM, OTHER; nullable): where the action came from. */
  source: "UI" | "API" | null;
  /** The acting user's id, for `user_ids`; not sent. */
  userId: string;
}

const GROUP_OF: Record<string, string> = {
  API_KEY_CREATED: "API_KEYS",
  API_KEY_DELETED: "API_KEYS",
  SECRET_UPDATED: "SECRETS",
  SECRET_DELETED: "SECRETS",
};

export interface AuditQuery {
  search?: string;
  groups: string[];
  userIds: string[];
  limit: number;
  cursor?: string;
  /** Epoch ms: entries at or after (`start_epoch_millis`), and at or before (`end_epoch_millis`). */
  start?: number;
  end?: number;
}

/** The strings `search` is matched against, under each reading (EmulatorModes.auditSearch). */
function searchedFields(e: AuditEntry, reading: EmulatorModes["auditSearch"]): string[] {
  const fields = Object.entries(e.event_data).filter(([, v]) => typeof v === "string") as Array<[string, string]>;
  const names = fields.filter(([k]) => k.endsWith("_name")).map(([, v]) => v);
  const ids = [e.id, ...fields.filter(([k]) => k.endsWith("_id")).map(([, v]) => v)];
  const prefix = fields.filter(([k]) => k === "prefix").map(([, v]) => v);
  switch (reading) {
    case "names":
      return names;
    case "ids":
      return ids;
    case "ids-and-prefix":
      return [...ids, ...prefix];
    case "names-and-ids":
      return [...names, ...ids];
  }
}

export class AuditLog {
  private entries: AuditEntry[] = []; // oldest first
  private seq = 0;

  record(entry: Omit<AuditEntry, "id" | "created">): void {
    this.seq += 1;
    this.entries.push({ ...entry, id: `audit-${this.seq}`, created: new Date().toISOString() });
  }

  clear(): void {
    this.entries = [];
  }

  /** One page, newest first; the cursor is the index to continue from. */
  page(
    q: AuditQuery,
    reading: EmulatorModes["auditSearch"] = "names-and-ids",
  ): { items: Record<string, unknown>[]; pagination: { has_more: boolean; cursor: string | null } } {
    const needle = q.search?.toLowerCase();
    const matching = [...this.entries].reverse().filter((e) => {
      if (q.groups.length && !q.groups.includes(GROUP_OF[e.event_type] ?? "")) return false;
      if (q.userIds.length && !q.userIds.includes(e.userId)) return false;
      const at = Date.parse(e.created);
      if (q.start !== undefined && at < q.start) return false;
      if (q.end !== undefined && at > q.end) return false;
      if (needle && !searchedFields(e, reading).some((h) => h.toLowerCase().includes(needle))) return false;
      return true;
    });
    const start = q.cursor === undefined ? 0 : Number(q.cursor);
    const slice = matching.slice(start, start + q.limit);
    const next = start + slice.length;
    return {
      items: slice.map(({ id, created, event_type, event_data, actor, source }) => ({
        id,
        created,
        event_type,
        event_data,
        actor,
        source,
      })),
      pagination: { has_more: next < matching.length, cursor: next < matching.length ? String(next) : null },
    };
  }
}

/** Parses the query string of `GET /v1/audit_logs`; throws a message for a 422. */
export function parseAuditQuery(query: string): AuditQuery {
  const params = new URLSearchParams(query);
  const limitText = params.get("limit");
  const limit = limitText === null ? 20 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new Error("limit: Input should be between 1 and 200");
  const cursor = params.get("cursor") ?? undefined;
  const epoch = (name: string): number | undefined => {
    const text = params.get(name);
    if (text === null || text === "") return undefined;
    if (!/^\d+$/.test(text)) throw new Error(`${name}: Input should be a valid integer`);
    return Number(text);
  };
  if (cursor !== undefined && !/^\d+$/.test(cursor)) throw new Error("cursor: Invalid cursor");
  return {
    search: params.get("search") ?? undefined,
    groups: params.getAll("event_type_groups"),
    userIds: params.getAll("user_ids"),
    limit,
    cursor,
    start: epoch("start_epoch_millis"),
    end: epoch("end_epoch_millis"),
  };
}
