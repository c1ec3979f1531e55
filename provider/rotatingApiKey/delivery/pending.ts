/**
 * The secret a write of unknown outcome may have created (see PendingWrite): claimed as this
 * resource's only when the team's listing holds the name and Baseten dates it after the listing
 * that did not show it (less the clock skew allowed), the rule `Secret`'s create applies to its
 * own answer.
 */
import { secretNamesEquivalent, type ListedSecret } from "../../client/secrets";
import { secretNamedLike } from "../../core/listings";
import type { ProviderRuntime } from "../../core/runtime";
import { teamSecrets } from "../../core/secrets/team";
import { predatesListing } from "../../core/secrets/write";
import type { OwnedKey } from "../types";
import type { Delivery, PendingWrite } from "./types";

/** The pending write of the keys, into `name` in team `teamId` when given. */
export function pendingWriteOf(keys: OwnedKey[], target?: { name: string; teamId: string }): PendingWrite | undefined {
  return keys
    .map((k) => k.pendingWrite)
    .find((w) => w !== undefined && (!target || (w.teamId === target.teamId && secretNamesEquivalent(w.name, target.name))));
}

/** The secret the pending write created, from a listing of its team, or undefined. */
export function claimedBy(pending: PendingWrite, listed: readonly ListedSecret[]): Delivery | undefined {
  const found = secretNamedLike(listed, pending.name);
  if (!found || predatesListing(found.createdAt, Date.parse(pending.listedAt))) return undefined;
  return { name: found.name, secretId: found.id, teamId: pending.teamId, teamName: pending.teamName, createdAt: found.createdAt };
}

/** For destroy: the secret a pending write of the keys created, listed now. */
export async function secretOfPendingWrite(rt: ProviderRuntime, keys: OwnedKey[]): Promise<Delivery | undefined> {
  const pending = pendingWriteOf(keys);
  if (!pending) return undefined;
  return claimedBy(pending, (await teamSecrets(rt, pending.teamId)).items);
}
