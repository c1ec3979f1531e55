/**
 * The HTTP layer: one call = up to `maxRetries + 1` attempts, each with its own timeout
 * (an AbortController per attempt), a bounded response body, and errors built by the one
 * factory in `errors.ts`. Every API area (keys.ts, secrets.ts, teams.ts, users.ts, auditLog.ts)
 * sends through one transport, as one `Operation` at a time; `baseten.ts` composes them.
 */
import type { RequestInit, Response } from "node-fetch";
import { boundOf, DEFAULT_MAX_LISTING_BYTES, DEFAULT_MAX_RESPONSE_BYTES, tooLargeProblem } from "./bodyBound";
import {
  BasetenError,
  errorFromNetworkFailure,
  errorFromResponse,
  invalidResponse,
  isBasetenError,
  withLimit,
  type RequestTarget,
} from "./errors";
import {
  DEFAULT_RETRY_OPTIONS,
  isRetryable,
  retryDelayMs,
  serverRequestedDelayMs,
  type AttemptFailure,
  type RetryOptions,
} from "./retry";

/** The subset of `fetch` the client needs; node-fetch v2 by default, injectable in tests. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** Settings of the transport. */
export interface HttpOptions {
  /** Base URL without trailing slash, e.g. `https://api.baseten.co`. */
  baseUrl: string;
  /** Management key, sent as `Authorization: Api-Key <key>`; never logged. */
  apiKey: string;
  /** Per-attempt timeout, including reading the body. @default 30000 */
  timeoutMs?: number;
  /** Largest response body accepted, but for listings, in bytes: bounds memory on hostile answers. @default 1048576 */
  maxResponseBytes?: number;
  /** Largest listing accepted (Baseten's have no paging), in bytes; see bodyBound.ts. @default 33554432 */
  maxListingBytes?: number;
  retry?: Partial<RetryOptions>;
  fetch?: FetchLike;
  sleep?: (ms: number) => Promise<void>;
  /** The clock of the retry budget, in milliseconds. @default Date.now */
  now?: () => number;
  random?: () => number;
}

/** A successful answer: status 2xx, body as text. 404 is returned too when `allow404` is set. */
export interface HttpResult {
  status: number;
  bodyText: string;
  contentType: string;
  /** Attempts made, for tests and diagnostics. */
  attempts: number;
}

/** Per-attempt timeout, in milliseconds, unless baseten:timeoutSeconds / BASETEN_TIMEOUT_SECONDS sets one. */
export const DEFAULT_TIMEOUT_MS = 30000;
export { DEFAULT_MAX_LISTING_BYTES, DEFAULT_MAX_RESPONSE_BYTES };

// node-fetch v2 is required lazily: the provider is serialized into Pulumi state by closure
// serialization, which keeps `require("node-fetch")` as a reference instead of copying the
// library into every resource.
function defaultFetch(): FetchLike {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("node-fetch") as FetchLike;
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

interface AttemptOutcome {
  result?: HttpResult;
  failure?: AttemptFailure;
  error: BasetenError | undefined;
  serverRequestedMs?: number;
}

/** Sends one logical request as up to `maxRetries + 1` attempts; see the module comment. */
export class HttpTransport {
  private readonly options: Required<Omit<HttpOptions, "retry">> & { retry: RetryOptions };

  constructor(options: HttpOptions) {
    this.options = {
      timeoutMs: DEFAULT_TIMEOUT_MS,
      maxResponseBytes: DEFAULT_MAX_RESPONSE_BYTES,
      maxListingBytes: DEFAULT_MAX_LISTING_BYTES,
      fetch: options.fetch ?? defaultFetch(),
      sleep: defaultSleep,
      now: Date.now,
      random: Math.random,
      ...options,
      baseUrl: options.baseUrl.replace(/\/+$/, ""),
      retry: { ...DEFAULT_RETRY_OPTIONS, ...options.retry },
    };
  }

  /**
   * Sends a request with the retry policy of `retry.ts`. Resolves with 2xx answers (and 404
   * when `allow404`); rejects with a `BasetenError` otherwise. Retries are bounded by time
   * (`retry.budgetMs`, waits included) and, for failures that give no `Retry-After`, by
   * `retry.maxRetries`; the final error says which limit ended them. `secrets` are what the
   * request carries besides the management key (a secret's value, a minted key): every error
   * masks them, and the management key, before it cuts any text.
   */
  async request(
    method: string,
    path: string,
    body?: unknown,
    flags: { allow404?: boolean; deadline?: number; secrets?: ReadonlyArray<string> } = {},
  ): Promise<HttpResult> {
    const target: RequestTarget = { method, path };
    const { retry, now } = this.options;
    const started = now();
    // The operation's budget, when the request is part of one, bounds its retries too.
    const endBy = Math.min(started + retry.budgetMs, flags.deadline ?? Infinity);
    let unhintedRetries = 0;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(target, body, attempt, flags.allow404 === true, flags.secrets ?? []);
      if (outcome.result) return outcome.result;
      const failure = outcome.failure as AttemptFailure;
      const error = outcome.error as BasetenError;
      if (!isRetryable(method, failure)) throw error;
      // A 429 says when to come back and proves nothing was done: only time bounds it.
      const hinted = outcome.serverRequestedMs !== undefined || (failure.type === "status" && failure.status === 429);
      const spentSeconds = () => Math.round((now() - started) / 100) / 10;
      if (!hinted && unhintedRetries >= retry.maxRetries) {
        throw withLimit(
          error,
          `Gave up after ${attempt} attempts in ${spentSeconds()} s: all ${retry.maxRetries} retries (baseten:maxRetries) were used.`,
        );
      }
      const delay = retryDelayMs(attempt, retry, outcome.serverRequestedMs, this.options.random);
      if (now() + delay > endBy) {
        const asked =
          outcome.serverRequestedMs !== undefined
            ? `Baseten asked to wait ${Math.ceil(outcome.serverRequestedMs / 1000)} s, `
            : "the next wait ";
        throw withLimit(
          error,
          `Gave up after ${attempt} attempts in ${spentSeconds()} s: ${asked}which would pass the retry budget of ${retry.budgetMs / 1000} s (baseten:retryBudgetSeconds).`,
        );
      }
      if (!hinted) unhintedRetries++;
      await this.options.sleep(delay);
    }
  }

  private async attempt(
    target: RequestTarget,
    body: unknown,
    attempt: number,
    allow404: boolean,
    carried: ReadonlyArray<string>,
  ): Promise<AttemptOutcome> {
    const { apiKey, timeoutMs } = this.options;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const secrets = [apiKey, ...carried];
    try {
      const headers: Record<string, string> = {
        Authorization: `Api-Key ${apiKey}`,
        Accept: "application/json",
        "User-Agent": "pulumi-baseten-api-key",
      };
      if (body !== undefined) headers["Content-Type"] = "application/json";
      const response = await this.options.fetch(this.options.baseUrl + target.path, {
        method: target.method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        // node-fetch's AbortSignal type predates the global one; they are compatible at run time.
        signal: controller.signal as RequestInit["signal"],
        size: boundOf(target, this.options),
        redirect: "manual",
      });
      const bodyText = await response.text();
      const contentType = response.headers.get("content-type") ?? "";
      const status = response.status;
      if ((status >= 200 && status < 300) || (allow404 && status === 404)) {
        return { result: { status, bodyText, contentType, attempts: attempt }, error: undefined };
      }
      return {
        failure: { type: "status", status },
        error: errorFromResponse(status, target, bodyText, secrets, new URL(this.options.baseUrl).pathname.replace(/\/+$/, "")),
        serverRequestedMs:
          status === 429 || status === 503 ? serverRequestedDelayMs(response.headers.get("retry-after"), bodyText) : undefined,
      };
    } catch (e) {
      return this.classifyThrown(e, target, secrets);
    } finally {
      clearTimeout(timer);
    }
  }

  private classifyThrown(e: unknown, target: RequestTarget, secrets: string[]): AttemptOutcome {
    if (isBasetenError(e)) return { failure: { type: "fatal" }, error: e };
    const err = e as { name?: string; type?: string; code?: string; message?: string };
    if (err.name === "AbortError") {
      return {
        failure: { type: "timeout" },
        error: errorFromNetworkFailure("timeout", target, `no complete answer within ${this.options.timeoutMs} ms`, secrets),
      };
    }
    if (err.type === "max-size") {
      // Not retryable: a body this large is a broken or hostile server, not a blip.
      return {
        failure: { type: "fatal" },
        error: invalidResponse(target, tooLargeProblem(target, boundOf(target, this.options))),
      };
    }
    const code = typeof err.code === "string" ? err.code : undefined;
    return {
      failure: { type: "network", code },
      error: errorFromNetworkFailure("network", target, code ?? err.message ?? String(e), secrets, code),
    };
  }
}

/**
 * One operation's use of the one transport: every request it sends shares the operation's
 * retry budget, ending by `deadline` (epoch ms) when there is one.
 */
export interface Operation {
  readonly http: HttpTransport;
  readonly deadline?: number;
}

/** Sends `target` as part of `op`; see `HttpTransport.request` for `allow404` and `secrets`. */
export function send(
  op: Operation,
  target: RequestTarget,
  body?: unknown,
  flags: { allow404?: boolean; secrets?: ReadonlyArray<string> } = {},
): Promise<HttpResult> {
  return op.http.request(target.method, target.path, body, { ...flags, deadline: op.deadline });
}
