/**
 * Team resolution, shared by every resource that may live in a team: a program names a team
 * by id or by exact name, and the provider needs both (Baseten lists resources by team name
 * and addresses team routes by id).
 */
import { BasetenError } from "../client/errors";
import type { Team } from "../client/identity";
import type { ProviderRuntime } from "./runtime";

/** The resolved team of a resource: both id and name, and which one the program gave. */
export interface ResolvedTeam {
  teamId?: string;
  teamName?: string;
  teamSelector?: "teamId" | "teamName";
}

/** Resolves `teamName` (one `GET /v1/teams?name=` per name) or `teamId` (one `GET /v1/teams`). */
export async function resolveTeam(rt: ProviderRuntime, inputs: { teamId?: string; teamName?: string }): Promise<ResolvedTeam> {
  if (inputs.teamName !== undefined) {
    const teams = await rt.teamsNamed(inputs.teamName);
    const matching = teams.filter((t) => t.name === inputs.teamName);
    if (matching.length === 0) {
      throw new BasetenError(
        "configuration",
        `teamName: no Baseten team is named ${JSON.stringify(inputs.teamName)} (GET /v1/teams?name=). Check the name on Baseten's Teams page, or set teamId.`,
      );
    }
    if (matching.length > 1) {
      throw new BasetenError(
        "configuration",
        `teamName: ${matching.length} Baseten teams are named ${JSON.stringify(inputs.teamName)} (ids ${matching.map((t) => t.id).join(", ")}); set teamId to choose one.`,
      );
    }
    return { teamId: matching[0].id, teamName: matching[0].name, teamSelector: "teamName" };
  }
  if (inputs.teamId !== undefined) {
    const team = (await rt.teams()).find((t) => t.id === inputs.teamId);
    if (!team) {
      throw new BasetenError(
        "configuration",
        `teamId: no Baseten team has id ${JSON.stringify(inputs.teamId)} (GET /v1/teams). Check the id, or set teamName.`,
      );
    }
    return { teamId: team.id, teamName: team.name, teamSelector: "teamId" };
  }
  return {};
}

/** The teams Baseten marks as the organization default (`default: true` in `GET /v1/teams`). */
async function defaultTeams(rt: ProviderRuntime): Promise<Team[]> {
  return (await rt.teams()).filter((t) => t.isDefault === true);
}

/** The organization default team's id, or undefined when the workspace has none. */
export async function defaultTeamId(rt: ProviderRuntime): Promise<string | undefined> {
  return (await defaultTeams(rt))[0]?.id;
}

/**
 * The organization default team, for a resource that names no team and must live in one
 * (`resource`, the class name, is what the error asks to set the team on): refuses a
 * workspace that marks no team, or several, as the default.
 */
export async function theDefaultTeam(rt: ProviderRuntime, resource: string): Promise<Team> {
  const defaults = await defaultTeams(rt);
  if (defaults.length !== 1) {
    throw new BasetenError(
      "configuration",
      `No team was given and Baseten marks ${defaults.length === 0 ? "no" : defaults.length} team${defaults.length === 1 ? "" : "s"} ` +
        `as the default (GET /v1/teams \`default: true\`). Set teamId or teamName on the ${resource}.`,
    );
  }
  return defaults[0];
}
