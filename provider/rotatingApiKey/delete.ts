/**
 * Destroy of a rotating key: every key it owns is revoked, each proven as an `ApiKey`'s is, and
 * every key is tried even when one fails (revoke.ts). A failure keeps the resource (the engine
 * keeps state when delete throws); the keys revoked before it are then proven gone by the next
 * destroy's evidence rule, and the error names every key still live or unproven.
 */
import { BasetenError, detailsOf, isBasetenError } from "../client/errors";
import type { ProviderRuntime } from "../core/runtime";
import { secretOfPendingWrite } from "./delivery/pending";
import { removeDelivery } from "./delivery/remove";
import { describeFailed, describeRevoked, revokeOwned } from "./revoke";
import type { RotatingApiKeyOutputs } from "./types";

/** Revokes every owned key; returns destroy's line. */
export async function deleteRotating(
  rt: ProviderRuntime,
  id: string,
  stored: RotatingApiKeyOutputs | undefined,
): Promise<string> {
  // The secret first: it must never hold a revoked key while this resource exists.
  // (Or the secret a write of unknown outcome created: delivery/pending.ts.)
  const secret = stored?.delivery ?? (stored?.deliverTo ? await secretOfPendingWrite(rt, stored.keys ?? []) : undefined);
  const secretLine = secret ? await removeDelivery(rt, id, secret) : "";
  const keys = [...(stored?.keys ?? [])].reverse(); // oldest first
  const { revoked, failed } = await revokeOwned(rt, keys);
  if (failed.length > 0) {
    const done = revoked.length ? ` Revoked: ${describeRevoked(revoked)}.` : "";
    const first = failed[0].error;
    const message =
      `Destroy of rotating key ${JSON.stringify(id)} could not prove ${failed.length} of its ${keys.length} keys revoked: ${describeFailed(failed)}.` +
      `${done}${secretLine ? " Its secret was deleted first." : ""} The resource stays in state with every key; once the cause is fixed, \`pulumi destroy\` tries them again ` +
      `(the revoked ones are proven gone by the listing).` +
      (failed.every((f) => !f.key.prefix)
        ? ` Only unconfirmed entries are left (mints whose outcome was never known, most likely never made): if Baseten's API keys page ` +
          `shows no key of ${failed.map((f) => JSON.stringify(f.key.name)).join(", ")}, nothing is live, and \`pulumi state delete <urn>\` ` +
          `removes the resource.`
        : "");
    throw isBasetenError(first) ? new BasetenError(first.kind, message, detailsOf(first)) : new Error(message);
  }
  if (revoked.length === 0) return `${secretLine}Rotating key ${JSON.stringify(id)} owned no key: nothing to revoke.\n`;
  return `${secretLine}Revoked every key of rotating key ${JSON.stringify(id)}: ${describeRevoked(revoked)}.\n`;
}
