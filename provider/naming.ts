/**
 * Names of Baseten API keys. Baseten's UI allows lowercase letters, digits and hyphens, and a
 * name must be unique among the live keys of its scope. When a program gives no name, the
 * provider names the key the Pulumi way: `<resource name>-<7 random characters>`, so a
 * create-before-delete replacement (which re-runs `check` without old inputs) gets a fresh,
 * non-colliding name.
 */

/** Baseten's name alphabet. */
export const NAME_PATTERN = /^[a-z0-9-]+$/;

/** Longest name accepted. Baseten documents no limit; this bound is our guess (see README). */
export const MAX_NAME_LENGTH = 255;

const SUFFIX_LENGTH = 7;
const SUFFIX_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/** Maps any text into Baseten's alphabet: lowercase, other runs become one hyphen, no hyphen at the ends. */
export function sanitizeName(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^-+|-+$/g, "");
}

/** Seven random lowercase alphanumerics from a cryptographic source. */
export function randomSuffix(): string {
  // Required lazily: the provider is closure-serialized (see client/http.ts).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { randomInt } = require("crypto") as typeof import("crypto");
  let out = "";
  for (let i = 0; i < SUFFIX_LENGTH; i++) out += SUFFIX_ALPHABET[randomInt(SUFFIX_ALPHABET.length)];
  return out;
}

/** `<sanitised resource name>-<suffix>`, within `MAX_NAME_LENGTH`. */
export function autoName(resourceName: string, suffix: string = randomSuffix()): string {
  const base =
    sanitizeName(resourceName)
      .slice(0, MAX_NAME_LENGTH - SUFFIX_LENGTH - 1)
      .replace(/-+$/, "") || "key";
  return `${base}-${suffix}`;
}

/** Why `name` is not a valid Baseten key name, or undefined. */
export function nameProblem(name: string): string | undefined {
  if (name.length === 0) return "must not be empty; omit `name` to have one generated";
  if (name.length > MAX_NAME_LENGTH) return `is ${name.length} characters long; at most ${MAX_NAME_LENGTH} are allowed`;
  if (!NAME_PATTERN.test(name)) {
    return `may contain only lowercase letters, digits and hyphens (Baseten's rule); for example "${sanitizeName(name).slice(0, 60) || "my-key"}"`;
  }
  return undefined;
}
