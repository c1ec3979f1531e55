/** Public types of the Baseten emulator, shared by the server, the control routes and the client. */
import { SECRET_ROUTES } from "./secrets";

export interface EmulatorOptions {
  /** Default 0 (ephemeral). The host is always 127.0.0.1: control routes have no auth. */
  port?: number;
  /** The accepted credential; default: a random fake "emu_" + 32 alphanumerics. */
  managementKey?: string;
  /** Added to every API request (not control routes) before processing; default 0. */
  latencyMs?: number;
  /** Default 100 (Baseten's limit, per API key, sliding 1 s window); null disables. */
  rateLimitPerSecond?: number | null;
  /** Default: DEFAULT_TEAMS (includes two teams named "dup" to exercise ambiguous names). */
  teams?: Array<{ id: string; name: string; default?: boolean }>;
  /**
   * The caller's primary team, where a teamless secret upsert writes (spec: "the caller's
   * primary team"); a teamless secret DELETE goes to the default team instead. Default: the
   * first team that is not the default one (so the two differ, as they may at Baseten), else
   * the default team.
   */
  primaryTeamId?: string;
  /** Behaviours the sources leave open; see EmulatorModes. */
  modes?: Partial<EmulatorModes>;
  /**
   * A crowded workspace: this many other live keys (see PreloadKeysInput), added at start and
   * again after every reset. Default 0. The spec's `GET /v1/api_keys` has no paging parameter
   * and `APIKeysV1` only `keys`, so the listing answers all of them in one body.
   */
  preloadKeys?: number;
}

/** `POST /_emulator/preload-keys`: other keys, added at once, as a workspace that mints one per customer holds them. */
export interface PreloadKeysInput {
  count: number;
  /** Default "WORKSPACE_INVOKE" with `modelIds` ["customer-model"]: a scoped invoke key per customer. */
  type?: string;
  modelIds?: string[] | null;
  /** Default none (the default team's scope, like keys created without a team). */
  teamId?: string | null;
  /** Names are `<namePrefix>-<n>`; default "preloaded". */
  namePrefix?: string;
  /** The creator (owner of PERSONAL keys); default the first user. */
  userId?: string;
}

/**
 * Where Baseten's sources leave room, the emulator can answer each plausible way; the provider
 * must be right for all of them. Each default is named with its source or reason.
 */
export interface EmulatorModes {
  /**
   * `team_name` of a key created without a team. "In workspaces with teams, a key created
   * without a team belongs to the default team, and `team_name` may name it" (README): "null"
   * or "default" (the default team's name). Default "default": the workspace has teams.
   */
  teamlessTeamName: "null" | "default";
  /**
   * Body of the 404 for DELETE of an unknown or revoked prefix (undocumented; "the sibling
   * gateway API answers 404"): `{"error": "API key not found"}`, FastAPI's HTTPException
   * `{"detail": "API key not found"}`, or FastAPI's route miss `{"detail": "Not Found"}`.
   */
  deleteNotFoundBody: "error" | "detail" | "fastapi-not-found";
  /** "A DELETE on a key the caller may list but not manage can answer 403 (or 404)". Default 403. */
  unmanageableDeleteStatus: 403 | 404;
  /** "A second POST of a live name gets a 4xx": 409 (default), 400 or 422. */
  duplicateNameStatus: 400 | 409 | 422;
  /**
   * Who may list and manage a teamless workspace key. The spec says only "the workspace and
   * team API keys you can manage": whether teamless keys are a right of their own
   * ("separate", default: `"workspace"` in a member's `manages`) or come with the default
   * team's keys ("default-team") is not documented.
   */
  teamlessRights: "separate" | "default-team";
  /**
   * What the audit log's `search` matches. The spec: "Case-insensitive substring matched
   * against resource names and IDs in the entry"; README: "whether `search` matches a key's
   * name, its `api_key_id`, its `prefix`, or several of these is not documented". `API_KEY_*`
   * entries carry no key name (spec `AuditLogEventApiKeyCreatedV1`). "names-and-ids"
   * (default): `*_name` and `*_id` fields of `event_data` and the entry's `id`; "names": only
   * the `*_name` fields; "ids": only the ids; "ids-and-prefix": the ids and `event_data.prefix`
   * (a prefix read as a key's id).
   */
  auditSearch: "names-and-ids" | "names" | "ids" | "ids-and-prefix";
}

export const DEFAULT_MODES: EmulatorModes = {
  teamlessTeamName: "default",
  deleteNotFoundBody: "detail",
  unmanageableDeleteStatus: 403,
  duplicateNameStatus: 409,
  teamlessRights: "separate",
  auditSearch: "names-and-ids",
};

export interface EmulatedKey {
  prefix: string;
  /** Full plaintext "<prefix>.<secret>", as Baseten shows it once at creation. */
  apiKey: string;
  name: string | null;
  type: string;
  modelIds: string[] | null;
  teamId: string | null;
  teamName: string | null;
  /** The owning user of a PERSONAL key; null for workspace and team keys. */
  ownerId: string | null;
  /** The user whose management key created it. */
  createdBy: string;
  revoked: boolean;
  /** Epoch milliseconds. */
  createdAt: number;
  revokedAt?: number;
}

/** A key as the control route lists it without `?plaintext=1`. */
export type EmulatedKeyInfo = Omit<EmulatedKey, "apiKey"> & { apiKey?: string };

export interface LoggedRequest {
  seq: number;
  method: string;
  /** Exactly as received, including the query; never decoded. */
  rawPath: string;
  /** One of ROUTES, or "unmatched". */
  route: string;
  /** Final status; 0 when no response was delivered (reset fault, or the client went away first). */
  status: number;
  /** Kind of the fault applied, if any. */
  fault?: string;
  /** True when the client disconnected before the operation ran (nothing was committed). */
  clientClosed?: boolean;
  /** Epoch milliseconds. */
  startedAt: number;
  durationMs: number;
  /** Parsed JSON of create bodies (when it parsed), for contract tests. */
  requestBody?: unknown;
}

export type FaultMatch = { method?: string; route?: string; pathPrefix?: string };

export type FaultKindSpec =
  | {
      kind: "respond";
      status: number;
      body?: string;
      contentType?: string;
      headers?: Record<string, string>;
      /** Stream this many bytes of "x" (e.g. 50 MB) instead of `body`. */
      bodyBytes?: number;
      /**
       * Run the operation first (a key is minted or revoked), then send this answer instead of
       * the real one: an answer damaged on its way back ("a 200 can carry a body that is not
       * JSON", README).
       */
      afterCommit?: boolean;
    }
  /** 429 {"error":"Rate limit exceeded. Please try again later.","retry_after":N} + Retry-After. */
  | { kind: "rateLimited"; retryAfterSeconds: number }
  /** 500 {"error":"Internal server error"}. */
  | { kind: "serverError" }
  /** 502 with an HTML page body, text/html (what a proxy in front of the API returns). */
  | { kind: "badGatewayHtml" }
  /** Destroy the socket; afterCommit: perform the operation first (key minted/revoked), then reset. */
  | { kind: "reset"; afterCommit?: boolean }
  /** Delay; afterCommit: perform the operation, then delay the response (a client timeout then leaves a minted key). */
  | { kind: "latency"; ms: number; afterCommit?: boolean }
  /**
   * For DELETE only: revoke nothing, answer 200 {"prefix": <other prefix, default "zzzzzzzz">};
   * on a secret DELETE, delete nothing and answer 200 {"name": <name, default "zzzzzzzz">}.
   */
  | { kind: "wrongTombstone"; prefix?: string; name?: string }
  /**
   * 200 with a text/plain body. Without afterCommit: "OK", creating/revoking nothing. With
   * afterCommit: the operation runs and the body is not JSON ("A 200 can carry a body that is
   * not JSON", README); for a create it is `api_key=<plaintext>`, the worst plausible case.
   */
  | { kind: "nonJson"; afterCommit?: boolean }
  /**
   * "A create can time out on our side and still commit at Baseten later" (README). The
   * request is held without an answer, and its operation runs just before the
   * `afterRequests`-th next API request is processed (or on `POST /_emulator/late-commits`),
   * whether or not the client is still waiting. No clock is involved.
   */
  | { kind: "lateCommit"; afterRequests?: number }
  /**
   * A text/plain error (default 400) quoting the refused request: `lead` (default "Cannot
   * process request: "), the raw body, then method, path and Authorization header. Nothing is
   * done. Source: README, error bodies "vary ... else the raw text"; the worst plausible text.
   */
  | { kind: "echoRequest"; status?: number; lead?: string };

export type FaultSpec = FaultMatch & {
  /** Default 1: applies to the next N matching API requests. */
  times?: number;
  /** Default 0: lets this many matching requests through untouched before applying. */
  skip?: number;
} & FaultKindSpec;

export type RandomFaultKind = "rateLimited" | "serverError" | "badGatewayHtml" | "reset" | "latency";

export interface RandomFaultSpec {
  /** Probability (0..1) that an API request gets a fault. */
  rate: number;
  seed: number;
  kinds: RandomFaultKind[];
  /** For "latency"; default 200. */
  latencyMs?: number;
  /** For "rateLimited"; default 1. */
  retryAfterSeconds?: number;
}

export interface EmulatorSettings extends Partial<EmulatorModes> {
  latencyMs?: number;
  rateLimitPerSecond?: number | null;
}

export interface RequestLogSnapshot {
  requests: LoggedRequest[];
  counts: Record<string, number>;
}

/** Route labels used in the log and in FaultMatch.route. */
export const ROUTES = {
  createKey: "POST /v1/api_keys",
  createTeamKey: "POST /v1/teams/{team_id}/api_keys",
  listKeys: "GET /v1/api_keys",
  deleteKey: "DELETE /v1/api_keys/{prefix}",
  listTeams: "GET /v1/teams",
  usersMe: "GET /v1/users/me",
  auditLogs: "GET /v1/audit_logs",
  ...SECRET_ROUTES,
  unmatched: "unmatched",
} as const;

export type RouteLabel = (typeof ROUTES)[keyof typeof ROUTES];

export const DEFAULT_TEAMS: ReadonlyArray<{ id: string; name: string; default?: boolean }> = [
  { id: "team-default", name: "default", default: true },
  { id: "team-ml", name: "ml-platform" },
  { id: "team-dup-1", name: "dup" },
  { id: "team-dup-2", name: "dup" },
];
