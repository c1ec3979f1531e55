/**
 * Baseten's rate limit ("100 requests/second per API key"; 429 with `retry_after` and
 * `Retry-After`, README): 200 keys, `pulumi up` then `pulumi destroy` at Pulumi's default
 * parallelism, finish without an error, and every request turned away with 429 is retried no
 * sooner than Baseten asked.
 *
 * The 429s are injected by the emulator, a fixed number per command, so the test does not
 * depend on how fast this machine drives the engine: the first POSTs (then DELETEs) of the run
 * are turned away as a crowded limit would turn them away, whatever the timing. The emulator's
 * own 100/s limiter stays on as well. Retries are bounded by time, not count: a key turned away
 * twelve times in a row (more than any count-based budget allowed before) still succeeds.
 */
import { BasetenEmulator, type LoggedRequest } from "../emulator";
import { checkpoint } from "./support/agreement";
import { DELETE, mark, POST, since } from "./support/requests";
import { manyKeys, ReliabilityStack } from "./support/stack";
import { reliabilitySuite } from "./support/suite";

jest.setTimeout(15 * 60 * 1000);

const SUITE = "rate-limit";
const KEYS = 200;
/** 429s injected per command: enough that most keys are turned away at least once. */
const INJECTED_429S = 300;
/** Slack for timer granularity and millisecond timestamps. */
const CLOCK_SLACK_MS = 5;

const suite = reliabilitySuite(SUITE, { stack: { keys: manyKeys("burst", KEYS, "WORKSPACE_MANAGE_ALL") } });
const { fig } = suite;
let emu: BasetenEmulator;
let stack: ReliabilityStack;
beforeAll(() => ({ emu, stack } = suite));

/** The logical request a log entry belongs to: the key name of a create, the path of a revoke. */
function identity(r: LoggedRequest): string | undefined {
  if (r.route === POST) return `POST ${(r.requestBody as { name?: string } | undefined)?.name}`;
  if (r.route === DELETE) return `DELETE ${r.rawPath}`;
  return undefined; // listings are alike: they cannot be told apart
}

/** For every 429 the provider got, how long it waited before sending that request again. */
function waitsAfter429(log: LoggedRequest[], retryAfterMs: (r: LoggedRequest) => number) {
  const waits: Array<{ request: string; waitedMs: number; askedMs: number }> = [];
  for (const [i, r] of log.entries()) {
    const id = identity(r);
    if (r.status !== 429 || id === undefined) continue;
    const next = log.slice(i + 1).find((n) => identity(n) === id);
    if (!next) continue; // the test asserts every such request succeeded in the end
    waits.push({ request: id, waitedMs: next.startedAt - (r.startedAt + r.durationMs), askedMs: retryAfterMs(r) });
  }
  return waits;
}

/** Runs a command with `times` 429s (retry_after 1 s) injected on `route`; returns its requests. */
async function rateLimited(route: string, times: number, command: () => Promise<{ ok: boolean; error?: Error }>) {
  const from = mark(emu);
  emu.injectFault({ kind: "rateLimited", route, times, retryAfterSeconds: 1 });
  const outcome = await command();
  emu.clearFaults();
  return { outcome, own: since(emu, from) };
}

/** The most 429s one logical request got in a row. */
function longestStreak(log: LoggedRequest[]): number {
  const streak = new Map<string, number>();
  let longest = 0;
  for (const r of log) {
    const id = identity(r);
    if (id === undefined) continue;
    const n = r.status === 429 ? (streak.get(id) ?? 0) + 1 : 0;
    streak.set(id, n);
    longest = Math.max(longest, n);
  }
  return longest;
}

describe(`${KEYS} keys against Baseten's rate limit`, () => {
  it("up at the default parallelism finishes without an error, retrying each 429 only after retry_after", async () => {
    const { outcome, own } = await rateLimited(POST, INJECTED_429S, () => stack.up());
    expect({ ok: outcome.ok, error: outcome.error?.message.slice(-3000) }).toEqual({ ok: true, error: undefined });

    const limited = own.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(INJECTED_429S);
    const waits = waitsAfter429(own, () => 1000);
    expect(waits.length).toBeGreaterThan(0);
    expect(waits.filter((w) => w.waitedMs < w.askedMs - CLOCK_SLACK_MS)).toEqual([]);
    expect(own.filter((r) => r.route === POST && r.status === 200)).toHaveLength(KEYS);

    const a = await checkpoint(fig, emu, [stack]);
    expect(a.inState).toHaveLength(KEYS);
    expect(a.untracked).toEqual([]);
    expect(a.stale).toEqual([]);
    console.log(
      `[${SUITE}] up: ${own.length} provider requests, ${limited.length} answered 429, longest streak ${longestStreak(own)}`,
    );
  });

  it("a 429 that gives its wait only in the body's retry_after (2 s) is honoured too", async () => {
    const from = mark(emu);
    emu.injectFault({
      kind: "respond",
      route: POST,
      times: 3,
      status: 429,
      body: JSON.stringify({ error: "Rate limit exceeded. Please try again later.", retry_after: 2 }),
    });
    stack.keys = [...stack.keys, ...manyKeys("late", 3, "WORKSPACE_MANAGE_ALL")];
    const outcome = await stack.up();
    expect({ ok: outcome.ok, error: outcome.error?.message.slice(-3000) }).toEqual({ ok: true, error: undefined });
    const own = since(emu, from);
    const waits = waitsAfter429(own, () => 2000);
    expect(waits).toHaveLength(3);
    expect(waits.filter((w) => w.waitedMs < w.askedMs - CLOCK_SLACK_MS)).toEqual([]);
    const a = await checkpoint(fig, emu, [stack]);
    expect(a.inState).toHaveLength(KEYS + 3);
    expect(a.untracked).toEqual([]);
  });

  it("a key turned away twelve times in a row still gets through: retries are bounded by time, not count", async () => {
    const from = mark(emu);
    // The only DELETE of this up is the removed key's: it gets all twelve 429s.
    emu.injectFault({ kind: "rateLimited", route: DELETE, times: 12, retryAfterSeconds: 1 });
    stack.keys = stack.keys.slice(0, -1);
    const outcome = await stack.up();
    expect({ ok: outcome.ok, error: outcome.error?.message.slice(-3000) }).toEqual({ ok: true, error: undefined });
    const deletes = since(emu, from).filter((r) => r.route === DELETE);
    expect(new Set(deletes.map((r) => r.rawPath)).size).toBe(1);
    expect(deletes.map((r) => r.status)).toEqual([...Array(12).fill(429), 200]);
    const waits = waitsAfter429(deletes, () => 1000);
    expect(waits.filter((w) => w.waitedMs < w.askedMs - CLOCK_SLACK_MS)).toEqual([]);
  });

  it("destroy at the default parallelism finishes without an error, retrying each 429 only after retry_after", async () => {
    const { outcome, own } = await rateLimited(DELETE, INJECTED_429S, () => stack.destroy());
    expect({ ok: outcome.ok, error: outcome.error?.message.slice(-3000) }).toEqual({ ok: true, error: undefined });

    const limited = own.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(INJECTED_429S);
    const waits = waitsAfter429(own, () => 1000);
    expect(waits.filter((w) => w.waitedMs < w.askedMs - CLOCK_SLACK_MS)).toEqual([]);
    expect(own.filter((r) => r.route === DELETE && r.status === 200)).toHaveLength(KEYS + 2);

    const a = await checkpoint(fig, emu, [stack]);
    expect(a.inState).toEqual([]);
    expect(a.live).toEqual([]);
    console.log(
      `[${SUITE}] destroy: ${own.length} provider requests, ${limited.length} answered 429, longest streak ${longestStreak(own)}`,
    );
  });

  it("no secret appears in any artifact of the runs", async () => {
    await suite.scanArtifacts();
  });
});
