/**
 * `GET /v1/audit_logs` (spec `ListAuditLogsResponseV1`, `AuditLogEntryV1`,
 * `AuditLogEventApiKeyCreatedV1`, `AuditLogEventApiKeyDeletedV1`; ../shared/baseten/README.md
 * "Audit log"): entries newest first, up to 200 a page with a cursor; `event_type_groups`
 * filters by group (`API_KEYS`, `SECRETS`); `search` is a case-insensitive substring match on
 * resource names and ids (not on a key's prefix: the sources do not say it counts as an id).
 * Other event types are not produced by this emulator.
 */
export interface AuditEntry {
  id: string;
  created: string;
  event_type: string;
  event_data: Record<string, unknown>;
  actor: { type: "USER" | "API_KEY"; email?: string | null; api_key_prefix?: string | null; api_key_name?: string | null };
  /** What `search` matches besides ids (the resource's name); not sent. */
  searchable: string[];
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
  page(q: AuditQuery): { items: Record<string, unknown>[]; pagination: { has_more: boolean; cursor: string | null } } {
    const needle = q.search?.toLowerCase();
    const matching = [...this.entries].reverse().filter((e) => {
      if (q.groups.length && !q.groups.includes(GROUP_OF[e.event_type] ?? "")) return false;
      if (q.userIds.length && !q.userIds.includes(e.userId)) return false;
      if (needle) {
        // "resource names and IDs": the entry's and the resource's ids and names. A key prefix is
        // neither (the spec gives keys an `api_key_id` apart from their `prefix`), so it is not matched.
        const ids = Object.entries(e.event_data)
          .filter(([k]) => k.endsWith("_id"))
          .map(([, v]) => String(v));
        const haystack = [e.id, ...ids, ...e.searchable];
        if (!haystack.some((h) => h.toLowerCase().includes(needle))) return false;
      }
      return true;
    });
    const start = q.cursor === undefined ? 0 : Number(q.cursor);
    const slice = matching.slice(start, start + q.limit);
    const next = start + slice.length;
    return {
      items: slice.map(({ id, created, event_type, event_data, actor }) => ({ id, created, event_type, event_data, actor })),
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
  if (cursor !== undefined && !/^\d+$/.test(cursor)) throw new Error("cursor: Invalid cursor");
  return {
    search: params.get("search") ?? undefined,
    groups: params.getAll("event_type_groups"),
    userIds: params.getAll("user_ids"),
    limit,
    cursor,
  };
}
