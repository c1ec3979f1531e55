/**
 * "Revoked means proven, and refresh never forgets a live key" (issue 9), through the real
 * engine: a key leaves state only on a tombstone, an audit-log entry for its prefix, or the
 * listing of the user who last saw it. Management keys come from BASETEN_API_KEY, so each
 * step can run as another Baseten user, as a teammate on another machine would.
 */
import { failureOf } from "../support/failureOf";
import { BasetenEmulator } from "../emulator";
import { TestStack } from "./harness";

jest.setTimeout(10 * 60 * 1000);

let emu: BasetenEmulator;
let ts: TestStack;

const idsInState = async () => (await ts.keyResources()).map((r) => r.id).sort();
const live = () =>
  emu
    .liveKeys()
    .map((k) => k.prefix)
    .sort();

beforeAll(async () => {
  emu = await BasetenEmulator.start();
});
beforeEach(async () => {
  emu.reset();
  ts = await TestStack.create({
    apiUrl: emu.url,
    managementKey: emu.managementKey,
    credentials: "env",
    projectName: "baseten-evidence",
  });
});
afterEach(async () => {
  await ts?.remove();
});
afterAll(async () => {
  await emu?.stop();
});

describe("a key leaves state only on evidence", () => {
  it("destroy with an apiUrl whose path is wrong (FastAPI 404 for every route) fails, names baseten:apiUrl, and keeps the key", async () => {
    ts.keys = [{ name: "svc", args: { type: "WORKSPACE_MANAGE_ALL" } }];
    await ts.up();
    const [id] = await idsInState();
    ts.setEnv({ BASETEN_API_URL: `${emu.url}/wrong-prefix` });
    const e = await failureOf(ts.destroy());
    expect(e.message).toMatch(/Baseten answered HTTP 404 \("Not Found"\) to DELETE/);
    expect(e.message).toMatch(/baseten:apiUrl \(or BASETEN_API_URL\) points at the wrong place/);
    expect(await idsInState()).toEqual([id]);
    expect(live()).toEqual([id]);
    ts.setEnv({ BASETEN_API_URL: emu.url });
    await ts.destroy();
    expect(live()).toEqual([]);
  });

  it("refresh by a member who cannot see another member's personal key keeps it and fails, saying what to do", async () => {
    const owner = emu.addUser({ userId: "user-owner" });
    const other = emu.addUser({ userId: "user-other" });
    ts.setEnv({ BASETEN_API_KEY: owner.apiKey });
    ts.keys = [{ name: "laptop", args: { type: "PERSONAL" } }];
    await ts.up();
    const [id] = await idsInState();
    ts.setEnv({ BASETEN_API_KEY: other.apiKey });
    const e = await failureOf(ts.refresh());
    expect(e.message).toMatch(
      new RegExp(`Refreshing Baseten API key "${id}": Key "${id}" is not in this management key's listing`),
    );
    expect(e.message).toMatch(/only user user-owner's listing can show it gone/);
    expect(e.message).not.toContain("[object Object]");
    expect(e.message).toMatch(/audit log is readable only by organization admins/);
    expect(e.message).toMatch(/rerun `pulumi refresh` with the management key of Baseten user user-owner, who owns the key/);
    expect(await idsInState()).toEqual([id]);
    ts.setEnv({ BASETEN_API_KEY: owner.apiKey });
    await ts.destroy();
    expect(live()).toEqual([]);
  });

  it("the audit log lets a refresh by another admin drop a key revoked out of band", async () => {
    const admin2 = emu.addUser({ userId: "user-admin-2", admin: true });
    ts.keys = [{ name: "svc", args: { type: "WORKSPACE_INVOKE", modelIds: ["m1"] } }];
    await ts.up();
    const [id] = await idsInState();
    emu.revokeOutOfBand(id);
    ts.setEnv({ BASETEN_API_KEY: admin2.apiKey });
    emu.clearLog();
    await ts.refresh();
    expect(await idsInState()).toEqual([]);
    // Searched by the prefix (which the emulator's default reading of `search` does not
    // match), then read unsearched from the key's mint time.
    expect(emu.routeCounts()["GET /v1/audit_logs"]).toBe(2);
  });

  it("refresh then preview of a teamless key listed under the default team shows no change", async () => {
    ts.keys = [{ name: "svc", args: { type: "WORKSPACE_INVOKE", modelIds: ["m1"] } }];
    await ts.up();
    await ts.refresh();
    const [resource] = await ts.keyResources();
    expect(resource.outputs.teamName).toBe("default"); // the emulator names the default team, as Baseten may
    const preview = await ts.preview({ expectNoChanges: true });
    expect(preview.changeSummary).toEqual({ same: 2 });
    expect((await ts.up({ expectNoChanges: true })).summary.resourceChanges).toEqual({ same: 2 });
    await ts.destroy();
  });
});
