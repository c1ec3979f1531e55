/** Destroy of a key: a revocation proven by its tombstone, or by evidence after a 404. */
import type { BasetenClient } from "../../client/baseten";
import { isBasetenError, withLimit } from "../../client/errors";
import { prefixOfId } from "../../client/prefix";
import type { ProviderRuntime } from "../runtime";
import type { ListedApiKey } from "../../client/baseten";
import type { Proof } from "../proof";
import type { ApiKeyOutputs } from "./types";
import { mintedByOther, notOursByAuditLog } from "./auditLog";
import { proveKeyRevoked, revocationUnproven } from "./gone";
import { unconfirmedName } from "./keptInState";
import { keysNamedInScope, refuseOtherOwner, scopeOfStored, withScopeWitness } from "./scope";

/** What proved a key gone, for the line destroy prints. */
export type RevocationProof = Extract<Proof, "tombstone" | "audit-log" | "listing" | "none-minted">;

/** A proven revocation: what proved it, and the prefixes revoked (none for "none-minted"). */
export interface Revocation {
  proof: RevocationProof;
  prefixes: string[];
}

/**
 * Revokes the key. Resolves (with the proof) only when Baseten's tombstone names it, or, after
 * a JSON 404, when the evidence rule proves it gone; throws otherwise, so the engine keeps it.
 */
export async function revokeKey(rt: ProviderRuntime, id: string, stored: Partial<ApiKeyOutputs>): Promise<Revocation> {
  const client = rt.operationClient();
  const byName = unconfirmedName(id);
  if (byName !== undefined) return revokeByName(rt, client, byName, stored);
  prefixOfId(id, "Cannot revoke");
  let result;
  try {
    result = await client.revokeKey(id);
  } catch (e) {
    // "A DELETE on a key the caller may list but not manage can answer 403."
    if (isBasetenError(e) && e.status === 403)
      throw revocationUnproven(`Baseten refused to revoke key ${JSON.stringify(id)} (HTTP 403 to DELETE ${e.path})`, stored, [
        e.message,
      ]);
    throw e;
  } finally {
    rt.wrote();
  }
  if (result.outcome === "revoked") {
    rt.wrote(id);
    return { proof: "tombstone", prefixes: [id] };
  }
  const what = `Baseten answered HTTP 404${result.basetenMessage ? ` (${JSON.stringify(result.basetenMessage)})` : ""} to DELETE /v1/api_keys/${encodeURIComponent(id)}`;
  const [listed, caller] = await listingAfter404(rt, client, what);
  if (listed.some((k) => k.prefix === id)) {
    throw revocationUnproven(
      `${what}, yet the key is still in this management key's listing: it may list the key but not revoke it`,
      stored,
      [],
    );
  }
  const verdict = await proveKeyRevoked(client, caller, stored, id);
  if (verdict.gone) {
    rt.wrote(id); // proven revoked: a later create of this process may reuse its name
    return { proof: verdict.evidence, prefixes: [id] };
  }
  throw revocationUnproven(
    `${what} (a 404 alone is also what a wrong path or a key this management key cannot see gets)`,
    stored,
    verdict.reasons,
  );
}

/** A fresh listing and the caller; when the listing fails too, the apiUrl is the likely cause. */
async function listingAfter404(rt: ProviderRuntime, client: BasetenClient, what: string) {
  try {
    const listed = await client.listKeys();
    return [listed, await rt.caller()] as const;
  } catch (e) {
    if (!isBasetenError(e)) throw e;
    throw withLimit(
      e,
      `This came after ${what}. When every request answers 404, baseten:apiUrl (or BASETEN_API_URL) points at the ` +
        `wrong place: set it to Baseten's API root, e.g. https://api.baseten.co. The key is kept in state.`,
    );
  }
}

/**
 * An `unconfirmed/<name>` key: revoke every live key of that name in its recorded scope (team
 * id; for a personal key, only its recorded owner may, and only that owner's key), tombstones
 * verified, or, when none is listed, prove that none was minted.
 */
async function revokeByName(
  rt: ProviderRuntime,
  client: BasetenClient,
  name: string,
  stored: Partial<ApiKeyOutputs>,
): Promise<Revocation> {
  const caller = await rt.caller();
  refuseOtherOwner(stored, caller, `Cannot revoke ${JSON.stringify(`unconfirmed/${name}`)}`);
  let named: ListedApiKey[];
  let listed: ListedApiKey[];
  try {
    listed = await client.listKeys();
    named = await keysNamedInScope(rt, listed, name, scopeOfStored(stored), caller.userId);
  } finally {
    rt.wrote();
  }
  if (named.length === 0) {
    const witnessed = await withScopeWitness(rt, listed, stored, caller);
    const verdict = await proveKeyRevoked(client, caller, witnessed, undefined);
    if (verdict.gone) return { proof: "none-minted", prefixes: [] };
    throw revocationUnproven(
      `No live key named ${JSON.stringify(name)} is in this management key's listing`,
      stored,
      verdict.reasons,
    );
  }
  // A name alone proves nothing: a key the audit log shows minted by another is left alone.
  for (const key of named) {
    const minter = await mintedByOther(rt, client, key.prefix, stored.mintedAfter);
    if (minter.other)
      throw notOursByAuditLog(`Cannot revoke ${JSON.stringify(`unconfirmed/${name}`)}`, key.prefix, name, minter.other);
  }
  const revoked: string[] = [];
  for (const key of named) {
    const result = await client.revokeKey(key.prefix);
    rt.wrote(result.outcome === "revoked" ? key.prefix : undefined);
    if (result.outcome !== "revoked") {
      throw revocationUnproven(
        `Baseten answered HTTP 404 to DELETE of key ${key.prefix} named ${JSON.stringify(name)}, which it still lists` +
          (revoked.length ? ` (revoked before it: ${revoked.join(", ")})` : ""),
        stored,
        [],
      );
    }
    revoked.push(key.prefix);
  }
  return { proof: "tombstone", prefixes: revoked };
}
