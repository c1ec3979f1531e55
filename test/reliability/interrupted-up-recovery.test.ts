/**
 * An `up` interrupted during a key's POST, then README's recovery (snippet
 * `recover-interrupted-up`, run as written) in both orders: recover first, or a further `up`
 * first (issue 16). The POST is held by the emulator (a `lateCommit` fault: README "A create can
 * time out on our side and still commit at Baseten later") while the CLI is killed, then either
 * committed (a key no state tracks) or dropped (nothing minted). The provider host the CLI
 * leaves behind is let finish, or killed with the CLI (a machine crash). Each case ends with no
 * key live and untracked, no key in use revoked, and the lines the provider prints.
 */
import { crash, recoverAsReadmeSays, type KillTarget } from "./support/crash";
import { POST } from "./support/requests";
import { keyResourcesOf, type ReliabilityStack } from "./support/stack";
import { expectOk, reliabilitySuite } from "./support/suite";

jest.setTimeout(10 * 60 * 1000);

const SUITE = "interrupted-up-recovery";
const suite = reliabilitySuite(SUITE, { tools: ["jq", "curl"] });

/**
 * Ctrl-C makes the CLI stop its resource monitor while the inline program (in this process, where
 * a user's program has a process of its own, which exits) still registers the stack's outputs:
 * that rejection is the interrupted program's, not the test's.
 */
const monitorStopped: unknown[] = [];
const onRejection = (e: unknown) => {
  if (String((e as Error)?.message ?? e).includes("Resource monitor is terminating")) monitorStopped.push(e);
  else throw e;
};

beforeAll(() => process.on("unhandledRejection", onRejection));
afterAll(() => process.off("unhandledRejection", onRejection));

const HELD_LINE = (prefix: string) => `Baseten API key "${prefix}" named`;

/** A fresh stack of one generated-name key, as the model-to-model example's key. */
async function freshStack(label: string): Promise<ReliabilityStack> {
  suite.emu.reset();
  return suite.newStack({ label, keys: [{ name: "peer", args: { type: "WORKSPACE_INVOKE", modelIds: ["model-a"] } }] });
}

/** Runs `up` and interrupts it while the emulator holds the key's POST; then the POST commits or not. */
async function interruptedUp(stack: ReliabilityStack, commits: boolean, kill: KillTarget) {
  const { emu } = suite;
  const crashed = await crash(emu, stack, {
    command: "up",
    at: { route: POST, nth: 1, held: commits ? "commit" : "drop" },
    kill,
  });
  const pending = crashed.pending("creating");
  expect(pending.map((o) => o.resource.inputs?.name)).toHaveLength(1);
  const derived = pending[0].resource.inputs?.name as string;
  console.log(
    `[${SUITE}] ${kill === "ctrlC" ? "SIGINT+SIGINT" : "SIGKILL"}${kill === "cliAndHost" ? " of CLI and host" : ""}: ` +
      `${emu.liveKeys().length} key(s) live, cut metadata files: ${crashed.cutSidecars.length}`,
  );
  return { derived, orphan: commits ? emu.liveKeys().find((k) => k.name === derived)?.prefix : undefined };
}

const recoverUp = (stack: ReliabilityStack) => recoverAsReadmeSays(suite.emu, stack, "recover-interrupted-up");

async function upOk(stack: ReliabilityStack) {
  const up = await stack.up();
  expectOk(up);
  return up;
}

/** State and Baseten agree, and the key the stack uses is live. */
async function converged(stack: ReliabilityStack) {
  const a = await suite.agree([stack]);
  const inUse = keyResourcesOf(await stack.exportState()).map((r) => r.id as string);
  expect(inUse).toHaveLength(1);
  expect(a.live).toEqual(inUse);
  return inUse[0];
}

async function cleanUp(stack: ReliabilityStack) {
  const destroy = await stack.destroy();
  expect(destroy.ok).toBe(true);
  expect(suite.emu.liveKeys()).toEqual([]);
}

describe("SIGKILL during the POST, the provider host let finish, the POST committed: recover first", () => {
  it("revokes the interrupted create's key; up then mints the key under its derived name", async () => {
    const stack = await freshStack("kill-recover-first");
    const { derived, orphan } = await interruptedUp(stack, true, "cli");
    expect(orphan).toBeDefined();
    const run = await recoverUp(stack);
    expect(run.stdout).toContain(`Revoked Baseten API key "${orphan}"`);
    const up = await upOk(stack);
    expect(up.stdout).not.toContain("holds this resource's derived name");
    const inUse = await converged(stack);
    expect(suite.emu.liveKeys().find((k) => k.prefix === inUse)?.name).toBe(derived);
    await cleanUp(stack);
  });
});

describe("SIGKILL of the CLI and the host together (a machine crash), the POST committed after: up first", () => {
  it("up takes <name>-r1 and names the orphan; refresh names it too; the recovery revokes it and not the key in use", async () => {
    const stack = await freshStack("kill-up-first");
    const { derived, orphan } = await interruptedUp(stack, true, "cliAndHost");
    expect(orphan).toBeDefined();
    expect((await stack.cli(["cancel", "--yes"])).ok).toBe(true);
    const up = await upOk(stack);
    expect(up.stdout).toContain(HELD_LINE(orphan!));
    expect(up.stdout).toContain(`so this key is named "${derived}-r1"`);
    const refresh = await stack.refresh();
    expect(refresh.stdout).toContain(HELD_LINE(orphan!));
    const run = await recoverUp(stack);
    expect(run.stdout).toContain(`Revoked Baseten API key "${orphan}"`);
    const inUse = await converged(stack);
    expect(suite.emu.liveKeys().find((k) => k.prefix === inUse)?.name).toBe(`${derived}-r1`);
    expect((await stack.refresh()).stdout).not.toContain("holds this resource's derived name");
    await cleanUp(stack);
  });
});

describe("Ctrl-C twice during the POST, which never committed: up first", () => {
  it("up mints the key under its derived name; the recovery then revokes nothing: the key in use stays live", async () => {
    const stack = await freshStack("ctrlc-up-first");
    const { derived } = await interruptedUp(stack, false, "ctrlC");
    expect(suite.emu.liveKeys()).toEqual([]);
    expect((await stack.cli(["cancel", "--yes"])).ok).toBe(true);
    const up = await upOk(stack);
    expect(up.stdout).not.toContain("holds this resource's derived name");
    const run = await recoverUp(stack);
    expect(run.stdout).not.toContain("Revoked");
    const inUse = await converged(stack);
    expect(suite.emu.liveKeys().find((k) => k.prefix === inUse)?.name).toBe(derived);
    await cleanUp(stack);
  });
});

describe("artifacts", () => {
  it("no secret appears in any artifact, the interrupted runs' output included", async () => {
    await suite.scanArtifacts();
  });
});
