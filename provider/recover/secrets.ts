/**
 * Interrupted `Secret` creates. A secret has no prefix to tell one write from another: the
 * secret Baseten may hold under that name carries the program's value, but nothing proves it is
 * this stack's, so recovery never deletes it; it says what to do, as README's "After a crash
 * during `up` of a `Secret`" does.
 */
import { interruptedCreates, SECRET_TYPE, type StackState } from "./stackState";

/** One paragraph per interrupted `Secret` create: its name, its team, the two ways out. */
export function interruptedSecretLines(state: StackState): string[] {
  return interruptedCreates(state, SECRET_TYPE).map((r) => {
    const name = JSON.stringify(r.inputs?.name ?? "?");
    const team = r.inputs?.teamId ?? r.inputs?.teamName;
    const where = team !== undefined ? `team ${JSON.stringify(team)}` : "the default team";
    return (
      `Secret ${r.urn}: its create of secret ${name} in ${where} was interrupted; Baseten may hold a secret of that ` +
      `name, written with the program's value. After \`pulumi refresh --yes --clear-pending-creates\`, either set ` +
      `adoptExisting: true on it for one \`pulumi up\` (it takes the secret over), or delete the secret at Baseten ` +
      `(DELETE /v1/teams/<team id>/secrets/<name>) and run \`pulumi up\`.`
    );
  });
}
