/**
 * The whole lifecycle through the real Pulumi engine against the emulator, each step checked
 * on both sides: what Pulumi reports and states, and what Baseten (the emulator) holds and
 * was asked.
 */
import * as fs from "fs";
import * as path from "path";
import { failureOf } from "../support/failureOf";
import { BasetenEmulator } from "../emulator";
import { REPO_ROOT } from "../../scripts/pulumiCli";
import { leaks, TestStack } from "./harness";

jest.setTimeout(10 * 60 * 1000);

let emu: BasetenEmulator;
let ts: TestStack;
/** Every plaintext key the emulator ever minted: none may appear outside a secret envelope. */
const plaintexts = () => emu.allKeys().map((k) => k.apiKey);
const count = (route: string) => emu.routeCounts()[route] ?? 0;
const POST = "POST /v1/api_keys";
const POST_TEAM = "POST /v1/teams/{team_id}/api_keys";
const DELETE = "DELETE /v1/api_keys/{prefix}";
const LIST = "GET /v1/api_keys";

beforeAll(async () => {
  emu = await BasetenEmulator.start();
  ts = await TestStack.create({ apiUrl: emu.url, managementKey: emu.managementKey });
});
afterAll(async () => {
  await ts?.remove();
  await emu?.stop();
});

async function livePrefixesInState(): Promise<string[]> {
  return (await ts.keyResources()).map((r) => r.id).sort();
}
const livePrefixesAtBaseten = () =>
  emu
    .liveKeys()
    .map((k) => k.prefix)
    .sort();

describe("ApiKey through the real engine", () => {
  it("1. up creates a personal key, an invoke key for two models and a team key by name, one POST each", async () => {
    ts.keys = [
      { name: "personal", args: { type: "PERSONAL" } },
      {
        name: "invoke",
        args: { type: "WORKSPACE_INVOKE", modelIds: ["model-a", "model-b"], rotationTriggers: { quarter: "2026-Q4" } },
      },
      { name: "team", args: { type: "WORKSPACE_MANAGE_ALL", teamName: "ml-platform" } },
    ];
    const res = await ts.up();
    expect(res.summary.result).toBe("succeeded");
    expect(res.summary.resourceChanges).toMatchObject({ create: 4 }); // 3 keys + the stack
    expect(count(POST)).toBe(2);
    expect(count(POST_TEAM)).toBe(1);
    expect(count(DELETE)).toBe(0);

    const live = emu.liveKeys();
    expect(live).toHaveLength(3);
    expect(await livePrefixesInState()).toEqual(livePrefixesAtBaseten());
    const invoke = live.find((k) => k.type === "WORKSPACE_INVOKE");
    expect(invoke?.modelIds).toEqual(["model-a", "model-b"]);
    expect(invoke?.name).toMatch(/^invoke-[a-z0-9]{7}$/);
    expect(live.find((k) => k.teamId)?.teamName).toBe("ml-platform");

    // Outputs are secrets; the plaintext Pulumi shows equals what Baseten minted.
    expect(res.outputs.personalApiKey.secret).toBe(true);
    expect(res.outputs.personalApiKey.value).toBe(live.find((k) => k.type === "PERSONAL")?.apiKey);
    expect(res.outputs.personalPrefix.secret).toBe(false);

    const exported = JSON.stringify(await ts.exportState());
    expect(leaks(exported, plaintexts())).toEqual([]);
    expect(exported).not.toContain(emu.managementKey);
    expect(leaks(ts.stateFilesText(), [...plaintexts(), emu.managementKey])).toEqual([]);
    expect(leaks(ts.transcript.join(""), [...plaintexts(), emu.managementKey])).toEqual([]);
    for (const r of await ts.keyResources()) {
      expect(JSON.stringify(r.outputs.apiKey)).toContain("4dabf18193072939515e22adb298388d");
    }
  });

  it("2. preview and up again change nothing and send no POST or DELETE", async () => {
    emu.clearLog();
    const preview = await ts.preview({ expectNoChanges: true });
    expect(preview.changeSummary).toEqual({ same: 4 });
    expect(emu.requestLog()).toEqual([]); // preview of an unchanged stack is offline
    const up = await ts.up({ expectNoChanges: true });
    expect(up.summary.resourceChanges).toEqual({ same: 4 });
    expect(count(POST) + count(POST_TEAM) + count(DELETE)).toBe(0);
  });

  it("3. stack export then import changes nothing", async () => {
    const state = await ts.exportState();
    await ts.stack.importStack(state as never);
    const preview = await ts.preview({ expectNoChanges: true });
    expect(preview.changeSummary).toEqual({ same: 4 });
  });

  it("4. refresh finds no change and keeps the plaintext in state", async () => {
    const before = await ts.stack.outputs();
    emu.clearLog();
    const res = await ts.refresh({ expectNoChanges: true });
    expect(res.summary.result).toBe("succeeded");
    expect(count(LIST)).toBe(1); // one listing shared by the three reads
    const after = await ts.stack.outputs();
    for (const name of ["personal", "invoke", "team"]) {
      expect(after[`${name}ApiKey`].value).toBe(before[`${name}ApiKey`].value);
      expect(after[`${name}ApiKey`].secret).toBe(true);
    }
    expect((await ts.preview({ expectNoChanges: true })).changeSummary).toEqual({ same: 4 });
  });

  it("5. a key revoked behind Pulumi's back is dropped by refresh and recreated by up with one POST", async () => {
    const personal = emu.liveKeys().find((k) => k.type === "PERSONAL")!;
    emu.revokeOutOfBand(personal.prefix);
    const refresh = await ts.refresh();
    expect(refresh.summary.resourceChanges).toMatchObject({ delete: 1 });
    // Refresh says what proved it, in destroy's words (issue 17 item 7).
    expect(refresh.stdout).toMatch(
      new RegExp(
        `Refresh dropped Baseten API key "${personal.prefix}": no longer in the listing of the user who last saw it \\(verified\\)\\.`,
      ),
    );
    expect(await livePrefixesInState()).toEqual(livePrefixesAtBaseten());
    emu.clearLog();
    const up = await ts.up();
    expect(up.summary.resourceChanges).toMatchObject({ create: 1, same: 3 });
    expect(count(POST)).toBe(1);
    expect(count(DELETE)).toBe(0);
    expect(await livePrefixesInState()).toEqual(livePrefixesAtBaseten());
    expect(emu.liveKeys()).toHaveLength(3);
  });

  it("6. a rotationTriggers change replaces that key only, creating the new key before revoking the old", async () => {
    const oldInvoke = emu.liveKeys().find((k) => k.type === "WORKSPACE_INVOKE")!;
    ts.keys[1].args = { ...ts.keys[1].args, rotationTriggers: { quarter: "2027-Q1" } };
    emu.clearLog();
    const preview = await ts.preview({ diff: true });
    expect(preview.changeSummary).toEqual({ replace: 1, same: 3 });
    expect(emu.requestLog()).toEqual([]);
    // What a reviewer reads: the changed input and the replacement, and nothing secret.
    const text = preview.text;
    expect(text).toMatch(/\+-\s*pulumi-nodejs:dynamic\/baseten:ApiKey: \(replace\)/);
    expect(text).toMatch(/invoke/);
    expect(text).toMatch(/rotationTriggers/);
    expect(text).toMatch(/quarter\s*:\s*"2026-Q4" => "2027-Q1"/);
    expect(leaks(text, [...plaintexts(), emu.managementKey])).toEqual([]);
    expect(text).not.toMatch(/exports\.handler|require\(|__provider/);
    fs.mkdirSync(path.join(REPO_ROOT, ".tmp"), { recursive: true });
    fs.writeFileSync(path.join(REPO_ROOT, ".tmp", "preview-rotation.txt"), text);

    emu.clearLog();
    const up = await ts.up();
    expect(up.summary.resourceChanges).toMatchObject({ replace: 1, same: 3 });
    const log = emu.requestLog().filter((r) => r.route === POST || r.route === DELETE);
    expect(log.map((r) => r.route)).toEqual([POST, DELETE]); // create first, then revoke
    expect(log[1].rawPath).toBe(`/v1/api_keys/${oldInvoke.prefix}`);
    expect(emu.allKeys().find((k) => k.prefix === oldInvoke.prefix)?.revoked).toBe(true);
    const newInvoke = emu.liveKeys().find((k) => k.type === "WORKSPACE_INVOKE")!;
    expect(newInvoke.name).not.toBe(oldInvoke.name); // a fresh generated name: no collision
    expect(newInvoke.name).toMatch(/^invoke-[a-z0-9]{7}$/);
    expect(text).toContain(`=> "${newInvoke.name}"`); // the preview showed the name up created
    expect(up.outputs.invokeApiKey.value).toBe(newInvoke.apiKey);
    expect(await livePrefixesInState()).toEqual(livePrefixesAtBaseten());
  });

  it("7. explicit names: a new name replaces create-first; the same name with a new type revokes first", async () => {
    ts.keys.push({ name: "named", args: { type: "WORKSPACE_MANAGE_ALL", name: "e2e-named" } });
    await ts.up();
    const first = emu.liveKeys().find((k) => k.name === "e2e-named")!;

    ts.keys[3].args = { type: "WORKSPACE_MANAGE_ALL", name: "e2e-named-2" };
    emu.clearLog();
    await ts.up();
    expect(
      emu
        .requestLog()
        .filter((r) => r.route === POST || r.route === DELETE)
        .map((r) => r.route),
    ).toEqual([POST, DELETE]);
    expect(emu.allKeys().find((k) => k.prefix === first.prefix)?.revoked).toBe(true);
    const second = emu.liveKeys().find((k) => k.name === "e2e-named-2")!;

    ts.keys[3].args = { type: "WORKSPACE_EXPORT_METRICS", name: "e2e-named-2" };
    emu.clearLog();
    const up = await ts.up();
    expect(up.summary.resourceChanges).toMatchObject({ replace: 1 });
    const writes = emu.requestLog().filter((r) => r.route === POST || r.route === DELETE);
    expect(writes.map((r) => r.route)).toEqual([DELETE, POST]); // Baseten rejects two live keys with one name
    expect(writes.every((r) => r.status === 200)).toBe(true);
    expect(emu.allKeys().find((k) => k.prefix === second.prefix)?.revoked).toBe(true);
    expect(emu.liveKeys().find((k) => k.name === "e2e-named-2")?.type).toBe("WORKSPACE_EXPORT_METRICS");
    expect(await livePrefixesInState()).toEqual(livePrefixesAtBaseten());
  });

  it.each([
    [{ type: "PERSONAL", modelIds: ["model-a"] }, /modelIds.*only with type WORKSPACE_INVOKE or WORKSPACE_EXPORT_METRICS/],
    [{ type: "PERSONAL", teamName: "ml-platform" }, /teamName.*not allowed for type PERSONAL/],
    [{ type: "SUPERUSER" }, /type.*must be one of PERSONAL/],
  ])("8. preview of invalid inputs %j fails with the property and reason, sending nothing", async (args, reason) => {
    const saved = ts.keys;
    ts.keys = [...saved, { name: "invalid", args: args as never }];
    emu.clearLog();
    try {
      const e = await failureOf(ts.preview());
      expect(e.message).toMatch(reason);
      expect(emu.requestLog()).toEqual([]);
    } finally {
      ts.keys = saved;
    }
  });

  it("9. a tombstone for another key fails destroy, naming both prefixes; the key stays in state and live", async () => {
    const before = await livePrefixesInState();
    emu.injectFault({ kind: "wrongTombstone", prefix: "otherkey", method: "DELETE" });
    const e = await failureOf(ts.destroy());
    expect(e.message).toMatch(/tombstone for "otherkey", expected "[A-Za-z]+"/);
    const inState = await livePrefixesInState();
    const refused = before.find((p) => e.message.includes(`expected "${p}"`));
    expect(refused).toBeDefined();
    expect(inState).toContain(refused);
    expect(livePrefixesAtBaseten()).toContain(refused);
    // Whatever else destroy managed, state and Baseten still agree.
    expect(inState).toEqual(livePrefixesAtBaseten());
  });

  it("10. destroy sends one DELETE per key, verifies every tombstone, and leaves nothing", async () => {
    emu.clearFaults();
    const prefixes = await livePrefixesInState();
    const remaining = prefixes.length;
    emu.clearLog();
    const res = await ts.destroy();
    expect(res.summary.result).toBe("succeeded");
    expect(count(DELETE)).toBe(remaining);
    // What the user reads: one line per key saying what was verified.
    for (const p of prefixes) {
      expect(res.stdout).toContain(`Revoked Baseten API key "${p}": Baseten's tombstone names it (verified).`);
    }
    expect(
      emu
        .requestLog()
        .filter((r) => r.route === DELETE)
        .every((r) => r.status === 200),
    ).toBe(true);
    expect(emu.liveKeys()).toEqual([]);
    expect(await ts.keyResources()).toEqual([]);
    expect(leaks(ts.transcript.join(""), [...plaintexts(), emu.managementKey])).toEqual([]);
    expect(leaks(ts.stateFilesText(), [...plaintexts(), emu.managementKey])).toEqual([]);
  });
});
