/**
 * Revoking the keys a rotating key owns, one by one, each proven as `ApiKey`'s destroy proves
 * it (tombstone, or the evidence rule after a 404). Stops at the first that cannot be proven,
 * so the caller keeps that key and every one after it in state.
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
  /** The key whose revocation failed, and why; the keys after it were not tried. */
  failed?: { key: OwnedKey; error: unknown };
}

export async function revokeOwned(rt: ProviderRuntime, keys: OwnedKey[]): Promise<RevokeResult> {
  const revoked: Revoked[] = [];
  for (const key of keys) {
    try {
      const { proof } = await revokeKey(rt, keyIdOf(key), asKeyOutputs(key));
      revoked.push({ key, proof });
    } catch (error) {
      return { revoked, failed: { key, error } };
    }
  }
  return { revoked };
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

/** The message of a failed revocation, whatever threw it. */
export function messageOf(error: unknown): string {
  return error instanceof Error || (typeof error === "object" && error !== null && "message" in error)
    ? String((error as { message: unknown }).message)
    : String(error);
}
