/**
 * How much of an answer the client reads before giving up on it. The bound keeps a hostile or
 * broken server (an endless body, a proxy's dump) from exhausting the provider host's memory.
 *
 * Baseten's listings come whole: `GET /v1/api_keys` and `GET /v1/secrets` take no paging
 * parameter (spec), so a workspace with 50,000 keys answers about 8 MB in one body. Listings
 * therefore get a bound that fits such workspaces several times over; every other answer (a
 * create, a tombstone, the caller, one audit-log page of at most 200 entries) is small and
 * keeps the tight one.
 */
import type { RequestTarget } from "./errors";

/** Largest answer to anything but a listing, in bytes (1 MiB). */
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;
/**
 * Largest listing read, in bytes (32 MiB): about 200,000 keys at Baseten's ~160 bytes a key,
 * four times the 50,000 a platform minting a key per customer plausibly reaches.
 */
export const DEFAULT_MAX_LISTING_BYTES = 32 * 1024 * 1024;

/** What `target` lists, when it is one of Baseten's unpaged listings (by path, query left out). */
export function listingOf(target: RequestTarget): string | undefined {
  if (target.method !== "GET") return undefined;
  // Literals inside the function, not a module-level table: closure serialization copies only code.
  const path = target.path.split("?")[0];
  if (path === "/v1/api_keys") return "API-key listing";
  if (/^\/v1\/(?:teams\/[^/]+\/)?secrets$/.test(path)) return "secrets listing";
  if (path === "/v1/teams") return "team listing";
  if (path === "/v1/audit_logs") return "audit-log page";
  return undefined;
}

/** The bound for `target`'s answer. */
export function boundOf(target: RequestTarget, bounds: { maxResponseBytes: number; maxListingBytes: number }): number {
  return listingOf(target) === undefined ? bounds.maxResponseBytes : bounds.maxListingBytes;
}

const mib = (bytes: number) => `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB`;

/** The problem to report when `target`'s answer passed `bound` bytes: which listing, and what to do. */
export function tooLargeProblem(target: RequestTarget, bound: number): string {
  const listing = listingOf(target);
  if (listing === undefined) return `the body exceeds ${bound} bytes`;
  return (
    `the ${listing} exceeds ${bound} bytes (${mib(bound)}), the most the provider reads of one listing ` +
    `(Baseten's listings have no paging; 50,000 keys take about 8 MB). If the workspace really holds that much, ` +
    `revoke or delete what nothing uses, or use a management key that sees less (an organization admin's listing ` +
    `also holds every member's personal keys); otherwise the answer is not Baseten's: check apiUrl and any proxy in between`
  );
}
