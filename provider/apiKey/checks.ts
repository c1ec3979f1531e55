/**
 * `check`: validation and normalisation of `ApiKey` inputs, with no network. Every problem
 * becomes a `{property, reason}` failure, so `pulumi preview` shows all of them at once and
 * nothing is sent to Baseten.
 */
import { prefixProblem } from "../client/prefix";
import { generatedName as coreGeneratedName, nameProblem } from "../core/names";
import { UNKNOWN } from "../core/unknown";
import { checkKeyScope, checkKeyType } from "../core/keys/checks";
import type { ApiKeyInputs } from "../core/keys/types";
import { beginCheck, typeOf, type CheckFailure } from "../core/resource";

export { UNKNOWN };

/** Most rotation triggers. */
export const MAX_ROTATION_TRIGGERS = 100;

/** The checked inputs the engine stores, and every problem found (none means valid). */
export interface CheckResult {
  inputs: Partial<ApiKeyInputs> & Record<string, unknown>;
  failures: CheckFailure[];
}

/** Inputs a program may set; anything else is a typo worth reporting. (An array: closure
 * serialization cannot rebuild a Set held at module level.) */
const KNOWN_INPUTS = [
  "type",
  "name",
  "modelIds",
  "teamId",
  "teamName",
  "rotationTriggers",
  "adoptPrefix",
  // set by the ApiKey class, not by users:
  "autoName",
  "providerVersion",
  "resourceName",
  "nameScope",
  "__provider",
];

const isUnknown = (v: unknown): boolean => v === UNKNOWN;

/**
 * The generated name of a key: derived from `nameScope` (project and stack, given by the
 * ApiKey class), the resource name and the replacement-forcing inputs, so a preview shows the
 * name up creates; unknown while any of them is; random only for callers that give no scope.
 */
function generatedName(news: Record<string, unknown>): string {
  const seed = {
    type: news.type,
    modelIds: news.modelIds ?? undefined,
    teamId: news.teamId ?? undefined,
    teamName: news.teamName ?? undefined,
    rotationTriggers: news.rotationTriggers ?? undefined,
  };
  // Room after the name for a replacement's "-r<n>" (see core/names.ts replacementName).
  return coreGeneratedName(news, seed, "key", 6);
}

/**
 * Validates `news` and returns the inputs the engine will store. `olds` are the previous
 * inputs (empty on create and when the engine re-checks for a replacement), from which a
 * generated name is kept so it stays stable across updates.
 */
export function checkInputs(olds: Record<string, unknown>, news: Record<string, unknown>): CheckResult {
  const { inputs, failures, fail } = beginCheck(news, KNOWN_INPUTS, "baseten:ApiKey", 7);

  const knownType = checkKeyType(news, fail);

  // adoptPrefix
  const adoptPrefix = news.adoptPrefix;
  if (adoptPrefix !== undefined && !isUnknown(adoptPrefix)) {
    const problem = prefixProblem(adoptPrefix);
    if (problem) fail("adoptPrefix", `is not a usable key prefix: ${problem}`);
  }

  // name: explicit, or generated once and kept from the old inputs.
  const name = news.name;
  if (name === undefined || name === null) {
    delete inputs.name;
    if (adoptPrefix !== undefined) {
      inputs.autoName = false; // an adopted key keeps the name Baseten already has
    } else if (olds.autoName === true && typeof olds.name === "string" && olds.name) {
      inputs.name = olds.name;
      inputs.autoName = true;
    } else {
      inputs.name = generatedName(news);
      inputs.autoName = true;
    }
  } else if (!isUnknown(name)) {
    inputs.autoName = false;
    if (typeof name !== "string") fail("name", `must be a string, got ${typeOf(name)}`);
    else {
      const problem = nameProblem(name);
      if (problem) fail("name", problem);
    }
  } else {
    inputs.autoName = false;
  }

  checkKeyScope(news, inputs, knownType, fail);

  // rotationTriggers
  const triggers = news.rotationTriggers;
  if (triggers === null) delete inputs.rotationTriggers;
  else if (triggers !== undefined && !isUnknown(triggers)) {
    if (typeof triggers !== "object" || Array.isArray(triggers)) {
      fail("rotationTriggers", `must be a map of strings, got ${typeOf(triggers)}`);
    } else {
      const entries = Object.entries(triggers as Record<string, unknown>);
      if (entries.length > MAX_ROTATION_TRIGGERS)
        fail("rotationTriggers", `has ${entries.length} entries; at most ${MAX_ROTATION_TRIGGERS}`);
      for (const [k, v] of entries) {
        if (typeof v !== "string" && !isUnknown(v)) {
          fail(`rotationTriggers.${k}`, `must be a string, got ${typeOf(v)}; convert it, e.g. String(value)`);
        }
      }
    }
  }

  return { inputs: inputs as CheckResult["inputs"], failures };
}
