/** The stored outputs of a key, built from its checked inputs and what Baseten answered. */
import type { ResolvedTeam } from "../teams";
import type { ApiKeyInputs, ApiKeyOutputs } from "./types";

/** Outputs of a key `seenBy` a user; `ownerId` for a personal key. Absent fields are left out. */
export function outputsOf(
  inputs: ApiKeyInputs,
  team: ResolvedTeam,
  key: { prefix: string; apiKey: string; seenBy?: string; seenInWorkspace?: string; ownerId?: string; mintedAfter?: number },
): ApiKeyOutputs {
  const outs: ApiKeyOutputs = { ...inputs, prefix: key.prefix, apiKey: key.apiKey };
  delete (outs as unknown as Record<string, unknown>).__provider;
  if (team.teamId !== undefined) outs.teamId = team.teamId;
  if (team.teamName !== undefined) outs.teamName = team.teamName;
  if (team.teamSelector !== undefined) outs.teamSelector = team.teamSelector;
  if (key.seenBy !== undefined) outs.seenBy = key.seenBy;
  if (key.seenBy !== undefined && key.seenInWorkspace !== undefined) outs.seenInWorkspace = key.seenInWorkspace;
  if (key.mintedAfter !== undefined) outs.mintedAfter = key.mintedAfter;
  if (key.ownerId !== undefined) outs.ownerId = key.ownerId;
  // The engine cannot store an `undefined` value ("Unexpected struct type"): drop absent fields.
  for (const [k, v] of Object.entries(outs)) if (v === undefined) delete (outs as unknown as Record<string, unknown>)[k];
  return outs;
}
