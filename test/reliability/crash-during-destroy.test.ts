/**
 * SIGKILL of `pulumi` in the middle of a `destroy` of 50 keys, then the recovery the README
 * documents (snippet `recover-interrupted-destroy`, run as written), then `destroy` again.
 * The crash leaves a locked stack, deletes recorded as pending, and resources in state for
 * keys Baseten revoked after the engine died (their tombstones had no one to read them).
 * At the end no resource may stand for a revoked key and no key may be live untracked.
 */
import * as fs from "fs";
import * as path from "path";
import { agreement, checkpoint } from "./support/agreement";
import { crash as crashStack, recoverAsReadmeSays, revoked, type CrashResult } from "./support/crash";
import { DELETE } from "./support/requests";
import { keyResourcesOf, manyKeys } from "./support/stack";
import { expectOk, reliabilitySuite } from "./support/suite";

jest.setTimeout(10 * 60 * 1000);

const SUITE = "crash-during-destroy";
const KEYS = 50;
const CRASH_AFTER_REVOKED = 20;
/** Set once the keys exist, so revocations are in flight at the moment of the crash. */
const LATENCY_MS = 300;

const suite = reliabilitySuite(SUITE, {
  tools: ["jq", "curl"],
  stack: { keys: manyKeys("crash-down", KEYS, "WORKSPACE_EXPORT_METRICS") },
});
const { fig } = suite;
let crash: CrashResult;

describe(`pulumi SIGKILLed in the middle of a destroy of ${KEYS} keys`, () => {
  it("up creates the keys", async () => {
    expectOk(await suite.stack.up());
    const a = await checkpoint(fig, suite.emu, suite.stacks);
    expect(a.inState).toHaveLength(KEYS);
  });

  it("the crash leaves pending deletes and resources for keys Baseten has revoked", async () => {
    const { emu, stack } = suite;
    crash = await crashStack(emu, stack, {
      command: "destroy",
      at: { route: DELETE, nth: CRASH_AFTER_REVOKED, inFlight: 1 },
      latencyMs: LATENCY_MS,
    });
    const state = crash.state;
    const pending = crash.pending("deleting");
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
    await recoverAsReadmeSays(suite.emu, suite.stack, "recover-interrupted-destroy");
    const a = await suite.agree();
    expect(a.inState.length).toBe(KEYS - revoked(suite.emu));
  });

  it("destroy then revokes the rest: no key live, nothing in state", async () => {
    expectOk(await suite.stack.destroy());
    const a = await checkpoint(fig, suite.emu, suite.stacks);
    expect(a.live).toEqual([]);
    expect(a.inState).toEqual([]);
    expect(revoked(suite.emu)).toBe(KEYS);
  });

  it("a kill while the backend rewrites its metadata file: every command answers 'failed to load checkpoint: EOF', and the README's recovery repairs it", async () => {
    // The file:// backend writes the state to a temporary file and renames it, but truncates
    // and rewrites `<stack>.json.attrs` in place: a SIGKILL between the two leaves this.
    const { emu, stack } = suite;
    const attrs = path.join(stack.dir, "backend", ".pulumi", "stacks", "baseten-reliability", "rel.json.attrs");
    expect(fs.statSync(attrs).size).toBeGreaterThan(0);
    fs.truncateSync(attrs, 0);
    const broken = await stack.cli(["stack", "export"]);
    expect(broken.ok).toBe(false);
    expect(broken.error?.message).toMatch(/failed to load checkpoint: EOF/);
    const run = await recoverAsReadmeSays(emu, stack, "recover-interrupted-destroy");
    expect(run.stdout).toContain("rel.json.attrs: an empty metadata file");
    expect(await stack.prefixesInState()).toEqual([]);
  });

  it("no secret appears in any artifact, the crashed run's output included", async () => {
    await suite.scanArtifacts();
  });
});
