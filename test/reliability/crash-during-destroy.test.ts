/**
 * SIGKILL of `pulumi` in the middle of a `destroy` of 50 keys, then the recovery the README
 * documents (snippet `recover-interrupted-destroy`, run as written), then `destroy` again.
 * The crash leaves a locked stack, deletes recorded as pending, and resources in state for
 * keys Baseten revoked after the engine died (their tombstones had no one to read them).
 * At the end no resource may stand for a revoked key and no key may be live untracked.
 */
import * as fs from "fs";
import * as path from "path";
import { BasetenEmulator } from "../emulator";
import { agreement, checkpoint } from "./support/agreement";
import { killPulumiWhen, revoked, type Crash } from "./support/crash";
import { suiteFigures } from "./support/figures";
import { requireTools, runSnippet } from "./support/readmeSnippet";
import { SecretScan } from "./support/secrets";
import { keyResourcesOf, manyKeys, ReliabilityStack } from "./support/stack";

jest.setTimeout(10 * 60 * 1000);

const SUITE = "crash-during-destroy";
const KEYS = 50;
const CRASH_AFTER_REVOKED = 20;
/** Set once the keys exist, so revocations are in flight at the moment of the crash. */
const LATENCY_MS = 300;

const fig = suiteFigures(SUITE);
const scan = new SecretScan(SUITE);
let emu: BasetenEmulator;
let stack: ReliabilityStack;
let crash: Crash;

beforeAll(async () => {
  requireTools(["jq", "curl"]);
  emu = await BasetenEmulator.start();
  stack = await ReliabilityStack.create({ apiUrl: emu.url, managementKey: emu.managementKey, label: SUITE });
  stack.keys = manyKeys("crash-down", KEYS, "WORKSPACE_EXPORT_METRICS");
});

afterAll(async () => {
  if (emu) fig.accountEmulator(emu);
  if (stack) fig.add("pulumiCommands", stack.commandCount);
  fig.write();
  await stack?.remove();
  await emu?.stop();
});

describe(`pulumi SIGKILLed in the middle of a destroy of ${KEYS} keys`, () => {
  it("up creates the keys", async () => {
    const up = await stack.up();
    expect({ ok: up.ok, error: up.error?.message.slice(-2000) }).toEqual({ ok: true, error: undefined });
    const a = await checkpoint(fig, emu, [stack]);
    expect(a.inState).toHaveLength(KEYS);
  });

  it("the crash leaves pending deletes and resources for keys Baseten has revoked", async () => {
    emu.setLatency(LATENCY_MS);
    crash = await killPulumiWhen(
      stack,
      () => stack.destroy(),
      () => revoked(emu) >= CRASH_AFTER_REVOKED,
      LATENCY_MS + 700,
    );
    emu.setLatency(0);
    expect(crash.outcome.ok).toBe(false);

    const state = await stack.exportState();
    const pending = (state.deployment.pending_operations ?? []).filter((o) => o.type === "deleting");
    const a = await agreement(emu, [stack]);
    expect(pending.length).toBeGreaterThan(0);
    // Revocations in flight at the crash completed at Baseten; state still lists those keys.
    expect(a.stale.length).toBeGreaterThan(0);
    expect(a.untracked).toEqual([]);
    console.log(
      `[${SUITE}] killed after ${revoked(emu)} keys revoked: ${keyResourcesOf(state).length} in state, ` +
        `${pending.length} pending deletes, ${a.stale.length} in state but revoked; ` +
        `still running after the kill (then ended by the test): ${crash.survivors.length} processes of the stack; ` +
        `metadata files the kill left empty: ${crash.cutSidecars.length}`,
    );
  });

  it("the README's recovery drops the revoked keys from state: state and Baseten agree", async () => {
    const run = await runSnippet("recover-interrupted-destroy", stack, { apiUrl: emu.url, apiKey: emu.managementKey });
    expect({ code: run.code, stderr: run.stderr.slice(-2000) }).toMatchObject({ code: 0 });
    const state = await stack.exportState();
    expect(state.deployment.pending_operations ?? []).toEqual([]);
    const a = await checkpoint(fig, emu, [stack]);
    expect(a.stale).toEqual([]);
    expect(a.untracked).toEqual([]);
    expect(a.inState.length).toBe(KEYS - revoked(emu));
  });

  it("destroy then revokes the rest: no key live, nothing in state", async () => {
    const destroy = await stack.destroy();
    expect({ ok: destroy.ok, error: destroy.error?.message.slice(-2000) }).toEqual({ ok: true, error: undefined });
    const a = await checkpoint(fig, emu, [stack]);
    expect(a.live).toEqual([]);
    expect(a.inState).toEqual([]);
    expect(revoked(emu)).toBe(KEYS);
  });

  it("a kill while the backend rewrites its metadata file: every command answers 'failed to load checkpoint: EOF', and the README's recovery repairs it", async () => {
    // The file:// backend writes the state to a temporary file and renames it, but truncates
    // and rewrites `<stack>.json.attrs` in place: a SIGKILL between the two leaves this.
    const attrs = path.join(stack.dir, "backend", ".pulumi", "stacks", "baseten-reliability", "rel.json.attrs");
    expect(fs.statSync(attrs).size).toBeGreaterThan(0);
    fs.truncateSync(attrs, 0);
    const broken = await stack.cli(["stack", "export"]);
    expect(broken.ok).toBe(false);
    expect(broken.error?.message).toMatch(/failed to load checkpoint: EOF/);
    const run = await runSnippet("recover-interrupted-destroy", stack, { apiUrl: emu.url, apiKey: emu.managementKey });
    expect({ code: run.code, stderr: run.stderr.slice(-2000) }).toMatchObject({ code: 0 });
    expect(run.stdout).toContain("rel.json.attrs: an empty metadata file");
    expect(await stack.prefixesInState()).toEqual([]);
  });

  it("no secret appears in any artifact, the crashed run's output included", async () => {
    await scan.addStack(stack, "stack");
    scan.addEmulatorLog(emu, "emulator");
    expect(scan.run([emu], fig)).toEqual([]);
  });
});
