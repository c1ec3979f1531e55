/**
 * SIGKILL of `pulumi` in the middle of an `up` of 50 keys, then the recovery the README
 * documents (test/reliability/README.md, snippet `recover-interrupted-up`, run here exactly as
 * written). The crash leaves what a user finds: a locked stack, creates recorded as pending
 * (with the key names check generated before each POST), and keys Baseten minted for them
 * that no state tracks, since their answers died with the engine. At the end no key may be
 * live at Baseten without a resource in state, and no resource may stand for a revoked key.
 *
 * The crash is settled by counts, not time (support/crash.ts): the kill comes once the 20th POST
 * is answered and another is in flight; the POSTs in flight then are answered to the provider
 * host the kill left running (Baseten minted those keys), the host is ended, and the emulator has
 * ended every request the run sent, before the state is read and long before the recovery runs.
 *
 * Now and then (more often on a loaded machine) a pending create carries the minted key's id and
 * outputs: the engine had read Baseten's answer, and a write of the state for another resource
 * came before the one recording the create as done. That key is tracked by nothing but the
 * pending create the recovery clears, so the recovery must revoke it like the others.
 */
import { agreement, checkpoint } from "./support/agreement";
import { crash as crashStack, minted, recoverAsReadmeSays, type CrashResult } from "./support/crash";
import { POST, since } from "./support/requests";
import { keyResourcesOf, manyKeys, type StateExport } from "./support/stack";
import { expectOk, reliabilitySuite } from "./support/suite";

jest.setTimeout(10 * 60 * 1000);

const SUITE = "crash-during-up";
const KEYS = 50;
/** Crash once this many keys are minted: well inside the run. */
const CRASH_AFTER_MINTED = 20;
/** Every API request takes this long, so creates are in flight at the moment of the crash. */
const LATENCY_MS = 300;
/** The kill also waits for this many POSTs in flight, whose answers it then cuts off from the engine. */
const IN_FLIGHT_AT_CRASH = 1;

const suite = reliabilitySuite(SUITE, { tools: ["jq", "curl"], stack: { keys: manyKeys("crash-up", KEYS) } });
const { fig } = suite;
let crash: CrashResult;
let afterCrash: StateExport;

describe(`pulumi SIGKILLed in the middle of an up of ${KEYS} keys`, () => {
  it("the crash leaves pending creates, and live keys no state tracks, all named by those pending creates", async () => {
    const { emu, stack } = suite;
    crash = await crashStack(emu, stack, {
      command: "up",
      at: { route: POST, nth: CRASH_AFTER_MINTED, inFlight: IN_FLIGHT_AT_CRASH },
      latencyMs: LATENCY_MS,
      // The host is ended as soon as the POSTs in flight at the kill are answered.
      settleMs: 0,
    });
    afterCrash = crash.state;
    const pending = crash.pending("creating");
    const a = await agreement(emu, [stack]);
    expect(pending.length).toBeGreaterThan(0);
    // The crash hit creates in flight: Baseten minted keys that state does not know.
    expect(a.untracked.length).toBeGreaterThanOrEqual(IN_FLIGHT_AT_CRASH);
    expect(a.stale).toEqual([]);
    const pendingNames = new Set(pending.map((o) => o.resource.inputs?.name));
    // A create whose answer the engine had read, but not yet recorded as done, when a write for
    // another resource saved the state: Pulumi then saved the pending create with the key's id.
    const answered = pending.filter((o) => o.resource.id).map((o) => o.resource.id as string);
    expect(answered.filter((id) => !a.untracked.includes(id))).toEqual([]);
    const untrackedNames = emu
      .liveKeys()
      .filter((k) => a.untracked.includes(k.prefix))
      .map((k) => k.name);
    expect(untrackedNames.filter((n) => !pendingNames.has(n))).toEqual([]);
    console.log(
      `[${SUITE}] killed after ${minted(emu)} keys minted: ${keyResourcesOf(afterCrash).length} in state, ` +
        `${pending.length} pending creates (${answered.length} with the minted key's id), ${a.untracked.length} minted keys untracked; ` +
        `still running after the kill (then ended by the test): ${crash.survivors.length} processes of the stack; ` +
        `metadata files the kill left empty: ${crash.cutSidecars.length}`,
    );
  });

  it("the README's recovery revokes those keys and clears the pending creates: state and Baseten agree", async () => {
    await recoverAsReadmeSays(suite.emu, suite.stack, "recover-interrupted-up");
    // The recovery mints nothing, and nothing of the crashed run reached Baseten after the crash
    // settled: a POST here would be a key minted behind the recovery's back.
    expect(
      since(suite.emu, crash.settled)
        .filter((r) => r.route === POST)
        .map((r) => r.requestBody),
    ).toEqual([]);
    const a = await suite.agree();
    // Every key the crash left in state survived the recovery.
    expect(a.inState).toEqual(
      keyResourcesOf(afterCrash)
        .map((r) => r.id)
        .sort(),
    );
  });

  it("up then creates the rest: all keys tracked, none untracked", async () => {
    expectOk(await suite.stack.up());
    const a = await suite.agree();
    expect(a.inState).toHaveLength(KEYS);
  });

  it("destroy leaves no key live and nothing in state", async () => {
    expectOk(await suite.stack.destroy());
    const a = await checkpoint(fig, suite.emu, suite.stacks);
    expect(a.live).toEqual([]);
    expect(a.inState).toEqual([]);
  });

  it("no secret appears in any artifact, the crashed run's output included", async () => {
    await suite.scanArtifacts();
  });
});
