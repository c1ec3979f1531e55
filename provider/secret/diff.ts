/**
 * `diff` of a `Secret`: a value change is an in-place update (one upsert), a name or team
 * change a replacement, deleting first when the old and new names are equivalent (creating
 * first would upsert into the very secret the delete then removes). `olds` are the stored
 * outputs; only input fields are compared.
 */
import { secretNamesEquivalent } from "../client/secrets";
import { UNKNOWN } from "../core/unknown";
import type { DiffDecision } from "../core/resource";

/** A diff decision; `changes: undefined` for a value-only update (see DiffDecision). */
export type SecretDiffDecision = DiffDecision;

const isUnknown = (v: unknown): boolean => v === UNKNOWN;

/** Whether the program's team selection is the team the secret lives in, offline. */
function sameTeam(olds: Record<string, unknown>, news: Record<string, unknown>): boolean {
  if (isUnknown(news.teamId) || isUnknown(news.teamName)) return false;
  if (news.teamId !== undefined) return news.teamId === olds.teamId;
  if (news.teamName !== undefined) return news.teamName === olds.teamName;
  // No team in the program: the default team, resolved at create. A later change of Baseten's
  // default team does not move an existing secret, so it is no change (no churn).
  return olds.teamSelector === undefined;
}

/** Decides no change, update (value, provider version) or replacement (name, team). */
export function diffSecret(olds: Record<string, unknown>, news: Record<string, unknown>): SecretDiffDecision {
  const replaces: string[] = [];
  const nameChanged = isUnknown(news.name) || olds.name !== news.name;
  if (nameChanged) replaces.push("name");
  if (!sameTeam(olds, news)) replaces.push(news.teamName !== undefined ? "teamName" : "teamId");
  const valueChanged = isUnknown(news.value) || olds.value !== news.value;
  const versionChanged = olds.providerVersion !== news.providerVersion;
  // Equivalent names in one team are one secret at Baseten: the old one must go first.
  const equivalentNames =
    !isUnknown(news.name) &&
    typeof olds.name === "string" &&
    typeof news.name === "string" &&
    secretNamesEquivalent(olds.name, news.name);
  return {
    changes: replaces.length > 0 ? true : valueChanged ? undefined : versionChanged,
    replaces,
    deleteBeforeReplace: replaces.length > 0 && equivalentNames && sameTeam(olds, news),
  };
}
