/**
 * Secret through the real Pulumi engine against the emulator: create, update in place,
 * refresh after an out-of-band delete, destroy with a mismatched tombstone, and scans for
 * the value everywhere it must not be. Each step checks both sides: what Pulumi states and
 * what Baseten (the emulator) holds and was asked. Fake values only.
 */
import { BasetenEmulator, ROUTES, SECRET_ROUTES } from "../emulator";
import { leaks, SECRET_SIG, TestStack } from "./harness";
import { failureOf } from "../support/failureOf";

jest.setTimeout(10 * 60 * 1000);

const FIRST = "fake-secret-value-first-0001";
const SECOND = "fake-secret-value-second-0002";
const TEAM_VALUE = "fake-secret-value-team-0003";
const VALUES = [FIRST, SECOND, TEAM_VALUE];
const LIST = SECRET_ROUTES.listTeamSecrets;
const POST = SECRET_ROUTES.upsertTeamSecret;
const DELETE = SECRET_ROUTES.deleteTeamSecret;

let emu: BasetenEmulator;
let ts: TestStack;
const count = (route: string) => emu.routeCounts()[route] ?? 0;

beforeAll(async () => {
  emu = await BasetenEmulator.start();
  ts = await TestStack.create({ apiUrl: emu.url, managementKey: emu.managementKey, projectName: "baseten-secret-e2e" });
});
afterAll(async () => {
  await ts?.remove();
  await emu?.stop();
});

/** The value appears nowhere but inside secret envelopes: state, state files, output, the request log. */
async function expectValueOnlyInEnvelopes(): Promise<void> {
  const resources = await ts.secretResources();
  for (const r of resources) {
    expect(JSON.stringify(r.outputs.value)).toContain(SECRET_SIG);
    expect(JSON.stringify(r.inputs.value)).toContain(SECRET_SIG);
    expect(JSON.stringify(r.outputs.__provider ?? "")).not.toMatch(/fake-secret-value/);
  }
  expect(leaks(JSON.stringify(await ts.exportState()), VALUES)).toEqual([]);
  expect(leaks(ts.stateFilesText(), [...VALUES, emu.managementKey])).toEqual([]);
  expect(leaks(ts.transcript.join(""), [...VALUES, emu.managementKey])).toEqual([]);
  expect(leaks(JSON.stringify(emu.requestLog()), VALUES)).toEqual([]);
}

describe("Secret through the real engine", () => {
  let secretId: string;

  it("1. up writes a secret to the default team and one to a team by name, one listing per team and one POST each", async () => {
    ts.secrets = [
      { name: "hf", args: { name: "hf_access_token", value: FIRST } },
      { name: "team", args: { name: "team-token", value: TEAM_VALUE, teamName: "ml-platform" } },
    ];
    emu.clearLog();
    const up = await ts.up();
    expect(up.summary.resourceChanges).toEqual({ create: 3 });
    expect(count(LIST)).toBe(2);
    expect(count(POST)).toBe(2);
    expect(count(SECRET_ROUTES.upsertSecret) + count(SECRET_ROUTES.deleteSecret)).toBe(0); // never the teamless routes
    const atBaseten = emu.secrets();
    expect(atBaseten.map((s) => [s.teamId, s.name, s.value]).sort()).toEqual([
      ["team-default", "hf_access_token", FIRST],
      ["team-ml", "team-token", TEAM_VALUE],
    ]);
    secretId = atBaseten.find((s) => s.name === "hf_access_token")!.id;
    expect(up.outputs.hfSecretId).toEqual({ value: secretId, secret: false });
    expect(up.outputs.hfValue).toEqual({ value: FIRST, secret: true });
    const ids = (await ts.secretResources()).map((r) => r.id).sort();
    expect(ids).toEqual(["team-default/hf_access_token", "team-ml/team-token"]);
    await expectValueOnlyInEnvelopes();
  });

  it("2. preview of the unchanged stack sends no request and shows no change", async () => {
    emu.clearLog();
    const preview = await ts.preview({ expectNoChanges: true });
    expect(preview.changeSummary).toEqual({ same: 3 });
    expect(emu.requestLog()).toEqual([]);
  });

  it("3. a new value is an in-place update: the preview shows ~ value as [secret] and sends nothing; up sends one listing (the stored id under the name) and one POST, same secretId", async () => {
    ts.secrets[0].args = { ...ts.secrets[0].args, value: SECOND };
    emu.clearLog();
    const preview = await ts.preview({ diff: true });
    expect(preview.changeSummary).toEqual({ update: 1, same: 2 });
    expect(preview.text).toMatch(/~ value\s*: \[secret\]/);
    expect(emu.requestLog()).toEqual([]);

    const up = await ts.up();
    expect(up.summary.resourceChanges).toEqual({ update: 1, same: 2 });
    // The team's listing, then one POST; besides them only the caller's identity, fetched once per provider process.
    const sent = emu.requestLog().filter((r) => r.route !== ROUTES.usersMe);
    expect(sent.map((r) => [r.route, r.rawPath])).toEqual([
      [LIST, "/v1/teams/team-default/secrets"],
      [POST, "/v1/teams/team-default/secrets"],
    ]);
    expect(count(ROUTES.usersMe)).toBeLessThanOrEqual(1);
    expect(up.outputs.hfSecretId.value).toBe(secretId);
    expect(emu.secrets().find((s) => s.id === secretId)?.value).toBe(SECOND);
    await expectValueOnlyInEnvelopes();
  });

  it("4. refresh after an out-of-band delete drops the secret on evidence (a listing by the user who saw it), one listing per team; up recreates it", async () => {
    expect(emu.deleteSecretOutOfBand("team-default", "hf_access_token")).toBe(true);
    emu.clearLog();
    const refresh = await ts.refresh();
    expect(refresh.summary.result).toBe("succeeded");
    expect(refresh.summary.resourceChanges).toMatchObject({ delete: 1 });
    // Refresh says what proved it, in destroy's words (issue 17 item 7).
    expect(ts.transcript.join("")).toContain(
      'Refresh dropped Baseten secret "team-default/hf_access_token": no longer in the listing of the user who last saw it (verified).',
    );
    expect(count(LIST)).toBe(2);
    expect(count(POST) + count(DELETE)).toBe(0);
    expect((await ts.secretResources()).map((r) => r.id)).toEqual(["team-ml/team-token"]);

    const up = await ts.up();
    expect(up.summary.resourceChanges).toMatchObject({ create: 1 });
    expect(emu.secrets().find((s) => s.name === "hf_access_token")?.value).toBe(SECOND);
    expect(await ts.refresh({ expectNoChanges: true })).toBeDefined();
  });

  it("4b. renaming to an equivalent name replaces delete-first: the old secret goes before the new one is written", async () => {
    ts.secrets[0].args = { ...ts.secrets[0].args, name: "hf-access-token" };
    emu.clearLog();
    const up = await ts.up();
    expect(up.summary.resourceChanges).toEqual({ replace: 1, same: 2 });
    const writes = emu
      .requestLog()
      .filter((r) => r.route === POST || r.route === DELETE)
      .map((r) => [r.route, r.rawPath, r.status]);
    expect(writes).toEqual([
      [DELETE, "/v1/teams/team-default/secrets/hf_access_token", 200],
      [POST, "/v1/teams/team-default/secrets", 200],
    ]);
    expect(
      emu
        .secrets()
        .filter((s) => s.teamId === "team-default")
        .map((s) => [s.name, s.value]),
    ).toEqual([["hf-access-token", SECOND]]);
    expect((await ts.secretResources()).map((r) => r.id).sort()).toEqual(["team-default/hf-access-token", "team-ml/team-token"]);
  });

  it("4c. up refuses a name that exists at Baseten (equivalent spelling), writing nothing; adoptExisting takes it over in place", async () => {
    const theirs = emu.upsertSecretOutOfBand({ teamId: "team-ml", name: "shared.token", value: "fake-theirs-0004" });
    ts.secrets.push({ name: "shared", args: { name: "shared-token", value: FIRST, teamId: "team-ml" } });
    emu.clearLog();
    const e = await failureOf(ts.up());
    expect(e.message).toMatch(/already has a secret named "shared\.token"/);
    expect(e.message).toMatch(/adoptExisting: true/);
    expect(count(POST)).toBe(0);
    expect(emu.secrets().find((s) => s.id === theirs.id)?.value).toBe("fake-theirs-0004");
    expect((await ts.secretResources()).map((r) => r.id)).not.toContain("team-ml/shared-token");

    ts.secrets[2].args = { ...ts.secrets[2].args, adoptExisting: true };
    const up = await ts.up();
    expect(up.summary.resourceChanges).toMatchObject({ create: 1 });
    expect(up.outputs.sharedSecretId.value).toBe(theirs.id);
    expect(emu.secrets().find((s) => s.id === theirs.id)?.value).toBe(FIRST);
    expect(leaks(ts.transcript.join(""), ["fake-theirs-0004", ...VALUES])).toEqual([]);
  });

  it("5. destroy with a mismatched tombstone fails and keeps the secret, in state and at Baseten", async () => {
    emu.injectFault({ kind: "wrongTombstone", name: "someone_else", route: DELETE });
    const e = await failureOf(ts.destroy());
    expect(e.message).toMatch(/tombstone for "someone_else"/);
    expect(e.message).toMatch(/kept in state/);
    const left = (await ts.secretResources()).map((r) => r.id).sort();
    expect(left.length).toBeGreaterThanOrEqual(1);
    // Kept ones are live at Baseten, under an equivalent name (an adopted secret keeps the
    // spelling Baseten had; equivalence: non-alphanumerics read as "_").
    const canonical = (n: string) => n.replace(/[^A-Za-z0-9]/g, "_");
    for (const id of left) {
      const [team, name] = id.split("/");
      expect({ id, live: emu.secrets().some((s) => s.teamId === team && canonical(s.name) === canonical(name)) }).toEqual({
        id,
        live: true,
      });
    }
    await expectValueOnlyInEnvelopes();
  });

  it("6. destroy then deletes every secret, each removal proven by its tombstone", async () => {
    emu.clearLog();
    const destroy = await ts.destroy();
    expect(destroy.summary.result).toBe("succeeded");
    expect(emu.secrets()).toEqual([]);
    expect(await ts.secretResources()).toEqual([]);
    expect(
      emu
        .requestLog()
        .filter((r) => r.route === DELETE)
        .every((r) => r.status === 200),
    ).toBe(true);
    expect(leaks(ts.transcript.join(""), [...VALUES, emu.managementKey])).toEqual([]);
    // Each removal says what proved it, by the secret's id (never its value); the audit log confirms the id deleted.
    expect(ts.transcript.join("")).toMatch(
      /Deleted Baseten secret "team-ml\/team-token": Baseten's tombstone names it and its audit log records the deletion of its id \(verified\)/,
    );
  });
});
