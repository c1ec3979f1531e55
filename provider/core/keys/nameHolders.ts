/**
 * Live keys that hold a resource's derived name, or one of its `-r<n>` names, and are not the
 * resource's own key. They are keys being replaced (`--replace`, `replaceOnChanges`), keys
 * kept on purpose (`retainOnDelete`, a resource re-created after `pulumi state delete`), or keys
 * minted by a create that a crash interrupted, which no state tracks. The provider sees neither
 * state nor pending operations, so it cannot tell these apart: it names them, and never
 * revokes one. `baseten-recover` (provider/recover/), which reads the stack's state, can.
 */
import type { BasetenClient } from "../../client/baseten";
import { isBasetenError } from "../../client/errors";
import { keysNamed } from "../listings";
import { replacementName } from "../names";
import type { ProviderRuntime } from "../runtime";
import type { ListedApiKey } from "../../client/baseten";
import { findKeyEvent } from "./auditLog";
import { keysInScope, type KeyScope } from "./scope";

/** Most `-r<n>` names tried for one derived name. */
export const MAX_REPLACEMENT_NAMES = 20;

/** A derived name ends with `-` and 7 characters of [a-z0-9]; a replacement adds `-r<n>`. */
const REPLACEMENT_OF_DERIVED = /^(.*-[a-z0-9]{7})-r([1-9][0-9]*)$/;

/** The derived name a generated name comes from: the name itself, or the name less its `-r<n>`. */
export function derivedNameOf(name: string): string {
  const m = REPLACEMENT_OF_DERIVED.exec(name);
  return m !== null && Number(m[2]) <= MAX_REPLACEMENT_NAMES ? m[1] : name;
}

/** Every name a resource of this derived name can have: the name, then `-r1` ... `-r20`. */
export function namesOfDerived(derived: string): string[] {
  const names = [derived];
  for (let n = 1; n <= MAX_REPLACEMENT_NAMES; n++) names.push(replacementName(derived, n));
  return names;
}

/**
 * The keys of `listed`, in `scope`, named `derived` or one of its `-r<n>` names, other than
 * `ownPrefix`, in the order of those names.
 */
export async function nameHolders(
  rt: ProviderRuntime,
  listed: readonly ListedApiKey[],
  derived: string,
  scope: KeyScope,
  callerId: string,
  ownPrefix?: string,
): Promise<ListedApiKey[]> {
  // Through the listing's index, name by name: a workspace may hold tens of thousands of keys.
  const holders: ListedApiKey[] = [];
  for (const name of namesOfDerived(derived)) {
    // The resource's own key is set aside first: mapping a listed key's team to its id costs a
    // GET /v1/teams, which a refresh with no other holder must not send.
    const others = keysNamed(listed, name).filter((k) => k.prefix !== ownPrefix);
    if (others.length > 0) holders.push(...(await keysInScope(rt, others, scope, callerId)).inScope);
  }
  return holders;
}

/** The stack part of `nameScope` (`<project>/<stack>`), for the command a message suggests. */
function stackOf(nameScope: string | undefined): string | undefined {
  const at = nameScope?.lastIndexOf("/") ?? -1;
  return at >= 0 ? nameScope!.slice(at + 1) : undefined;
}

/**
 * Who minted `prefix`, as the audit log's `API_KEY_CREATED` entry says (its newest pages only:
 * the key's mint time is unknown), or undefined when the log is unreadable or holds no entry.
 */
async function minterOf(rt: ProviderRuntime, client: BasetenClient, prefix: string): Promise<string | undefined> {
  let entry;
  try {
    entry = await findKeyEvent(client, "API_KEY_CREATED", prefix, undefined);
  } catch (e) {
    if (isBasetenError(e)) return undefined; // a 403 for members of multi-team workspaces
    throw e;
  }
  if (entry === undefined) return undefined;
  if (entry.actorKeyPrefix !== undefined) {
    const whose = entry.actorKeyPrefix === rt.managementKeyPrefix ? "this stack's management key" : "another management key";
    return `API key ${JSON.stringify(entry.actorKeyPrefix)} (${whose})`;
  }
  if (entry.actorType === "API_KEY") return "an API key whose prefix the log does not give";
  const user = entry.actorEmail !== undefined ? `Baseten user ${entry.actorEmail}` : "a Baseten user";
  // The same reading of `source` as mintedByOther (auditLog.ts), which decides by it.
  if (entry.source === "UI") return `${user} in Baseten's UI`;
  if (entry.actorType === "USER") return user;
  return entry.actorType !== undefined ? `an actor of type ${entry.actorType}` : undefined;
}

/**
 * The line a create (which took another name) or a refresh prints for a key that holds the
 * resource's name and is not its key: which key, who minted it where the audit log says, that
 * it is not this resource's, how to check and how to recover. One line, as destroy's "Revoked"
 * line.
 */
export function heldNameLine(held: ListedApiKey, nameScope: string | undefined, tookName?: string, mintedBy?: string): string {
  const stack = stackOf(nameScope);
  const recover = `npx baseten-recover${stack !== undefined ? ` --stack ${stack}` : ""}`;
  const took = tookName !== undefined ? `, so this key is named ${JSON.stringify(tookName)}` : "";
  const minter = mintedBy !== undefined ? ` (minted by ${mintedBy}, as Baseten's audit log records)` : "";
  return (
    `Baseten API key ${JSON.stringify(held.prefix)} named ${JSON.stringify(held.name)}${minter} holds this resource's derived name ` +
    `and is not this resource's key${took}. If no resource of any stack has id ${JSON.stringify(held.prefix)} ` +
    `(pulumi stack export), it is left from an interrupted create: \`${recover}\` shows such keys and revokes them ` +
    `(README: "Recovering from a crash").\n`
  );
}

/**
 * Prints `heldNameLine` for each holder (the engine shows a dynamic provider's standard
 * output), asking the audit log who minted each: rare, since a holder is a crash's leftover or
 * a key being replaced.
 */
export async function sayNameHeld(
  rt: ProviderRuntime,
  holders: readonly ListedApiKey[],
  nameScope: string | undefined,
  tookName?: string,
): Promise<void> {
  if (holders.length === 0) return;
  const client = rt.operationClient();
  for (const held of holders) {
    process.stdout.write(heldNameLine(held, nameScope, tookName, await minterOf(rt, client, held.prefix)));
  }
}
