/**
 * What the tests of a `RotatingApiKey` with `deliverTo` read from the emulator: the order of
 * its requests, and the secret's value on the emulator's control side (Baseten itself never
 * gives a value back). Fake keys only.
 */
import { ROUTES, SECRET_ROUTES, type BasetenEmulator } from "../emulator";

/**
 * The emulator's log since it was cleared, in order: listings of the team's secrets, mints,
 * secret writes and deletes, revocations, each with its status (and path where it names one).
 */
export function deliverySteps(emu: BasetenEmulator): string[] {
  return emu.requestLog().flatMap((r) => {
    if (r.route === SECRET_ROUTES.listTeamSecrets) return [`list-secrets ${r.status}`];
    if (r.route === ROUTES.createKey) return [`mint ${r.status}`];
    if (r.route === SECRET_ROUTES.upsertTeamSecret) return [`write ${r.rawPath} ${r.status}`];
    if (r.route === SECRET_ROUTES.deleteTeamSecret) return [`delete-secret ${r.rawPath} ${r.status}`];
    if (r.route === ROUTES.deleteKey) return [`revoke ${r.rawPath} ${r.status}`];
    return [];
  });
}

/** The secret `name` of team `teamId`, as the emulator holds it (value included). */
export function secretIn(emu: BasetenEmulator, name: string, teamId = "team-default") {
  return emu.secrets().find((s) => s.teamId === teamId && s.name === name);
}

/** The live key whose plaintext that secret holds, if any. */
export function keyInSecret(emu: BasetenEmulator, name: string, teamId = "team-default") {
  const value = secretIn(emu, name, teamId)?.value;
  return emu.liveKeys().find((k) => k.apiKey === value);
}
