/**
 * Destroy of a rotating key: every key it owns is revoked, oldest first, each proven as an
 * `ApiKey`'s is. A failure keeps the resource (the engine keeps state when delete throws); the
 * keys revoked before it are then proven gone by the next destroy's evidence rule.
 */
import { isBasetenError, withLimit } from "../client/errors";
import type { ProviderRuntime } from "../core/runtime";
import { describeRevoked, messageOf, revokeOwned } from "./revoke";
import type { RotatingApiKeyOutputs } from "./types";

/** Revokes every owned key; returns destroy's line. */
export async function deleteRotating(
  rt: ProviderRuntime,
  id: string,
  stored: RotatingApiKeyOutputs | undefined,
): Promise<string> {
  const keys = [...(stored?.keys ?? [])].reverse();
  const { revoked, failed } = await revokeOwned(rt, keys);
  if (failed) {
    const done = revoked.length ? ` Revoked before it: ${describeRevoked(revoked)}.` : "";
    const left = keys.filter((k) => !revoked.some((r) => r.key === k)).map((k) => k.prefix || k.name);
    const sentence = `${done} Still tracked, and revoked by the next \`pulumi destroy\`: ${left.join(", ")}.`.trim();
    throw isBasetenError(failed.error) ? withLimit(failed.error, sentence) : new Error(`${messageOf(failed.error)} ${sentence}`);
  }
  if (revoked.length === 0) return `Rotating key ${JSON.stringify(id)} owned no key: nothing to revoke.\n`;
  return `Revoked every key of rotating key ${JSON.stringify(id)}: ${describeRevoked(revoked)}.\n`;
}
