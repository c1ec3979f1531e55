/**
 * Revoking the keys a rotating key owns, each proven as `ApiKey`'s destroy proves it
 * (tombstone, or the evidence rule after a 404). Every key is tried: one that cannot be proven
 * (an `unconfirmed/<name>` the listing cannot rule out, a refused DELETE) must not keep the
 * others live. Keys with a prefix go first, since their revocation is certain to be provable.
 */
import { revokeKey, type RevocationProof } from "../core/keys/delete";
import { provedBy } from "../core/proof";
import type { ProviderRuntime } from "../core/runtime";
import { asKeyOutputs, keyIdOf } from "./outputs";
import type { OwnedKey } from "./types";

export interface Revoked {
  key: OwnedKey;
  proof: RevocationProof;
}

export interface RevokeResult {
  revoked: Revoked[];
  /** The keys whose revocation could not be proven, and why, in the order tried. */
  failed: Array<{ key: OwnedKey; error: unknown }>;
}

/** Tries every key (prefixed keys first, otherwise in the order given); never stops at a failure. */
export async function revokeOwned(rt: ProviderRuntime, keys: OwnedKey[]): Promise<RevokeResult> {
  const ordered = [...keys.filter((k) => k.prefix), ...keys.filter((k) => !k.prefix)];
  const revoked: Revoked[] = [];
  const failed: RevokeResult["failed"] = [];
  for (const key of ordered) {
    try {
      const { proof } = await revokeKey(rt, keyIdOf(key), asKeyOutputs(key));
      revoked.push({ key, proof });
    } catch (error) {
      failed.push({ key, error });
    }
  }
  return { revoked, failed };
}

/** `"pk1" (g2): Baseten's tombstone names it (verified)`, one per key, joined. */
export function describeRevoked(revoked: Revoked[]): string {
  return revoked
    .map(({ key, proof }) => {
      const what = key.prefix ? JSON.stringify(key.prefix) : `none named ${JSON.stringify(key.name)}`;
      return `${what} (${key.name}): ${provedBy(proof, { noun: "key", removal: "revocation" })}`;
    })
    .join("; ");
}

/** `key "pk1" (…-g1): <why>`, one per failed key, joined: what is still live or unproven, and why. */
export function describeFailed(failed: RevokeResult["failed"]): string {
  return failed
    .map(
      ({ key, error }) => `key ${JSON.stringify(key.prefix || key.name)} (${key.name}): ${messageOf(error).replace(/\.+$/, "")}`,
    )
    .join(" | ");
}

/** The message of a failed revocation, whatever threw it. */
function messageOf(error: unknown): string {
  return error instanceof Error || (typeof error === "object" && error !== null && "message" in error)
    ? String((error as { message: unknown }).message)
    : String(error);
}
