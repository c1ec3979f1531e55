/**
 * The in-place updates of a key (see diff.ts): a new `providerVersion`, and the same team named
 * the other way (by id instead of by name, or back). Neither writes anything at Baseten.
 */
import { BasetenError } from "../client/errors";
import type { ProviderRuntime } from "../core/runtime";
import { resolveTeam } from "../core/teams";
import type { ApiKeyInputs, ApiKeyOutputs } from "../core/keys/types";

/**
 * The outputs after an update. A switched team selector is resolved again (a read: names can
 * change) and recorded only when it still resolves to the team id the key was created in.
 */
export async function updateKey(rt: ProviderRuntime, olds: ApiKeyOutputs, news: ApiKeyInputs): Promise<ApiKeyOutputs> {
  const outs: ApiKeyOutputs = { ...olds, providerVersion: news.providerVersion, resourceName: news.resourceName };
  const selector = news.teamName !== undefined ? "teamName" : news.teamId !== undefined ? "teamId" : undefined;
  if (selector === undefined || olds.teamSelector === undefined || selector === olds.teamSelector) return outs;
  const team = await resolveTeam(rt, news);
  if (team.teamId !== olds.teamId) {
    throw new BasetenError(
      "configuration",
      `${selector}: the program now names team ${team.teamId} (${JSON.stringify(team.teamName)}), but the key was created in team ` +
        `${olds.teamId} (${JSON.stringify(olds.teamName)}); a team renamed since may explain it. Nothing was changed. Name the key's ` +
        `team by ${olds.teamSelector === "teamId" ? "teamId" : "teamName"} as before, or run \`pulumi up --replace <urn>\` to move the key.`,
    );
  }
  return { ...outs, teamId: team.teamId, teamName: team.teamName, teamSelector: selector };
}
