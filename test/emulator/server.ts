/**
 * The emulator: a real node:http server on 127.0.0.1 so clients are exercised through their
 * actual HTTP stack (sockets, resets, slow bodies), not a mocked fetch.
 *
 * Pipeline of an API request (order matters and is what tests rely on):
 *   read body (413 over 1 MB) -> global latency -> route (404) -> auth (401)
 *   -> rate limit (429) -> fault (scripted, then random) -> operation -> response -> log.
 * Faults are chosen only after auth and rate limiting, so a 401 or 429 never consumes one.
 */
import { createHash } from "crypto";
import * as http from "http";
import type { AddressInfo, Socket } from "net";
import { performance } from "perf_hooks";
import { handleControl } from "./control-routes";
import { FaultInjector } from "./faults";
import { parseJson, readBody, send, sendJson, Sleeper, streamFiller } from "./http-util";
import { SlidingWindowLimiter } from "./rate-limit";
import { isControlPath, matchApiRoute, MatchedRoute } from "./routes";
import {
  executeSecretRoute,
  redactUpsertBody,
  SECRET_DELETE_ROUTES,
  SECRET_UPSERT_ROUTES,
  secretEventData,
  SecretStore,
  type EmulatedSecret,
  type TeamlessTargets,
} from "./secrets";
import { AuditLog, parseAuditQuery, type AuditEntry } from "./audit-log";
import { canList, canManage, EmulatorApiError, KeyStore, parseCreateBody, randomString } from "./state";
import { UserRegistry, WORKSPACE_NAME, type EmulatedUser, type NewUser } from "./users";
import {
  DEFAULT_MODES,
  DEFAULT_TEAMS,
  EmulatorModes,
  EmulatedKey,
  EmulatorOptions,
  EmulatorSettings,
  FaultSpec,
  LoggedRequest,
  PreloadKeysInput,
  RandomFaultSpec,
  ROUTES,
} from "./types";

/** Only the most recent entries are kept so long benchmarks do not grow memory unbounded. */
export const MAX_LOG_ENTRIES = 50_000;

const RATE_LIMIT_MESSAGE = "Rate limit exceeded. Please try again later.";
const BAD_GATEWAY_HTML =
  "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

export interface OutOfBandKeyInput {
  type: string;
  name?: string | null;
  modelIds?: string[] | null;
  teamId?: string | null;
  /** The user who makes it (and owns it, for PERSONAL); default the first user. */
  userId?: string;
  /**
   * How the audit log records the mint: in Baseten's UI (default), or through the API with that
   * user's management key as actor (a provider's mint, e.g. another stack's, or a run of this
   * one that crashed before saving state).
   */
  via?: "api" | "ui";
}

/**
 * A management key in Baseten's documented form `<prefix>.<secret>` (README: create returns
 * `"<prefix>.<secret>"`), so the audit log's `actor.api_key_prefix` can name it. Fake, random.
 */
export function dottedManagementKey(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  return `${randomString(alphabet, 8)}.${randomString(alphabet, 32)}`;
}

/**
 * The audit log names key types in its own enum (spec `AuditLogApiKeyTypeV1`: service-account
 * kinds). The spec does not map one to the other; this mapping follows the names.
 */
/** The actor of a request made with management key `apiKey` (see recordKeyEvent). */
function apiKeyActor(apiKey: string): AuditEntry["actor"] {
  const dot = apiKey.indexOf(".");
  return { type: "API_KEY", api_key_prefix: dot > 0 ? apiKey.slice(0, dot) : null, api_key_name: null };
}

function auditKeyType(key: EmulatedKey): string {
  const scoped = key.modelIds !== null && key.modelIds.length > 0;
  switch (key.type) {
    case "PERSONAL":
      return "PERSONAL";
    case "WORKSPACE_MANAGE_API_KEYS":
      return "MANAGE_API_KEYS_SERVICE_ACCOUNT";
    case "WORKSPACE_INVOKE":
      return scoped ? "INVOKE_ALLOWED_MODELS_SERVICE_ACCOUNT" : "INVOKE_ALL_MODELS_SERVICE_ACCOUNT";
    case "WORKSPACE_EXPORT_METRICS":
      return scoped ? "EXPORT_METRICS_ALLOWED_MODELS_SERVICE_ACCOUNT" : "EXPORT_METRICS_ALL_MODELS_SERVICE_ACCOUNT";
    default:
      return "CREATOR_SERVICE_ACCOUNT";
  }
}

/** A stable, opaque id for a key (the spec's `api_key_id`), unrelated in text to its prefix. */
function opaqueId(prefix: string): string {
  return createHash("sha256").update(`api-key:${prefix}`).digest("hex").slice(0, 24);
}

/** A create held by a `lateCommit` fault until its turn comes. */
interface LateCommit {
  ctx: RequestContext;
  remaining: number;
  run: () => void;
  /** Ends the request without running its operation (see dropLateCommits). */
  drop: () => void;
}

interface Outcome {
  status: number;
  body: unknown;
}

interface RequestContext {
  seq: number;
  method: string;
  rawPath: string;
  route: string;
  startedAt: number;
  t0: number;
  requestBody?: unknown;
  fault?: string;
}

export class BasetenEmulator {
  readonly url: string;
  readonly managementKey: string;

  private readonly store: KeyStore;
  private readonly secretStore: SecretStore;
  private readonly teamless: TeamlessTargets;
  private readonly users: UserRegistry;
  private readonly audit = new AuditLog();
  /** `workspace_name` of `GET /v1/users/me` (nullable in spec `UserInfoV1`; renamable). */
  private workspaceName: string | null = WORKSPACE_NAME;
  private modes: EmulatorModes;
  private readonly initialModes: EmulatorModes;
  private lateCommits: LateCommit[] = [];
  private readonly faults = new FaultInjector();
  private readonly limiter: SlidingWindowLimiter;
  private readonly sleeper = new Sleeper();
  private latencyMs: number;
  private log: LoggedRequest[] = [];
  private counts: Record<string, number> = BasetenEmulator.zeroCounts();
  private seq = 0;
  /** API requests received and not yet ended (answered, cut off, dropped): see requestsInFlight. */
  private readonly inFlight = new Set<RequestContext>();
  /** Accepted connections not yet closed: see openConnections. */
  private readonly sockets = new Set<Socket>();
  private stopped = false;
  /** EmulatorOptions.preloadKeys: restored by every reset. */
  private readonly preloadCount: number;

  private constructor(
    private readonly server: http.Server,
    port: number,
    managementKey: string,
    store: KeyStore,
    opts: EmulatorOptions,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    this.managementKey = managementKey;
    this.store = store;
    this.secretStore = new SecretStore((id) => store.teams().find((t) => t.id === id));
    const teams = store.teams();
    const defaultTeamId = (teams.find((t) => t.default) ?? teams[0])?.id ?? "";
    this.teamless = {
      defaultTeamId,
      primaryTeamId: opts.primaryTeamId ?? (teams.find((t) => !t.default) ?? teams[0])?.id ?? "",
    };
    this.users = new UserRegistry(managementKey);
    this.initialModes = { ...DEFAULT_MODES, ...opts.modes };
    this.modes = { ...this.initialModes };
    this.latencyMs = 0;
    this.setLatency(opts.latencyMs ?? 0);
    this.limiter = new SlidingWindowLimiter(null);
    this.limiter.setLimit(opts.rateLimitPerSecond === undefined ? 100 : opts.rateLimitPerSecond);
    this.preloadCount = opts.preloadKeys ?? 0;
    server.on("connection", (socket: Socket) => {
      this.sockets.add(socket);
      socket.once("close", () => this.sockets.delete(socket));
    });
    if (this.preloadCount > 0) this.preloadKeys({ count: this.preloadCount });
  }

  static async start(opts: EmulatorOptions = {}): Promise<BasetenEmulator> {
    const managementKey =
      opts.managementKey ?? `emu_${randomString("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 32)}`;
    const store = new KeyStore(opts.teams ?? DEFAULT_TEAMS);
    const holder: { emulator?: BasetenEmulator } = {};
    const server = http.createServer((req, res) => {
      // `holder.emulator` is assigned in the microtask right after listen() resolves, before any
      // socket I/O callback can run, so every request finds it.
      void holder.emulator?.dispatch(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(opts.port ?? 0, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    holder.emulator = new BasetenEmulator(server, port, managementKey, store, opts);
    return holder.emulator;
  }

  /** Closes the server and every socket, and cancels pending delays: no handle outlives it. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.sleeper.cancelAll();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Keep-alive sockets (fetch pools them) would otherwise hold close() open.
    this.server.closeAllConnections();
    await closed;
  }

  // ---- in-process control API -------------------------------------------------------------

  liveKeys(): EmulatedKey[] {
    return this.store.live();
  }

  allKeys(): EmulatedKey[] {
    return this.store.all();
  }

  /**
   * Creates a key as if made in the UI: same name, scope and uniqueness rules (throws
   * EmulatorApiError), but any non-empty `type` is accepted to simulate types added later.
   */
  createKeyOutOfBand(input: OutOfBandKeyInput): EmulatedKey {
    const user = this.userOrFirst(input.userId);
    const key = this.store.create(
      { type: input.type, name: input.name ?? null, modelIds: input.modelIds ?? null, teamId: input.teamId ?? null },
      user.userId,
      { allowUnknownType: true, duplicateNameStatus: this.modes.duplicateNameStatus },
    );
    this.recordKeyEvent("API_KEY_CREATED", key, user, input.via ?? "ui");
    return key;
  }

  /**
   * Adds `input.count` other live keys at once (a crowded workspace; see PreloadKeysInput).
   * The audit log records none of them: they stand for keys minted long before.
   */
  preloadKeys(input: PreloadKeysInput): number {
    const user = this.userOrFirst(input.userId);
    const type = input.type ?? "WORKSPACE_INVOKE";
    return this.store.preload(
      {
        count: input.count,
        type,
        modelIds: input.modelIds !== undefined ? input.modelIds : type === "WORKSPACE_INVOKE" ? ["customer-model"] : null,
        teamId: input.teamId ?? null,
        namePrefix: input.namePrefix ?? "preloaded",
      },
      user.userId,
    );
  }

  /** Revokes as `userId` would in Baseten's UI (default the first user); the audit log records it. */
  revokeOutOfBand(prefix: string, userId?: string): boolean {
    const revoked = this.store.revoke(prefix);
    if (revoked) this.recordKeyEvent("API_KEY_DELETED", revoked, this.userOrFirst(userId));
    return revoked !== undefined;
  }

  /** Renames the workspace (`workspace_name`), or makes Baseten name none (null). */
  renameWorkspace(name: string | null): void {
    this.workspaceName = name;
  }

  /**
   * Renames team `id` in the UI ("a team is its `id`; its `name` can be changed", README
   * "Identity"), or adds a team with that id; its keys are listed under the new name.
   */
  putTeam(id: string, name: string): void {
    this.store.putTeam(id, name);
  }

  /** Adds a workspace member (or admin) with a management key of their own. */
  addUser(input: NewUser): EmulatedUser {
    return this.users.add(input);
  }

  allUsers(): EmulatedUser[] {
    return this.users.all();
  }

  /** Runs every create held by a `lateCommit` fault now. */
  runLateCommits(): number {
    const due = this.lateCommits;
    this.lateCommits = [];
    for (const c of due) c.run();
    return due.length;
  }

  /**
   * The API requests received and not yet ended, oldest first: each ends when it is answered,
   * found cut off by its client, or dropped (it is then in the log). A held request stays in
   * flight until run or dropped. A test waits on these instead of sleeping, e.g. for every
   * request a killed process sent to be done before it reads the outcome.
   */
  requestsInFlight(): Array<Pick<LoggedRequest, "seq" | "method" | "rawPath" | "route">> {
    return [...this.inFlight]
      .map(({ seq, method, rawPath, route }) => ({ seq, method, rawPath, route }))
      .sort((a, b) => a.seq - b.seq);
  }

  /**
   * Connections accepted and not yet closed (API and control alike). With no request in flight
   * and none open, nothing a client sent can still reach an operation: every byte that arrived
   * was a request that ended, and no closed connection sends more.
   */
  openConnections(): number {
    return this.sockets.size;
  }

  /** How many requests `lateCommit` faults hold now (a test waits for its request to be held). */
  heldRequests(): number {
    return this.lateCommits.length;
  }

  /**
   * Ends every request a `lateCommit` fault holds without running its operation: the connection
   * closes and nothing is committed (a create that never reached Baseten's database: "can ...
   * still commit" leaves room for one that does not). Returns how many.
   */
  dropLateCommits(): number {
    const due = this.lateCommits;
    this.lateCommits = [];
    for (const c of due) c.drop();
    return due.length;
  }

  modesInForce(): EmulatorModes {
    return { ...this.modes };
  }

  private userOrFirst(userId: string | undefined): EmulatedUser {
    const user = userId === undefined ? this.users.all()[0] : this.users.byId(userId);
    if (!user) throw new EmulatorApiError(400, `no emulated user ${userId}`);
    return user;
  }

  /**
   * Records a key event. Through the API the actor is the management key presented: "prefix of
   * the acting API key, when the actor is an API key" (spec `AuditLogActorV1`), its part
   * before the first `.` (null for a key without one, as the emulator's default keys are); in
   * the UI (out of band) the actor is the user.
   */
  private recordKeyEvent(
    eventType: "API_KEY_CREATED" | "API_KEY_DELETED",
    key: EmulatedKey,
    user: EmulatedUser,
    via: "api" | "ui" = "ui",
  ): void {
    this.audit.record({
      event_type: eventType,
      event_data: {
        event_type: eventType,
        api_key_id: opaqueId(key.prefix),
        api_key_type: auditKeyType(key),
        prefix: key.prefix,
      },
      actor: via === "api" ? apiKeyActor(user.apiKey) : { type: "USER", email: user.email },
      source: via === "api" ? "API" : "UI",
      userId: user.userId,
    });
  }

  /** Every secret, values included (the API never shows them; tests may). */
  secrets(): EmulatedSecret[] {
    return this.secretStore.list();
  }

  /** Upserts a secret as if set in the UI; `createdAt` backdates a new one. Throws for an unknown team. */
  upsertSecretOutOfBand(input: { teamId?: string; name: string; value: string; createdAt?: number }): EmulatedSecret {
    const written = this.secretStore.upsert(
      input.teamId ?? this.teamless.primaryTeamId,
      input.name,
      input.value,
      input.createdAt,
    );
    this.recordSecretEvent("SECRET_UPDATED", written, this.userOrFirst(undefined));
    return written;
  }

  /** Deletes a secret (or an equivalent name) as `userId` would in the UI (default the first user); the audit log records it. */
  deleteSecretOutOfBand(teamId: string, name: string, userId?: string): boolean {
    const deleted = this.secretStore.delete(teamId, name);
    if (deleted) this.recordSecretEvent("SECRET_DELETED", deleted, this.userOrFirst(userId));
    return deleted !== undefined;
  }

  /**
   * A colleague's hand replacement of a secret: the secret of `name` (or an equivalent name) is
   * deleted and another written under `newName` (default the same name; names equivalent to
   * it are one secret, README "Secrets"), so it gets a new id ("A secret's `id` is stable across
   * value changes", README: only a delete ends it). The audit log records both, as `userId`
   * (default the first user). Undefined when the team holds no such secret.
   */
  replaceSecretOutOfBand(input: {
    teamId: string;
    name: string;
    newName?: string;
    value: string;
    userId?: string;
  }): { before: EmulatedSecret; after: EmulatedSecret } | undefined {
    const user = this.userOrFirst(input.userId);
    const before = this.secretStore.delete(input.teamId, input.name);
    if (!before) return undefined;
    this.recordSecretEvent("SECRET_DELETED", before, user);
    const after = this.secretStore.upsert(input.teamId, input.newName ?? before.name, input.value);
    this.recordSecretEvent("SECRET_UPDATED", after, user);
    return { before, after };
  }

  private recordSecretEvent(eventType: "SECRET_UPDATED" | "SECRET_DELETED", secret: EmulatedSecret, user: EmulatedUser): void {
    this.audit.record({
      event_type: eventType,
      event_data: secretEventData(eventType, secret),
      actor: { type: "USER", email: user.email },
      source: null, // nullable in the spec: secret events do not say where they came from here
      userId: user.userId,
    });
  }

  injectFault(fault: FaultSpec): void {
    this.faults.inject(fault);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  setRandomFaults(spec: RandomFaultSpec | null): void {
    this.faults.setRandom(spec);
  }

  setLatency(ms: number): void {
    if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) throw new Error("latency must be a non-negative number");
    this.latencyMs = ms;
  }

  setRateLimit(perSecond: number | null): void {
    this.limiter.setLimit(perSecond);
  }

  setModes(modes: Partial<EmulatorModes>): void {
    this.modes = { ...this.modes, ...modes };
  }

  settings(): Required<EmulatorSettings> {
    return { latencyMs: this.latencyMs, rateLimitPerSecond: this.limiter.getLimit(), ...this.modes };
  }

  requestLog(): LoggedRequest[] {
    return this.log.map((r) => ({ ...r })).sort((a, b) => a.seq - b.seq);
  }

  routeCounts(): Record<string, number> {
    return { ...this.counts };
  }

  clearLog(): void {
    this.log = [];
    this.counts = BasetenEmulator.zeroCounts();
  }

  /**
   * Forgets keys, added users, the audit log, held late commits, faults (scripted and random),
   * the log and rate-limit windows, and restores the modes given at start; keeps latency, the
   * rate limit and teams.
   */
  reset(): void {
    this.store.clear();
    this.secretStore.clear();
    this.users.reset();
    this.audit.clear();
    this.workspaceName = WORKSPACE_NAME;
    // Held requests are forgotten unanswered: no longer in flight for anyone waiting on them.
    for (const c of this.lateCommits) this.inFlight.delete(c.ctx);
    this.lateCommits = [];
    this.modes = { ...this.initialModes };
    this.faults.clearAll();
    this.limiter.clear();
    this.clearLog();
    this.seq = 0;
    if (this.preloadCount > 0) this.preloadKeys({ count: this.preloadCount });
  }

  // ---- HTTP handling ------------------------------------------------------------------------

  private static zeroCounts(): Record<string, number> {
    return Object.fromEntries(Object.values(ROUTES).map((r) => [r, 0]));
  }

  private async dispatch(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const rawPath = req.url ?? "/";
    try {
      if (isControlPath(rawPath)) await handleControl(this, req, res, rawPath);
      else await this.handleApi(req, res, rawPath);
    } catch (err) {
      // A bug in the emulator must surface in the test, not hang it.
      sendJson(res, 500, { error: `emulator bug: ${(err as Error).message}` });
    }
  }

  private record(ctx: RequestContext, status: number, extra: Partial<LoggedRequest> = {}): void {
    this.inFlight.delete(ctx);
    const entry: LoggedRequest = {
      seq: ctx.seq,
      method: ctx.method,
      rawPath: ctx.rawPath,
      route: ctx.route,
      status,
      startedAt: ctx.startedAt,
      durationMs: Math.round((performance.now() - ctx.t0) * 1000) / 1000,
      ...(ctx.fault !== undefined ? { fault: ctx.fault } : {}),
      ...(ctx.requestBody !== undefined ? { requestBody: ctx.requestBody } : {}),
      ...extra,
    };
    this.log.push(entry);
    if (this.log.length > MAX_LOG_ENTRIES) this.log.splice(0, this.log.length - MAX_LOG_ENTRIES);
    this.counts[ctx.route] = (this.counts[ctx.route] ?? 0) + 1;
  }

  private reply(ctx: RequestContext, res: http.ServerResponse, outcome: Outcome, headers: Record<string, string> = {}): void {
    if (this.clientGone(res)) return this.record(ctx, 0, { clientClosed: true });
    sendJson(res, outcome.status, outcome.body, headers);
    this.record(ctx, outcome.status);
  }

  private clientGone(res: http.ServerResponse): boolean {
    return this.stopped || res.destroyed || res.socket === null || res.socket.destroyed;
  }

  private authenticate(header: string | undefined): EmulatedUser | undefined {
    const m = /^(?:Api-Key|Bearer)[ \t]+(\S+)[ \t]*$/i.exec(header ?? "");
    return m ? this.users.byKey(m[1]) : undefined;
  }

  private async handleApi(req: http.IncomingMessage, res: http.ServerResponse, rawPath: string): Promise<void> {
    const ctx: RequestContext = {
      seq: ++this.seq,
      method: (req.method ?? "GET").toUpperCase(),
      rawPath,
      route: ROUTES.unmatched,
      startedAt: Date.now(),
      t0: performance.now(),
    };
    this.inFlight.add(ctx);
    try {
      await this.serveApi(req, res, ctx);
    } catch (err) {
      // dispatch answers 500 (an emulator bug): the request ends here.
      if (this.inFlight.has(ctx)) this.record(ctx, 500);
      throw err;
    }
  }

  private async serveApi(req: http.IncomingMessage, res: http.ServerResponse, ctx: RequestContext): Promise<void> {
    const { method, rawPath } = ctx;
    const body = await readBody(req);
    if (body.kind === "closed") return this.record(ctx, 0, { clientClosed: true });
    this.countDownLateCommits();

    const match = matchApiRoute(method, rawPath);
    ctx.route = match.route;
    let parsed: unknown;
    let parseError = false;
    const isUpsert = SECRET_UPSERT_ROUTES.includes(match.route);
    if (body.kind === "ok" && (match.route === ROUTES.createKey || match.route === ROUTES.createTeamKey || isUpsert)) {
      try {
        parsed = parseJson(body.body);
        // A secret's value never reaches the log: tests print it, and values are secrets.
        ctx.requestBody = isUpsert ? redactUpsertBody(parsed) : parsed;
      } catch {
        parseError = true;
      }
    }

    await this.sleeper.sleep(this.latencyMs);
    if (this.clientGone(res)) return this.record(ctx, 0, { clientClosed: true });

    if (body.kind === "tooLarge")
      return this.reply(ctx, res, { status: 413, body: { error: "Request body too large (limit 1 MB)" } });
    // "An unknown route answers `404 {"detail": "Not Found"}`" (README: Baseten is a FastAPI service).
    if (match.route === ROUTES.unmatched) return this.reply(ctx, res, { status: 404, body: { detail: "Not Found" } });

    const user = this.authenticate(req.headers.authorization);
    if (user === undefined) return this.reply(ctx, res, { status: 401, body: { error: "Invalid API key" } });
    if (!this.limiter.tryAcquire(user.apiKey)) {
      return this.reply(ctx, res, { status: 429, body: { error: RATE_LIMIT_MESSAGE, retry_after: 1 } }, { "retry-after": "1" });
    }

    const fault = this.faults.take({ method, route: match.route, rawPath });
    if (fault) ctx.fault = fault.kind;
    if (fault?.kind === "echoRequest") {
      // README: "Real error bodies vary: parse `error`, then `message`, then `detail` ..., else
      // the raw text". The worst plausible raw text quotes the refused request whole: its body
      // (a secret's value) and its Authorization header (the management key). Nothing is done.
      const sent = body.kind === "ok" ? body.body.toString("utf8") : "";
      const echoed = `${fault.lead ?? "Cannot process request: "}${sent} (${method} ${rawPath}; Authorization: ${req.headers.authorization ?? ""})`;
      return this.sendText(ctx, res, fault.status ?? 400, echoed, "text/plain");
    }
    if (fault && (await this.applyPreCommitFault(ctx, req, res, fault))) return;

    const run = (): Outcome =>
      parseError
        ? { status: 422, body: { detail: [{ loc: ["body"], msg: "JSON decode error", type: "json_invalid" }] } }
        : this.execute(match, parsed, user);
    if (fault?.kind === "lateCommit") {
      // Held: no answer now; the operation runs later whether or not the client still waits.
      this.lateCommits.push({
        ctx,
        remaining: fault.afterRequests ?? 1,
        run: () => this.reply(ctx, res, run()),
        drop: () => {
          req.socket.destroy();
          this.record(ctx, 0);
        },
      });
      return;
    }
    const outcome = run();
    if (fault?.kind === "respond") {
      // afterCommit: the operation ran; the client gets the scripted answer instead.
      return this.sendText(ctx, res, fault.status, fault.body ?? "", fault.contentType ?? "application/json");
    }
    if (fault?.kind === "nonJson") {
      const created = (outcome.body as { api_key?: string } | null)?.api_key;
      return this.sendText(ctx, res, outcome.status, created ? `api_key=${created}` : "OK", "text/plain");
    }

    if (fault?.kind === "reset") {
      // afterCommit: the operation happened; the client never learns the outcome.
      req.socket.destroy();
      return this.record(ctx, 0);
    }
    if (fault?.kind === "latency") await this.sleeper.sleep(fault.ms);
    this.reply(ctx, res, outcome);
  }

  /** Applies a fault that pre-empts the operation; true when the request is finished. */
  private async applyPreCommitFault(
    ctx: RequestContext,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    fault: FaultSpec,
  ): Promise<boolean> {
    switch (fault.kind) {
      case "respond": {
        if (fault.afterCommit) return false;
        const contentType = fault.contentType ?? "application/json";
        if (this.clientGone(res)) this.record(ctx, 0, { clientClosed: true });
        else if (fault.bodyBytes !== undefined) {
          await streamFiller(res, fault.status, fault.bodyBytes, contentType, fault.headers ?? {});
          this.record(ctx, fault.status);
        } else {
          send(res, fault.status, fault.body ?? "", contentType, fault.headers ?? {});
          this.record(ctx, fault.status);
        }
        return true;
      }
      case "rateLimited":
        this.reply(
          ctx,
          res,
          { status: 429, body: { error: RATE_LIMIT_MESSAGE, retry_after: fault.retryAfterSeconds } },
          {
            "retry-after": String(fault.retryAfterSeconds),
          },
        );
        return true;
      case "serverError":
        this.reply(ctx, res, { status: 500, body: { error: "Internal server error" } });
        return true;
      case "badGatewayHtml":
        this.sendText(ctx, res, 502, BAD_GATEWAY_HTML, "text/html");
        return true;
      case "nonJson":
        if (fault.afterCommit) return false;
        this.sendText(ctx, res, 200, "OK", "text/plain");
        return true;
      case "lateCommit":
      case "echoRequest":
        return false;
      case "wrongTombstone":
        this.reply(ctx, res, {
          status: 200,
          body: SECRET_DELETE_ROUTES.includes(ctx.route)
            ? { name: fault.name ?? "zzzzzzzz" }
            : { prefix: fault.prefix ?? "zzzzzzzz" },
        });
        return true;
      case "reset":
        if (fault.afterCommit) return false;
        req.socket.destroy();
        this.record(ctx, 0);
        return true;
      case "latency":
        if (fault.afterCommit) return false;
        await this.sleeper.sleep(fault.ms);
        // A client that timed out during the delay never gets its request processed.
        if (this.clientGone(res)) {
          this.record(ctx, 0, { clientClosed: true });
          return true;
        }
        return false;
    }
  }

  private sendText(ctx: RequestContext, res: http.ServerResponse, status: number, text: string, contentType: string): void {
    if (this.clientGone(res)) return this.record(ctx, 0, { clientClosed: true });
    send(res, status, text, contentType);
    this.record(ctx, status);
  }

  private countDownLateCommits(): void {
    if (this.lateCommits.length === 0) return;
    const due = this.lateCommits.filter((c) => --c.remaining <= 0);
    this.lateCommits = this.lateCommits.filter((c) => c.remaining > 0);
    for (const c of due) c.run();
  }

  /** Whose right a teamless key falls under (EmulatorModes.teamlessRights). */
  private teamlessRights() {
    return { rights: this.modes.teamlessRights, defaultTeamId: this.store.defaultTeam()?.id };
  }

  /** `team_name` as the listing shows it (see EmulatorModes.teamlessTeamName). */
  private listedTeamName(k: EmulatedKey): string | null {
    if (k.teamName !== null || k.type === "PERSONAL" || k.type === "WORKSPACE_MANAGE_API_KEYS") return k.teamName;
    return this.modes.teamlessTeamName === "default" ? (this.store.defaultTeam()?.name ?? null) : null;
  }

  /** APIKeyInfoV1 as Baseten lists it: no team_id, no timestamps, owner only for PERSONAL keys. */
  private listEntry(k: EmulatedKey): Record<string, unknown> {
    const entry: Record<string, unknown> = {
      prefix: k.prefix,
      name: k.name,
      type: k.type,
      model_ids: k.modelIds,
      team_name: this.listedTeamName(k),
    };
    const owner = k.ownerId === null ? undefined : this.users.byId(k.ownerId);
    if (owner) entry.owner = UserRegistry.owner(owner);
    return entry;
  }

  private deleteKey(prefix: string | undefined, user: EmulatedUser): Outcome {
    const key = prefix === undefined ? undefined : this.store.get(prefix);
    if (!key || key.revoked || !canList(user, key, this.teamlessRights())) {
      const body =
        this.modes.deleteNotFoundBody === "error"
          ? { error: "API key not found" }
          : { detail: this.modes.deleteNotFoundBody === "detail" ? "API key not found" : "Not Found" };
      return { status: 404, body };
    }
    if (!canManage(user, key, this.teamlessRights())) {
      const status = this.modes.unmanageableDeleteStatus;
      return { status, body: { detail: status === 403 ? "Not allowed to delete this API key" : "API key not found" } };
    }
    this.store.revoke(key.prefix);
    this.recordKeyEvent("API_KEY_DELETED", key, user, "api");
    return { status: 200, body: { prefix: key.prefix } };
  }

  private auditLogPage(query: string, user: EmulatedUser): Outcome {
    // "In workspaces with several teams only organization admins can read it (others get 403)."
    if (!user.admin && this.store.teams().length > 1) {
      return { status: 403, body: { detail: "Only organization admins can read the workspace audit log" } };
    }
    try {
      return { status: 200, body: this.audit.page(parseAuditQuery(query), this.modes.auditSearch) };
    } catch (err) {
      const [field, msg] = (err as Error).message.split(": ");
      return { status: 422, body: { detail: [{ loc: ["query", field], msg, type: "value_error" }] } };
    }
  }

  /** Runs the operation against the store (atomic, synchronous). */
  private execute(match: MatchedRoute, body: unknown, user: EmulatedUser): Outcome {
    try {
      switch (match.route) {
        case ROUTES.createKey:
        case ROUTES.createTeamKey: {
          const input = parseCreateBody(body);
          let teamId: string | null = null;
          if (match.route === ROUTES.createTeamKey) {
            if (match.teamId === undefined) throw new EmulatorApiError(404, "Team not found", undefined, "detail");
            teamId = match.teamId;
          }
          const key = this.store.create({ ...input, teamId }, user.userId, {
            duplicateNameStatus: this.modes.duplicateNameStatus,
          });
          this.recordKeyEvent("API_KEY_CREATED", key, user, "api");
          return { status: 200, body: { api_key: key.apiKey } };
        }
        case ROUTES.listKeys:
          return {
            status: 200,
            body: {
              keys: this.store
                .live()
                .filter((k) => canList(user, k, this.teamlessRights()))
                .map((k) => this.listEntry(k)),
            },
          };
        case ROUTES.deleteKey:
          return this.deleteKey(match.prefix, user);
        case ROUTES.listTeams: {
          // `?name=` is an exact filter; an empty value filters for the empty name (no team).
          const name = new URLSearchParams(match.query).get("name");
          return { status: 200, body: { teams: this.store.teams(name) } };
        }
        case ROUTES.usersMe:
          return { status: 200, body: UserRegistry.info(user, this.workspaceName) };
        case ROUTES.auditLogs:
          return this.auditLogPage(match.query, user);
        default:
          if (match.secret)
            return executeSecretRoute(this.secretStore, match.secret, body, this.teamless, (eventType, secret) =>
              this.recordSecretEvent(eventType, secret, user),
            );
          return { status: 404, body: { detail: "Not Found" } };
      }
    } catch (err) {
      if (err instanceof EmulatorApiError) return { status: err.status, body: err.body() };
      throw err;
    }
  }
}
