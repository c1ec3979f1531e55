/**
 * Finding a key's own entries in Baseten's audit log. `API_KEY_*` entries carry no key name,
 * only `event_data {api_key_id, api_key_type, prefix}`, and `search` is documented only as a
 * "case-insensitive substring matched against resource names and IDs in the entry": whether a
 * prefix counts is not said. So the lookup searches by prefix first (one page where the prefix
 * is searchable), and, when that finds nothing, reads the window since the key was minted
 * without `search` (right under every reading); every entry's prefix is compared exactly.
 */
import type { AuditLogEntry, BasetenClient } from "../client/baseten";

/**
 * How far Baseten's clock may run behind this machine's: the window starts this much before the
 * mint time recorded here, so a skewed clock cannot hide the key's entries.
 */
export const AUDIT_CLOCK_SKEW_MS = 10 * 60_000;

/**
 * The newest entry of `eventType` for exactly `prefix`, or undefined when the pages read have
 * none. `mintedAfter` (epoch ms, this machine's clock) bounds the window; without it (state
 * written before 0.3.0, adopted keys) the unsearched read covers the newest pages only (see
 * BasetenClient.findAuditLogEntry).
 */
export async function findKeyEvent(
  client: BasetenClient,
  eventType: "API_KEY_CREATED" | "API_KEY_DELETED",
  prefix: string,
  mintedAfter: number | undefined,
): Promise<AuditLogEntry | undefined> {
  const matches = (e: AuditLogEntry) => e.eventType === eventType && e.eventData.prefix === prefix;
  const since = mintedAfter === undefined ? undefined : mintedAfter - AUDIT_CLOCK_SKEW_MS;
  return (
    (await client.findAuditLogEntry("API_KEYS", prefix, matches, since)) ??
    (await client.findAuditLogEntry("API_KEYS", undefined, matches, since))
  );
}
