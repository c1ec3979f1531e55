/**
 * Minting one generation of a rotating key. Its name `<base>-g<n>` is known before the POST.
 * A live key already holding it is skipped, and the next free generation minted. The holder is
 * tracked (never forgotten, revoked by the next run) only when the audit log shows it minted by
 * this management key: a run that crashed after its mint, or the resource this one replaces
 * (`--replace`). Otherwise it may be another stack's, and is left alone with a line naming it.
 */
import { BasetenError } from "../client/errors";
import { now as clockNow } from "../core/clock";
import { witnessFields } from "../core/evidence";
import { createKey } from "../core/keys/create";
import { isKeyKeptInStateError, KeyKeptInStateError } from "../core/keys/keptInState";
import { notProvenMintedByUs } from "../core/keys/auditLog";
import { describeScope, keysNamedInScope, type KeyScope } from "../core/keys/scope";
import type { ApiKeyOutputs } from "../core/keys/types";
import type { ProviderRuntime } from "../core/runtime";
import { resolveTeam } from "../core/teams";
import { generationName } from "./schedule";
import type { OwnedKey, RotatingApiKeyInputs } from "./types";

/** How many generations past the planned one a create may look for a free name. */
const MAX_GENERATIONS_AHEAD = 100;

export interface MintedGeneration {
  key: OwnedKey;
  apiKey: string;
  /** Live keys found under this resource's names, now tracked (see OwnedKey.leftBehind). */
  leftBehind: OwnedKey[];
}

/** The key's own inputs, as the core's `createKey` takes them. */
function keyInputs(inputs: RotatingApiKeyInputs, name: string) {
  const { type, modelIds, teamId, teamName, providerVersion, resourceName, nameScope } = inputs;
  const drop = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  return drop({ type, modelIds, teamId, teamName, providerVersion, resourceName, nameScope, name, autoName: true });
}

/** An owned key from a key's outputs; `autoName` off so a refresh looks for no `-r<n>` holders. */
export function ownedKey(
  outs: Partial<ApiKeyOutputs>,
  stamp: { generation: number; mintedAt: string; plannedAt: string },
  extra: Partial<OwnedKey> = {},
): OwnedKey {
  const key = { ...outs, autoName: false, ...stamp, ...extra } as OwnedKey & {
    apiKey?: string;
    __provider?: unknown;
  };
  delete key.apiKey;
  delete key.__provider;
  return key;
}

/** The generation in a name of this resource (`<base>-g<n>`), or undefined for any other name. */
export function generationOf(baseName: string, name: string | undefined): number | undefined {
  if (name === undefined || !name.startsWith(`${baseName}-g`)) return undefined;
  const n = name.slice(baseName.length + 2);
  return /^[1-9]\d{0,8}$/.test(n) ? Number(n) : undefined;
}

/** The first generation from `from` whose name no live key of the scope holds, and the keys of ours found holding skipped names. */
export interface FreeGeneration {
  generation: number;
  /** Live keys found under this resource's names, now tracked (see OwnedKey.leftBehind). */
  leftBehind: OwnedKey[];
}

/**
 * Finds generation `from` (or the first later one whose name no live key of the scope holds).
 * Live keys holding a skipped name, not in `tracked` (prefixes the resource already owns) and
 * proven minted by this management key are returned as left behind. Sends no POST: a delivery
 * runs it before deciding whether to mint, so a refusal can still keep those keys in state.
 */
export async function freeGeneration(
  rt: ProviderRuntime,
  inputs: RotatingApiKeyInputs,
  from: number,
  tracked: ReadonlySet<string>,
): Promise<FreeGeneration> {
  const team = await resolveTeam(rt, inputs);
  const caller = await rt.caller();
  const scope: KeyScope = {
    type: inputs.type,
    teamId: team.teamId,
    teamName: team.teamName,
    ownerId: inputs.type === "PERSONAL" ? caller.userId : undefined,
  };
  const listed = await rt.keysBeforeCreates();
  const client = rt.operationClient();
  const leftBehind: OwnedKey[] = [];
  let generation = from;
  for (; ; generation++) {
    if (generation > from + MAX_GENERATIONS_AHEAD)
      throw new BasetenError(
        "request",
        `keyName: ${generationName(inputs.baseName, from)} and the next ${MAX_GENERATIONS_AHEAD} generations' names are all held by live keys ` +
          `in ${describeScope(scope)}. Revoke the ones no stack tracks (GET /v1/api_keys lists them, the lines above name them). Nothing was sent.`,
      );
    const held = generationName(inputs.baseName, generation);
    const holders = await keysNamedInScope(rt, listed, held, scope, caller.userId);
    if (holders.length === 0) break;
    for (const k of holders) {
      if (tracked.has(k.prefix)) continue;
      // A name alone proves nothing: another stack with the same project, stack and resource
      // names derives the same ones. Only the audit log's word that this management key minted
      // the key makes it this resource's (a run interrupted after its mint).
      const notOurs = await notProvenMintedByUs(rt, client, k.prefix);
      if (notOurs !== undefined) {
        process.stdout.write(
          `Baseten API key ${JSON.stringify(k.prefix)} holds ${JSON.stringify(held)}, a name of rotating key ${JSON.stringify(inputs.baseName)}, ` +
            `but nothing proves it this resource's (${notOurs}): it is left alone, neither tracked nor revoked, and the name skipped. ` +
            `If no other stack has a resource of this name, it is left from an interrupted run: revoke it (DELETE /v1/api_keys/${k.prefix}).\n`,
        );
        continue;
      }
      leftBehind.push(
        ownedKey(
          {
            ...keyInputs(inputs, k.name ?? ""),
            ...team,
            prefix: k.prefix,
            ...witnessFields(caller),
            ...(k.ownerId ? { ownerId: k.ownerId } : {}),
          },
          { generation, mintedAt: "", plannedAt: "" },
          { leftBehind: true },
        ),
      );
    }
  }
  for (const k of leftBehind)
    process.stdout.write(
      `Baseten API key ${JSON.stringify(k.prefix)} named ${JSON.stringify(k.name)} holds a name of rotating key ${JSON.stringify(inputs.baseName)}, ` +
        `and the audit log shows it minted by this management key: it is left from an interrupted run or from the resource this one replaces, ` +
        `so it is tracked, and revoked by the next \`pulumi up\` or destroy.\n`,
    );
  return { generation, leftBehind };
}

/**
 * Mints generation `from` (or the first free later one, see freeGeneration; `free` when the
 * caller already looked). A create whose outcome stays unknown throws the core's
 * KeyKeptInStateError; `keep` turns its key into the resource's own error, so the resource
 * (with every key it owns) stays in state.
 */
export async function mintGeneration(
  rt: ProviderRuntime,
  inputs: RotatingApiKeyInputs,
  from: number,
  tracked: ReadonlySet<string>,
  providerCode: unknown,
  keep: (kept: OwnedKey, error: KeyKeptInStateError, leftBehind: OwnedKey[]) => Error,
  free?: FreeGeneration,
): Promise<MintedGeneration> {
  const { generation, leftBehind } = free ?? (await freeGeneration(rt, inputs, from, tracked));
  const name = generationName(inputs.baseName, generation);
  // The preview named the planned generation: say which name is minted instead, and why.
  if (generation !== from)
    process.stdout.write(
      `Rotating key ${JSON.stringify(inputs.baseName)} mints ${JSON.stringify(name)} instead of the planned ${JSON.stringify(generationName(inputs.baseName, from))}, ` +
        `whose name a live key holds.\n`,
    );
  const stamp = { generation, mintedAt: new Date(clockNow()).toISOString(), plannedAt: inputs.rotatedAt };
  try {
    const { outs } = await createKey(rt, { ...keyInputs(inputs, name) } as never, providerCode);
    return { key: ownedKey(outs, stamp), apiKey: outs.apiKey, leftBehind };
  } catch (e) {
    if (!isKeyKeptInStateError(e)) throw e;
    throw keep(ownedKey(e.properties as Partial<ApiKeyOutputs>, stamp), e, leftBehind);
  }
}
