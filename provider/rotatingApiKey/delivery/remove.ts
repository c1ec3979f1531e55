/**
 * Destroy's first step with `deliverTo`: the secret is deleted before any key is revoked, so no
 * secret is ever left holding a revoked key while its resource exists. Deleted only after the
 * team's listing shows the stored id (core/secrets/delete.ts); another id under the name proves
 * ours gone, and that secret is left alone.
 */
import { isBasetenError, BasetenError, detailsOf } from "../../client/errors";
import { provedBy } from "../../core/proof";
import type { ProviderRuntime } from "../../core/runtime";
import { deleteSecret } from "../../core/secrets/delete";
import { isSecretError, SecretError } from "../../core/secrets/errors";
import { describeOther } from "../../core/secrets/identity";
import { describeTeam } from "../../core/secrets/team";
import type { Delivery } from "./types";

/** Deletes the secret; returns the line saying how it is proven gone. Throws, naming the secret and that no key was revoked. */
export async function removeDelivery(rt: ProviderRuntime, id: string, stored: Delivery): Promise<string> {
  const what = `secret ${JSON.stringify(stored.name)} (id ${stored.secretId}) in ${describeTeam(stored)}`;
  try {
    const gone = await deleteSecret(rt, stored);
    if (gone.proof === "replaced")
      return `The ${what} of rotating key ${JSON.stringify(id)} was already replaced outside Pulumi (the name holds ${describeOther(gone.other)}, left alone).\n`;
    return `Deleted the ${what} of rotating key ${JSON.stringify(id)}: ${provedBy(gone.proof, { noun: "secret", removal: "deletion" })}.\n`;
  } catch (e) {
    const message =
      `Destroy of rotating key ${JSON.stringify(id)} could not prove its ${what} deleted: ${(e as Error).message.replace(/\.+$/, "")}. ` +
      `No key was revoked (the secret may still hold one): the resource stays in state with every key, and \`pulumi destroy\` tries again once the cause is fixed.`;
    if (isSecretError(e)) throw new SecretError(e.reason, message);
    throw isBasetenError(e) ? new BasetenError(e.kind, message, detailsOf(e)) : new Error(message);
  }
}
