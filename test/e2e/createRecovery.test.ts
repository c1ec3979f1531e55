/**
 * Creates that never claim another's key or strand their own (issue 10), through the real
 * engine. Sources: ../shared/baseten/README.md ("a create can time out on our side and still
 * commit at Baseten later"; names unique per scope; admins' listings hold members' personal
 * keys with `owner`).
 */
import { BasetenEmulator } from "../emulator";
import { TestStack } from "./harness";

jest.setTimeout(10 * 60 * 1000);

let emu: BasetenEmulator;
let ts: TestStack;

beforeAll(async () => {
  emu = await BasetenEmulator.start();
});
beforeEach(async () => {
  emu.reset();
  ts = await TestStack.create({
    apiUrl: emu.url,
    managementKey: emu.managementKey,
    credentials: "env",
    projectName: "baseten-create-recovery",
    // A held (late-committing) POST fails on the client after this long.
    extraEnv: { BASETEN_TIMEOUT_SECONDS: "2" },
  });
});
afterEach(async () => {
  await ts?.remove();
});
afterAll(async () => {
  await emu?.stop();
});

describe("create recovery through the real engine", () => {
  it("up after a late commit leaves exactly one live key, and state tracks it", async () => {
    // The timed-out POST commits right after the recovery listing, so the next POST collides.
    emu.injectFault({ kind: "lateCommit", afterRequests: 2, method: "POST" });
    ts.keys = [{ name: "svc", args: { type: "WORKSPACE_MANAGE_ALL" } }];
    const up = await ts.up();
    const [resource] = await ts.keyResources();
    const liveKeys = emu.liveKeys();
    expect(liveKeys.map((k) => k.prefix)).toEqual([resource.id]);
    expect(up.outputs.svcApiKey).toEqual({ value: liveKeys[0].apiKey, secret: true });
    expect(emu.allKeys().filter((k) => k.revoked)).toHaveLength(1); // the late commit, revoked
    await ts.destroy();
    expect(emu.liveKeys()).toEqual([]);
  });

  it("another member's same-named personal key survives an up with a recovery, and the next up's replacement", async () => {
    emu.addUser({ userId: "user-member" });
    const theirs = emu.createKeyOutOfBand({ type: "PERSONAL", name: "ci", userId: "user-member" });
    emu.injectFault({ kind: "serverError", method: "POST" });
    ts.keys = [{ name: "ci", args: { type: "PERSONAL", name: "ci", rotationTriggers: { n: "1" } } }];
    await ts.up();
    const [ours] = await ts.keyResources();
    expect(ours.id).not.toBe(theirs.prefix);
    ts.keys[0].args.rotationTriggers = { n: "2" };
    await ts.up(); // an explicit name kept: the old key is revoked first, then minted again
    const [next] = await ts.keyResources();
    expect(next.id).not.toBe(ours.id);
    const alive = emu
      .liveKeys()
      .map((k) => k.prefix)
      .sort();
    expect(alive).toEqual([next.id, theirs.prefix].sort());
    await ts.destroy();
    expect(emu.liveKeys().map((k) => k.prefix)).toEqual([theirs.prefix]);
  });
});
