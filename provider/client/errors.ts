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
  /** Node's system error code of a network failure, e.g. ECONNREFUSED. */
  readonly code?: string;

  constructor(kind: BasetenErrorKind, message: string, details: ErrorDetails = {}) {
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
    this.code = details.code;
  }
}

/** The typed fields of a BasetenError besides its kind and message. */
export interface ErrorDetails {
  status?: number;
  target?: RequestTarget;
  basetenMessage?: string;
  code?: string;
}

export function detailsOf(e: BasetenError): ErrorDetails {
  return {
    status: e.status,
    target: e.method !== undefined && e.path !== undefined ? { method: e.method, path: e.path } : undefined,
    basetenMessage: e.basetenMessage,
    code: e.code,
  };
}

/**
 * A copy of `e` whose message is `what: <message>`. A copy, never an edit: one failed listing
 * is shared by every key of a refresh, and editing it in place would stack each key's context
 * onto the others' ("Refreshing key A: Refreshing key B: ...").
 */
export function withContext(what: string, e: BasetenError): BasetenError {
  return new BasetenError(e.kind, `${what}: ${e.message}`, detailsOf(e));
}

/** A copy of `e` with `sentence` appended: what limited the retries, or what to do next. */
export function withLimit(e: BasetenError, sentence: string): BasetenError {
  return new BasetenError(e.kind, `${e.message} ${sentence}`, detailsOf(e));
}

/** Network errors that prove the request never left this machine or reached no server. */
// An array, not a Set: closure serialization cannot rebuild a Set held at module level.
const NEVER_SENT_CODES = ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"];

/** Whether `code` (a Node system error code) proves that nothing reached Baseten. */
export function isNeverSentCode(code: string | undefined): boolean {
  return code !== undefined && NEVER_SENT_CODES.includes(code);
}

/** True when the request behind `e` certainly reached no server (refused connection, DNS failure). */
export function wasNeverSent(e: unknown): boolean {
  return isBasetenError(e) && e.kind === "network" && isNeverSentCode(e.code);
}

/**
 * Masks anything shaped like a Baseten key, `<prefix>.<secret>`, keeping the prefix: a body
 * quoted in an error could otherwise carry a plaintext key into logs and state.
 */
export function maskKeys(text: string): string {
  return text.replace(/([A-Za-z0-9_-]{4,64})\.[A-Za-z0-9_-]{16,}/g, "$1.[REDACTED]");
}

/** True for any error of this hierarchy, even one made by another copy of this code. */
export function isBasetenError(e: unknown): e is BasetenError {
  return typeof e === "object" && e !== null && (e as { name?: unknown }).name === ERROR_NAME;
}

/** True for an error of this hierarchy with this `kind`. */
export function isErrorOfKind(e: unknown, kind: BasetenErrorKind): e is BasetenError {
  return isBasetenError(e) && e.kind === kind;
}

/**
 * Shortest secret masked: shorter strings would blank ordinary words. Real keys are long; a
 * secret's value may be short, and is masked from 4 characters on.
 */
export const MIN_MASKED_LENGTH = 4;

/**
 * Replaces every occurrence of each secret in `text` with `[REDACTED]`. Call it on a whole
 * text before cutting it: a cut first could leave a secret's head, which no longer matches.
 */
export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  const given = secrets.filter((s): s is string => s !== undefined && s.length >= MIN_MASKED_LENGTH);
  // A body that echoes the request holds each secret as a JSON string: a value with `"`, `\`
  // or a newline (a PEM key, a JSON credential) is escaped there, and parsing would unescape it.
  const sorted = [...new Set([...given, ...given.map((s) => JSON.stringify(s).slice(1, -1))])];
  // Longest first, so a secret that contains another is masked whole.
  sorted.sort((a, b) => b.length - a.length);
  for (const secret of sorted) out = out.split(secret).join("[REDACTED]");
  return out;
}

/** One FastAPI validation problem as a sentence: `field "name" (body): String should match ...`. */
function validationProblem(d: unknown): string {
  if (typeof d !== "object" || d === null) return String(d);
  const item = d as { msg?: unknown; loc?: unknown; type?: unknown };
  const loc = Array.isArray(item.loc) ? item.loc.map(String) : [];
  // FastAPI puts where the field was first ("body", "query", "path"), then the field's path.
  const where = ["body", "query", "path", "header"].includes(loc[0]) ? loc[0] : undefined;
  const field = (where ? loc.slice(1) : loc).join(".");
  const said = typeof item.msg === "string" ? item.msg : JSON.stringify(d);
  return field ? `field ${JSON.stringify(field)}${where ? ` (${where})` : ""}: ${said}` : said;
}

/**
 * Extracts Baseten's message from an error body: `error`, then `message`, then `detail`
 * (a string, or FastAPI's list of `{loc, msg, type}`, each named by its field), else the raw
 * text (trimmed, bounded). Key-shaped strings are masked.
 */
export function basetenMessageOf(bodyText: string): string | undefined {
  const said = messageOf(bodyText);
  return said === undefined ? undefined : maskKeys(said);
}

function messageOf(bodyText: string): string | undefined {
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
      if (Array.isArray(b.detail) && b.detail.length) return b.detail.map(validationProblem).join("; ");
    }
  } catch {
    // not JSON: fall through to the raw text
  }
  // HTML error pages are noise: keep only their title when there is one.
  const title = /<title>([^<]*)<\/title>/i.exec(text);
  if (title) return title[1].trim();
  return text.length > 300 ? text.slice(0, 300) + "..." : text;
}

/**
 * What a 404 can mean for this request. A wrong baseten:apiUrl answers 404 for every path, so
 * that is always named; an id is named only when the path holds one (a key's prefix, a team
 * id, a secret's name), so that a 404 of `/v1/users/me` does not send the user after a prefix.
 */
export function notFoundAdvice(path: string): string {
  const [route] = path.split("?");
  const wrongUrl =
    "or baseten:apiUrl / BASETEN_API_URL does not lead to Baseten's API (set its root, e.g. https://api.baseten.co)";
  if (/^\/v1\/api_keys\/[^/]+$/.test(route)) return `No key has this prefix at this URL, ${wrongUrl}.`;
  if (/^\/v1\/teams\/[^/]+\/secrets\/[^/]+$/.test(route)) return `No secret of this name in this team, ${wrongUrl}.`;
  if (/^\/v1\/teams\/[^/]+\//.test(route)) return `No team has this id, ${wrongUrl}.`;
  return "Baseten serves this path, so baseten:apiUrl / BASETEN_API_URL does not lead to its API: set the API root, e.g. https://api.baseten.co.";
}

/** What to do about each HTTP status, appended to messages. */
function adviceForStatus(status: number, path: string): string {
  if (status === 401)
    return "The management key was rejected: set a valid one with `pulumi config set --secret baseten:apiKey <key>` or the BASETEN_API_KEY environment variable.";
  if (status === 403)
    return "The management key lacks permission for this operation: use a key that can manage API keys (PERSONAL, WORKSPACE_MANAGE_ALL or WORKSPACE_MANAGE_API_KEYS) in baseten:apiKey or BASETEN_API_KEY.";
  if (status === 404) return notFoundAdvice(path);
  if (status === 422) return "Baseten refused the fields named above: fix those inputs.";
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

/**
 * The one factory that turns an HTTP answer into an error. `basePath` is the path of
 * baseten:apiUrl (`/bt` for `http://127.0.0.1:8787/bt`): the message shows the path as sent,
 * prefix included, while the error's `path` stays the API's own.
 */
export function errorFromResponse(
  status: number,
  target: RequestTarget,
  bodyText: string,
  secrets: ReadonlyArray<string | undefined>,
  basePath = "",
): BasetenError {
  // Masked before the message is parsed and cut, and again after: parsing unescapes JSON strings.
  const parsed = basetenMessageOf(redact(bodyText, secrets));
  const basetenMessage = parsed === undefined ? undefined : redact(parsed, secrets);
  const said = basetenMessage ? `: ${basetenMessage}` : "";
  const sent = `${target.method} ${basePath}${target.path}`;
  const message = `Baseten answered HTTP ${status}${said} (${sent}). ${adviceForStatus(status, target.path)}`;
  return new BasetenError(kindForStatus(status), message, { status, target, basetenMessage });
}

/** A request that got no HTTP answer. */
export function errorFromNetworkFailure(
  kind: "network" | "timeout",
  target: RequestTarget,
  detail: string,
  secrets: ReadonlyArray<string | undefined>,
  code?: string,
): BasetenError {
  const what = kind === "timeout" ? "timed out" : isNeverSentCode(code) ? "was never sent" : "failed before Baseten answered";
  const message = `${target.method} ${target.path} ${what}: ${maskKeys(redact(detail, secrets))}. Check baseten:apiUrl / BASETEN_API_URL and the network, then rerun.`;
  return new BasetenError(kind, message, { target, code });
}

/** A 200 whose body breaks Baseten's published contract. */
export function invalidResponse(target: RequestTarget, problem: string, status?: number): BasetenError {
  return new BasetenError("invalid-response", `Baseten's answer to ${target.method} ${target.path} is not valid: ${problem}.`, {
    target,
    status,
  });
}
