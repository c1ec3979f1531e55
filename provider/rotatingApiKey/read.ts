/**
 * Refresh of a rotating key: each owned key follows the evidence rule (core/keys/read.ts). A
 * previous key revoked outside Pulumi ends its overlap early. When the newest is gone, the
 * resource stays (dropping it would orphan the others) and the inputs returned make the next
 * `check` plan a rotation at once, saying why. Live keys of this resource's later generations
 * that no state tracks (a rotation interrupted after its mint) are taken in. Only when every
 * owned key is proven gone does refresh drop the resource.
 */
import { BasetenError } from "../client/errors";
import type { ReadResult } from "../core/adapter";
import { witnessFields } from "../core/evidence";
import type { RevocationProof } from "../core/keys/delete";
import { notProvenMintedByUs } from "../core/keys/auditLog";
import { readKey } from "../core/keys/read";
import { keysNamedInScope, scopeOfStored } from "../core/keys/scope";
import { provedBy } from "../core/proof";
import type { ProviderRuntime } from "../core/runtime";
import { readDelivery } from "./delivery/refresh";
import type { Delivery } from "./delivery/types";
import { generationOf, ownedKey } from "./generations";
import { asKeyOutputs, inputsOfRotating, keyIdOf, newestKey, rotatingOutputs } from "./outputs";
import type { OwnedKey, RotatingApiKeyInputs, RotatingApiKeyOutputs } from "./types";

const WORDS = { noun: "key", removal: "revocation" };

export async function readRotating(
  rt: ProviderRuntime,
  id: string,
  stored: RotatingApiKeyOutputs | undefined,
): Promise<ReadResult<RotatingApiKeyOutputs>> {
  if (!stored || !Array.isArray(stored.keys))
    throw new BasetenError(
      "request",
      `Cannot refresh ${JSON.stringify(id)}: its state holds no keys (not written by a RotatingApiKey). Nothing was sent. ` +
        `Restore the stack's state from a backup (\`pulumi stack import\`), or revoke the keys named \`<base>-g<n>\` on Baseten's API keys page and remove the entry with \`pulumi state delete <urn>\`.`,
    );
  const live: OwnedKey[] = [];
  const gone: Array<{ key: OwnedKey; because: string }> = [];
  for (const key of stored.keys) {
    let proof: RevocationProof | undefined;
    const outs = await readKey(rt, keyIdOf(key), asKeyOutputs(key), (p) => (proof = p));
    if (outs)
      live.push(ownedKey({ ...key, ...outs }, { generation: key.generation, mintedAt: key.mintedAt, plannedAt: key.plannedAt }));
    else gone.push({ key, because: provedBy(proof as RevocationProof, WORDS) });
  }
  live.push(...(await untrackedLaterKeys(rt, stored, live)));
  for (const { key, because } of gone)
    process.stdout.write(
      `Refresh found key ${JSON.stringify(key.prefix || key.name)} (${key.name}) of rotating key ${JSON.stringify(id)} gone: ${because}.\n`,
    );
  // With delivery, the secret is read by its id too. A secret deleted or replaced outside
  // Pulumi is dropped from state, and the next `up` writes a fresh key (by a new secret's rules)
  // before revoking the old. A resource whose secret is still ours stays even with no live key,
  // so the next `up` replaces the revoked key the secret holds (never an orphaned secret).
  let delivery: Delivery | undefined = stored.delivery;
  let deliveryGone: string | undefined;
  if (stored.deliverTo !== undefined && delivery !== undefined) {
    const seen = await readDelivery(rt, delivery);
    if (seen.state === "ours") delivery = seen.delivery;
    else {
      delivery = undefined;
      deliveryGone = seen.because;
      process.stdout.write(`Refresh found the secret of rotating key ${JSON.stringify(id)} gone: ${seen.because}.\n`);
    }
  }
  if (live.length === 0 && delivery === undefined)
    return { gone: `every key it owned is gone (${gone.map((g) => g.because).join("; ")})` };

  const inputs = { ...stored } as RotatingApiKeyInputs & Record<string, unknown>;
  // A previous key revoked outside Pulumi ends its overlap early.
  if (!live.some((k) => k.overlapEndsAt !== undefined)) delete inputs.overlapEndsAt;
  const lastNewest = stored.keys.find((k) => !k.leftBehind);
  const newestGone = gone.find((g) => g.key === lastNewest);
  const undelivered = stored.deliverTo !== undefined ? newestKey(inputs, live) : undefined;
  const rotateNow = newestGone
    ? `key ${newestGone.key.prefix || newestGone.key.name} (${newestGone.key.name}) was found revoked outside Pulumi at refresh`
    : deliveryGone !== undefined
      ? `${deliveryGone.replace(/^secret/, "its secret")} (found at refresh)`
      : stored.deliverTo !== undefined && delivery === undefined
        ? `no secret holds a key of it yet`
        : !newestKey(inputs, live)
          ? `no live key of the plan of ${inputs.rotatedAt} (${inputs.keyName}) is tracked`
          : undelivered !== undefined && undelivered.delivered !== true
            ? `the write of key ${undelivered.prefix} (${undelivered.name}) into its secret had an unknown outcome`
            : undefined;
  // A mint that skipped a held name minted a later generation than planned: the inputs follow
  // the key the resource has, so the next plan names the generation after it.
  const newest = newestKey(inputs, live);
  if (newest && newest.generation !== inputs.generation) {
    inputs.generation = newest.generation;
    inputs.keyName = newest.name;
  }
  const outs = rotatingOutputs(inputs, live, stored.apiKey ?? "", delivery);
  return { id, outs, inputs: inputsOfRotating(outs, rotateNow) };
}

/**
 * Live keys named `<base>-g<n>` in the resource's scope, with `n` above every generation it
 * owns and a prefix it does not track: from a run interrupted after its mint, when the audit log
 * shows this management key minted it (else left alone, named). Tracked as left behind, and
 * revoked by the next `pulumi up` or destroy.
 */
async function untrackedLaterKeys(rt: ProviderRuntime, stored: RotatingApiKeyOutputs, live: OwnedKey[]): Promise<OwnedKey[]> {
  const model = stored.keys.find((k) => !k.leftBehind) ?? stored.keys[0];
  if (!model || !stored.baseName) return [];
  const highest = Math.max(0, ...stored.keys.map((k) => k.generation));
  const tracked = new Set(live.map((k) => k.prefix));
  const listed = await rt.keys.get();
  const caller = await rt.caller();
  const names = new Set(
    listed.filter((k) => (generationOf(stored.baseName, k.name) ?? 0) > highest).map((k) => k.name as string),
  );
  const found: OwnedKey[] = [];
  const client = rt.operationClient();
  const mayHoldIt = stored.deliverTo !== undefined && stored.delivery !== undefined;
  for (const name of names) {
    for (const k of await keysNamedInScope(rt, listed, name, scopeOfStored(model), caller.userId)) {
      if (tracked.has(k.prefix)) continue;
      // A name alone proves nothing (another stack of the same names derives it too): only the
      // audit log's word that this management key minted it makes the key this resource's.
      const notOurs = await notProvenMintedByUs(rt, client, k.prefix);
      if (notOurs !== undefined) {
        process.stdout.write(
          `Baseten API key ${JSON.stringify(k.prefix)} holds ${JSON.stringify(name)}, a later name of rotating key ${JSON.stringify(stored.baseName)}, ` +
            `but nothing proves it this resource's (${notOurs}): it is left alone, neither tracked nor revoked. If no other stack has ` +
            `a resource of this name, it is left from an interrupted run: revoke it (DELETE /v1/api_keys/${k.prefix}).\n`,
        );
        continue;
      }
      const key = ownedKey(
        { ...model, name, prefix: k.prefix, ...witnessFields(caller), ...(k.ownerId ? { ownerId: k.ownerId } : {}) },
        { generation: generationOf(stored.baseName, name) as number, mintedAt: "", plannedAt: "" },
        { leftBehind: true },
      );
      for (const field of ["overlapEndsAt", "mintedAfter", "delivered", "mayBeDelivered"] as const)
        delete (key as Partial<OwnedKey>)[field];
      // With delivery, the interrupted run may have written it into the secret this resource owns
      // (the write follows the mint), and a consumer may have read it there: it is kept through
      // the overlap after the next delivery, as a key found by a mint is (delivery/mintAndDeliver.ts).
      if (mayHoldIt) key.mayBeDelivered = true;
      found.push(key);
      process.stdout.write(
        `Baseten API key ${JSON.stringify(k.prefix)} named ${JSON.stringify(name)} holds a later name of rotating key ${JSON.stringify(stored.baseName)}, ` +
          `the audit log shows it minted by this management key, and no state tracks it (a run interrupted after its mint): ` +
          (mayHoldIt
            ? `it is tracked now; its secret may hold it, so it stays live through the overlap after the next \`pulumi up\` delivers a fresh key, then is revoked.\n`
            : `it is tracked now, and revoked by the next \`pulumi up\` or destroy.\n`),
      );
    }
  }
  return found;
}
