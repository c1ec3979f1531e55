/** Refresh of a key: one listing shared by every read of the process. */
import { prefixOfId } from "../../client/prefix";
import { keyWithPrefix } from "../listings";
import { witnessFields } from "../evidence";
import type { ProviderRuntime } from "../runtime";
import { sameSet } from "../sets";
import type { ApiKeyOutputs } from "./types";
import { mintedByOther, notOursByAuditLog } from "./auditLog";
import { absenceUnproven, proveKeyRevoked } from "./gone";
import { unconfirmedName } from "./keptInState";
import { derivedNameOf, nameHolders, sayNameHeld } from "./nameHolders";
import type { RevocationProof } from "./delete";
import { keysNamedInScope, refuseOtherOwner, scopeOfStored, withScopeWitness } from "./scope";

/**
 * The key as Baseten lists it now, with `seenBy` set to the caller (and its workspace);
 * undefined only when the evidence rule proves it gone, after telling `onGone` what proved it
 * (refresh prints it). An `unconfirmed/<name>` id is resolved by name, in the key's recorded
 * scope (team id, or owner: only the owner may resolve a personal entry), to the real prefix.
 */
export async function readKey(
  rt: ProviderRuntime,
  id: string,
  stored: ApiKeyOutputs,
  onGone: (proof: RevocationProof) => void = () => undefined,
): Promise<ApiKeyOutputs | undefined> {
  const byName = unconfirmedName(id);
  if (byName === undefined) prefixOfId(id, "Cannot refresh"); // before any request
  // In this order, so a failure names the same request every time.
  const listed = await rt.keys.get();
  const caller = await rt.caller();
  if (byName !== undefined) {
    refuseOtherOwner(stored, caller, `Cannot refresh ${JSON.stringify(id)}`);
    const named = await keysNamedInScope(rt, listed, byName, scopeOfStored(stored), caller.userId);
    if (named.length === 0) {
      // Only a listing sure to cover the entry's scope can show that it minted nothing.
      const witnessed = await withScopeWitness(rt, listed, stored, caller);
      const verdict = await proveKeyRevoked(rt.operationClient(), caller, witnessed, undefined);
      if (verdict.gone) {
        onGone("none-minted");
        return undefined;
      }
      throw absenceUnproven(
        `No live key named ${JSON.stringify(byName)} is in this management key's listing`,
        stored,
        verdict.reasons,
      );
    }
    // A name alone proves nothing: where the audit log says who minted the key, another's is not ours.
    const minter = await mintedByOther(rt, rt.operationClient(), named[0].prefix, stored.mintedAfter);
    if (minter.other) throw notOursByAuditLog(`Cannot refresh ${JSON.stringify(id)}`, named[0].prefix, byName, minter.other);
    id = named[0].prefix;
  }
  prefixOfId(id, "Cannot refresh");
  const found = keyWithPrefix(listed, id);
  if (!found) {
    const verdict = await proveKeyRevoked(rt.operationClient(), caller, stored, id);
    if (verdict.gone) {
      onGone(verdict.evidence);
      return undefined;
    }
    throw absenceUnproven(
      `Key ${JSON.stringify(id)} is not in this management key's listing (GET /v1/api_keys)`,
      stored,
      verdict.reasons,
    );
  }
  const outs: ApiKeyOutputs = {
    ...stored,
    prefix: id,
    // Baseten never shows the plaintext again: keep it from state.
    apiKey: stored.apiKey ?? "",
    type: found.type as ApiKeyOutputs["type"],
    name: found.name ?? stored.name,
    // Keep the program's order when the set is the same, so refresh reports no change.
    modelIds: sameSet(stored.modelIds ?? [], found.modelIds ?? []) ? stored.modelIds : found.modelIds,
    ...witnessFields(caller),
  };
  // A workspace recorded with an earlier witness does not belong to this one.
  if (caller.workspaceName === undefined) delete outs.seenInWorkspace;
  if (stored.autoName === true && outs.name !== undefined) {
    // Other live keys of this resource's names may be an interrupted create's, tracked nowhere: say so.
    const holders = await nameHolders(rt, listed, derivedNameOf(outs.name), scopeOfStored(stored), caller.userId, id);
    await sayNameHeld(rt, holders, stored.nameScope);
  }
  if (found.ownerId !== undefined) outs.ownerId = found.ownerId;
  // The listed team (for a teamless key, perhaps the default team) is reported; `diff` compares
  // only the team the program chose (teamSelector), so this causes no replacement.
  if (found.teamName !== undefined) outs.teamName = found.teamName;
  else delete outs.teamName;
  if (outs.modelIds === undefined) delete outs.modelIds;
  return outs;
}

/** The inputs a refreshed resource stands for, so the next preview compares against them. */
export function inputsOfOutputs(outs: ApiKeyOutputs): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  const keep = [
    "type",
    "name",
    "autoName",
    "modelIds",
    "rotationTriggers",
    "providerVersion",
    "resourceName",
    "adoptPrefix",
  ] as const;
  for (const k of keep)
    if ((outs as unknown as Record<string, unknown>)[k] !== undefined)
      inputs[k] = (outs as unknown as Record<string, unknown>)[k];
  if (outs.teamSelector === "teamId") inputs.teamId = outs.teamId;
  if (outs.teamSelector === "teamName") inputs.teamName = outs.teamName;
  return inputs;
}
