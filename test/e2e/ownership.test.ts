/**
 * "Ownership proven by identity, never by name" (issue 15, item 1), through the real engine: two
 * Baseten users on one stack. Sources: ../shared/baseten/README.md ("your personal API keys";
 * names unique per scope; "a create can time out on our side and still commit at Baseten
 * later"). Management keys come from BASETEN_API_KEY, so each step runs as one user.
 */
import { failureOf } from "../support/failureOf";
import { BasetenEmulator } from "../emulator";
import { TestStack } from "./harness";

jest.setTimeout(10 * 60 * 1000);

let emu: BasetenEmulator;
let ts: TestStack;

beforeAll(async () => {
  emu = await BasetenEmulator.start();
});
afterAll(async () => {
  await ts?.remove();
  await emu?.stop();
});

it("a member's refresh and destroy never turn another user's unconfirmed personal entry into their own key", async () => {
  const a = emu.addUser({ userId: "user-a" });
  const b = emu.addUser({ userId: "user-b" });
  const bOwn = emu.createKeyOutOfBand({ type: "PERSONAL", name: "laptop", userId: "user-b" });
  ts = await TestStack.create({
    apiUrl: emu.url,
    managementKey: a.apiKey,
    credentials: "env",
    projectName: "baseten-ownership",
    // A held (late-committing) POST fails on the client after this long.
    extraEnv: { BASETEN_TIMEOUT_SECONDS: "2" },
  });
  // A's create: every POST held, so it ends as unconfirmed/laptop; Baseten commits it later.
  emu.injectFault({ kind: "lateCommit", afterRequests: 1000, method: "POST", times: 3 });
  ts.keys = [{ name: "laptop", args: { type: "PERSONAL", name: "laptop" } }];
  await failureOf(ts.up());
  expect((await ts.keyResources()).map((r) => [r.id, r.outputs.ownerId])).toEqual([["unconfirmed/laptop", "user-a"]]);
  emu.runLateCommits();
  const aKey = emu.liveKeys().find((k) => k.ownerId === "user-a")!;

  // B refreshes and destroys the shared stack: both fail naming A, and neither key moves.
  ts.setEnv({ BASETEN_API_KEY: b.apiKey });
  const refresh = await failureOf(ts.refresh());
  expect(refresh.message).toMatch(/personal key of Baseten user user-a.*this management key belongs to user user-b/);
  const destroy = await failureOf(ts.destroy());
  expect(destroy.message).toMatch(/personal key of Baseten user user-a/);
  expect((await ts.keyResources()).map((r) => r.id)).toEqual(["unconfirmed/laptop"]);
  expect(
    emu
      .liveKeys()
      .map((k) => k.prefix)
      .sort(),
  ).toEqual([aKey.prefix, bOwn.prefix].sort());

  // A's destroy revokes A's key, and says which prefix it revoked.
  ts.setEnv({ BASETEN_API_KEY: a.apiKey });
  const before = ts.transcript.length;
  await ts.destroy();
  expect(ts.transcript.slice(before).join("")).toContain(
    `Revoked Baseten API key "${aKey.prefix}" (state entry "unconfirmed/laptop"): Baseten's tombstone names it (verified).`,
  );
  expect(emu.liveKeys().map((k) => k.prefix)).toEqual([bOwn.prefix]);
});
