/**
 * Baseten's limit of 100 requests per second per management key, enforced by the emulator:
 * 200 keys, `pulumi up` then `pulumi destroy` at Pulumi's default parallelism, finish without
 * an error, and every request turned away with 429 is retried no sooner than Baseten asked
 * (`Retry-After` / `retry_after`, 1 s from the limiter).
 *
 * The engine alone peaks at a few dozen requests per second on this machine, so another client
 * of the same account (support/backgroundLoad.ts) keeps most of the window busy, as CI jobs
 * and dashboards sharing a key do in practice.
 */
import { BasetenEmulator, type LoggedRequest } from "../emulator";
import { checkpoint } from "./support/agreement";
import { startBackgroundLoad, type BackgroundLoad } from "./support/backgroundLoad";
import { suiteFigures } from "./support/figures";
import { DELETE, mark, POST, since, TEAMS } from "./support/requests";
import { SecretScan } from "./support/secrets";
import { manyKeys, ReliabilityStack } from "./support/stack";

jest.setTimeout(15 * 60 * 1000);

const SUITE = "rate-limit";
const KEYS = 200;
/** Requests per second the other client sends with the same key. */
const BACKGROUND_PER_SECOND = 90;
/** Slack for timer granularity and millisecond timestamps. */
const CLOCK_SLACK_MS = 5;

const fig = suiteFigures(SUITE);
const scan = new SecretScan(SUITE);
let emu: BasetenEmulator;
let stack: ReliabilityStack;
let load: BackgroundLoad | undefined;

beforeAll(async () => {
  emu = await BasetenEmulator.start(); // rateLimitPerSecond: 100, Baseten's
  expect(emu.settings().rateLimitPerSecond).toBe(100);
  stack = await ReliabilityStack.create({ apiUrl: emu.url, managementKey: emu.managementKey, label: SUITE });
  stack.keys = manyKeys("burst", KEYS, "WORKSPACE_MANAGE_ALL");
});

afterAll(async () => {
  await load?.stop();
  if (emu) fig.accountEmulator(emu);
  if (stack) fig.add("pulumiCommands", stack.commandCount);
  fig.write();
  await stack?.remove();
  await emu?.stop();
});

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

function peakPerSecond(log: LoggedRequest[]): number {
  let peak = 0;
  for (let i = 0, j = 0; i < log.length; i++) {
    while (log[i].startedAt - log[j].startedAt >= 1000) j++;
    peak = Math.max(peak, i - j + 1);
  }
  return peak;
}

async function underLoad(command: () => Promise<{ ok: boolean; error?: Error }>) {
  const from = mark(emu);
  load = startBackgroundLoad(emu, BACKGROUND_PER_SECOND);
  const outcome = await command();
  await load.stop();
  load = undefined;
  const log = since(emu, from);
  const own = log.filter((r) => r.route !== TEAMS);
  return { outcome, log, own };
}

describe(`${KEYS} keys against Baseten's 100 requests/second limit, shared with another client`, () => {
  it("up at the default parallelism finishes without an error, retrying each 429 only after retry_after", async () => {
    const { outcome, log, own } = await underLoad(() => stack.up());
    expect({ ok: outcome.ok, error: outcome.error?.message.slice(-3000) }).toEqual({ ok: true, error: undefined });

    const limited = own.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0); // the limit was really met
    const waits = waitsAfter429(own, () => 1000);
    expect(waits.length).toBeGreaterThan(0);
    expect(waits.filter((w) => w.waitedMs < w.askedMs - CLOCK_SLACK_MS)).toEqual([]);
    expect(own.filter((r) => r.route === POST && r.status === 200)).toHaveLength(KEYS);

    const a = await checkpoint(fig, emu, [stack]);
    expect(a.inState).toHaveLength(KEYS);
    expect(a.untracked).toEqual([]);
    expect(a.stale).toEqual([]);
    console.log(
      `[${SUITE}] up: ${own.length} provider requests, ${limited.length} answered 429, peak ${peakPerSecond(log)}/s ` +
        `with the other client (${peakPerSecond(own)}/s alone)`,
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

  it("destroy at the default parallelism finishes without an error, retrying each 429 only after retry_after", async () => {
    const { outcome, log, own } = await underLoad(() => stack.destroy());
    expect({ ok: outcome.ok, error: outcome.error?.message.slice(-3000) }).toEqual({ ok: true, error: undefined });

    const limited = own.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    const waits = waitsAfter429(own, () => 1000);
    expect(waits.filter((w) => w.waitedMs < w.askedMs - CLOCK_SLACK_MS)).toEqual([]);
    expect(own.filter((r) => r.route === DELETE && r.status === 200)).toHaveLength(KEYS + 3);

    const a = await checkpoint(fig, emu, [stack]);
    expect(a.inState).toEqual([]);
    expect(a.live).toEqual([]);
    console.log(
      `[${SUITE}] destroy: ${own.length} provider requests, ${limited.length} answered 429, peak ${peakPerSecond(log)}/s ` +
        `with the other client (${peakPerSecond(own)}/s alone)`,
    );
  });

  it("no secret appears in any artifact of the runs", async () => {
    await scan.addStack(stack, "stack");
    scan.addEmulatorLog(emu, "emulator");
    expect(scan.run([emu], fig)).toEqual([]);
  });
});
