/**
 * Where the provider finds its management credentials and URL. They are read at run time,
 * inside the engine's provider host, from stack config (passed to `configure`) or from the
 * environment; they are never captured into `__provider`, an input, an output or a message.
 */
import { BasetenError } from "../client/errors";
import type { CheckFailure } from "./resource";

/** Baseten's API, used when neither baseten:apiUrl nor BASETEN_API_URL is set. */
export const DEFAULT_API_URL = "https://api.baseten.co";

/** Values from stack config (`baseten:*`), as `configure` received them. */
export interface ConfiguredSettings {
  apiKey?: string;
  apiUrl?: string;
  timeoutSeconds?: string;
  maxRetries?: string;
  retryBudgetSeconds?: string;
}

/**
 * The `baseten:*` values of the stack config a provider's `configure` receives. Shared by
 * every resource's provider object.
 */
export function configuredSettingsOf(config: { get(key: string): unknown }): ConfiguredSettings {
  const value = (key: string): string | undefined => {
    const v = config.get(`baseten:${key}`);
    return v === undefined || v === null ? undefined : String(v);
  };
  return {
    apiKey: value("apiKey"),
    apiUrl: value("apiUrl"),
    timeoutSeconds: value("timeoutSeconds"),
    maxRetries: value("maxRetries"),
    retryBudgetSeconds: value("retryBudgetSeconds"),
  };
}

/** Everything the client needs, resolved and validated. */
export interface ResolvedSettings {
  apiKey: string;
  apiUrl: string;
  timeoutMs: number;
  maxRetries: number;
  /** Total time one request may spend on retries, waits included. */
  retryBudgetMs: number;
}

/** Per-request timeout unless baseten:timeoutSeconds / BASETEN_TIMEOUT_SECONDS is set. */
export const DEFAULT_TIMEOUT_SECONDS = 30;
/** Retries of failures that give no Retry-After, unless baseten:maxRetries / BASETEN_MAX_RETRIES is set. */
export const DEFAULT_MAX_RETRIES = 4;
/** Time budget of one request's retries unless baseten:retryBudgetSeconds / BASETEN_RETRY_BUDGET_SECONDS is set. */
export const DEFAULT_RETRY_BUDGET_SECONDS = 120;

function configurationError(message: string): BasetenError {
  return new BasetenError("configuration", message);
}

// Arrays, not Sets, at module level: closure serialization cannot rebuild a Set.
const LOOPBACK_HOSTS = ["localhost", "[::1]", "::1"];

/** Plain `http://` would send the management key in clear text: allowed only to this machine. */
function isLoopback(hostname: string): boolean {
  return LOOPBACK_HOSTS.includes(hostname) || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** Validates an API URL; returns it without trailing slashes. */
export function validateApiUrl(raw: string, source: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // Not echoed: a value that is no URL may be a key pasted into the wrong setting.
    throw configurationError(`${source} is not a URL (${raw.length} characters, not shown). Set it like https://api.baseten.co.`);
  }
  if (url.username || url.password) {
    throw configurationError(
      `${source} must not contain credentials; put the management key in baseten:apiKey or BASETEN_API_KEY.`,
    );
  }
  if (url.protocol === "http:" && !isLoopback(url.hostname)) {
    throw configurationError(
      `${source} uses plain http:// for ${url.hostname}, which would send the management key unencrypted. Use https:// (http:// is allowed only for 127.0.0.1, localhost and [::1]).`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw configurationError(`${source} must be an https:// URL, got ${url.protocol}//.`);
  }
  // Paths are appended as text (`<apiUrl>/v1/api_keys`): a query or fragment would swallow them.
  // Only the scheme, host and path are quoted: a query (`?api_key=...`) may carry a credential.
  if (url.search || url.hash) {
    const what = url.search && url.hash ? "a query string and a fragment" : url.search ? "a query string" : "a fragment";
    throw configurationError(
      `${source} (${url.protocol}//${url.host}${url.pathname}) must not have a query string or fragment (it has ${what}, not shown); set the API root, e.g. https://api.baseten.co.`,
    );
  }
  // A path prefix is kept (a gateway may mount the API under one), but the API's own version
  // segment is a common mistake that would make every request go to /v1/v1/... and answer 404.
  if (/\/v1\/?$/.test(url.pathname)) {
    throw configurationError(
      `${source} ends with /v1, but the provider adds /v1/... itself; set the API root, e.g. ${url.origin}${url.pathname.replace(/\/v1\/?$/, "")}.`,
    );
  }
  return url.toString().replace(/\/+$/, "");
}

/**
 * Which rule a setting's number breaks, never its text: a value that is no number may be a key
 * pasted into the wrong setting.
 */
function numberProblem(raw: string, integer: boolean): string | undefined {
  const n = Number(raw);
  if (raw.trim() === "" || Number.isNaN(n)) return `its value is not a number (${raw.length} characters, not shown)`;
  if (!Number.isFinite(n)) return "its value is infinite";
  if (n < 0) return "its value is negative";
  if (integer && !Number.isInteger(n)) return "its value is not a whole number";
  return undefined;
}

function nonNegativeNumber(raw: string | undefined, source: string, fallback: number, integer: boolean): number {
  if (raw === undefined || raw === "") return fallback;
  const problem = numberProblem(raw, integer);
  if (problem !== undefined) {
    throw configurationError(`${source} must be a ${integer ? "non-negative integer" : "non-negative number"}: ${problem}.`);
  }
  return Number(raw);
}

/** A number of seconds that must be positive: 0 would mean "no time at all", never what is meant. */
function positiveSeconds(raw: string | undefined, source: string, fallback: number, why: string): number {
  const n = nonNegativeNumber(raw, source, fallback, false);
  if (n === 0) throw configurationError(`${source} must be greater than 0 (${why}); its value is 0.`);
  return n;
}

/**
 * Resolves settings: stack config first, then environment variables. Throws a configuration
 * error naming both ways to set a missing management key.
 */
export function resolveSettings(config: ConfiguredSettings, env: NodeJS.ProcessEnv = process.env): ResolvedSettings {
  const apiKey = resolveApiKey(config, env);
  const urlSource = config.apiUrl !== undefined ? "baseten:apiUrl" : "BASETEN_API_URL";
  const apiUrl = validateApiUrl(
    config.apiUrl ?? env.BASETEN_API_URL ?? DEFAULT_API_URL,
    (config.apiUrl ?? env.BASETEN_API_URL) ? urlSource : "the default API URL",
  );
  const { timeoutMs, maxRetries, retryBudgetMs } = resolveLimits(config, env);
  return { apiKey, apiUrl, timeoutMs, maxRetries, retryBudgetMs };
}

/** The management key (trimmed), from stack config or the environment; throws when it is missing or blank. */
function resolveApiKey(config: ConfiguredSettings, env: NodeJS.ProcessEnv): string {
  const apiKey = config.apiKey ?? env.BASETEN_API_KEY;
  if (apiKey === undefined || apiKey.trim() === "") {
    const which = apiKey === undefined ? "No Baseten management key is set" : "The Baseten management key is empty";
    throw configurationError(
      `${which}. Set it with \`pulumi config set --secret baseten:apiKey <key>\` or the BASETEN_API_KEY environment variable.`,
    );
  }
  return apiKey.trim();
}

/**
 * Every problem `resolveSettings` would throw on, each as a message, without sending anything:
 * what `check` reports, so a pull request's `pulumi preview` fails where the merged `up` would.
 */
export function checkSettings(config: ConfiguredSettings, env: NodeJS.ProcessEnv = process.env): string[] {
  const problems: string[] = [];
  const raw = config.apiUrl ?? env.BASETEN_API_URL;
  for (const step of [
    () => resolveApiKey(config, env),
    () => raw !== undefined && validateApiUrl(raw, config.apiUrl !== undefined ? "baseten:apiUrl" : "BASETEN_API_URL"),
    () => resolveLimits(config, env),
  ]) {
    try {
      step();
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  return problems;
}

/**
 * `checkSettings` as `check` failures: what ApiKey's and Secret's `check` add to their inputs'
 * failures. The property is empty, since a setting is no input of the resource: the engine
 * prints a failure of a property the inputs lack as `property baseten value {<nil>} has a
 * problem: ...`, one with no property as `resource '<name>' has a problem: ...`.
 */
export function settingsFailures(config: ConfiguredSettings, env: NodeJS.ProcessEnv = process.env): CheckFailure[] {
  return checkSettings(config, env).map((reason) => ({ property: "", reason }));
}

function resolveLimits(config: ConfiguredSettings, env: NodeJS.ProcessEnv) {
  const timeoutSource = config.timeoutSeconds !== undefined ? "baseten:timeoutSeconds" : "BASETEN_TIMEOUT_SECONDS";
  const timeoutSeconds = positiveSeconds(
    config.timeoutSeconds ?? env.BASETEN_TIMEOUT_SECONDS,
    timeoutSource,
    DEFAULT_TIMEOUT_SECONDS,
    "a request without a time limit could hang pulumi forever; the default is 30",
  );
  const retriesSource = config.maxRetries !== undefined ? "baseten:maxRetries" : "BASETEN_MAX_RETRIES";
  const maxRetries = nonNegativeNumber(config.maxRetries ?? env.BASETEN_MAX_RETRIES, retriesSource, DEFAULT_MAX_RETRIES, true);
  const budgetSource = config.retryBudgetSeconds !== undefined ? "baseten:retryBudgetSeconds" : "BASETEN_RETRY_BUDGET_SECONDS";
  const budgetSeconds = nonNegativeNumber(
    config.retryBudgetSeconds ?? env.BASETEN_RETRY_BUDGET_SECONDS,
    budgetSource,
    DEFAULT_RETRY_BUDGET_SECONDS,
    false,
  );
  return { timeoutMs: Math.round(timeoutSeconds * 1000), maxRetries, retryBudgetMs: Math.round(budgetSeconds * 1000) };
}
