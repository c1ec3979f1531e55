/**
 * Finding a secret's `SECRET_DELETED` entries in Baseten's audit log. Such an entry carries
 * `event_data {secret_id, secret_name}`, and `search` is documented only as a "case-insensitive
 * substring matched against resource names and IDs in the entry": it may match the name, the
 * id, or both. So each lookup tries every reading, and compares every entry exactly itself.
 */
import type { AuditLogEntry, BasetenClient } from "../../client/baseten";
import { secretNamesEquivalent } from "../../client/secrets";
import { AUDIT_CLOCK_SKEW_MS } from "../evidence";

const deletion = (e: AuditLogEntry) => e.eventType === "SECRET_DELETED";

/**
 * The newest `SECRET_DELETED` entry of exactly `secretId`: searched by the id, then by the name
 * (entries of other ids of that name are passed over, so neither search can misattribute).
 */
export async function findDeletionOfId(
  client: BasetenClient,
  secretId: string,
  name: string,
): Promise<AuditLogEntry | undefined> {
  const ofId = (e: AuditLogEntry) => deletion(e) && e.eventData.secret_id === secretId;
  return (await client.findAuditLogEntry("SECRETS", secretId, ofId)) ?? (await client.findAuditLogEntry("SECRETS", name, ofId));
}

/**
 * The newest `SECRET_DELETED` entry of a name Baseten treats as `name`, whatever its id, since
 * `sinceEpochMs` (when the DELETE was sent, less the clock skew allowed): searched by the name,
 * then, where `search` matches ids only, read without `search` over that window.
 */
export async function findDeletionOfName(
  client: BasetenClient,
  name: string,
  sinceEpochMs: number,
): Promise<AuditLogEntry | undefined> {
  const ofName = (e: AuditLogEntry) =>
    deletion(e) &&
    typeof e.eventData.secret_name === "string" &&
    secretNamesEquivalent(e.eventData.secret_name, name) &&
    typeof e.eventData.secret_id === "string";
  const since = sinceEpochMs - AUDIT_CLOCK_SKEW_MS;
  return (
    (await client.findAuditLogEntry("SECRETS", name, ofName, since)) ??
    (await client.findAuditLogEntry("SECRETS", undefined, ofName, since))
  );
}
