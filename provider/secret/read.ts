/** Refresh of a `Secret`: the secret as Baseten lists it now, or the proof that it is gone. */
import type { ProviderRuntime } from "../core/runtime";
import { absenceUnproven, proveSecretGone, type SecretGone } from "../core/secrets/gone";
import { listedAs, withWitness } from "../core/secrets/identity";
import { describeTeam, teamSecrets } from "../core/secrets/team";
import type { SecretOutputs } from "../core/secrets/types";

/**
 * Refresh: the secret as Baseten lists it now (value kept from state), or why it is gone. The
 * stored name under another id proves the stack's secret gone (names are unique per team).
 */
export async function readSecret(rt: ProviderRuntime, stored: SecretOutputs): Promise<SecretOutputs | SecretGone> {
  const caller = await rt.caller();
  const listing = await teamSecrets(rt, stored.teamId);
  const seen = listedAs(listing.items, stored);
  if (seen.state === "ours") {
    const found = seen.secret;
    return withWitness({ ...stored, secretId: found.id, createdAt: found.createdAt, teamName: found.teamName }, caller);
  }
  if (seen.state === "replaced") return { proof: "replaced", other: seen.secret };
  const verdict = await proveSecretGone(rt.operationClient(), caller, stored);
  if (verdict.gone) return { proof: verdict.evidence };
  throw absenceUnproven(
    `Secret ${JSON.stringify(stored.name)} is missing from the listing of ${describeTeam(stored)}`,
    stored,
    verdict.reasons,
  );
}

/** The inputs a refreshed secret stands for, so the next preview compares against them. */
export function secretInputsOfOutputs(outs: SecretOutputs): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (const k of ["name", "autoName", "value", "adoptExisting", "providerVersion", "resourceName", "nameScope"] as const)
    if (outs[k] !== undefined) inputs[k] = outs[k];
  if (outs.teamSelector === "teamId") inputs.teamId = outs.teamId;
  if (outs.teamSelector === "teamName") inputs.teamName = outs.teamName;
  return inputs;
}
