/**
 * Adoption (`adoptPrefix`), the stand-in for `pulumi import`, which dynamic resources cannot
 * use: through the real engine against the emulator, `up` takes over a key made outside
 * Pulumi (verified by listing, no POST), later runs leave it alone, and `destroy` revokes it
 * with the tombstone check. Each step is checked on Pulumi's side and on Baseten's.
 */
import { failureOf } from "../support/failureOf";
import { BasetenEmulator, type EmulatedKey } from "../emulator";
import { leaks, TestStack } from "./harness";

jest.setTimeout(10 * 60 * 1000);

let emu: BasetenEmulator;
let ts: TestStack;
/** A personal key and a team invoke key, made in Baseten's UI before Pulumi knew them. */
let personal: EmulatedKey;
let teamInvoke: EmulatedKey;

const POST = "POST /v1/api_keys";
const POST_TEAM = "POST /v1/teams/{team_id}/api_keys";
const DELETE = "DELETE /v1/api_keys/{prefix}";
const LIST = "GET /v1/api_keys";
const count = (route: string) => emu.routeCounts()[route] ?? 0;
const writes = () => count(POST) + count(POST_TEAM) + count(DELETE);
const secrets = () => [...emu.allKeys().map((k) => k.apiKey), emu.managementKey];

beforeAll(async () => {
  emu = await BasetenEmulator.start();
  personal = emu.createKeyOutOfBand({ type: "PERSONAL", name: "laptop-cli" });
  teamInvoke = emu.createKeyOutOfBand({
    type: "WORKSPACE_INVOKE",
    name: "legacy-inference",
    modelIds: ["model-a", "model-b"],
    teamId: "team-ml",
  });
  ts = await TestStack.create({ apiUrl: emu.url, managementKey: emu.managementKey, projectName: "baseten-adoption" });
});
afterAll(async () => {
  await ts?.remove();
  await emu?.stop();
});

describe("adopting keys that already exist", () => {
  it("a prefix that no live key has fails up with a clear error, mints nothing and leaves nothing in state", async () => {
    const revoked = emu.createKeyOutOfBand({ type: "PERSONAL", name: "revoked-before" });
    emu.revokeOutOfBand(revoked.prefix);
    for (const prefix of ["nosuchky", revoked.prefix]) {
      ts.keys = [{ name: "ghost", args: { type: "PERSONAL", adoptPrefix: prefix } }];
      emu.clearLog();
      const e = await failureOf(ts.up());
      expect(e.message).toContain(`adoptPrefix: no live Baseten key has prefix "${prefix}" (GET /v1/api_keys)`);
      expect(e.message).toMatch(/revoked keys cannot be adopted/);
      expect(writes()).toBe(0);
      expect(await ts.keyResources()).toEqual([]);
    }
  });

  it("a program that describes the key differently from Baseten fails up, naming each difference", async () => {
    ts.keys = [
      {
        name: "wrong",
        args: { type: "WORKSPACE_MANAGE_ALL", adoptPrefix: teamInvoke.prefix, name: "other-name" },
      },
    ];
    emu.clearLog();
    const e = await failureOf(ts.up());
    expect(e.message).toContain(`adoptPrefix: key ${teamInvoke.prefix} does not match the program`);
    expect(e.message).toContain("type is WORKSPACE_INVOKE, the program says WORKSPACE_MANAGE_ALL");
    expect(e.message).toContain('name is "legacy-inference", the program says "other-name"');
    expect(writes()).toBe(0);
    expect(await ts.keyResources()).toEqual([]);

    ts.keys = [{ name: "wrong", args: { type: "WORKSPACE_INVOKE", adoptPrefix: teamInvoke.prefix, modelIds: ["model-c"] } }];
    const models = await failureOf(ts.up());
    expect(models.message).toContain('model ids are ["model-a","model-b"], the program says ["model-c"]');

    ts.keys = [{ name: "wrong", args: { type: "WORKSPACE_INVOKE", adoptPrefix: teamInvoke.prefix, teamId: "team-default" } }];
    const team = await failureOf(ts.up());
    expect(team.message).toContain('team is "ml-platform" (id team-ml), the program says team team-default ("default")');
    expect(writes()).toBe(0);
    expect(await ts.keyResources()).toEqual([]);
  });

  it("preview shows the adoption as a create and sends nothing", async () => {
    ts.keys = [
      { name: "laptop", args: { type: "PERSONAL", adoptPrefix: personal.prefix } },
      // Only type and prefix: name, models and team are taken from the live key.
      { name: "inference", args: { type: "WORKSPACE_INVOKE", adoptPrefix: teamInvoke.prefix } },
    ];
    emu.clearLog();
    const preview = await ts.preview({ diff: true });
    expect(preview.changeSummary).toEqual({ create: 2, same: 1 });
    expect(preview.text).toMatch(/\+ pulumi-nodejs:dynamic\/baseten:ApiKey: \(create\)/);
    expect(preview.text).toMatch(new RegExp(`adoptPrefix\\s*: "${personal.prefix}"`));
    expect(emu.requestLog()).toEqual([]);
  });

  it("up adopts both keys with one listing and no POST; the prefix becomes the id and apiKey is an empty secret", async () => {
    emu.clearLog();
    const up = await ts.up();
    expect(up.summary.resourceChanges).toMatchObject({ create: 2 });
    expect(count(LIST)).toBe(1);
    expect(writes()).toBe(0);
    expect(emu.liveKeys().map((k) => k.prefix)).toEqual(expect.arrayContaining([personal.prefix, teamInvoke.prefix]));

    expect(up.outputs.laptopPrefix.value).toBe(personal.prefix);
    expect(up.outputs.laptopApiKey).toEqual({ value: "", secret: true });
    const byId = Object.fromEntries((await ts.keyResources()).map((r) => [r.id, r.outputs]));
    expect(Object.keys(byId).sort()).toEqual([personal.prefix, teamInvoke.prefix].sort());
    expect(byId[teamInvoke.prefix]).toMatchObject({
      adoptPrefix: teamInvoke.prefix,
      name: "legacy-inference",
      type: "WORKSPACE_INVOKE",
      modelIds: ["model-a", "model-b"],
      teamName: "ml-platform",
    });
    expect(leaks(ts.transcript.join(""), secrets())).toEqual([]);
    expect(leaks(ts.stateFilesText(), secrets())).toEqual([]);
  });

  it("preview, up and refresh after the adoption change nothing and send no write", async () => {
    emu.clearLog();
    expect((await ts.preview({ expectNoChanges: true })).changeSummary).toEqual({ same: 3 });
    expect((await ts.up({ expectNoChanges: true })).summary.resourceChanges).toEqual({ same: 3 });
    await ts.refresh({ expectNoChanges: true });
    expect((await ts.preview({ expectNoChanges: true })).changeSummary).toEqual({ same: 3 });
    expect(writes()).toBe(0);
  });

  it("naming the live key's own name and models in the program afterwards is still no change", async () => {
    ts.keys[1].args = { ...ts.keys[1].args, name: "legacy-inference", modelIds: ["model-b", "model-a"], teamName: "ml-platform" };
    emu.clearLog();
    expect((await ts.up({ expectNoChanges: true })).summary.resourceChanges).toEqual({ same: 3 });
    expect(writes()).toBe(0);
  });

  it("removing adoptPrefix replaces the adopted key with a minted one whose plaintext Pulumi holds, minting first", async () => {
    ts.keys[0] = { name: "laptop", args: { type: "PERSONAL" } };
    emu.clearLog();
    const up = await ts.up();
    expect(up.summary.resourceChanges).toMatchObject({ replace: 1, same: 2 });
    const order = emu
      .requestLog()
      .filter((r) => r.route === POST || r.route === DELETE)
      .map((r) => [r.route, r.rawPath]);
    const minted = emu.liveKeys().find((k) => k.type === "PERSONAL")!;
    expect(order).toEqual([
      [POST, "/v1/api_keys"],
      [DELETE, `/v1/api_keys/${personal.prefix}`],
    ]);
    expect(emu.allKeys().find((k) => k.prefix === personal.prefix)?.revoked).toBe(true);
    expect(up.outputs.laptopApiKey).toEqual({ value: minted.apiKey, secret: true });
  });

  it("destroy revokes an adopted key only on a tombstone naming it: a wrong tombstone keeps it, the rerun revokes it", async () => {
    emu.injectFault({ kind: "wrongTombstone", prefix: "otherkey", pathPrefix: `/v1/api_keys/${teamInvoke.prefix}` });
    const e = await failureOf(ts.destroy());
    expect(e.message).toContain(`tombstone for "otherkey", expected "${teamInvoke.prefix}"`);
    expect((await ts.keyResources()).map((r) => r.id)).toContain(teamInvoke.prefix);
    expect(emu.liveKeys().map((k) => k.prefix)).toContain(teamInvoke.prefix);

    emu.clearLog();
    await ts.destroy();
    const deletes = emu.requestLog().filter((r) => r.route === DELETE);
    expect(deletes.map((r) => [r.rawPath, r.status])).toContainEqual([`/v1/api_keys/${teamInvoke.prefix}`, 200]);
    expect(emu.allKeys().find((k) => k.prefix === teamInvoke.prefix)?.revoked).toBe(true);
    expect(emu.liveKeys()).toEqual([]);
    expect(await ts.keyResources()).toEqual([]);
    expect(leaks(ts.transcript.join(""), secrets())).toEqual([]);
  });
});
