/**
 * A stack's secret deleted by hand and replaced by a colleague's (an equivalent name, a new
 * id), through the real Pulumi engine (issue 15 item 4): ownership is the stored `secretId`,
 * never the name. Refresh drops ours and says why; update and destroy leave the colleague's
 * secret alone and say so; a destroy of a secret still ours is confirmed by the audit log's
 * `SECRET_DELETED` `secret_id`. Each step checks what Pulumi states and what Baseten holds.
 */
import { BasetenEmulator, ROUTES, SECRET_ROUTES } from "../emulator";
import { leaks, TestStack } from "./harness";
import { failureOf } from "../support/failureOf";

jest.setTimeout(10 * 60 * 1000);

const OURS = "fake-secret-value-ours-0001";
const NEWER = "fake-secret-value-newer-0002";
const THEIRS = "fake-secret-value-colleague-0003";
const KEPT = "fake-secret-value-kept-0004";
const VALUES = [OURS, NEWER, THEIRS, KEPT];
const POST = SECRET_ROUTES.upsertTeamSecret;
const DELETE = SECRET_ROUTES.deleteTeamSecret;

let emu: BasetenEmulator;
let ts: TestStack;
const count = (route: string) => emu.routeCounts()[route] ?? 0;
const text = () => ts.transcript.join("");

beforeAll(async () => {
  emu = await BasetenEmulator.start();
  ts = await TestStack.create({ apiUrl: emu.url, managementKey: emu.managementKey, projectName: "baseten-secret-replaced" });
});
afterAll(async () => {
  await ts?.remove();
  await emu?.stop();
});

describe("a secret replaced outside Pulumi, through the real engine", () => {
  let alphaId: string;
  let theirAlpha: { id: string };
  let theirBeta: { id: string };

  it("1. up writes three secrets", async () => {
    ts.secrets = [
      { name: "alpha", args: { name: "alpha_token", value: OURS } },
      { name: "beta", args: { name: "beta_token", value: OURS } },
      { name: "kept", args: { name: "kept_token", value: KEPT } },
    ];
    const up = await ts.up();
    expect(up.summary.resourceChanges).toEqual({ create: 4 });
    alphaId = up.outputs.alphaSecretId.value as string;
  });

  it("2. after a colleague replaces alpha by hand, an update of its value writes nothing, leaves theirs alone and says so", async () => {
    theirAlpha = emu.replaceSecretOutOfBand({
      teamId: "team-default",
      name: "alpha_token",
      newName: "alpha-token",
      value: THEIRS,
    })!.after;
    ts.secrets[0].args = { ...ts.secrets[0].args, value: NEWER };
    emu.clearLog();
    const e = await failureOf(ts.up());
    expect(e.message).toMatch(/Secret "alpha_token" in team "default" \(team-default\) was replaced outside Pulumi/);
    expect(e.message).toContain(`secret "alpha-token" (id ${theirAlpha.id}`);
    expect(e.message).toMatch(/Nothing was written: the other secret is left alone/);
    expect(count(POST)).toBe(0);
    expect(emu.secrets().find((s) => s.id === theirAlpha.id)?.value).toBe(THEIRS);
    // State still holds ours, with its own id.
    const alpha = (await ts.secretResources()).find((r) => r.id === "team-default/alpha_token");
    expect(alpha?.outputs.secretId).toBe(alphaId);
  });

  it("3. refresh drops ours (the other id's presence proves it gone), prints why, and touches nothing", async () => {
    ts.secrets[0].args = { ...ts.secrets[0].args, value: OURS };
    emu.clearLog();
    const before = text().length;
    const refresh = await ts.refresh();
    expect(refresh.summary.result).toBe("succeeded");
    expect(refresh.summary.resourceChanges).toMatchObject({ delete: 1 });
    expect(count(POST) + count(DELETE)).toBe(0);
    expect((await ts.secretResources()).map((r) => r.id).sort()).toEqual(["team-default/beta_token", "team-default/kept_token"]);
    expect(text().slice(before)).toContain(
      `Refresh dropped Baseten secret "team-default/alpha_token": replaced outside Pulumi: the team's listing holds ` +
        `secret "alpha-token" (id ${theirAlpha.id}`,
    );
    expect(text().slice(before)).toMatch(
      /not id \S+, so this stack's secret was deleted; that other secret is left alone \(verified\)/,
    );
    expect(emu.secrets().find((s) => s.id === theirAlpha.id)?.value).toBe(THEIRS);
  });

  it("4. destroy leaves the colleague's beta alone (no DELETE for it) and says so; our kept secret is deleted, its id confirmed by the audit log", async () => {
    // Alpha leaves the program: `up` would otherwise create it again, refused as existing.
    ts.secrets = ts.secrets.slice(1);
    theirBeta = emu.replaceSecretOutOfBand({ teamId: "team-default", name: "beta_token", value: THEIRS })!.after;
    emu.clearLog();
    const before = text().length;
    const destroy = await ts.destroy();
    expect(destroy.summary.result).toBe("succeeded");
    expect(await ts.secretResources()).toEqual([]);
    const deletes = emu
      .requestLog()
      .filter((r) => r.route === DELETE)
      .map((r) => [r.rawPath, r.status]);
    expect(deletes).toEqual([["/v1/teams/team-default/secrets/kept_token", 200]]);
    expect(count(ROUTES.auditLogs)).toBeGreaterThanOrEqual(1);
    expect(
      emu
        .secrets()
        .map((s) => [s.id, s.value])
        .sort(),
    ).toEqual(
      [
        [theirAlpha.id, THEIRS],
        [theirBeta.id, THEIRS],
      ].sort(),
    );
    const said = text().slice(before);
    expect(said).toMatch(
      /Deleted Baseten secret "team-default\/beta_token": replaced outside Pulumi: the team's listing holds secret "beta_token" \(id \S+, created [^)]+\) under its name, not id \S+, so this stack's secret was deleted; that other secret is left alone \(verified\)/,
    );
    expect(said).toContain(
      `Deleted Baseten secret "team-default/kept_token": Baseten's tombstone names it and its audit log records the deletion of its id (verified).`,
    );
    expect(leaks(text(), [...VALUES, emu.managementKey])).toEqual([]);
  });
});
