/**
 * Minting a key, and recovering when the POST's outcome is unknown. The name is known before
 * the POST, and Baseten refuses a second live key of one name in one scope, which makes two
 * things safe: a key found under that name after our POST is ours when the name was free
 * before it, and sending the POST again can never mint a second key of that name.
 */
import { BasetenError, isBasetenError, wasNeverSent, type BasetenErrorKind } from "../../client/errors";
import { witnessFields } from "../evidence";
import type { ProviderRuntime } from "../runtime";
import { replacementName } from "../names";
import { resolveTeam } from "../teams";
import type { Caller } from "../../client/identity";
import type { ApiKeyInputs, ApiKeyOutputs } from "./types";
import { adoptKey } from "./adopt";
import { mintedByOther } from "./auditLog";
import { KeyKeptInStateError, unconfirmedId } from "./keptInState";
import { MAX_REPLACEMENT_NAMES, nameHolders, sayNameHeld } from "./nameHolders";
import { outputsOf } from "./outputs";
import { callerListsScope, describeScope, keysNamedInScope, type KeyScope } from "./scope";

/** Failures after which the POST may or may not have reached Baseten and committed. */
const UNCERTAIN_CREATE_FAILURES: BasetenErrorKind[] = ["timeout", "network", "server"];

/** How many more POSTs a create may send after an uncertain one. */
const MAX_CREATE_RECOVERIES = 2;

/**
 * Mints a key: one POST when nothing fails (plus, once per process, the caller's identity and
 * one listing shared by every create, which shows the names already taken). After a failure:
 * - refused connection or DNS failure: nothing was sent; the create fails plainly;
 * - timeout, lost connection, 5xx, or a 200 whose key is unreadable: the provider lists keys
 *   and looks for the name it sent, in its scope and with its owner:
 *   - found: the key is ours (the name was free before). A generated name is revoked
 *     (tombstone verified) and the POST sent again; an explicit name is kept in state with its
 *     prefix (its plaintext is lost) and the next `pulumi up` replaces it;
 *   - not found: the POST is sent again (safe: a late commit of the first one then collides
 *     by name, answers 4xx, and the listing after it finds the key); when the retries are
 *     spent, or the listing fails, the resource is kept as `unconfirmed/<name>`;
 * - any 4xx after an uncertain attempt: a listing decides, as above (a duplicate-name answer
 *   is our own late commit).
 */
export async function createKey(
  rt: ProviderRuntime,
  inputs: ApiKeyInputs & { adoptPrefix?: string },
  providerCode: unknown,
): Promise<{ id: string; outs: ApiKeyOutputs }> {
  if (inputs.adoptPrefix !== undefined) return adoptKey(rt, inputs as ApiKeyInputs & { adoptPrefix: string });
  const team = await resolveTeam(rt, inputs);
  const caller = await rt.caller();
  const ownerId = inputs.type === "PERSONAL" ? caller.userId : undefined;
  const scope: KeyScope = { type: inputs.type, teamId: team.teamId, teamName: team.teamName, ownerId };
  // The start of the audit-log window for this key's entries (see keys/auditLog.ts).
  const mintedAfter = rt.now();
  if (inputs.autoName) {
    const free = await freeGeneratedName(rt, inputs.name, scope, caller);
    // Say which keys hold the derived name: one may be an interrupted create's, tracked nowhere.
    if (free !== inputs.name) {
      const holders = await nameHolders(rt, await rt.keysBeforeCreates(), inputs.name, scope, caller.userId);
      await sayNameHeld(rt, holders, inputs.nameScope, free);
    }
    inputs = { ...inputs, name: free };
  } else await refuseTakenName(rt, inputs.name, scope, caller);
  // Recorded only when this user's listing is sure to show the key (see callerListsScope).
  const witness = (await callerListsScope(rt, await rt.keysBeforeCreates(), scope, caller.userId)) ? witnessFields(caller) : {};
  const client = rt.operationClient();

  const kept = (id: string, prefix: string, message: string): KeyKeptInStateError => {
    const outs = outputsOf(inputs, team, { prefix, apiKey: "", ...witness, ownerId, mintedAfter });
    return new KeyKeptInStateError(message, id, { ...outs, __provider: providerCode }, [message]);
  };
  const keptUnconfirmed = (failure: BasetenError, why: string) => {
    const id = unconfirmedId(inputs.name);
    return kept(
      id,
      "",
      `${failure.message} A key named ${JSON.stringify(inputs.name)} may have been minted: ${why}. ` +
        `It is kept in state as ${JSON.stringify(id)} so it is not forgotten: \`pulumi refresh\` finds it by name ` +
        `(and drops it only on evidence that none is live), and the next \`pulumi up\` replaces it.`,
    );
  };
  const keptWithPrefix = (failure: BasetenError, prefix: string, extra = "") =>
    kept(
      prefix,
      prefix,
      `${failure.message} Baseten did mint key ${prefix} named ${JSON.stringify(inputs.name)}, but its plaintext was lost.${extra} ` +
        `It is kept in state so it is not forgotten; the next \`pulumi up\` replaces it (revoking ${prefix}).`,
    );

  // Once a POST may have reached Baseten, no failure may end the create untracked: a late
  // commit of that POST would be a live key no state knows.
  let uncertainBefore = false;
  for (let recovery = 0; ; recovery++) {
    let failure: BasetenError;
    try {
      const created = await client.createKey({
        type: inputs.type,
        name: inputs.name,
        modelIds: inputs.modelIds,
        teamId: team.teamId,
      });
      return {
        id: created.prefix,
        outs: outputsOf(inputs, team, { prefix: created.prefix, apiKey: created.apiKey, ...witness, ownerId, mintedAfter }),
      };
    } catch (e) {
      if (!isBasetenError(e)) throw e;
      failure = e;
    } finally {
      rt.wrote();
    }
    const uncertain = !wasNeverSent(failure) && UNCERTAIN_CREATE_FAILURES.includes(failure.kind);
    const mintedUnreadable = failure.kind === "invalid-response";
    if (!uncertain && !mintedUnreadable && !uncertainBefore) throw failure; // a certain refusal: nothing minted
    uncertainBefore = true;

    let found;
    try {
      found = await keysNamedInScope(rt, await client.listKeys(), inputs.name, scope, caller.userId);
    } catch (listError) {
      const why = isBasetenError(listError) ? (listError.status ?? listError.kind) : "error";
      throw keptUnconfirmed(failure, `the listing that would find it failed too (${why})`);
    }
    if (found.length === 0) {
      // Not listed (yet). Sending the POST again is safe: a late commit of an earlier one then
      // collides by name, answers 4xx, and the listing after that finds it.
      if (uncertain && recovery < MAX_CREATE_RECOVERIES) continue;
      throw keptUnconfirmed(failure, "Baseten's listing does not show it yet, and Baseten may still commit it");
    }
    const ours = found[0]; // the name was free before this create's first POST
    // That listing may be minutes old: where the audit log says who minted the key, a key of
    // this name minted by another actor since is not ours, and neither kept nor revoked.
    const minter = await mintedByOther(rt, client, ours.prefix, mintedAfter);
    if (minter.other) {
      throw new BasetenError(
        failure.kind,
        `${failure.message} Key ${ours.prefix} now holds the name ${JSON.stringify(inputs.name)}, but Baseten's audit log ` +
          `shows it minted by ${minter.other}, not by this management key since this create began; so this create's POST ` +
          `did not mint it (Baseten allows one live key per name), and that key is left alone. Nothing is kept in state; ` +
          `choose another name, or take that key over with adoptPrefix: ${JSON.stringify(ours.prefix)}.`,
      );
    }
    if (inputs.autoName && recovery < MAX_CREATE_RECOVERIES) {
      // A generated name is this resource's own: revoke the key whose plaintext was lost, mint again.
      let revoked = false;
      try {
        revoked = (await client.revokeKey(ours.prefix)).outcome === "revoked";
      } catch (revokeError) {
        const why = isBasetenError(revokeError) ? (revokeError.status ?? revokeError.kind) : "error";
        throw keptWithPrefix(failure, ours.prefix, ` Revoking it to mint again failed (${why}).`);
      } finally {
        rt.wrote(revoked ? ours.prefix : undefined);
      }
      if (revoked) continue;
    }
    throw keptWithPrefix(failure, ours.prefix);
  }
}

/**
 * A generated name still held by a live key of the scope (the key being replaced by
 * `pulumi up --replace`, whose inputs, and so whose derived name, did not change): the first
 * free `<name>-r<n>`, deterministic, so recovery by name looks for the name actually sent.
 */
async function freeGeneratedName(rt: ProviderRuntime, name: string, scope: KeyScope, caller: Caller): Promise<string> {
  const live = await rt.keysBeforeCreates();
  for (let n = 0; n <= MAX_REPLACEMENT_NAMES; n++) {
    const candidate = n === 0 ? name : replacementName(name, n);
    if ((await keysNamedInScope(rt, live, candidate, scope, caller.userId)).length === 0) return candidate;
  }
  throw new BasetenError(
    "request",
    `name: ${name} and ${MAX_REPLACEMENT_NAMES} replacement names (${replacementName(name, 1)} ...) are all held by live keys in ${describeScope(scope)}. ` +
      `Revoke the keys no stack tracks (GET /v1/api_keys lists them), or set name. Nothing was sent.`,
  );
}

/**
 * Fails before any POST when the name is already live in the create's scope: that key was not
 * minted by this create, so a key found under the name later could not be told apart from it.
 */
async function refuseTakenName(rt: ProviderRuntime, name: string, scope: KeyScope, caller: Caller): Promise<void> {
  const taken = await keysNamedInScope(rt, await rt.keysBeforeCreates(), name, scope, caller.userId);
  if (taken.length === 0) return;
  throw new BasetenError(
    "request",
    `name: a live key named ${JSON.stringify(name)} already exists in ${describeScope(scope)} (prefix ${taken[0].prefix}), ` +
      `and Baseten allows one live key per name there. Choose another name, take that key over with ` +
      `adoptPrefix: ${JSON.stringify(taken[0].prefix)}, or revoke it first. Nothing was sent.`,
  );
}
