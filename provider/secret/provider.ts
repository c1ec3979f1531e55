/**
 * `Secret`'s folder as the core's adapter sees it (core/adapter.ts): its checks, diff and
 * operations, and the reason its lines give for a secret proven gone.
 */
import { createResourceProvider, type ResourceFolder, type ResourceProvider } from "../core/adapter";
import { provedBy, type ProofWords } from "../core/proof";
import { removalLine } from "../core/removalLines";
import { checkSecretInputs } from "./checks";
import { createSecret } from "./create";
import { deleteSecret } from "../core/secrets/delete";
import { diffSecret } from "./diff";
import { isSecretError, SecretError } from "../core/secrets/errors";
import { isSecretGone, type SecretGone } from "../core/secrets/gone";
import { describeOther } from "../core/secrets/identity";
import { secretResourceId } from "./outputs";
import { readSecret, secretInputsOfOutputs } from "./read";
import type { SecretInputs, SecretOutputs } from "../core/secrets/types";
import { updateSecretValue } from "./update";

type Inputs = SecretInputs & { __provider?: string };

export type SecretProvider = ResourceProvider<Inputs, SecretOutputs>;

const WHAT = "Baseten secret";
const WORDS: ProofWords = { noun: "secret", removal: "deletion" };

/** The line's reason: a replaced secret names the other one, which is left alone. */
function goneBecause(gone: SecretGone, stored: SecretOutputs): string {
  if (gone.proof !== "replaced") return provedBy(gone.proof, WORDS);
  return (
    `replaced outside Pulumi: the team's listing holds ${describeOther(gone.other)} under its name, not id ` +
    `${stored.secretId}, so this stack's secret was deleted; that other secret is left alone (verified)`
  );
}

/** The stored outputs of a resource, completed from its id when an old state lacks a field. */
function storedOf(id: string, props: SecretOutputs | undefined): SecretOutputs {
  const outs = { ...(props ?? ({} as SecretOutputs)) };
  const slash = id.indexOf("/");
  if (outs.teamId === undefined && slash > 0) outs.teamId = id.slice(0, slash);
  if (outs.name === undefined && slash > 0) outs.name = id.slice(slash + 1);
  return outs;
}

export const secretFolder: ResourceFolder<Inputs, SecretOutputs> = {
  what: WHAT,
  deleting: "Deleting",
  createdName: (inputs) => inputs.name,

  check: checkSecretInputs,

  diff: (_id, olds, news) => diffSecret(olds as unknown as Record<string, unknown>, news as unknown as Record<string, unknown>),

  create: (rt, inputs) => createSecret(rt, inputs),

  async read(rt, id, props) {
    const stored = storedOf(id, props);
    const outs = await readSecret(rt, stored);
    if (isSecretGone(outs)) return { gone: goneBecause(outs, stored) };
    return { id: secretResourceId(outs.teamId, outs.name), outs, inputs: secretInputsOfOutputs(outs) };
  },

  update: (rt, id, olds, news) => updateSecretValue(rt, storedOf(id, olds), news),

  // One line per secret says what was verified (ids and names only, never the value).
  async delete(rt, id, props) {
    const stored = storedOf(id, props);
    return `${removalLine("Deleted", WHAT, id, goneBecause(await deleteSecret(rt, stored), stored))}\n`;
  },

  withContext: (what, e) => (isSecretError(e) ? new SecretError(e.reason, `${what}: ${e.message}`) : undefined),
};

/** Makes a provider object. The `Secret` class uses the one in sharedProvider.ts; tests make their own. */
export function createSecretProvider(): SecretProvider {
  return createResourceProvider(secretFolder);
}
