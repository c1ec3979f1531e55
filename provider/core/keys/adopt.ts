/** Taking over an existing live key instead of minting one (`adoptPrefix`). */
import { BasetenError } from "../../client/errors";
import { keyWithPrefix } from "../listings";
import { witnessFields } from "../evidence";
import type { ProviderRuntime } from "../runtime";
import { sameSet } from "../sets";
import { resolveTeam, type ResolvedTeam } from "../teams";
import type { ApiKeyInputs, ApiKeyOutputs } from "./types";
import { outputsOf } from "./outputs";

/**
 * One listing (shared by every adoption and read of the process), no write. Every field the
 * program sets must match the live key; a field it leaves unset is taken from the key (and
 * `diff` then leaves it alone).
 */
export async function adoptKey(
  rt: ProviderRuntime,
  inputs: ApiKeyInputs & { adoptPrefix: string },
): Promise<{ id: string; outs: ApiKeyOutputs }> {
  const prefix = inputs.adoptPrefix;
  const found = keyWithPrefix(await rt.keys.get(), prefix);
  const caller = await rt.caller();
  if (!found) {
    throw new BasetenError(
      "not-found",
      `adoptPrefix: no live Baseten key has prefix ${JSON.stringify(prefix)} (GET /v1/api_keys). Check the prefix on Baseten's API keys page; revoked keys cannot be adopted.`,
    );
  }
  const mismatches: string[] = [];
  if (found.type !== inputs.type) mismatches.push(`type is ${found.type}, the program says ${inputs.type}`);
  if (!inputs.autoName && inputs.name !== undefined && found.name !== inputs.name)
    mismatches.push(`name is ${JSON.stringify(found.name ?? null)}, the program says ${JSON.stringify(inputs.name)}`);
  if (inputs.modelIds !== undefined && !sameSet(found.modelIds ?? [], inputs.modelIds))
    mismatches.push(`model ids are ${JSON.stringify(found.modelIds ?? [])}, the program says ${JSON.stringify(inputs.modelIds)}`);
  // Teams are compared by id: the listing names a key's team only by `team_name`, which maps
  // to ids through GET /v1/teams (a renamed team, or two teams of one name, must not match).
  const listedTeamIds =
    found.teamName === undefined ? [] : (await rt.teams()).filter((t) => t.name === found.teamName).map((t) => t.id);
  const programGivesTeam = inputs.teamId !== undefined || inputs.teamName !== undefined;
  const team: ResolvedTeam = programGivesTeam
    ? await resolveTeam(rt, inputs)
    : found.teamName !== undefined
      ? { teamName: found.teamName, ...(listedTeamIds.length === 1 ? { teamId: listedTeamIds[0] } : {}) }
      : {};
  if (programGivesTeam && !(listedTeamIds.length === 1 && listedTeamIds[0] === team.teamId)) {
    const listed =
      found.teamName === undefined
        ? "no team"
        : `${JSON.stringify(found.teamName)} (${listedTeamIds.length === 1 ? `id ${listedTeamIds[0]}` : `a name ${listedTeamIds.length} teams have`})`;
    mismatches.push(`team is ${listed}, the program says team ${team.teamId} (${JSON.stringify(team.teamName)})`);
  }
  if (mismatches.length) {
    throw new BasetenError(
      "configuration",
      `adoptPrefix: key ${prefix} does not match the program: ${mismatches.join("; ")}. Make the program describe the key as it is.`,
    );
  }
  const outs = outputsOf({ ...inputs, name: found.name ?? inputs.name, modelIds: inputs.modelIds ?? found.modelIds }, team, {
    prefix,
    apiKey: "",
    ...witnessFields(caller),
    ownerId: found.ownerId,
  });
  return { id: prefix, outs };
}
