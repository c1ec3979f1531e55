/** Destroy of a `Secret`: delete only the stored secret, and leave state only on proof that it is gone. */
import type { ProviderRuntime } from "../runtime";
import { SecretError } from "./errors";
import { deletionUnproven, provenGone, type SecretGone } from "./gone";
import { deletionRecord, listedAs } from "./identity";
import { describeTeam, teamSecrets, wroteTeamSecrets } from "./team";
import type { StoredSecret } from "./types";

/**
 * Destroy: deletes the secret only after the team's listing shows the stored id under its name,
 * and resolves only on a matching tombstone or evidence it is gone, naming the proof. Another
 * id under the name proves the stack's secret gone, and that secret is left alone.
 */
export async function deleteSecret(rt: ProviderRuntime, stored: StoredSecret): Promise<SecretGone> {
  const seen = listedAs((await teamSecrets(rt, stored.teamId)).items, stored);
  const client = rt.operationClient();
  if (seen.state === "replaced") return { proof: "replaced", other: seen.secret };
  if (seen.state === "absent")
    return provenGone(
      rt,
      client,
      stored,
      `Secret ${JSON.stringify(stored.name)} is missing from the listing of ${describeTeam(stored)}`,
    );
  let result;
  const sentAt = rt.now(); // the start of the audit-log window for this deletion
  try {
    result = await client.deleteSecret(stored.teamId, stored.name);
  } finally {
    wroteTeamSecrets(rt, stored.teamId);
  }
  if (result.outcome === "deleted") {
    if (stored.secretId === undefined) return { proof: "tombstone" };
    const record = await deletionRecord(client, stored, result.tombstoneName, sentAt);
    if (record.found === "ours") return { proof: "tombstone-and-audit-log" };
    if (record.found === "nothing") return { proof: "tombstone" };
    throw new SecretError(
      "replaced-outside",
      `Baseten's tombstone names ${JSON.stringify(result.tombstoneName)}, but its audit log records that the secret deleted ` +
        `had id ${record.secretId}, not this stack's ${stored.secretId}: the secret was replaced outside Pulumi between the ` +
        `listing and the DELETE, and the other secret was deleted. Tell whoever wrote it; this stack's secret is kept in state ` +
        `until \`pulumi refresh\` proves it gone.`,
    );
  }
  const said = `Baseten answered HTTP 404${result.json ? "" : " with a body that is not JSON (check baseten:apiUrl / BASETEN_API_URL)"} to the DELETE of secret ${JSON.stringify(stored.name)} in ${describeTeam(stored)}`;
  const after = listedAs((await teamSecrets(rt, stored.teamId)).items, stored);
  if (after.state === "replaced") return { proof: "replaced", other: after.secret };
  if (after.state === "ours") throw deletionUnproven(`${said}, yet the team's listing still holds it`, stored, []);
  return provenGone(rt, client, stored, said);
}
