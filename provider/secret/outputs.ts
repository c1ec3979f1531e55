/** The stored outputs of a secret, built from its checked inputs and what Baseten answered. */
import type { ListedSecret } from "../client/secrets";
import { witnessFields } from "../core/evidence";
import type { SecretTeam } from "../core/secrets/team";
import type { SecretInputs, SecretOutputs } from "../core/secrets/types";

/** The resource id: `<teamId>/<name>`. */
export function secretResourceId(teamId: string, name: string): string {
  return `${teamId}/${name}`;
}

/** The id and outputs of a secret just written, seen by the witness. Absent fields are left out. */
export function outputsOf(
  inputs: SecretInputs,
  team: SecretTeam,
  written: ListedSecret,
  witness: ReturnType<typeof witnessFields>,
): { id: string; outs: SecretOutputs } {
  const outs: SecretOutputs = {
    ...inputs,
    secretId: written.id,
    teamId: team.teamId,
    teamName: team.teamName,
    createdAt: written.createdAt,
  };
  delete (outs as unknown as Record<string, unknown>).__provider;
  Object.assign(outs, witness);
  if (team.teamSelector !== undefined) outs.teamSelector = team.teamSelector;
  else delete outs.teamSelector;
  // The engine cannot store `undefined` ("Unexpected struct type").
  for (const [k, v] of Object.entries(outs)) if (v === undefined) delete (outs as unknown as Record<string, unknown>)[k];
  return { id: secretResourceId(team.teamId, inputs.name), outs };
}
