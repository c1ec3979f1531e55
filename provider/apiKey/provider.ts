/**
 * `ApiKey`'s folder as the core's adapter sees it (core/adapter.ts): its checks, diff and
 * operations, and the line destroy prints per key.
 */
import { createResourceProvider, type ResourceFolder, type ResourceProvider } from "../core/adapter";
import { provedBy, type ProofWords } from "../core/proof";
import { checkInputs } from "./checks";
import { createKey } from "../core/keys/create";
import { revokeKey, type Revocation } from "../core/keys/delete";
import { diffInputs } from "./diff";
import { isKeyKeptInStateError, keptWithContext, unconfirmedName } from "../core/keys/keptInState";
import { inputsOfOutputs, readKey } from "../core/keys/read";
import type { ApiKeyInputs, ApiKeyOutputs } from "../core/keys/types";
import { updateKey } from "./update";

type Inputs = ApiKeyInputs & { adoptPrefix?: string; __provider?: string };

export type ApiKeyProvider = ResourceProvider<Inputs, ApiKeyOutputs>;

const WORDS: ProofWords = { noun: "key", removal: "revocation" };

/** Destroy's line for one resource, naming the prefixes actually revoked. */
export function revocationLine(id: string, revocation: Revocation): string {
  const because = provedBy(revocation.proof, WORDS);
  if (revocation.prefixes.length === 0) return `No Baseten API key to revoke for ${JSON.stringify(id)}: ${because}.\n`;
  const keys = revocation.prefixes.map((p) => JSON.stringify(p)).join(", ");
  const entry = revocation.prefixes.length === 1 && revocation.prefixes[0] === id ? "" : ` (state entry ${JSON.stringify(id)})`;
  return `Revoked Baseten API key ${keys}${entry}: ${because}.\n`;
}

export const apiKeyFolder: ResourceFolder<Inputs, ApiKeyOutputs> = {
  what: "Baseten API key",
  deleting: "Revoking",
  createdName: (inputs) => inputs.name ?? inputs.adoptPrefix,

  check: checkInputs,

  diff(id, olds, news) {
    const decision = diffInputs(olds as unknown as Record<string, unknown>, news as unknown as Record<string, unknown>);
    // An `unconfirmed/<name>` entry stands for whatever key has its name, and its replacement
    // derives the same name: revoke by name first, or the revocation would find the new key.
    if (decision.replaces.length > 0 && unconfirmedName(id) !== undefined) decision.deleteBeforeReplace = true;
    return decision;
  },

  create: (rt, inputs) => createKey(rt, inputs, inputs.__provider),

  async read(rt, id, stored) {
    let gone: string | undefined;
    const outs = await readKey(rt, id, stored ?? ({} as ApiKeyOutputs), (proof) => (gone = provedBy(proof, WORDS)));
    // readKey returns no key only after telling what proved it gone.
    if (!outs) return { gone: gone as string };
    // The id is the prefix read, which differs from `id` only for an `unconfirmed/<name>` id.
    return { id: outs.prefix, outs, inputs: inputsOfOutputs(outs) };
  },

  // Reached only when `providerVersion` changed or the same team is now named the other way
  // (see diff.ts): records them, so the engine stores the new provider code; writes nothing.
  update: (rt, _id, olds, news) => updateKey(rt, olds, news),

  // For an `unconfirmed/<name>` entry the line names the key found by name; none when none was minted.
  async delete(rt, id, stored) {
    return revocationLine(id, await revokeKey(rt, id, stored ?? {}));
  },

  withContext: (what, e) => (isKeyKeptInStateError(e) ? keptWithContext(what, e) : undefined),
};

/**
 * Makes a provider object. The `ApiKey` class uses the one in ../sharedProvider.ts so every
 * resource of a program stores the same serialized text; tests make their own.
 */
export function createApiKeyProvider(): ApiKeyProvider {
  return createResourceProvider(apiKeyFolder);
}
