/**
 * Faults during runs: 100 keys, `pulumi up` then `pulumi destroy` through the real engine,
 * while the emulator fails a seeded random 10% of API requests with every fault Baseten's
 * front door produces: 429 with `retry_after`, 500, 502 with an HTML body, a connection reset,
 * and latency past the provider's timeout (the server still does the work, so a create whose
 * answer never arrives has minted a key), plus one scripted fault of each kind on the first
 * creates. Each run may be rerun once when Pulumi reports a failure; after `up` Baseten must
 * hold exactly the stack's keys, after `destroy` none.
 */
import { BasetenEmulator, type FaultKindSpec, type RandomFaultKind } from "../emulator";
import { checkpoint } from "./support/agreement";
import { faultCounts, mark, POST, since } from "./support/requests";
import { keysOutsideEnvelope } from "./support/secrets";
import { keyResourcesOf, manyKeys, ReliabilityStack, type Outcome } from "./support/stack";
import { reliabilitySuite } from "./support/suite";

jest.setTimeout(15 * 60 * 1000);

const SUITE = "faults-during-runs";
const KEYS = 100;
const FAULT_RATE = 0.1;
/** Chosen once; any seed works. Fixed so a failing run replays the same fault sequence. */
const SEED = 20261127;
const KINDS: RandomFaultKind[] = ["rateLimited", "serverError", "badGatewayHtml", "reset", "latency"];
/** The provider gives up on an attempt after 2 s; the slow faults answer after 3 s. */
const TIMEOUT_SECONDS = 2;
const LATENCY_MS = 3000;

const SCRIPTED_CREATE_FAULTS: FaultKindSpec[] = [
  { kind: "latency", ms: LATENCY_MS, afterCommit: true },
  { kind: "reset" },
  { kind: "serverError" },
  { kind: "badGatewayHtml" },
  { kind: "rateLimited", retryAfterSeconds: 1 },
];

const runs: Record<string, Outcome[]> = {};

const suite = reliabilitySuite(SUITE, {
  stack: { settings: { timeoutSeconds: String(TIMEOUT_SECONDS) }, keys: manyKeys("chaos", KEYS) },
});
const { fig } = suite;
let emu: BasetenEmulator;
let stack: ReliabilityStack;
beforeAll(() => {
  ({ emu, stack } = suite);
  // One scripted fault of each kind on the first creates, so every kind meets a create in every
  // run, whatever order the engine schedules requests in; the seeded random ones follow.
  for (const fault of SCRIPTED_CREATE_FAULTS) emu.injectFault({ ...fault, route: POST });
  // A create whose POST failed uncertainly and whose key no listing shows yet is kept as
  // `unconfirmed/<name>`; the rerun's replacement may drop that entry only where the listing is
  // sure to cover a teamless key's scope: keys of its type listed with no team (issue 15 item 2:
  // one listed under the default team's name may be that team's own, a right apart; there the
  // entry is kept and the run fails, as test/unit/ownership.test.ts requires). Whether a create ends so
  // depends on how the engine orders requests among the faults, so this workspace is one where
  // the proof exists: it lists teamless keys with no team (README's facts allow either).
  emu.setModes({ teamlessTeamName: "null" });
  emu.setRandomFaults({ rate: FAULT_RATE, seed: SEED, kinds: KINDS, latencyMs: LATENCY_MS, retryAfterSeconds: 1 });
});

suite.onFinish(() => {
  fig.figures.reruns = Object.values(runs).reduce((n, r) => n + r.length - 1, 0);
});

/** Runs a command, and once more if Pulumi reports a failure (what the issue allows). */
async function withOneRerun(command: () => Promise<Outcome>): Promise<Outcome[]> {
  const first = await command();
  return first.ok ? [first] : [first, await command()];
}

function failureText(outcomes: Outcome[]): string {
  return outcomes
    .filter((o) => !o.ok)
    .map((o) => o.error?.message.slice(-3000))
    .join("\n---\n");
}

describe(`${KEYS} keys under ${FAULT_RATE * 100}% seeded random faults, through the real engine`, () => {
  it("up completes (rerun at most once) and Baseten then holds exactly the stack's keys", async () => {
    const from = mark(emu);
    runs.up = await withOneRerun(() => stack.up());
    const last = runs.up[runs.up.length - 1];
    expect({ ok: last.ok, failures: failureText(runs.up) }).toMatchObject({ ok: true });

    const a = await checkpoint(fig, emu, [stack]);
    expect(a.untracked).toEqual([]);
    expect(a.stale).toEqual([]);
    expect(a.inState).toHaveLength(KEYS);
    expect(emu.liveKeys()).toHaveLength(KEYS);

    // The faults really hit the run, including creates whose answer was lost after Baseten
    // minted the key: those orphans were found by name and revoked, so none is live above.
    const log = since(emu, from);
    const faults = faultCounts(log);
    expect(Object.values(faults).reduce((s, n) => s + n, 0)).toBeGreaterThan(0);
    const lostCreates = log.filter((r) => r.route === POST && r.fault === "latency");
    expect(lostCreates.length).toBeGreaterThan(0);
    expect(emu.allKeys().filter((k) => k.revoked).length).toBeGreaterThanOrEqual(lostCreates.length);
  });

  it("the plaintext of every key is in state only inside Pulumi's secret envelope", async () => {
    const state = await stack.exportState();
    expect(keyResourcesOf(state)).toHaveLength(KEYS);
    expect(keysOutsideEnvelope(state)).toEqual([]);
  });

  it("destroy completes (rerun at most once) and leaves no key live and nothing in state", async () => {
    runs.destroy = await withOneRerun(() => stack.destroy());
    const last = runs.destroy[runs.destroy.length - 1];
    expect({ ok: last.ok, failures: failureText(runs.destroy) }).toMatchObject({ ok: true });

    const a = await checkpoint(fig, emu, [stack]);
    expect(a.inState).toEqual([]);
    expect(a.live).toEqual([]);
  });

  it("every fault kind was injected, at about the configured rate", () => {
    const log = emu.requestLog();
    const faults = faultCounts(log);
    for (const kind of KINDS) expect({ kind, count: faults[kind] ?? 0 }).toEqual({ kind, count: expect.any(Number) });
    expect(Object.keys(faults).sort()).toEqual([...KINDS].sort());
    const total = Object.values(faults).reduce((s, n) => s + n, 0);
    // Requests rejected by the limiter never roll a fault; the rest roll at 10%.
    const random = total - SCRIPTED_CREATE_FAULTS.length;
    const rolled = log.filter((r) => r.status !== 429 || r.fault !== undefined).length - SCRIPTED_CREATE_FAULTS.length;
    expect(random / rolled).toBeGreaterThan(0.04);
    expect(random / rolled).toBeLessThan(0.2);
    console.log(
      `[${SUITE}] ${log.length} requests, ${total} faults ${JSON.stringify(faults)}; ` +
        `up ran ${runs.up?.length ?? 0}x, destroy ran ${runs.destroy?.length ?? 0}x`,
    );
  });

  it("no secret appears in any artifact of the runs", async () => {
    await suite.scanArtifacts();
  });
});
