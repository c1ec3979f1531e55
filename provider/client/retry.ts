/**
 * Retry policy: pure decisions, tested with tables in `test/unit/retry.test.ts`.
 *
 * GET and DELETE are idempotent at Baseten (a repeated DELETE answers 404, after which the
 * provider looks for evidence that the key is gone), so they are retried on every transient
 * failure.
 * POST mints a key: a retry after Baseten may have processed the first attempt would mint a
 * second key, so POST is retried only when the first attempt cannot have reached Baseten's
 * application (connection refused, DNS failure) or was explicitly turned away (429).
 */
import { isNeverSentCode } from "./errors";

/** Knobs of the retry loop. All times in milliseconds. */
export interface RetryOptions {
  /**
   * Retries after the first attempt, for failures that say nothing about when to come back
   * (timeouts, lost connections, 5xx without `Retry-After`). A 429 and a 5xx with `Retry-After`
   * are bounded by `budgetMs` alone. @default 4
   */
  maxRetries: number;
  /**
   * Time one request may spend waiting between attempts, in total: a retry whose wait would
   * end past it is not made, and the error says so. @default 120000 (two minutes)
   */
  budgetMs: number;
  /** First backoff. @default 500 */
  baseDelayMs: number;
  /** Cap of the exponential backoff. @default 8000 */
  maxDelayMs: number;
}

/** The retry policy used unless baseten:maxRetries / BASETEN_MAX_RETRIES changes `maxRetries`. */
export const DEFAULT_RETRY_OPTIONS: RetryOptions = {
  maxRetries: 4,
  budgetMs: 120000,
  baseDelayMs: 500,
  maxDelayMs: 8000,
};

/** What happened on one attempt, as far as retrying cares. */
export type AttemptFailure =
  | { type: "status"; status: number }
  /** `code` is the Node system error code, e.g. ECONNREFUSED, ECONNRESET. */
  | { type: "network"; code?: string }
  | { type: "timeout" }
  /** An answer that retrying cannot fix, e.g. a body over the size limit. */
  | { type: "fatal" };

/** Whether a failed attempt may be retried for this method. */
export function isRetryable(method: string, failure: AttemptFailure): boolean {
  if (failure.type === "fatal") return false;
  const m = method.toUpperCase();
  if (m === "POST") {
    if (failure.type === "status") return failure.status === 429;
    if (failure.type === "network") return isNeverSentCode(failure.code);
    return false;
  }
  if (failure.type === "status") {
    const s = failure.status;
    return s === 408 || s === 429 || s >= 500;
  }
  return true;
}

/**
 * Delay before retry number `retry` (1-based): capped exponential backoff with jitter in
 * [50%, 100%] of the step, unless the server asked for a wait, which is honoured in full (a
 * shorter wait would only earn another 429; the time budget decides whether to wait at all).
 * `random` is injectable so tests are exact.
 */
export function retryDelayMs(
  retry: number,
  options: RetryOptions,
  serverRequestedMs: number | undefined,
  random: () => number = Math.random,
): number {
  if (serverRequestedMs !== undefined && serverRequestedMs >= 0) {
    // A little jitter on top spreads many clients released at the same instant.
    const jitter = Math.floor(random() * Math.min(250, options.baseDelayMs));
    return serverRequestedMs + jitter;
  }
  const step = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (retry - 1));
  return Math.round(step * (0.5 + random() * 0.5));
}

/**
 * Milliseconds a server asked us to wait: the `Retry-After` header (seconds or an HTTP date),
 * else the 429 body's `retry_after` (seconds), else undefined.
 */
export function serverRequestedDelayMs(
  retryAfterHeader: string | null | undefined,
  bodyText: string,
  now: number = Date.now(),
): number | undefined {
  if (retryAfterHeader) {
    const seconds = Number(retryAfterHeader.trim());
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    const date = Date.parse(retryAfterHeader);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  try {
    const body: unknown = JSON.parse(bodyText);
    const value = (body as { retry_after?: unknown } | null)?.retry_after;
    if (typeof value === "number" && Number.isFinite(value) && value >= 0) return value * 1000;
  } catch {
    // not JSON: no body hint
  }
  return undefined;
}
