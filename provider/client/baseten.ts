/**
 * A small typed client for the four Baseten operations this provider needs. It converts
 * between the wire types (snake_case) and the provider's types (camelCase), validates every
 * 200 body against the shape Baseten's spec promises, and checks tombstones.
 */
import type { Caller } from "./identity";
import type { Team } from "./identity";
import { BasetenError, basetenMessageOf, invalidResponse, maskKeys, type RequestTarget } from "./errors";
import { HttpTransport, type HttpOptions, type HttpResult } from "./http";
import { apiKeyPath, MAX_PREFIX_LENGTH, prefixOfApiKey } from "./prefix";
import { SecretsClient, type ListedSecret, type SecretDeleteResult } from "./secrets";
import type { ApiKeyInfoWire, CreateApiKeyRequestWire } from "./wire";

/** A key as Baseten lists it, in camelCase. */
export interface ListedApiKey {
  prefix: string;
  /** Open: Baseten may add categories, and reading must not break on them. */
  type: string;
  name?: string;
  modelIds?: string[];
  teamName?: string;
  /** The owning user of a personal key (`owner.user_id`); absent for other keys. */
  ownerId?: string;
}

/** What `createKey` sends. */
export interface CreateKeyRequest {
  type: string;
  name?: string;
  modelIds?: string[];
  /** Creates a team key through `POST /v1/teams/{team_id}/api_keys`. */
  teamId?: string;
}

/** A freshly minted key. */
export interface CreatedKey {
  prefix: string;
  apiKey: string;
}

/** The result of a revocation. */
export type RevokeResult =
  /** Baseten answered 200 with a tombstone naming the key. */
  | { outcome: "revoked" }
  /**
   * Baseten answered a JSON 404. That alone proves nothing: FastAPI answers every unknown
   * route `404 {"detail": "Not Found"}` (a wrong apiUrl path), and a key this caller cannot
   * see answers 404 too. The caller must look for evidence (see evidence.ts).
   */
  | { outcome: "not-found"; basetenMessage?: string };

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

/**
 * Baseten's API declares every body `application/json`. A body served as anything else is not
 * Baseten's API speaking (a proxy, a captive portal, a wrong apiUrl), even when it parses.
 */
export function isJsonContentType(contentType: string): boolean {
  return /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(contentType.trim());
}

export function parseJson(result: HttpResult, target: RequestTarget): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(result.bodyText);
  } catch {
    // Never quote a 2xx body: a create's answer holds the plaintext key, and errors are
    // printed and may be stored in state.
    throw invalidResponse(
      target,
      result.bodyText.trim()
        ? `the body is not JSON (content type "${result.contentType}", ${result.bodyText.length} bytes, not shown)`
        : "the body is empty",
      result.status,
    );
  }
  if (!isJsonContentType(result.contentType)) {
    throw invalidResponse(target, `the body is served as "${result.contentType}", not JSON`, result.status);
  }
  return parsed;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function optionalString(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

function toListedKey(raw: unknown, target: RequestTarget): ListedApiKey {
  if (!isRecord(raw) || typeof raw.prefix !== "string" || typeof raw.type !== "string") {
    throw invalidResponse(target, "a listed key lacks its string `prefix` or `type`");
  }
  const wire = raw as unknown as ApiKeyInfoWire;
  const modelIds = Array.isArray(wire.model_ids) ? wire.model_ids.filter((m): m is string => typeof m === "string") : undefined;
  const ownerId = isRecord(wire.owner) ? optionalString(wire.owner.user_id) : undefined;
  return {
    prefix: wire.prefix,
    type: wire.type,
    name: optionalString(wire.name),
    modelIds: modelIds && modelIds.length > 0 ? modelIds : undefined,
    teamName: optionalString(wire.team_name),
    ownerId,
  };
}

/** Baseten's API-key and team operations, typed, validated and with tombstones checked. */
export class BasetenClient {
  private readonly http: HttpTransport;
  /** Epoch ms by which this client's retries must end (one operation's budget), if any. */
  private readonly deadline?: number;

  constructor(options: HttpOptions | { transport: HttpTransport; deadline?: number }) {
    if ("transport" in options) {
      this.http = options.transport;
      this.deadline = options.deadline;
    } else {
      this.http = new HttpTransport(options);
    }
  }

  /**
   * The same client, with every retry of every request ending by `deadline` (epoch ms): one
   * time budget for one operation, however many requests it sends.
   */
  withDeadline(deadline: number): BasetenClient {
    return new BasetenClient({ transport: this.http, deadline });
  }

  private send(method: string, path: string, body?: unknown, allow404 = false): Promise<HttpResult> {
    return this.http.request(method, path, body, { allow404, deadline: this.deadline });
  }

  /** Mints a key: exactly one POST unless Baseten turned the first attempt away (see retry.ts). */
  async createKey(request: CreateKeyRequest): Promise<CreatedKey> {
    const path = request.teamId ? `/v1/teams/${encodeURIComponent(request.teamId)}/api_keys` : "/v1/api_keys";
    const target = { method: "POST", path };
    const body: CreateApiKeyRequestWire = { type: request.type };
    if (request.name !== undefined) body.name = request.name;
    if (request.modelIds !== undefined) body.model_ids = request.modelIds;
    const result = await this.send("POST", path, body);
    const parsed = parseJson(result, target);
    const apiKey = isRecord(parsed) ? parsed.api_key : undefined;
    if (typeof apiKey !== "string") {
      throw invalidResponse(target, "the body has no string `api_key`", result.status);
    }
    const prefix = prefixOfApiKey(apiKey);
    if (!prefix) {
      throw invalidResponse(target, "`api_key` is not shaped `<prefix>.<secret>`, so its prefix is unknown", result.status);
    }
    return { prefix, apiKey };
  }

  /** Every live key the management key can see (revoked keys drop out of the list). */
  async listKeys(): Promise<ListedApiKey[]> {
    const target = { method: "GET", path: "/v1/api_keys" };
    const result = await this.send(target.method, target.path);
    const parsed = parseJson(result, target);
    if (!isRecord(parsed) || !Array.isArray(parsed.keys)) {
      throw invalidResponse(target, "the body has no `keys` array", result.status);
    }
    return parsed.keys.map((k) => toListedKey(k, target));
  }

  /** The user the management key belongs to (`GET /v1/users/me`). */
  async whoAmI(): Promise<Caller> {
    const target = { method: "GET", path: "/v1/users/me" };
    const result = await this.send(target.method, target.path);
    const parsed = parseJson(result, target);
    if (!isRecord(parsed) || typeof parsed.user_id !== "string" || parsed.user_id === "") {
      throw invalidResponse(target, "the body has no string `user_id`", result.status);
    }
    const workspaceName = optionalString(parsed.workspace_name) || undefined;
    return { userId: parsed.user_id, email: optionalString(parsed.email), ...(workspaceName ? { workspaceName } : {}) };
  }

  /**
   * The newest audit-log entry of `group` (e.g. `API_KEYS`), among those `search` selects (all
   * when undefined), for which `matches` holds, or undefined when the pages read have none.
   * `search` is Baseten's case-insensitive substring filter, so `matches` must compare exactly.
   * `sinceEpochMs` (`start_epoch_millis`) bounds the window read: with it, the pages read cover
   * only entries since then. Throws a BasetenError (kind "authentication" for 403: in
   * multi-team workspaces only organization admins may read the log).
   */
  async findAuditLogEntry(
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
      const result = await this.send(target.method, target.path);
      const parsed = parseJson(result, target);
      if (!isRecord(parsed) || !Array.isArray(parsed.items) || !isRecord(parsed.pagination)) {
        throw invalidResponse(target, "the body has no `items` array and `pagination`", result.status);
      }
      for (const item of parsed.items) {
        if (!isRecord(item) || typeof item.event_type !== "string" || !isRecord(item.event_data)) continue;
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
        if (matches(entry)) return entry;
      }
      cursor = parsed.pagination.has_more === true ? optionalString(parsed.pagination.cursor) : undefined;
      if (cursor === undefined) return undefined;
    }
    return undefined;
  }

  /**
   * Revokes the key with this prefix. Resolves "revoked" only on a 200 whose JSON tombstone
   * names the same prefix, and "not-found" on a JSON 404, which the caller must back with
   * evidence. Anything else throws, so the engine keeps the resource in state.
   */
  async revokeKey(prefix: string): Promise<RevokeResult> {
    const path = apiKeyPath(prefix);
    const target = { method: "DELETE", path };
    const result = await this.send("DELETE", path, undefined, true);
    if (result.status === 404) {
      if (isJsonContentType(result.contentType)) {
        return { outcome: "not-found", basetenMessage: basetenMessageOf(result.bodyText) };
      }
      // An HTML 404 page comes from a wrong apiUrl or a proxy, not from Baseten: taking it as
      // "already revoked" would forget a live key.
      throw invalidResponse(
        target,
        `HTTP 404 with a body that is not JSON (content type "${result.contentType}"), so it is not Baseten saying ` +
          `key ${JSON.stringify(prefix)} is gone. The key is kept in state; check baseten:apiUrl / BASETEN_API_URL and rerun \`pulumi destroy\``,
        result.status,
      );
    }
    let received: unknown;
    let shown: string;
    try {
      received = (JSON.parse(result.bodyText) as { prefix?: unknown } | null)?.prefix;
      // Quoted from a 2xx body: capped and masked, in case it holds a key.
      shown =
        typeof received === "string"
          ? JSON.stringify(maskKeys(received.slice(0, MAX_PREFIX_LENGTH)))
          : "no prefix (the tombstone has no string `prefix`)";
    } catch {
      shown = "no prefix (the body is not JSON)";
    }
    if (received !== undefined && !isJsonContentType(result.contentType)) {
      received = undefined;
      shown = `no prefix (the body is served as "${result.contentType}", not JSON)`;
    }
    if (received !== prefix) {
      throw new BasetenError(
        "tombstone-mismatch",
        `Revocation of key ${JSON.stringify(prefix)} is unconfirmed: Baseten answered HTTP ${result.status} to DELETE ${path} ` +
          `with a tombstone for ${shown}, expected ${JSON.stringify(prefix)}. The key is kept in state; check it in ` +
          `Baseten (GET /v1/api_keys) and rerun \`pulumi destroy\`.`,
        { status: result.status, target },
      );
    }
    return { outcome: "revoked" };
  }

  /** Teams with exactly this name (`GET /v1/teams?name=`). */
  async teamsNamed(name: string): Promise<Team[]> {
    return this.listTeams(`/v1/teams?name=${encodeURIComponent(name)}`);
  }

  /** Every team the management key can see. */
  async allTeams(): Promise<Team[]> {
    return this.listTeams("/v1/teams");
  }

  private async listTeams(path: string): Promise<Team[]> {
    const target = { method: "GET", path };
    const result = await this.send("GET", path);
    const parsed = parseJson(result, target);
    if (!isRecord(parsed) || !Array.isArray(parsed.teams)) {
      throw invalidResponse(target, "the body has no `teams` array", result.status);
    }
    return parsed.teams.map((t) => {
      if (!isRecord(t) || typeof t.id !== "string" || typeof t.name !== "string") {
        throw invalidResponse(target, "a team lacks its string `id` or `name`");
      }
      return t.default === true ? { id: t.id, name: t.name, isDefault: true } : { id: t.id, name: t.name };
    });
  }

  // Secrets, on this client's transport and deadline (until the client is split per API area).
  private secrets(): SecretsClient {
    return new SecretsClient({ transport: this.http, deadline: this.deadline });
  }

  /** See SecretsClient.listSecrets. */
  listSecrets(teamId: string): Promise<ListedSecret[]> {
    return this.secrets().listSecrets(teamId);
  }

  /** See SecretsClient.upsertSecret. */
  upsertSecret(teamId: string, name: string, value: string): Promise<ListedSecret> {
    return this.secrets().upsertSecret(teamId, name, value);
  }

  /** See SecretsClient.deleteSecret. */
  deleteSecret(teamId: string, name: string): Promise<SecretDeleteResult> {
    return this.secrets().deleteSecret(teamId, name);
  }
}
