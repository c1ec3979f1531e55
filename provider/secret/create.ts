/**
 * Create of a `Secret`: one listing and one upsert, refusing to overwrite a secret this stack
 * did not write unless told to adopt it.
 */
import { BasetenError, isBasetenError, withLimit } from "../client/errors";
import { predatesListing, writeMayHaveLanded } from "../core/secrets/write";
import { canonicalSecretName, secretNamesEquivalent, type ListedSecret } from "../client/secrets";
import { witnessFields } from "../core/evidence";
import { secretNamedLike } from "../core/listings";
import type { ProviderRuntime } from "../core/runtime";
import { SecretError } from "../core/secrets/errors";
import { outputsOf } from "./outputs";
import { describeTeam, resolveSecretTeam, teamSecrets, wroteTeamSecrets } from "../core/secrets/team";
import type { SecretInputs, SecretOutputs } from "../core/secrets/types";

/** How to take over a secret that exists, said by every refusal of create; `name` as Baseten holds it, when known. */
function adoptAdvice(name: string): string {
  return (
    `If it is this stack's own secret (an earlier \`pulumi up\` was interrupted after writing it) or you mean to take it over, ` +
    `set \`adoptExisting: true\` on the Secret (its value is overwritten with the program's), run \`pulumi up\`, then remove the flag. ` +
    `Otherwise choose another name, or delete ${JSON.stringify(name)} in Baseten first. (README: "After a crash during up of a Secret".)`
  );
}

/**
 * Creates the secret with one listing and one upsert. The upsert cannot refuse, so the
 * listing decides: an equivalent name in the team is refused unless `adoptExisting`. Creates
 * of equivalent names in one team are serialized within the process. A `created_at` earlier
 * than the listing means the upsert overwrote a secret the listing did not show: fail loudly.
 */
export async function createSecret(rt: ProviderRuntime, inputs: SecretInputs): Promise<{ id: string; outs: SecretOutputs }> {
  const team = await resolveSecretTeam(rt, inputs);
  const lockKey = `secret\u0000${team.teamId}\u0000${canonicalSecretName(inputs.name)}`;
  return rt.exclusive(lockKey, async () => {
    // The caller first, then the listing: shared lookups run in a fixed order, so the
    // request log (and a fault injected by position) is the same on every run.
    const witness = witnessFields(await rt.caller());
    const listing = await teamSecrets(rt, team.teamId);
    const client = rt.operationClient();
    const existing = secretNamedLike(listing.items, inputs.name);
    if (existing && inputs.adoptExisting !== true) {
      throw new SecretError(
        "exists",
        `Secret ${JSON.stringify(inputs.name)} was not created: ${describeTeam(team)} already has a secret named ` +
          `${JSON.stringify(existing.name)} (id ${existing.id}, created ${existing.createdAt})` +
          `${existing.name === inputs.name ? "" : `, which Baseten treats as the same name (non-alphanumeric characters are equivalent)`}, ` +
          `and creating would overwrite its value. ${adoptAdvice(existing.name)}`,
      );
    }
    let written: ListedSecret;
    try {
      written = await client.upsertSecret(team.teamId, inputs.name, inputs.value);
    } catch (e) {
      if (writeMayHaveLanded(e)) {
        throw withLimit(
          e,
          `The write of secret ${JSON.stringify(inputs.name)} may have reached Baseten: if it did, the next \`pulumi up\` ` +
            `refuses the name as existing. ${adoptAdvice(inputs.name)}`,
        );
      }
      if (isBasetenError(e) && e.kind === "request") {
        throw withLimit(
          e,
          `Baseten refused secret name ${JSON.stringify(inputs.name)} or its value: check the name (Baseten documents no alphabet; letters, digits and _ are safe).`,
        );
      }
      throw e;
    } finally {
      wroteTeamSecrets(rt, team.teamId);
    }
    if (!secretNamesEquivalent(written.name, inputs.name) || written.teamName !== team.teamName) {
      throw new BasetenError(
        "invalid-response",
        `Baseten's answer to the upsert of secret ${JSON.stringify(inputs.name)} in ${describeTeam(team)} names secret ` +
          `${JSON.stringify(written.name.slice(0, 100))} of team ${JSON.stringify(written.teamName.slice(0, 100))}. ` +
          `Check the secret in Baseten (GET /v1/teams/${team.teamId}/secrets); it is not recorded in state.`,
      );
    }
    if (existing) {
      if (written.id !== existing.id) {
        throw new SecretError(
          "replaced-outside",
          `Secret ${JSON.stringify(inputs.name)} in ${describeTeam(team)} changed id while it was adopted (listed ${existing.id}, ` +
            `upserted ${written.id}): something else deleted and recreated it meanwhile. Check who manages it, then rerun \`pulumi up\`.`,
        );
      }
    } else if (predatesListing(written.createdAt, listing.startedAt)) {
      throw new SecretError(
        "other-writer",
        `Secret ${JSON.stringify(inputs.name)} in ${describeTeam(team)} existed before this create (id ${written.id}, ` +
          `created ${written.createdAt}) although the listing made just before did not show it: the upsert overwrote a value ` +
          `someone else wrote. It is not recorded in state, since it is not this stack's. Restore its value in Baseten, or ` +
          `take it over with \`adoptExisting: true\`.`,
      );
    }
    return outputsOf(inputs, team, written, witness);
  });
}
