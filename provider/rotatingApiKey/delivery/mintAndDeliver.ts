/**
 * Minting a key and writing it into its secret, as one operation. The order is everything:
 *   1. the team's secrets are listed first: a management key without rights on secrets, a
 *      name another writer holds (without `adoptExisting`), or a stored secret that vanished
 *      without proof fail here, before any key exists;
 *   2. the key is minted (generations.ts: its name known before the POST);
 *   3. its plaintext is written into the secret, and goes nowhere else.
 * A write that certainly failed (a 4xx, a refused connection) revokes the new key, verified,
 * and says so. A write of unknown outcome (a timeout, a lost connection, a 5xx) may have put the
 * key into the secret, and nothing can read a secret back: the key is kept, marked
 * `mayBeDelivered`, with every key the secret held before, and the next run delivers a fresh one.
 * The listing, mint and write of one secret name run one at a time within the process, and
 * with a `Secret` of that name too (the same lock as secret/create.ts).
 */
import { isBasetenError, type BasetenErrorKind } from "../../client/errors";
import { canonicalSecretName, secretNamesEquivalent, type ListedSecret } from "../../client/secrets";
import { witnessFields } from "../../core/evidence";
import type { KeyKeptInStateError } from "../../core/keys/keptInState";
import { secretNamedLike } from "../../core/listings";
import type { ProviderRuntime } from "../../core/runtime";
import { absenceUnproven, proveSecretGone } from "../../core/secrets/gone";
import { describeOther, listedAs } from "../../core/secrets/identity";
import { describeTeam, resolveSecretTeam, teamSecrets, wroteTeamSecrets } from "../../core/secrets/team";
import { predatesListing, writeMayHaveLanded } from "../../core/secrets/write";
import { freeGeneration, mintGeneration } from "../generations";
import { describeFailed, describeRevoked, revokeOwned } from "../revoke";
import type { OwnedKey, RotatingApiKeyInputs } from "../types";
import { claimedBy, pendingWriteOf } from "./pending";
import type { DeliverTo, Delivery, PendingWrite } from "./types";

/** A key minted and written into its secret. */
export interface DeliveredGeneration {
  /** The new key, `delivered`: the secret holds it. */
  key: OwnedKey;
  /** Live keys of this resource's names found at the mint (generations.ts), now tracked. */
  leftBehind: OwnedKey[];
  /** The secret, as Baseten answered the write. */
  delivery: Delivery;
}

/**
 * How a failure leaves the resource: `keys` are every key it still owns (the new one included
 * when it is live), `delivery` the secret it still owns. The caller turns this into the error
 * that keeps the resource in state, or a plain error when there is nothing to keep.
 */
export type KeepOnFailure = (message: string, kind: BasetenErrorKind, keys: OwnedKey[], delivery: Delivery | undefined) => Error;

export interface DeliveryRequest {
  inputs: RotatingApiKeyInputs & { deliverTo: DeliverTo; __provider?: unknown };
  /** The generation the plan names; a later one when its name is held. */
  from: number;
  /** Every key the resource owns now (none for a create). */
  owned: OwnedKey[];
  /** The secret the resource owns now, if any. */
  stored: Delivery | undefined;
  keep: KeepOnFailure;
}

/** How to take over a secret that exists, said by every refusal. */
function adoptAdvice(name: string): string {
  return (
    `If it is this resource's own secret (an earlier \`pulumi up\` was interrupted after writing it) or you mean to take it over, ` +
    `set \`deliverTo.adoptExisting: true\` (each new key then overwrites its value) and run \`pulumi up\`. Otherwise choose another ` +
    `\`deliverTo.secretName\`, or delete ${JSON.stringify(name)} in Baseten first.`
  );
}

export async function mintAndDeliver(rt: ProviderRuntime, req: DeliveryRequest): Promise<DeliveredGeneration> {
  const { inputs, from, owned, stored, keep } = req;
  const { secretName } = inputs.deliverTo;
  const team = await resolveSecretTeam(rt, inputs.deliverTo);
  // A team is its id; its name can change, and the default team too. A stored secret in another
  // team than the input names now is not moved silently (the old one would be left behind).
  if (stored !== undefined && stored.teamId !== team.teamId)
    throw keep(
      `Rotating key ${JSON.stringify(inputs.baseName)} minted no key: its secret ${JSON.stringify(stored.name)} is in team ` +
        `${JSON.stringify(stored.teamName)} (${stored.teamId}), but deliverTo now resolves to ${describeTeam(team)} (a team renamed, ` +
        `another team given its name, or another default team). To keep the secret where it is, set \`deliverTo.teamId: ${JSON.stringify(stored.teamId)}\`; ` +
        `to move it, run \`pulumi up --replace <urn>\` (the old secret and keys are deleted first).`,
      "request",
      owned,
      stored,
    );
  const lockKey = `secret\u0000${team.teamId}\u0000${canonicalSecretName(secretName)}`;
  return rt.exclusive(lockKey, async () => {
    const caller = await rt.caller();
    let listing = await teamSecrets(rt, team.teamId);
    const client = rt.operationClient();
    const where = `secret ${JSON.stringify(secretName)} in ${describeTeam(team)}`;

    // 1. What the name holds now, and whether this resource may write into it: the stored id,
    // or a secret this resource's write of unknown outcome created, or a name nobody holds.
    let ours = stored !== undefined && secretNamesEquivalent(stored.name, secretName) ? stored : undefined;
    let into: ListedSecret | undefined;
    if (ours) {
      const seen = listedAs(listing.items, ours);
      if (seen.state === "absent") {
        const verdict = await proveSecretGone(client, caller, ours);
        if (!verdict.gone) {
          const e = absenceUnproven(
            `The ${where} this key delivers to is missing from the team's listing`,
            ours,
            verdict.reasons,
          );
          throw keep(`${e.message} No key was minted.`, "request", owned, ours);
        }
      }
      // Deleted or replaced outside Pulumi: written anew below, by the rules of a new secret.
      if (seen.state === "ours") into = seen.secret;
      else ours = undefined;
    }
    const pending = ours ? undefined : pendingWriteOf(owned, { name: secretName, teamId: team.teamId });
    const created = pending ? claimedBy(pending, listing.items) : undefined;
    if (created) {
      ours = created;
      into = secretNamedLike(listing.items, secretName);
      process.stdout.write(
        `The ${where} (id ${created.secretId}) was created by this resource's write of unknown outcome (Baseten dates it after the ` +
          `listing made before that write): it is this resource's, and the new key is written into it.\n`,
      );
    }
    const existing = ours ? undefined : secretNamedLike(listing.items, secretName);
    const tracked = new Set(owned.map((k) => k.prefix).filter(Boolean));
    const free = await freeGeneration(rt, inputs, from, tracked);
    // A key of ours found live while the secret exists, or while this resource had one (since
    // deleted or replaced outside Pulumi), may be one it held (a run that crashed after its
    // write), and a consumer may have read it: it is kept through the overlap, never revoked first.
    const mayHaveHeld = existing !== undefined || ours !== undefined || stored !== undefined;
    const leftBehind = free.leftBehind.map((k) => (mayHaveHeld ? { ...k, mayBeDelivered: true } : k));
    const refuse = (other: ListedSecret, keys: OwnedKey[], tail = "") =>
      keep(
        `Rotating key ${JSON.stringify(inputs.baseName)} ${tail ? "wrote" : "minted"} no key: ${describeTeam(team)} already has ${describeOther(other)}` +
          `${other.name === secretName ? "" : " (Baseten treats it as the same name)"}, not written by this resource, and delivering ` +
          `would overwrite its value.${tail} ${adoptAdvice(other.name)}`,
        "request",
        keys,
        undefined,
      );
    if (existing && inputs.deliverTo.adoptExisting !== true) throw refuse(existing, [...owned, ...leftBehind]);
    const target = into ?? existing;

    // 2. The mint.
    const minted = await mintGeneration(
      rt,
      inputs,
      from,
      tracked,
      inputs.__provider,
      (kept: OwnedKey, e: KeyKeptInStateError, found: OwnedKey[]) =>
        keep(
          `${e.message} Nothing was written into the ${where}, and no key was revoked.`,
          "server",
          [kept, ...owned, ...found],
          ours,
        ),
      { generation: free.generation, leftBehind },
    );
    const others = [...owned, ...leftBehind];

    // A name nobody held may have been taken while the key was minted (the upsert cannot be
    // made conditional): listed again just before the write, so another writer's new secret is
    // never overwritten and claimed. The new key, never written anywhere, is then revoked.
    if (!target) {
      wroteTeamSecrets(rt, team.teamId);
      listing = await teamSecrets(rt, team.teamId);
      const taken = secretNamedLike(listing.items, secretName);
      if (taken) {
        const { revoked, failed } = await revokeOwned(rt, [minted.key]);
        const newKey =
          failed.length > 0
            ? `could not be proven revoked (${describeFailed(failed)}) and stays tracked`
            : `was revoked: ${describeRevoked(revoked)}`;
        throw refuse(
          taken,
          failed.length > 0 ? [minted.key, ...others] : others,
          ` It appeared while the key was minted; the new key ${newKey}.`,
        );
      }
    }

    // 3. The write: the plaintext's only destination.
    let written;
    try {
      written = await client.upsertSecret(team.teamId, secretName, minted.apiKey);
    } catch (e) {
      const kind = isBasetenError(e) ? e.kind : "server";
      const what = `The write of new key ${JSON.stringify(minted.key.prefix)} (${minted.key.name}) into the ${where} failed: ${(e as Error).message}`;
      if (writeMayHaveLanded(e)) {
        // Into a name nobody held: remember where, so the secret it may have created is known as ours.
        const pendingWrite: PendingWrite | undefined = target
          ? undefined
          : {
              name: secretName,
              teamId: team.teamId,
              teamName: team.teamName,
              listedAt: new Date(listing.startedAt).toISOString(),
            };
        throw keep(
          `${what} It may have reached Baseten, and a secret cannot be read back, so the secret may now hold that key: no key is revoked. ` +
            `Every key stays live and tracked; the next \`pulumi up\` mints and delivers a fresh key, then retires the others by the overlap rule.`,
          kind,
          [{ ...minted.key, mayBeDelivered: true, ...(pendingWrite ? { pendingWrite } : {}) }, ...others],
          ours,
        );
      }
      const { revoked, failed } = await revokeOwned(rt, [minted.key]);
      if (failed.length > 0)
        throw keep(
          `${what} The secret was not written. The new key could not be proven revoked (${describeFailed(failed)}): it stays tracked, ` +
            `and the next \`pulumi up\` or destroy revokes it.`,
          kind,
          [minted.key, ...others],
          ours,
        );
      throw keep(
        `${what} The secret was not written, so the new key was revoked: ${describeRevoked(revoked)}. Nothing else changed; ` +
          `fix the cause and run \`pulumi up\` again.`,
        kind,
        others,
        ours,
      );
    } finally {
      wroteTeamSecrets(rt, team.teamId);
    }

    // Baseten's answer must name the secret written into: the one listed, or a new one.
    const wrong =
      !secretNamesEquivalent(written.name, secretName) || written.teamName !== team.teamName
        ? `Baseten's answer names secret ${JSON.stringify(written.name.slice(0, 100))} of team ${JSON.stringify(written.teamName.slice(0, 100))}`
        : target && written.id !== target.id
          ? `the listing just made showed id ${target.id} under the name, Baseten's answer names id ${written.id}: the secret was replaced meanwhile`
          : !target && predatesListing(written.createdAt, listing.startedAt)
            ? `the secret existed before this write (created ${written.createdAt}) although the listing just made did not show it: another writer's value was overwritten`
            : undefined;
    if (wrong)
      throw keep(
        `New key ${JSON.stringify(minted.key.prefix)} (${minted.key.name}) was written into the ${where}, but ${wrong}. The secret is not ` +
          `recorded as this resource's; the key stays live and tracked (the secret may hold it). Check the secret in Baseten ` +
          `(GET /v1/teams/${team.teamId}/secrets), then run \`pulumi up\`.`,
        "invalid-response",
        [{ ...minted.key, mayBeDelivered: true }, ...others],
        ours,
      );
    const delivery: Delivery = {
      name: secretName,
      secretId: written.id,
      teamId: team.teamId,
      teamName: team.teamName,
      createdAt: written.createdAt,
      ...witnessFields(caller),
    };
    return { key: { ...minted.key, delivered: true }, leftBehind: minted.leftBehind, delivery };
  });
}
