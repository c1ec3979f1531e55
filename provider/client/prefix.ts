/**
 * Key prefixes: the identity of a Baseten API key and the id of an `ApiKey` resource.
 * Baseten documents neither their length nor their alphabet, so a prefix is opaque: it is
 * validated only so far as it must be safe to put into one URL path segment, and it is
 * always URL-encoded there.
 */
import { BasetenError } from "./errors";

/** Longest prefix accepted; Baseten's are about 8 characters. */
export const MAX_PREFIX_LENGTH = 128;

/** Why `prefix` cannot be used in a path, or undefined when it can. */
export function prefixProblem(prefix: unknown): string | undefined {
  if (typeof prefix !== "string") return `a prefix must be a string, got ${typeof prefix}`;
  if (prefix.length === 0) return "the prefix is empty";
  if (prefix.length > MAX_PREFIX_LENGTH) return `the prefix is ${prefix.length} characters long (at most ${MAX_PREFIX_LENGTH})`;
  if (prefix === "." || prefix === "..") return `"${prefix}" is a path step, not a prefix`;
  if (/[/\\]/.test(prefix)) return "the prefix contains a slash";
  // Control characters (and so CR/LF) would smuggle text into a request line or a log line.
  if (/[\u0000-\u001f\u007f]/.test(prefix)) return "the prefix contains a control character";
  if (/\s/.test(prefix)) return "the prefix contains whitespace";
  return undefined;
}

/**
 * The one guard of resource ids: `id` as a key prefix, or a configuration error (nothing is
 * sent) saying the state was edited and how to recover. `what` says what was refused.
 */
export function prefixOfId(id: unknown, what: string): string {
  const problem = prefixProblem(id);
  if (problem === undefined) return id as string;
  throw new BasetenError(
    "configuration",
    `${what}: the resource id ${JSON.stringify(String(id).slice(0, 100))} is not a key prefix (${problem}); no request was sent. ` +
      `The state was edited by hand: fix the id with \`pulumi stack export\`/\`pulumi stack import\`, or ` +
      `\`pulumi state delete\` the resource and revoke the key on Baseten's API keys page.`,
  );
}

/** The path of one key: `/v1/api_keys/<encoded prefix>`; throws on an unsafe prefix. */
export function apiKeyPath(prefix: string): string {
  const problem = prefixProblem(prefix);
  if (problem) throw new TypeError(`Refusing to build a Baseten API path: ${problem}.`);
  return `/v1/api_keys/${encodeURIComponent(prefix)}`;
}

/**
 * The prefix of a freshly minted key: what precedes the first `.` of `<prefix>.<secret>`.
 * Undefined when the value has no `.` or the part before it is not a usable prefix.
 */
export function prefixOfApiKey(apiKey: string): string | undefined {
  const dot = apiKey.indexOf(".");
  if (dot <= 0) return undefined;
  const prefix = apiKey.slice(0, dot);
  return prefixProblem(prefix) ? undefined : prefix;
}
