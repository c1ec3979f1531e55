/** Update of a `Secret`: a value change, written in place by one upsert into the stored secret. */
import type { ListedSecret } from "../client/secrets";
import type { ProviderRuntime } from "../core/runtime";
import { SecretError } from "../core/secrets/errors";
import { describeOther, listedAs, withWitness } from "../core/secrets/identity";
import { describeTeam, teamSecrets, wroteTeamSecrets, type SecretTeam } from "../core/secrets/team";
import type { SecretInputs, SecretOutputs } from "../core/secrets/types";

/**
 * A value change: one upsert into the secret's team, sent only after the team's listing shows
 * the stored id under the stored name (the upsert writes by name, so it would otherwise write
 * into whatever secret holds the name now). Baseten's answer must carry the stored id too: a
 * replacement between the listing and the upsert is reported, never recorded.
 */
export async function updateSecretValue(rt: ProviderRuntime, olds: SecretOutputs, news: SecretInputs): Promise<SecretOutputs> {
  const team: SecretTeam = { teamId: olds.teamId, teamName: olds.teamName, teamSelector: olds.teamSelector };
  const carried: SecretOutputs = {
    ...olds,
    providerVersion: news.providerVersion,
    resourceName: news.resourceName,
    autoName: news.autoName,
  };
  if (news.adoptExisting === undefined) delete carried.adoptExisting;
  else carried.adoptExisting = news.adoptExisting;
  if (news.value === olds.value) return carried;
  const seen = listedAs((await teamSecrets(rt, team.teamId)).items, olds);
  const client = rt.operationClient();
  if (seen.state === "replaced") {
    throw new SecretError(
      "replaced-outside",
      `Secret ${JSON.stringify(olds.name)} in ${describeTeam(team)} was replaced outside Pulumi: the team's listing holds ` +
        `${describeOther(seen.secret)} under its name, but state holds id ${olds.secretId}, so this stack's secret was deleted ` +
        `and another written in its place. Nothing was written: the other secret is left alone. Run \`pulumi refresh\` to drop ` +
        `this stack's secret from state; \`pulumi up\` then refuses the name as existing unless you take the other secret over ` +
        `with \`adoptExisting: true\`.`,
    );
  }
  if (seen.state === "absent") {
    throw new SecretError(
      "not-listed",
      `Secret ${JSON.stringify(olds.name)} (id ${olds.secretId}) is missing from the listing of ${describeTeam(team)}, so it ` +
        `was deleted outside Pulumi or this management key cannot see it. Nothing was written (the upsert would create a new ` +
        `secret, not update this one). Run \`pulumi refresh\`: it drops the secret from state when Baseten proves it deleted.`,
    );
  }
  let written: ListedSecret;
  try {
    written = await client.upsertSecret(team.teamId, olds.name, news.value);
  } finally {
    wroteTeamSecrets(rt, team.teamId);
  }
  if (written.id !== olds.secretId) {
    throw new SecretError(
      "replaced-outside",
      `Secret ${JSON.stringify(olds.name)} in ${describeTeam(team)} was replaced outside Pulumi while it was updated: the ` +
        `listing just made showed id ${olds.secretId}, Baseten's answer to the upsert names id ${written.id}. The new value ` +
        `was written to that other secret. Check who else manages the secret; \`pulumi refresh\` then drops this stack's.`,
    );
  }
  return withWitness({ ...carried, value: news.value, createdAt: written.createdAt }, await rt.caller());
}
