/**
 * Reading Baseten's JSON answers, shared by every API area: a body is JSON only when it parses
 * and is served as JSON, a 2xx body is never quoted (it may hold a key), and a tombstone's
 * field is read as far as it can be shown. No requests are sent here.
 */
import { invalidResponse, type RequestTarget } from "./errors";
import type { HttpResult } from "./http";

/**
 * Baseten's API declares every body `application/json`. A body served as anything else is not
 * Baseten's API speaking (a proxy, a captive portal, a wrong apiUrl), even when it parses.
 */
export function isJsonContentType(contentType: string): boolean {
  return /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(contentType.trim());
}

export function parseJson(result: HttpResult, target: RequestTarget): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(result.bodyText);
  } catch {
    // Never quote a 2xx body: a create's answer holds the plaintext key, and errors are
    // printed and may be stored in state.
    throw invalidResponse(
      target,
      result.bodyText.trim()
        ? `the body is not JSON (content type "${result.contentType}", ${result.bodyText.length} bytes, not shown)`
        : "the body is empty",
      result.status,
    );
  }
  if (!isJsonContentType(result.contentType)) {
    throw invalidResponse(target, `the body is served as "${result.contentType}", not JSON`, result.status);
  }
  return parsed;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function optionalString(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** The array `field` of a listing's JSON body (`{"keys": [...]}`), or an invalid-response error. */
export function listedArray(result: HttpResult, target: RequestTarget, field: string): unknown[] {
  const parsed = parseJson(result, target);
  if (!isRecord(parsed) || !Array.isArray(parsed[field])) {
    throw invalidResponse(target, `the body has no \`${field}\` array`, result.status);
  }
  return parsed[field] as unknown[];
}

/**
 * The string `field` of a DELETE's tombstone as `received` (undefined unless the body is JSON
 * served as JSON), and `shown`: how to name what came in an error, `quote` rendering a string
 * (capped, and masked where it may hold a key).
 */
export function tombstoneField(
  result: HttpResult,
  field: string,
  quote: (received: string) => string,
): { received: unknown; shown: string } {
  let received: unknown;
  let shown: string;
  try {
    received = (JSON.parse(result.bodyText) as Record<string, unknown> | null)?.[field];
    shown = typeof received === "string" ? quote(received) : `no ${field} (the tombstone has no string \`${field}\`)`;
  } catch {
    shown = `no ${field} (the body is not JSON)`;
  }
  if (received !== undefined && !isJsonContentType(result.contentType)) {
    received = undefined;
    shown = `no ${field} (the body is served as "${result.contentType}", not JSON)`;
  }
  return { received, shown };
}
