/**
 * Refresh of a rotating key's secret, by its id (the `Secret` rules): still ours, or gone
 * (deleted, or another id now holds its name), or missing from the listing without proof, which
 * fails the refresh with the way out (`absenceUnproven`).
 */
import { provedBy } from "../../core/proof";
import type { ProviderRuntime } from "../../core/runtime";
import { absenceUnproven, proveSecretGone } from "../../core/secrets/gone";
import { describeOther, listedAs, withWitness } from "../../core/secrets/identity";
import { describeTeam, teamSecrets } from "../../core/secrets/team";
import type { Delivery } from "./types";

export type DeliveryRead = { state: "ours"; delivery: Delivery } | { state: "gone"; because: string };

export async function readDelivery(rt: ProviderRuntime, stored: Delivery): Promise<DeliveryRead> {
  const caller = await rt.caller();
  const seen = listedAs((await teamSecrets(rt, stored.teamId)).items, stored);
  const what = `secret ${JSON.stringify(stored.name)} (id ${stored.secretId}) in ${describeTeam(stored)}`;
  if (seen.state === "ours") {
    const delivery = withWitness({ ...stored, createdAt: seen.secret.createdAt, teamName: seen.secret.teamName }, caller);
    return { state: "ours", delivery };
  }
  if (seen.state === "replaced")
    return { state: "gone", because: `${what} was replaced outside Pulumi: the name now holds ${describeOther(seen.secret)}` };
  const verdict = await proveSecretGone(rt.operationClient(), caller, stored);
  if (verdict.gone)
    return {
      state: "gone",
      because: `${what} was deleted outside Pulumi: ${provedBy(verdict.evidence, { noun: "secret", removal: "deletion" })}`,
    };
  throw absenceUnproven(`The ${what} this key delivers to is missing from the team's listing`, stored, verdict.reasons);
}
