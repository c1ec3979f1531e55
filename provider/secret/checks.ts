/**
 * `check` of a `Secret`: validation and normalisation with no network. Baseten states no
 * alphabet for secret names, so only what is certainly invalid is refused here (a 4xx from
 * Baseten names the rest). The value is validated but never quoted.
 */
import { generatedName } from "../core/names";
import { beginCheck, typeOf, type CheckFailure } from "../core/resource";
import { UNKNOWN } from "../core/unknown";
import { secretNameProblem } from "../core/secrets/names";
import type { SecretInputs } from "../core/secrets/types";

/** Inputs a program may set, then those the Secret class sets. (An array: closure serialization cannot rebuild a Set.) */
const KNOWN_INPUTS = [
  "name",
  "value",
  "teamId",
  "teamName",
  "adoptExisting",
  "autoName",
  "providerVersion",
  "resourceName",
  "nameScope",
  "__provider",
];
const PUBLIC_INPUTS = 5;

const isUnknown = (v: unknown): boolean => v === UNKNOWN;

/**
 * The generated name of a new secret, derived like a key's (core/names.ts generatedName) from
 * `nameScope`, the resource name and the team, so `pulumi preview` shows the very name
 * `pulumi up` writes (models read secrets by name); unknown while the team is.
 */
function generatedSecretName(news: Record<string, unknown>): string {
  return generatedName(
    news,
    { type: "baseten:Secret", teamId: news.teamId ?? undefined, teamName: news.teamName ?? undefined },
    "secret",
  );
}

/** The checked inputs, and every problem found (none means valid). */
export interface SecretCheckResult {
  inputs: Partial<SecretInputs> & Record<string, unknown>;
  failures: CheckFailure[];
}

/**
 * Validates `news`; keeps a generated name from `olds` so it is stable across updates (the
 * engine passes empty `olds` for a replacement, which then gets a fresh name).
 */
export function checkSecretInputs(olds: Record<string, unknown>, news: Record<string, unknown>): SecretCheckResult {
  const { inputs, failures, fail } = beginCheck(news, KNOWN_INPUTS, "baseten:Secret", PUBLIC_INPUTS);

  // value: required and non-empty; never quoted in a message.
  const value = news.value;
  if (value === undefined || value === null) {
    fail("value", "is required: the secret's value, a string or an Output<string> (for example an ApiKey's apiKey)");
  } else if (!isUnknown(value)) {
    if (typeof value !== "string") fail("value", `must be a string, got ${typeOf(value)}; convert it, e.g. String(value)`);
    else if (value === "")
      fail(
        "value",
        "must not be empty. An adopted ApiKey's apiKey is empty (Baseten never shows a key's plaintext again): " +
          "feed the secret from a key Pulumi minted, or give the value another way",
      );
  }

  // name: explicit, or generated once and kept.
  const name = news.name;
  if (name === undefined || name === null) {
    delete inputs.name;
    if (olds.autoName === true && typeof olds.name === "string" && olds.name) inputs.name = olds.name;
    else inputs.name = generatedSecretName(news);
    inputs.autoName = true;
  } else {
    inputs.autoName = false;
    if (!isUnknown(name)) {
      if (typeof name !== "string") fail("name", `must be a string, got ${typeOf(name)}`);
      else {
        const problem = secretNameProblem(name);
        if (problem) fail("name", problem);
      }
    }
  }

  // teamId / teamName
  for (const field of ["teamId", "teamName"] as const) {
    const v = news[field];
    if (v === null) delete inputs[field];
    else if (v !== undefined && !isUnknown(v) && (typeof v !== "string" || v.trim() === "")) {
      fail(field, `must be a non-empty string, got ${typeOf(v)}`);
    }
  }
  const has = (v: unknown) => v !== undefined && v !== null;
  if (has(news.teamId) && has(news.teamName)) fail("teamName", "cannot be set together with teamId; set one of them");

  // adoptExisting
  const adopt = news.adoptExisting;
  if (adopt === null) delete inputs.adoptExisting;
  else if (adopt !== undefined && !isUnknown(adopt) && typeof adopt !== "boolean")
    fail("adoptExisting", `must be true or false, got ${typeOf(adopt)}`);

  return { inputs: inputs as SecretCheckResult["inputs"], failures };
}
