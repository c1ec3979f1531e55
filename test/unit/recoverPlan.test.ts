/**
 * baseten-recover's choice of keys (issue 16): keys carrying a name of the stack's keys that no
 * resource of the stack holds, and never a key a resource holds, whatever its name. Against the
 * emulator (README: names are unique among the live keys of a scope; admins' listings hold
 * members' personal keys with `owner`).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ProviderRuntime } from "../../provider/core/runtime";
import { resolveSettings } from "../../provider/core/settings";
import { fileBackendDir, removeCutSidecars } from "../../provider/recover/cutSidecars";
import { orphansOf } from "../../provider/recover/plan";
import { interruptedSecretLines } from "../../provider/recover/secrets";
import { API_KEY_TYPE, SECRET_TYPE, type StackState, type StateResource } from "../../provider/recover/stackState";
import { BasetenEmulator } from "../emulator";

let emu: BasetenEmulator;
beforeAll(async () => {
  emu = await BasetenEmulator.start({ rateLimitPerSecond: null });
});
afterAll(() => emu.stop());
beforeEach(() => emu.reset());

const DERIVED = "svc-5thbfrd";
const inputs = (name: string) => ({ type: "WORKSPACE_MANAGE_ALL", name, autoName: true, nameScope: "proj/dev" });
const resource = (id: string, name: string): StateResource => ({
  urn: "urn:pulumi:dev::proj::pulumi-nodejs:dynamic/baseten:ApiKey::svc",
  type: API_KEY_TYPE,
  id,
  inputs: inputs(name),
  outputs: { ...inputs(name), prefix: id },
});
const pendingCreate = (name: string) => ({
  type: "creating",
  resource: { ...resource("", name), id: undefined, outputs: undefined },
});

async function orphans(state: StackState) {
  const rt = new ProviderRuntime(resolveSettings({ apiKey: emu.managementKey, apiUrl: emu.url }));
  const caller = await rt.caller();
  return (await orphansOf(rt, state, await rt.client.listKeys(), caller.userId)).map((o) => [o.key.prefix, o.interrupted]);
}

describe("which keys baseten-recover offers to revoke", () => {
  it("recover first: the key an interrupted create minted, tracked nowhere", async () => {
    const minted = emu.createKeyOutOfBand({ type: "WORKSPACE_MANAGE_ALL", name: DERIVED });
    expect(await orphans({ deployment: { resources: [], pending_operations: [pendingCreate(DERIVED)] } })).toEqual([
      [minted.prefix, true],
    ]);
  });

  it("recover first, the pending create saved with the key's id and outputs (the engine had read the answer): that key too", async () => {
    // The engine sets them on the resource when the answer comes; a write of the state for another
    // resource saves them before the create is recorded as done, and the kill comes in between.
    const minted = emu.createKeyOutOfBand({ type: "WORKSPACE_MANAGE_ALL", name: DERIVED });
    const answered = { type: "creating", resource: resource(minted.prefix, DERIVED) };
    expect(await orphans({ deployment: { resources: [], pending_operations: [answered] } })).toEqual([[minted.prefix, true]]);
  });

  it("never the key of a pending delete or update: its resource holds it until that operation is done", async () => {
    const inUse = emu.createKeyOutOfBand({ type: "WORKSPACE_MANAGE_ALL", name: DERIVED });
    for (const type of ["deleting", "updating"]) {
      const state = { deployment: { resources: [], pending_operations: [{ type, resource: resource(inUse.prefix, DERIVED) }] } };
      expect(await orphans(state)).toEqual([]);
    }
  });

  it("up first (it took -r1): the interrupted create's key, never the key the resource now holds", async () => {
    const orphan = emu.createKeyOutOfBand({ type: "WORKSPACE_MANAGE_ALL", name: DERIVED });
    const inUse = emu.createKeyOutOfBand({ type: "WORKSPACE_MANAGE_ALL", name: `${DERIVED}-r1` });
    // Pulumi dropped the pending create with that up: only the resource's names remain.
    expect(await orphans({ deployment: { resources: [resource(inUse.prefix, `${DERIVED}-r1`)] } })).toEqual([
      [orphan.prefix, false],
    ]);
  });

  it("never a key the stack holds under the derived name itself (Ctrl-C twice minted nothing; up minted it)", async () => {
    const inUse = emu.createKeyOutOfBand({ type: "WORKSPACE_MANAGE_ALL", name: DERIVED });
    const state = { deployment: { resources: [resource(inUse.prefix, DERIVED)], pending_operations: [pendingCreate(DERIVED)] } };
    expect(await orphans(state)).toEqual([]);
  });

  it("never the key an unconfirmed/<name> entry stands for, nor a key of another scope or another name", async () => {
    emu.createKeyOutOfBand({ type: "WORKSPACE_MANAGE_ALL", name: DERIVED });
    emu.createKeyOutOfBand({ type: "PERSONAL", name: `${DERIVED}-r1` }); // another scope
    emu.createKeyOutOfBand({ type: "WORKSPACE_MANAGE_ALL", name: "svc-other12" }); // another name
    const state = { deployment: { resources: [resource(`unconfirmed/${DERIVED}`, DERIVED)] } };
    expect(await orphans(state)).toEqual([]);
  });

  it("says what to do for an interrupted Secret create, and deletes nothing", () => {
    const state = {
      deployment: {
        pending_operations: [
          { type: "creating", resource: { urn: "urn:s", type: SECRET_TYPE, inputs: { name: "peer_key", teamName: "ml" } } },
        ],
      },
    };
    expect(interruptedSecretLines(state)).toEqual([
      expect.stringMatching(/secret "peer_key" in team "ml" was interrupted.*adoptExisting: true.*delete the secret/),
    ]);
  });
});

describe("the empty metadata file a kill leaves on a file:// backend", () => {
  it("is removed, and nothing else is", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "backend-"));
    const stacks = path.join(dir, ".pulumi", "stacks", "proj");
    fs.mkdirSync(stacks, { recursive: true });
    fs.writeFileSync(path.join(stacks, "dev.json"), "{}");
    fs.writeFileSync(path.join(stacks, "dev.json.attrs"), ""); // cut by the kill
    fs.writeFileSync(path.join(stacks, "dev.json.bak.attrs"), '{"user.cache_control":""}\n');
    expect(fileBackendDir(`file://${dir}?no_tmp_dir=true`)).toBe(dir);
    expect(fileBackendDir("s3://bucket")).toBeUndefined();
    expect(removeCutSidecars(dir)).toEqual([path.join(stacks, "dev.json.attrs")]);
    expect(fs.readdirSync(stacks).sort()).toEqual(["dev.json", "dev.json.bak.attrs"]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
