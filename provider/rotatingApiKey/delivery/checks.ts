/**
 * `check` of `deliverTo`: the secret's name, its team (by id or by name, not both), and
 * `adoptExisting`. No network: whether the name is free is decided by the team's listing at
 * the first `up`, before any key is minted.
 */
import { typeOf } from "../../core/resource";
import { secretNameProblem } from "../../core/secrets/names";
import { UNKNOWN } from "../../core/unknown";

const FIELDS = ["secretName", "teamId", "teamName", "adoptExisting"];

/** Checks `news.deliverTo` where the program set it; stores it without unset fields. */
export function checkDeliverTo(
  news: Record<string, unknown>,
  inputs: Record<string, unknown>,
  fail: (property: string, reason: string) => void,
): void {
  const deliverTo = news.deliverTo;
  if (deliverTo === undefined || deliverTo === null) {
    delete inputs.deliverTo;
    return;
  }
  if (deliverTo === UNKNOWN) return;
  if (typeof deliverTo !== "object" || Array.isArray(deliverTo)) {
    fail("deliverTo", `must be { secretName, teamId or teamName, adoptExisting }; got ${typeOf(deliverTo)}`);
    return;
  }
  const d = deliverTo as Record<string, unknown>;
  for (const k of Object.keys(d))
    if (!FIELDS.includes(k)) fail(`deliverTo.${k}`, `is not a field of deliverTo; the fields are ${FIELDS.join(", ")}`);
  const name = d.secretName;
  if (name !== UNKNOWN) {
    if (typeof name !== "string" || name === "")
      fail(
        "deliverTo.secretName",
        `is required: the name of the Baseten secret the key is written into; got ${typeOf(name ?? null)}`,
      );
    else {
      const problem = secretNameProblem(name);
      if (problem) fail("deliverTo.secretName", problem);
    }
  }
  for (const field of ["teamId", "teamName"] as const) {
    const v = d[field];
    if (v !== undefined && v !== null && v !== UNKNOWN && (typeof v !== "string" || v === ""))
      fail(`deliverTo.${field}`, `must be a non-empty string; got ${typeOf(v)}`);
  }
  if (d.teamId !== undefined && d.teamId !== null && d.teamName !== undefined && d.teamName !== null)
    fail("deliverTo.teamName", "cannot be set together with deliverTo.teamId: name the secret's team one way");
  const adopt = d.adoptExisting;
  if (adopt !== undefined && adopt !== null && adopt !== UNKNOWN && typeof adopt !== "boolean")
    fail("deliverTo.adoptExisting", `must be true or false; got ${typeOf(adopt)}`);
  inputs.deliverTo = Object.fromEntries(Object.entries(d).filter(([, v]) => v !== undefined && v !== null));
}
