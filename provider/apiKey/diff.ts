/**
 * `diff`: decides between no change, an in-place update and a replacement, comparing input
 * fields only. `olds` are the stored OUTPUTS, so outputs such as the plaintext `apiKey` must
 * never take part, or every run would report a change.
 */
import { sameSet } from "../core/sets";
import { UNKNOWN } from "../core/unknown";
import type { DiffDecision } from "../core/resource";

/** Model ids are a set at Baseten: order does not matter. */
function sameModels(a: unknown, b: unknown): boolean {
  const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
  return sameSet(list(a), list(b));
}

function sameMap(a: unknown, b: unknown): boolean {
  const entries = (v: unknown) =>
    Object.entries(typeof v === "object" && v !== null ? (v as Record<string, unknown>) : {}).sort(([k1], [k2]) =>
      k1 < k2 ? -1 : 1,
    );
  return JSON.stringify(entries(a)) === JSON.stringify(entries(b));
}

const containsUnknown = (v: unknown): boolean => JSON.stringify(v ?? null).includes(UNKNOWN);

/**
 * The team a program selected, as a comparable string. For stored outputs, `teamSelector`
 * records which input the program used; without one the program named no team, whatever
 * team Baseten lists the key under (a teamless key is listed under the default team in
 * workspaces with teams), so only an input the program sets can cause a replacement.
 */
function teamSelection(v: Record<string, unknown>, fromOutputs: boolean): string {
  const selector = fromOutputs ? v.teamSelector : v.teamName !== undefined && v.teamId === undefined ? "teamName" : "teamId";
  if (selector === "teamName" && v.teamName !== undefined && v.teamName !== null) return `name:${String(v.teamName)}`;
  if (selector === "teamId" && v.teamId !== undefined && v.teamId !== null) return `id:${String(v.teamId)}`;
  return "none";
}

/**
 * Whether `newTeam` (see teamSelection) names, with the other selector, the team the stored
 * outputs resolved: its id when the program now gives an id, its name when it now gives a name
 * (update checks that the name still resolves to the stored id before recording it).
 */
function sameTeamOtherSelector(olds: Record<string, unknown>, newTeam: string): boolean {
  if (olds.teamSelector === "teamName") return olds.teamId !== undefined && newTeam === `id:${String(olds.teamId)}`;
  if (olds.teamSelector === "teamId") return olds.teamName !== undefined && newTeam === `name:${String(olds.teamName)}`;
  return false;
}

/**
 * Every input change replaces the key (Baseten has no update or rename); a change of
 * `providerVersion` alone is an in-place update that rewrites the stored provider code and
 * calls no API; so is naming the same team by id instead of by name (or back). The replacement creates the new key before revoking the old one, except when
 * an explicit `name` stays the same: Baseten rejects two live keys with one name, so the old
 * key must go first.
 */
export function diffInputs(olds: Record<string, unknown>, news: Record<string, unknown>): DiffDecision {
  const replaces: string[] = [];
  const changed = (field: string, same: boolean) => {
    if (!same || containsUnknown(news[field])) replaces.push(field);
  };
  // An adopted key (same adoptPrefix as before) took the fields the program leaves unset from
  // the live key: an unset field is then no change, or every run would replace the key.
  const adopted = news.adoptPrefix !== undefined && news.adoptPrefix === olds.adoptPrefix;
  const takenFromKey = (...fields: string[]) => adopted && fields.every((f) => news[f] === undefined);

  changed("type", olds.type === news.type);
  // A generated name is kept by `check`; a switch between generated and explicit is a change.
  // A generated name follows from the other inputs (see naming.ts), which are compared below; a
  // replacement's stored name may carry "-r<n>". A switch between generated and explicit is a change.
  const bothGenerated = olds.autoName === true && news.autoName === true;
  if (!takenFromKey("name") && !bothGenerated)
    changed("name", olds.name === news.name && Boolean(olds.autoName) === Boolean(news.autoName));
  if (!takenFromKey("modelIds")) changed("modelIds", sameModels(olds.modelIds, news.modelIds));
  const oldTeam = teamSelection(olds, true);
  const newTeam = teamSelection(news, false);
  // A key the program placed in no team (or adopted) already lives in the team Baseten lists:
  // naming that very team now is no change.
  const namesListedTeam =
    olds.teamSelector === undefined &&
    ((olds.teamName !== undefined && newTeam === `name:${String(olds.teamName)}`) ||
      (olds.teamId !== undefined && newTeam === `id:${String(olds.teamId)}`));
  // The same team named the other way (by id instead of by name, or back): the stored outputs
  // hold both, as resolved at create. An in-place update records the new selector.
  const switchesSelector = oldTeam !== newTeam && olds.teamSelector !== undefined && sameTeamOtherSelector(olds, newTeam);
  if (
    !takenFromKey("teamId", "teamName") &&
    ((oldTeam !== newTeam && !namesListedTeam && !switchesSelector) ||
      containsUnknown(news.teamId) ||
      containsUnknown(news.teamName))
  ) {
    replaces.push(news.teamName !== undefined || olds.teamSelector === "teamName" ? "teamName" : "teamId");
  }
  changed("rotationTriggers", sameMap(olds.rotationTriggers, news.rotationTriggers));
  changed("adoptPrefix", (olds.adoptPrefix ?? null) === (news.adoptPrefix ?? null));
  // A key whose plaintext was lost (an interrupted create that was recovered) is replaced.
  if (olds.apiKey === "" && olds.adoptPrefix === undefined && !replaces.includes("apiKey")) replaces.push("apiKey");

  const versionChanged = olds.providerVersion !== news.providerVersion;
  const keepsExplicitName =
    news.autoName === false && news.name !== undefined && olds.name === news.name && !containsUnknown(news.name);
  return {
    changes: replaces.length > 0 || versionChanged || switchesSelector,
    replaces,
    deleteBeforeReplace: replaces.length > 0 && keepsExplicitName,
  };
}
