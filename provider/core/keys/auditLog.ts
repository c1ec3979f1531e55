/**
 * Finding a key's own entries in Baseten's audit log. `API_KEY_*` entries carry no key name,
 * only `event_data {api_key_id, api_key_type, prefix}`, and `search` is documented only as a
 * "case-insensitive substring matched against resource names and IDs in the entry": whether a
 * prefix counts is not said. So the lookup searches by prefix first (one page where the prefix
 * is searchable), and, when that finds nothing, reads the window since the key was minted
 * without `search` (right under every reading); every entry's prefix is compared exactly.
 */
import type { AuditLogEntry, BasetenClient } from "../../client/baseten";
import { BasetenError, isBasetenError } from "../../client/errors";
import { AUDIT_CLOCK_SKEW_MS } from "../evidence";
import type { ProviderRuntime } from "../runtime";

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

/**
 * Whether the audit log shows `prefix` minted by someone other than this management key:
 * `other` names the acting API key when its entry gives a prefix that is not this management
 * key's, Baseten's UI when its `source` is `UI`, or this key itself when the mint predates `mintedAfter` (the create that should have
 * minted it). Anything less proves nothing (`{}`): the log unreadable (403: in multi-team
 * workspaces only organization admins may read it), no entry for the prefix yet, an API
 * entry without `actor.api_key_prefix` (the spec gives it only "when the actor is an API key", and
 * how a personal management key's calls are attributed is not documented), or this management
 * key's prefix unknown (a key without a `.`): then the listing rule decides, as README says.
 */
export async function mintedByOther(
  rt: ProviderRuntime,
  client: BasetenClient,
  prefix: string,
  mintedAfter: number | undefined,
): Promise<{ other?: string }> {
  if (rt.managementKeyPrefix === undefined) return {};
  let entry;
  try {
    entry = await findKeyEvent(client, "API_KEY_CREATED", prefix, mintedAfter);
  } catch (e) {
    if (isBasetenError(e)) return {};
    throw e;
  }
  if (entry === undefined) return {};
  // This provider mints through the API: a mint from Baseten's UI is someone else's.
  if (entry.source === "UI") return { other: "a user in Baseten's UI" };
  if (entry.actorKeyPrefix === undefined) return {};
  if (entry.actorKeyPrefix !== rt.managementKeyPrefix) return { other: `API key ${entry.actorKeyPrefix}` };
  if (mintedAfter !== undefined && entry.createdAt !== undefined && entry.createdAt < mintedAfter - AUDIT_CLOCK_SKEW_MS)
    return { other: `this management key before this create began (${new Date(entry.createdAt).toISOString()})` };
  return {};
}

/**
 * The error that keeps an `unconfirmed/<name>` entry when the key now holding its name was
 * minted by someone else (see mintedByOther): that key is not the stack's, whatever its name.
 */
export function notOursByAuditLog(what: string, prefix: string, name: string, minter: string): BasetenError {
  return new BasetenError(
    "request",
    `${what}: key ${prefix} holds the name ${JSON.stringify(name)}, but Baseten's audit log shows it minted by ${minter}, ` +
      `not by this stack's management key after the create the entry stands for, so it is not this stack's key and is left ` +
      `alone. The entry is kept in state. If that create minted nothing (check the audit log, or the API keys page), remove ` +
      `the entry with \`pulumi state delete <urn>\`.`,
  );
}

/**
 * Whether the audit log proves `prefix` minted through the API by this management key: the
 * only evidence that a live key holding one of a resource's names is the resource's own (a run
 * interrupted after its mint) rather than another stack's of the same project, stack and
 * resource names. Returns undefined when proven, otherwise why not, for the line that says the
 * key is left alone. The read is bounded (BasetenClient.findAuditLogEntry without a window
 * reads the newest pages only).
 */
export async function notProvenMintedByUs(
  rt: ProviderRuntime,
  client: BasetenClient,
  prefix: string,
): Promise<string | undefined> {
  if (rt.managementKeyPrefix === undefined) return "this management key has no prefix the audit log could name";
  let entry;
  try {
    entry = await findKeyEvent(client, "API_KEY_CREATED", prefix, undefined);
  } catch (e) {
    if (isBasetenError(e)) return `the audit log could not be read (${e.status ?? e.kind})`;
    throw e;
  }
  if (entry === undefined) return "the audit log's newest pages hold no API_KEY_CREATED entry for it";
  if (entry.source === "UI") return "the audit log shows it minted in Baseten's UI";
  if (entry.actorKeyPrefix === undefined) return "its audit-log entry names no acting API key";
  if (entry.actorKeyPrefix !== rt.managementKeyPrefix) return `the audit log shows it minted by API key ${entry.actorKeyPrefix}`;
  return undefined;
}
