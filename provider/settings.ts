/**
 * Where the provider finds its management credentials and URL. They are read at run time,
 * inside the engine's provider host, from stack config (passed to `configure`) or from the
 * environment; they are never captured into `__provider`, an input, an output or a message.
 */
import { BasetenError } from "./client/errors";

/** Baseten's API, used when neither baseten:apiUrl nor BASETEN_API_URL is set. */
export const DEFAULT_API_URL = "https://api.baseten.co";

/** Values from stack config (`baseten:*`), as `configure` received them. */
export interface ConfiguredSettings {
  apiKey?: string;
  apiUrl?: string;
  timeoutSeconds?: string;
  maxRetries?: string;
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
  };
}

/** Everything the client needs, resolved and validated. */
export interface ResolvedSettings {
  apiKey: string;
  apiUrl: string;
  timeoutMs: number;
  maxRetries: number;
}

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
    throw configurationError(`${source} is not a URL: ${JSON.stringify(raw)}. Set it like https://api.baseten.co.`);
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
  return url.toString().replace(/\/+$/, "");
}

function positiveNumber(raw: string | undefined, source: string, fallback: number, integer: boolean): number {
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) {
    throw configurationError(
      `${source} must be a ${integer ? "non-negative integer" : "non-negative number"}, got ${JSON.stringify(raw)}.`,
    );
  }
  return n;
}

/**
 * Resolves settings: stack config first, then environment variables. Throws a configuration
 * error naming both ways to set a missing management key.
 */
export function resolveSettings(config: ConfiguredSettings, env: NodeJS.ProcessEnv = process.env): ResolvedSettings {
  const apiKey = config.apiKey ?? env.BASETEN_API_KEY;
  if (apiKey === undefined || apiKey.trim() === "") {
    const which = apiKey === undefined ? "No Baseten management key is set" : "The Baseten management key is empty";
    throw configurationError(
      `${which}. Set it with \`pulumi config set --secret baseten:apiKey <key>\` or the BASETEN_API_KEY environment variable.`,
    );
  }
  const urlSource = config.apiUrl !== undefined ? "baseten:apiUrl" : "BASETEN_API_URL";
  const apiUrl = validateApiUrl(
    config.apiUrl ?? env.BASETEN_API_URL ?? DEFAULT_API_URL,
    (config.apiUrl ?? env.BASETEN_API_URL) ? urlSource : "the default API URL",
  );
  const timeoutSource = config.timeoutSeconds !== undefined ? "baseten:timeoutSeconds" : "BASETEN_TIMEOUT_SECONDS";
  const timeoutSeconds = positiveNumber(config.timeoutSeconds ?? env.BASETEN_TIMEOUT_SECONDS, timeoutSource, 30, false);
  const retriesSource = config.maxRetries !== undefined ? "baseten:maxRetries" : "BASETEN_MAX_RETRIES";
  const maxRetries = positiveNumber(config.maxRetries ?? env.BASETEN_MAX_RETRIES, retriesSource, 4, true);
  return { apiKey: apiKey.trim(), apiUrl, timeoutMs: Math.max(1, Math.round(timeoutSeconds * 1000)), maxRetries };
}
