/**
 * What each command costs at Baseten, counted by the emulator while the real engine runs a
 * stack of 20 keys: `up` sends one POST per key plus, once per provider process, one listing
 * (the names already taken) and one `GET /v1/users/me` (who is creating: `seenBy`); `destroy`
 * one DELETE per key; `preview` of an unchanged stack none; `refresh` one listing and one
 * `/v1/users/me` shared by all reads (a read per key would send 20). The full measurement,
 * with times and baselines, is `npm run bench`.
 */
import { BasetenEmulator } from "../emulator";
import { TestStack } from "./harness";

jest.setTimeout(10 * 60 * 1000);

const KEYS = 20;
const POST = "POST /v1/api_keys";
const LIST = "GET /v1/api_keys";
const DELETE = "DELETE /v1/api_keys/{prefix}";
const ME = "GET /v1/users/me";

let emu: BasetenEmulator;
let ts: TestStack;

/** Requests per route since the last clearLog, leaving out routes with none. */
const requests = () => Object.fromEntries(Object.entries(emu.routeCounts()).filter(([, n]) => n > 0));

beforeAll(async () => {
  emu = await BasetenEmulator.start();
  ts = await TestStack.create({ apiUrl: emu.url, managementKey: emu.managementKey, projectName: "baseten-request-counts" });
  ts.keys = Array.from({ length: KEYS }, (_, i) => ({
    name: `key-${i}`,
    args: { type: "WORKSPACE_INVOKE" as const, modelIds: ["model-a"] },
  }));
});
afterAll(async () => {
  await ts?.remove();
  await emu?.stop();
});

describe(`requests to Baseten for a stack of ${KEYS} keys`, () => {
  it("up sends exactly one POST per key, plus one listing and one /v1/users/me, and nothing else", async () => {
    emu.clearLog();
    const up = await ts.up();
    expect(up.summary.resourceChanges).toEqual({ create: KEYS + 1 });
    expect(requests()).toEqual({ [POST]: KEYS, [LIST]: 1, [ME]: 1 });
    expect(emu.liveKeys()).toHaveLength(KEYS);
  });

  it("preview of the unchanged stack sends no request at all", async () => {
    emu.clearLog();
    const preview = await ts.preview({ expectNoChanges: true });
    expect(preview.changeSummary).toEqual({ same: KEYS + 1 });
    expect(emu.requestLog()).toEqual([]);
  });

  it(`refresh of ${KEYS} keys sends one listing and one /v1/users/me, shared by all reads, and nothing else`, async () => {
    emu.clearLog();
    const refresh = await ts.refresh({ expectNoChanges: true });
    expect(refresh.summary.result).toBe("succeeded");
    expect(requests()).toEqual({ [LIST]: 1, [ME]: 1 });
    expect((await ts.keyResources()).length).toBe(KEYS); // every read found its key in the shared listing
  });

  it("destroy sends exactly one DELETE per key and nothing else", async () => {
    emu.clearLog();
    const destroy = await ts.destroy();
    expect(destroy.summary.resourceChanges).toEqual({ delete: KEYS + 1 });
    expect(requests()).toEqual({ [DELETE]: KEYS });
    expect(emu.requestLog().every((r) => r.status === 200)).toBe(true);
    expect(emu.liveKeys()).toEqual([]);
  });
});
