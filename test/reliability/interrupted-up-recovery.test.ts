/**
 * An `up` interrupted during a key's POST, then README's recovery (snippet
 * `recover-interrupted-up`, run as written) in both orders: recover first, or a further `up`
 * first (issue 16). The POST is held by the emulator (a `lateCommit` fault: README "A create can
 * time out on our side and still commit at Baseten later") while the CLI is killed, then either
 * committed (a key no state tracks) or dropped (nothing minted). The provider host the CLI
 * leaves behind is let finish, or killed with the CLI (a machine crash). Each case ends with no
 * key live and untracked, no key in use revoked, and the lines the provider prints.
 */
import { BasetenEmulator } from "../emulator";
import { checkpoint } from "./support/agreement";
import { killPulumiWhen, type CrashOptions } from "./support/crash";
import { suiteFigures } from "./support/figures";
import { requireTools, runSnippet } from "./support/readmeSnippet";
import { SecretScan } from "./support/secrets";
import { keyResourcesOf, ReliabilityStack } from "./support/stack";

jest.setTimeout(10 * 60 * 1000);

const SUITE = "interrupted-up-recovery";
const fig = suiteFigures(SUITE);
const scan = new SecretScan(SUITE);
let emu: BasetenEmulator;
const stacks: ReliabilityStack[] = [];

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

beforeAll(async () => {
  process.on("unhandledRejection", onRejection);
  requireTools(["jq", "curl"]);
  emu = await BasetenEmulator.start();
});

afterAll(async () => {
  process.off("unhandledRejection", onRejection);
  if (emu) fig.accountEmulator(emu);
  fig.add(
    "pulumiCommands",
    stacks.reduce((n, s) => n + s.commandCount, 0),
  );
  fig.write();
  for (const s of stacks) await s.remove();
  await emu?.stop();
});

const HELD_LINE = (prefix: string) => `Baseten API key "${prefix}" named`;

/** A fresh stack of one generated-name key, as the model-to-model example's key. */
async function freshStack(label: string): Promise<ReliabilityStack> {
  emu.reset();
  const stack = await ReliabilityStack.create({ apiUrl: emu.url, managementKey: emu.managementKey, label });
  stack.keys = [{ name: "peer", args: { type: "WORKSPACE_INVOKE", modelIds: ["model-a"] } }];
  stacks.push(stack);
  return stack;
}

/** Runs `up` and interrupts it while the emulator holds the key's POST; then the POST commits or not. */
async function interruptedUp(stack: ReliabilityStack, commits: boolean, options: CrashOptions) {
  emu.injectFault({ kind: "lateCommit", afterRequests: 100_000, method: "POST" });
  const release = () => {
    expect(commits ? emu.runLateCommits() : emu.dropLateCommits()).toBe(1);
  };
  const crash = await killPulumiWhen(
    stack,
    () => stack.up(),
    () => emu.heldRequests() > 0,
    1000,
    {
      ...options,
      afterKill: release,
    },
  );
  expect(crash.outcome.ok).toBe(false);
  const state = await stack.exportState();
  const pending = (state.deployment.pending_operations ?? []).filter((o) => o.type === "creating");
  expect(pending.map((o) => o.resource.inputs?.name)).toHaveLength(1);
  const derived = pending[0].resource.inputs?.name as string;
  console.log(
    `[${SUITE}] ${(options.signals ?? ["SIGKILL"]).join("+")}${options.hostToo ? " of CLI and host" : ""}: ` +
      `${emu.liveKeys().length} key(s) live, cut metadata files: ${crash.cutSidecars.length}`,
  );
  return { derived, orphan: commits ? emu.liveKeys().find((k) => k.name === derived)?.prefix : undefined };
}

async function recoverAsReadmeSays(stack: ReliabilityStack) {
  const run = await runSnippet("recover-interrupted-up", stack, { apiUrl: emu.url, apiKey: emu.managementKey });
  expect({ code: run.code, stderr: run.stderr.slice(-2000) }).toMatchObject({ code: 0 });
  expect((await stack.exportState()).deployment.pending_operations ?? []).toEqual([]);
  return run;
}

async function upOk(stack: ReliabilityStack) {
  const up = await stack.up();
  expect({ ok: up.ok, error: up.error?.message.slice(-2000) }).toEqual({ ok: true, error: undefined });
  return up;
}

/** State and Baseten agree, and the key the stack uses is live. */
async function converged(stack: ReliabilityStack) {
  const a = await checkpoint(fig, emu, [stack]);
  expect({ untracked: a.untracked, stale: a.stale }).toEqual({ untracked: [], stale: [] });
  const inUse = keyResourcesOf(await stack.exportState()).map((r) => r.id as string);
  expect(inUse).toHaveLength(1);
  expect(a.live).toEqual(inUse);
  return inUse[0];
}

async function cleanUp(stack: ReliabilityStack) {
  const destroy = await stack.destroy();
  expect(destroy.ok).toBe(true);
  expect(emu.liveKeys()).toEqual([]);
  await scan.addStack(stack, stack.dir);
}

describe("SIGKILL during the POST, the provider host let finish, the POST committed: recover first", () => {
  it("revokes the interrupted create's key; up then mints the key under its derived name", async () => {
    const stack = await freshStack("kill-recover-first");
    const { derived, orphan } = await interruptedUp(stack, true, {});
    expect(orphan).toBeDefined();
    const run = await recoverAsReadmeSays(stack);
    expect(run.stdout).toContain(`Revoked Baseten API key "${orphan}"`);
    const up = await upOk(stack);
    expect(up.stdout).not.toContain("holds this resource's derived name");
    const inUse = await converged(stack);
    expect(emu.liveKeys().find((k) => k.prefix === inUse)?.name).toBe(derived);
    await cleanUp(stack);
  });
});

describe("SIGKILL of the CLI and the host together (a machine crash), the POST committed after: up first", () => {
  it("up takes <name>-r1 and names the orphan; refresh names it too; the recovery revokes it and not the key in use", async () => {
    const stack = await freshStack("kill-up-first");
    const { derived, orphan } = await interruptedUp(stack, true, { hostToo: true });
    expect(orphan).toBeDefined();
    expect((await stack.cli(["cancel", "--yes"])).ok).toBe(true);
    const up = await upOk(stack);
    expect(up.stdout).toContain(HELD_LINE(orphan!));
    expect(up.stdout).toContain(`so this key is named "${derived}-r1"`);
    const refresh = await stack.refresh();
    expect(refresh.stdout).toContain(HELD_LINE(orphan!));
    const run = await recoverAsReadmeSays(stack);
    expect(run.stdout).toContain(`Revoked Baseten API key "${orphan}"`);
    const inUse = await converged(stack);
    expect(emu.liveKeys().find((k) => k.prefix === inUse)?.name).toBe(`${derived}-r1`);
    expect((await stack.refresh()).stdout).not.toContain("holds this resource's derived name");
    await cleanUp(stack);
  });
});

describe("Ctrl-C twice during the POST, which never committed: up first", () => {
  it("up mints the key under its derived name; the recovery then revokes nothing: the key in use stays live", async () => {
    const stack = await freshStack("ctrlc-up-first");
    const { derived } = await interruptedUp(stack, false, { signals: ["SIGINT", "SIGINT"] });
    expect(emu.liveKeys()).toEqual([]);
    expect((await stack.cli(["cancel", "--yes"])).ok).toBe(true);
    const up = await upOk(stack);
    expect(up.stdout).not.toContain("holds this resource's derived name");
    const run = await recoverAsReadmeSays(stack);
    expect(run.stdout).not.toContain("Revoked");
    const inUse = await converged(stack);
    expect(emu.liveKeys().find((k) => k.prefix === inUse)?.name).toBe(derived);
    await cleanUp(stack);
  });
});

describe("artifacts", () => {
  it("no secret appears in any artifact, the interrupted runs' output included", () => {
    scan.addEmulatorLog(emu, "emulator");
    expect(scan.run([emu], fig)).toEqual([]);
  });
});
