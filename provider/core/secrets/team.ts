/**
 * The team a secret lives in, and that team's listing. Secrets are team-scoped only: the
 * teamless routes disagree on the team (primary vs default), so a secret whose program names
 * no team is put in the organization default team, resolved here.
 */
import type { BasetenClient } from "../../client/baseten";
import type { ListedSecret } from "../../client/secrets";
import type { ProviderRuntime, TimedListing } from "../runtime";
import { resolveTeam, theDefaultTeam } from "../teams";
import type { SecretInputs } from "./types";

/** The resolved team of a secret. */
export interface SecretTeam {
  teamId: string;
  teamName: string;
  teamSelector?: "teamId" | "teamName";
}

/** The team a program names, or the organization default team when it names none. */
export async function resolveSecretTeam(
  rt: ProviderRuntime,
  inputs: Pick<SecretInputs, "teamId" | "teamName">,
): Promise<SecretTeam> {
  const named = await resolveTeam(rt, inputs);
  if (named.teamId !== undefined && named.teamName !== undefined)
    return { teamId: named.teamId, teamName: named.teamName, teamSelector: named.teamSelector };
  const team = await theDefaultTeam(rt, "Secret");
  return { teamId: team.id, teamName: team.name };
}

/** How a team is named in messages. */
export function describeTeam(team: { teamId: string; teamName: string }): string {
  return `team ${JSON.stringify(team.teamName)} (${team.teamId})`;
}

const listingKey = (teamId: string) => `secrets/${teamId}`;

/** The team's secrets: one request per team per process, renewed after this process's writes. */
export function teamSecrets(rt: ProviderRuntime, teamId: string): Promise<TimedListing<ListedSecret[]>> {
  return rt.listing(listingKey(teamId), (client: BasetenClient) => client.listSecrets(teamId));
}

/** Call after every write of this process to the team's secrets. */
export function wroteTeamSecrets(rt: ProviderRuntime, teamId: string): void {
  rt.relist(listingKey(teamId));
}
