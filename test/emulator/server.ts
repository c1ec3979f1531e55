/**
 * The emulator: a real node:http server on 127.0.0.1 so clients are exercised through their
 * actual HTTP stack (sockets, resets, slow bodies), not a mocked fetch.
 *
 * Pipeline of an API request (order matters and is what tests rely on):
 *   read body (413 over 1 MB) -> global latency -> route (404) -> auth (401)
 *   -> rate limit (429) -> fault (scripted, then random) -> operation -> response -> log.
 * Faults are chosen only after auth and rate limiting, so a 401 or 429 never consumes one.
 */
import * as http from "http";
import type { AddressInfo } from "net";
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
  SecretApiError,
  SecretStore,
  type EmulatedSecret,
  type TeamlessTargets,
} from "./secrets";
import { EMULATOR_USER, EmulatorApiError, KeyStore, parseCreateBody, randomString } from "./state";
import {
  DEFAULT_TEAMS,
  EmulatedKey,
  EmulatorOptions,
  EmulatorSettings,
  FaultSpec,
  LoggedRequest,
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
  private readonly faults = new FaultInjector();
  private readonly limiter: SlidingWindowLimiter;
  private readonly sleeper = new Sleeper();
  private latencyMs: number;
  private log: LoggedRequest[] = [];
  private counts: Record<string, number> = BasetenEmulator.zeroCounts();
  private seq = 0;
  private stopped = false;

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
    this.latencyMs = 0;
    this.setLatency(opts.latencyMs ?? 0);
    this.limiter = new SlidingWindowLimiter(null);
    this.limiter.setLimit(opts.rateLimitPerSecond === undefined ? 100 : opts.rateLimitPerSecond);
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
    return this.store.create(
      { type: input.type, name: input.name ?? null, modelIds: input.modelIds ?? null, teamId: input.teamId ?? null },
      { allowUnknownType: true },
    );
  }

  revokeOutOfBand(prefix: string): boolean {
    return this.store.revoke(prefix) !== undefined;
  }

  /** Every secret, values included (the API never shows them; tests may). */
  secrets(): EmulatedSecret[] {
    return this.secretStore.list();
  }

  /** Upserts a secret as if set in the UI; `createdAt` backdates a new one. Throws for an unknown team. */
  upsertSecretOutOfBand(input: { teamId?: string; name: string; value: string; createdAt?: number }): EmulatedSecret {
    return this.secretStore.upsert(input.teamId ?? this.teamless.primaryTeamId, input.name, input.value, input.createdAt);
  }

  /** Deletes a secret (or an equivalent name) as if in the UI; false when there is none. */
  deleteSecretOutOfBand(teamId: string, name: string): boolean {
    return this.secretStore.delete(teamId, name) !== undefined;
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

  settings(): Required<EmulatorSettings> {
    return { latencyMs: this.latencyMs, rateLimitPerSecond: this.limiter.getLimit() };
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

  /** Forgets keys, faults (scripted and random), the log and rate-limit windows; keeps settings and teams. */
  reset(): void {
    this.store.clear();
    this.secretStore.clear();
    this.faults.clearAll();
    this.limiter.clear();
    this.clearLog();
    this.seq = 0;
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

  private authenticate(header: string | undefined): string | undefined {
    const m = /^(?:Api-Key|Bearer)[ \t]+(\S+)[ \t]*$/i.exec(header ?? "");
    return m && m[1] === this.managementKey ? m[1] : undefined;
  }

  private async handleApi(req: http.IncomingMessage, res: http.ServerResponse, rawPath: string): Promise<void> {
    const method = (req.method ?? "GET").toUpperCase();
    const ctx: RequestContext = {
      seq: ++this.seq,
      method,
      rawPath,
      route: ROUTES.unmatched,
      startedAt: Date.now(),
      t0: performance.now(),
    };
    const body = await readBody(req);
    if (body.kind === "closed") return this.record(ctx, 0, { clientClosed: true });

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
    if (match.route === ROUTES.unmatched) return this.reply(ctx, res, { status: 404, body: { error: "Not found" } });

    const credential = this.authenticate(req.headers.authorization);
    if (credential === undefined) return this.reply(ctx, res, { status: 401, body: { error: "Invalid API key" } });
    if (!this.limiter.tryAcquire(credential)) {
      return this.reply(ctx, res, { status: 429, body: { error: RATE_LIMIT_MESSAGE, retry_after: 1 } }, { "retry-after": "1" });
    }

    const fault = this.faults.take({ method, route: match.route, rawPath });
    if (fault) ctx.fault = fault.kind;
    if (fault && (await this.applyPreCommitFault(ctx, req, res, fault))) return;

    const outcome = parseError ? { status: 400, body: { error: "Request body is not valid JSON" } } : this.execute(match, parsed);

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
        this.sendText(ctx, res, 200, "OK", "text/plain");
        return true;
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

  /** Runs the operation against the store (atomic, synchronous). */
  private execute(match: MatchedRoute, body: unknown): Outcome {
    try {
      switch (match.route) {
        case ROUTES.createKey:
        case ROUTES.createTeamKey: {
          const input = parseCreateBody(body);
          let teamId: string | null = null;
          if (match.route === ROUTES.createTeamKey) {
            if (match.teamId === undefined) throw new EmulatorApiError(404, "Team not found");
            teamId = match.teamId;
          }
          const key = this.store.create({ ...input, teamId });
          return { status: 200, body: { api_key: key.apiKey } };
        }
        case ROUTES.listKeys:
          return { status: 200, body: { keys: this.store.live().map(KeyStore.listEntry) } };
        case ROUTES.deleteKey: {
          const revoked = match.prefix === undefined ? undefined : this.store.revoke(match.prefix);
          if (!revoked) throw new EmulatorApiError(404, "API key not found");
          return { status: 200, body: { prefix: revoked.prefix } };
        }
        case ROUTES.listTeams: {
          // `?name=` is an exact filter; an empty value filters for the empty name (no team).
          const name = new URLSearchParams(match.query).get("name");
          return { status: 200, body: { teams: this.store.teams(name) } };
        }
        case ROUTES.me:
          return { status: 200, body: { ...EMULATOR_USER, workspace_name: "emulator" } };
        default:
          if (match.secret) return executeSecretRoute(this.secretStore, match.secret, body, this.teamless);
          return { status: 404, body: { error: "Not found" } };
      }
    } catch (err) {
      if (err instanceof EmulatorApiError || err instanceof SecretApiError)
        return { status: err.status, body: { error: err.message } };
      throw err;
    }
  }
}
