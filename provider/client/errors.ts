/**
 * One error hierarchy for everything that can go wrong talking to Baseten.
 *
 * Errors cross the dynamic-provider serialization boundary (the provider code is re-created
 * from text inside the engine's provider host), so callers must not rely on `instanceof`:
 * use the `is...` guards, which look at `name` and `kind`.
 *
 * Messages follow one shape: what failed, the HTTP status, Baseten's own message, the method
 * and path, then what to do. They never contain a credential: `redact` removes the management
 * key from any text that came from the network.
 */

/** Why a request or operation failed. */
export type BasetenErrorKind =
  | "configuration" // no usable credentials or URL: nothing was sent
  | "authentication" // 401 / 403
  | "not-found" // 404
  | "rate-limited" // 429 after the retry budget
  | "request" // any other 4xx: Baseten refused the input
  | "server" // 5xx after the retry budget
  | "network" // connection refused / reset, DNS
  | "timeout" // no answer within the per-attempt timeout
  | "invalid-response" // 200 but the body is not what Baseten's spec promises
  | "tombstone-mismatch"; // DELETE answered for a different key

/** Where a failed request went. Never includes headers or query strings with credentials. */
export interface RequestTarget {
  method: string;
  path: string;
}

const ERROR_NAME = "BasetenError";

/** Base class of every error the client and provider raise. */
export class BasetenError extends Error {
  readonly kind: BasetenErrorKind;
  /** HTTP status, when an answer came back. */
  readonly status?: number;
  readonly method?: string;
  readonly path?: string;
  /** Baseten's own message, from `error`, `message`, `detail` or the raw text. */
  readonly basetenMessage?: string;

  constructor(
    kind: BasetenErrorKind,
    message: string,
    details: { status?: number; target?: RequestTarget; basetenMessage?: string } = {},
  ) {
    super(message);
    // Closure serialization rewrites `super(...)` into a plain call of Error, which does not
    // initialise `this`: set what callers read explicitly.
    this.message = message;
    this.name = ERROR_NAME;
    this.kind = kind;
    this.status = details.status;
    this.method = details.target?.method;
    this.path = details.target?.path;
    this.basetenMessage = details.basetenMessage;
  }
}

/** True for any error of this hierarchy, even one made by another copy of this code. */
export function isBasetenError(e: unknown): e is BasetenError {
  return typeof e === "object" && e !== null && (e as { name?: unknown }).name === ERROR_NAME;
}

/** True for an error of this hierarchy with this `kind`. */
export function isErrorOfKind(e: unknown, kind: BasetenErrorKind): e is BasetenError {
  return isBasetenError(e) && e.kind === kind;
}

/** Replaces every occurrence of each secret in `text` with `[REDACTED]`. */
export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  for (const secret of secrets) {
    // Short strings would redact ordinary words; real keys are long.
    if (secret && secret.length >= 8) out = out.split(secret).join("[REDACTED]");
  }
  return out;
}

/**
 * Extracts Baseten's message from an error body: `error`, then `message`, then `detail`
 * (a string or a FastAPI-style list of `{msg, loc}`), else the raw text (trimmed, bounded).
 */
export function basetenMessageOf(bodyText: string): string | undefined {
  const text = bodyText.trim();
  if (!text) return undefined;
  try {
    const body: unknown = JSON.parse(text);
    if (typeof body === "object" && body !== null) {
      const b = body as Record<string, unknown>;
      for (const field of ["error", "message"]) {
        if (typeof b[field] === "string" && b[field]) return b[field] as string;
      }
      if (typeof b.detail === "string" && b.detail) return b.detail;
      if (Array.isArray(b.detail)) {
        const parts = b.detail.map((d: unknown) => {
          if (typeof d !== "object" || d === null) return String(d);
          const item = d as { msg?: unknown; loc?: unknown };
          const loc = Array.isArray(item.loc) ? item.loc.join(".") + ": " : "";
          return loc + String(item.msg ?? JSON.stringify(d));
        });
        if (parts.length) return parts.join("; ");
      }
    }
  } catch {
    // not JSON: fall through to the raw text
  }
  // HTML error pages are noise: keep only their title when there is one.
  const title = /<title>([^<]*)<\/title>/i.exec(text);
  if (title) return title[1].trim();
  return text.length > 300 ? text.slice(0, 300) + "..." : text;
}

/** What to do about each HTTP status, appended to messages. */
function adviceForStatus(status: number): string {
  if (status === 401)
    return "The management key was rejected: set a valid one with `pulumi config set --secret baseten:apiKey <key>` or the BASETEN_API_KEY environment variable.";
  if (status === 403)
    return "The management key lacks permission for this operation: use a key that can manage API keys (PERSONAL, WORKSPACE_MANAGE_ALL or WORKSPACE_MANAGE_API_KEYS) in baseten:apiKey or BASETEN_API_KEY.";
  if (status === 404) return "Check the prefix or team id.";
  if (status === 429) return "Baseten's rate limit was hit after every retry: rerun later or lower `pulumi up --parallel`.";
  if (status >= 500) return "Baseten failed to answer: rerun; if it persists, check https://status.baseten.co.";
  return "Fix the input named in Baseten's message.";
}

function kindForStatus(status: number): BasetenErrorKind {
  if (status === 401 || status === 403) return "authentication";
  if (status === 404) return "not-found";
  if (status === 429) return "rate-limited";
  if (status >= 500) return "server";
  return "request";
}

/** The one factory that turns an HTTP answer into an error. */
export function errorFromResponse(
  status: number,
  target: RequestTarget,
  bodyText: string,
  secrets: ReadonlyArray<string | undefined>,
): BasetenError {
  const basetenMessage = basetenMessageOf(redact(bodyText, secrets));
  const said = basetenMessage ? `: ${basetenMessage}` : "";
  const message = `Baseten answered HTTP ${status}${said} (${target.method} ${target.path}). ${adviceForStatus(status)}`;
  return new BasetenError(kindForStatus(status), message, { status, target, basetenMessage });
}

/** A request that got no HTTP answer. */
export function errorFromNetworkFailure(
  kind: "network" | "timeout",
  target: RequestTarget,
  detail: string,
  secrets: ReadonlyArray<string | undefined>,
): BasetenError {
  const what = kind === "timeout" ? "timed out" : "failed before Baseten answered";
  const message = `${target.method} ${target.path} ${what}: ${redact(detail, secrets)}. Check baseten:apiUrl / BASETEN_API_URL and the network, then rerun.`;
  return new BasetenError(kind, message, { target });
}

/** A 200 whose body breaks Baseten's published contract. */
export function invalidResponse(target: RequestTarget, problem: string, status?: number): BasetenError {
  return new BasetenError("invalid-response", `Baseten's answer to ${target.method} ${target.path} is not valid: ${problem}.`, {
    target,
    status,
  });
}
