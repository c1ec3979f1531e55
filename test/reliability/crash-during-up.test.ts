/**
 * SIGKILL of `pulumi` in the middle of an `up` of 50 keys, then the recovery the README
 * documents (test/reliability/README.md, snippet `recover-interrupted-up`, run here exactly as
 * written). The crash leaves what a user finds: a locked stack, creates recorded as pending
 * (with the key names check generated before each POST), and keys Baseten minted for them
 * that no state tracks, since their answers died with the engine. At the end no key may be
 * live at Baseten without a resource in state, and no resource may stand for a revoked key.
 */
import { BasetenEmulator } from "../emulator";
import { agreement, checkpoint } from "./support/agreement";
import { killPulumiWhen, minted, type Crash } from "./support/crash";
import { suiteFigures } from "./support/figures";
import { requireTools, runSnippet } from "./support/readmeSnippet";
import { SecretScan } from "./support/secrets";
import { keyResourcesOf, manyKeys, ReliabilityStack, type StateExport } from "./support/stack";

jest.setTimeout(10 * 60 * 1000);

const SUITE = "crash-during-up";
const KEYS = 50;
/** Crash once this many keys are minted: well inside the run. */
const CRASH_AFTER_MINTED = 20;
/** Every API request takes this long, so creates are in flight at the moment of the crash. */
const LATENCY_MS = 300;

const fig = suiteFigures(SUITE);
const scan = new SecretScan(SUITE);
let emu: BasetenEmulator;
let stack: ReliabilityStack;
let crash: Crash;
let afterCrash: StateExport;

beforeAll(async () => {
  requireTools(["jq", "curl"]);
  emu = await BasetenEmulator.start({ latencyMs: LATENCY_MS });
  stack = await ReliabilityStack.create({ apiUrl: emu.url, managementKey: emu.managementKey, label: SUITE });
  stack.keys = manyKeys("crash-up", KEYS);
});

afterAll(async () => {
  if (emu) fig.accountEmulator(emu);
  if (stack) fig.add("pulumiCommands", stack.commandCount);
  fig.write();
  await stack?.remove();
  await emu?.stop();
});

describe(`pulumi SIGKILLed in the middle of an up of ${KEYS} keys`, () => {
  it("the crash leaves pending creates, and live keys no state tracks, all named by those pending creates", async () => {
    crash = await killPulumiWhen(
      stack,
      () => stack.up(),
      () => minted(emu) >= CRASH_AFTER_MINTED,
      LATENCY_MS + 700,
    );
    expect(crash.outcome.ok).toBe(false);

    afterCrash = await stack.exportState();
    const pending = (afterCrash.deployment.pending_operations ?? []).filter((o) => o.type === "creating");
    const a = await agreement(emu, [stack]);
    expect(pending.length).toBeGreaterThan(0);
    // The crash hit creates in flight: Baseten minted keys that state does not know.
    expect(a.untracked.length).toBeGreaterThan(0);
    expect(a.stale).toEqual([]);
    const pendingNames = new Set(pending.map((o) => o.resource.inputs?.name));
    const untrackedNames = emu
      .liveKeys()
      .filter((k) => a.untracked.includes(k.prefix))
      .map((k) => k.name);
    expect(untrackedNames.filter((n) => !pendingNames.has(n))).toEqual([]);
    console.log(
      `[${SUITE}] killed after ${minted(emu)} keys minted: ${keyResourcesOf(afterCrash).length} in state, ` +
        `${pending.length} pending creates, ${a.untracked.length} minted keys untracked; ` +
        `still running after the kill (then ended by the test): ${crash.survivors.length} processes of the stack; ` +
        `metadata files the kill left empty: ${crash.cutSidecars.length}`,
    );
  });

  it("the README's recovery revokes those keys and clears the pending creates: state and Baseten agree", async () => {
    const run = await runSnippet("recover-interrupted-up", stack, { apiUrl: emu.url, apiKey: emu.managementKey });
    expect({ code: run.code, stderr: run.stderr.slice(-2000) }).toMatchObject({ code: 0 });

    const state = await stack.exportState();
    expect(state.deployment.pending_operations ?? []).toEqual([]);
    const a = await checkpoint(fig, emu, [stack]);
    expect(a.untracked).toEqual([]);
    expect(a.stale).toEqual([]);
    // Every key the crash left in state survived the recovery.
    expect(a.inState).toEqual(
      keyResourcesOf(afterCrash)
        .map((r) => r.id)
        .sort(),
    );
  });

  it("up then creates the rest: all keys tracked, none untracked", async () => {
    const up = await stack.up();
    expect({ ok: up.ok, error: up.error?.message.slice(-2000) }).toEqual({ ok: true, error: undefined });
    const a = await checkpoint(fig, emu, [stack]);
    expect(a.inState).toHaveLength(KEYS);
    expect(a.untracked).toEqual([]);
    expect(a.stale).toEqual([]);
  });

  it("destroy leaves no key live and nothing in state", async () => {
    const destroy = await stack.destroy();
    expect({ ok: destroy.ok, error: destroy.error?.message.slice(-2000) }).toEqual({ ok: true, error: undefined });
    const a = await checkpoint(fig, emu, [stack]);
    expect(a.live).toEqual([]);
    expect(a.inState).toEqual([]);
  });

  it("no secret appears in any artifact, the crashed run's output included", async () => {
    await scan.addStack(stack, "stack");
    scan.addEmulatorLog(emu, "emulator");
    expect(scan.run([emu], fig)).toEqual([]);
  });
});
