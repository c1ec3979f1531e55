/**
 * The crash harness: SIGKILL (or Ctrl-C) of the `pulumi` process in the middle of a command,
 * and the aftermath a user finds: the engine dies at once, holding its stack lock; the
 * dynamic-provider host it spawned lives on (it is not killed with its parent) and may still
 * finish the requests it had in flight.
 *
 * A crash suite chooses the program (the stack's keys), the request to kill at (a route of
 * `support/requests.ts` and which one of the command's requests on it, answered or held by
 * the emulator), and what to kill (the CLI alone, the CLI with its provider host, or Ctrl-C
 * twice); `crash()` runs the command and returns what the kill left in state. The suite then
 * runs the README's recovery (`recoverAsReadmeSays`) or the next `up`/`destroy`, and asserts
 * convergence (`ReliabilitySuite.agree`). The moment is chosen by request counts, never by
 * time, and so is the end of the crash: the requests in flight at the kill are answered (to the
 * provider host, if it lives on), the survivors are ended, and the emulator has taken in
 * everything they sent (no request in flight, no connection open) before `crash()` reads the
 * state. Nothing of the crashed run can reach Baseten after that, as nothing of a user's can
 * once its processes are gone: the recovery and the assertions see all of it.
 */
import * as path from "path";
import { removeCutSidecars } from "../../../provider/recover/cutSidecars";
import type { BasetenEmulator } from "../../emulator";
import { isAlive, waitFor } from "./processes";
import { runSnippet, type SnippetRun } from "./readmeSnippet";
import { mark, since } from "./requests";
import type { Outcome, ReliabilityStack, StateExport } from "./stack";

export interface Crash {
  /** The command's outcome: a failure, since its CLI was killed. */
  outcome: Outcome;
  killedPid: number;
  /** Processes of the stack still running after the kill (the provider host), ended by the test. */
  survivors: string[];
  /**
   * The emulator's log position once the crash settled (see `mark`): every request the crashed
   * run sent is at or before it, so any request after it comes from a later command.
   */
  settled: number;
  /**
   * Metadata files of the backend the kill left empty (the engine was rewriting one), which
   * make every command answer `failed to load checkpoint: EOF`; removed as every README
   * recovery starts (baseten-recover), so the test reads the state a user then reads.
   */
  cutSidecars: string[];
}

export interface CrashOptions {
  /** Signals sent to the CLI, in order: SIGKILL (default), or ["SIGINT", "SIGINT"] for Ctrl-C twice. */
  signals?: NodeJS.Signals[];
  /** Kill the provider host at the same moment as the CLI (a machine crash) instead of letting it finish. */
  hostToo?: boolean;
  /** Runs once the CLI is gone, before the survivors are ended (e.g. release a held request). */
  afterKill?: () => void | Promise<void>;
  /**
   * How long the survivors may go on, once the requests in flight at the kill are answered,
   * before they are ended (a user closing the terminal a moment later); default 0. Whatever they
   * send meanwhile is settled before the crash returns, so no outcome depends on this length.
   */
  settleMs?: number;
}

/** Longest wait for the emulator to answer or cut off the crashed run's requests. */
const DRAIN_TIMEOUT_MS = 60_000;

const describeInFlight = (emu: BasetenEmulator) =>
  `in flight: [${emu
    .requestsInFlight()
    .map((r) => `#${r.seq} ${r.route}`)
    .join(", ")}], open connections: ${emu.openConnections()}`;

/**
 * Starts `command`, waits until `ready()` (e.g. 20 keys minted), signals the stack's `pulumi`
 * process, waits until the emulator has ended every request it had received by then (those a
 * surviving provider host sent land, answered to it; a host killed with the CLI gets none),
 * then ends the survivors by pid, as closing the terminal or the CI job would, and waits until
 * the emulator has taken in all they sent: no request in flight and no connection open.
 */
export async function killPulumiWhen(
  emu: BasetenEmulator,
  stack: ReliabilityStack,
  command: () => Promise<Outcome>,
  ready: () => boolean,
  options: CrashOptions = {},
): Promise<Crash> {
  const running = command();
  const pid = await waitFor("the pulumi process of this stack", () => stack.pulumiProcesses()[0]?.pid, 60_000);
  await waitFor("the moment to crash", ready, 120_000, 5);
  const hosts = options.hostToo ? stack.processes().filter((p) => p.pid !== pid) : [];
  for (const [i, signal] of (options.signals ?? ["SIGKILL"]).entries()) {
    // A second Ctrl-C comes a moment after the first, once the CLI has begun to cancel.
    if (i > 0) await new Promise((r) => setTimeout(r, 500));
    if (isAlive(pid)) process.kill(pid, signal);
  }
  for (const p of hosts) process.kill(p.pid, "SIGKILL");
  const outcome = await running;
  await waitFor("the killed pulumi to be gone", () => !isAlive(pid), 10_000);
  await options.afterKill?.();
  // The requests in flight at the kill end: Baseten finishes what it received.
  const atKill = new Set(emu.requestsInFlight().map((r) => r.seq));
  await waitFor(
    "the requests in flight at the kill to end",
    () => !emu.requestsInFlight().some((r) => atKill.has(r.seq)),
    DRAIN_TIMEOUT_MS,
  ).catch((e: Error) => {
    throw new Error(`${e.message} (${describeInFlight(emu)})`);
  });
  if (options.settleMs) await new Promise((r) => setTimeout(r, options.settleMs));
  const survivors = stack.processes();
  for (const p of survivors) process.kill(p.pid, "SIGKILL");
  await waitFor("the survivors to be gone", () => survivors.every((p) => !isAlive(p.pid)), 10_000);
  // What the survivors sent before they died is answered or found cut off; checked after a turn
  // of the event loop, so connections the kernel holds for the emulator are accepted first.
  await new Promise((r) => setTimeout(r, 0));
  await waitFor(
    "the emulator to take in everything the crashed run sent",
    () => emu.requestsInFlight().length === 0 && emu.openConnections() === 0,
    DRAIN_TIMEOUT_MS,
  ).catch((e: Error) => {
    throw new Error(`${e.message} (${describeInFlight(emu)})`);
  });
  const cutSidecars = removeCutSidecars(path.join(stack.dir, "backend"));
  return { outcome, killedPid: pid, survivors: survivors.map((p) => p.cmdline), settled: mark(emu), cutSidecars };
}

/** Keys the emulator minted (live or revoked) so far. */
export const minted = (emu: BasetenEmulator) => emu.allKeys().length;
/** Keys the emulator revoked so far. */
export const revoked = (emu: BasetenEmulator) => emu.allKeys().filter((k) => k.revoked).length;

/** The request of the command at which the kill comes. */
export interface KillPoint {
  /** An emulator route (`POST`, `DELETE`, ... of support/requests.ts). */
  route: string;
  /** Which of the command's requests on that route: 1 for the first. */
  nth: number;
  /** With `held`: only requests whose raw path starts with this count (e.g. one key's DELETE). */
  pathPrefix?: string;
  /**
   * Unheld only: the kill waits until, besides, at least this many requests on the route are in
   * flight at the emulator (received, not yet answered), so the crash surely cuts their answers
   * off from the engine. Each then lands (answered to a surviving host) before the state is read.
   */
  inFlight?: number;
  /**
   * Unset: the kill comes once the nth request has been answered with a 2xx (Baseten did its
   * work); requests after it are in flight when the plan sets a latency.
   * "commit" or "drop": the emulator holds the nth request unanswered (a `lateCommit` fault),
   * the kill comes while it is held, then the held request is committed (Baseten did the work
   * after all, answering no one) or dropped (nothing was done).
   */
  held?: "commit" | "drop";
}

/** What the kill ends: the CLI alone, the CLI and its provider host (a machine crash), or Ctrl-C twice. */
export type KillTarget = "cli" | "cliAndHost" | "ctrlC";

export interface CrashPlan {
  command: "up" | "destroy";
  at: KillPoint;
  /** Default "cli". */
  kill?: KillTarget;
  /** Every API request takes this long during the command (then 0 again), so others are in flight at the kill. */
  latencyMs?: number;
  /** See CrashOptions.settleMs; default 1 s. */
  settleMs?: number;
  /**
   * With a host let finish: when its remaining work is done, by the emulator's counts (e.g. the
   * secret write that follows a committed mint, logged); waited for once the held request is
   * released, before the survivors are ended, so what they did is not left to `settleMs`.
   */
  hostDone?: () => boolean;
}

type PendingOperation = NonNullable<StateExport["deployment"]["pending_operations"]>[number];

export interface CrashResult extends Crash {
  /** `pulumi stack export` right after the crash (what a user then finds). */
  state: StateExport;
  /** The state's pending operations of one kind: "creating", "deleting", "updating". */
  pending(type: string): PendingOperation[];
}

const KILLS: Record<KillTarget, CrashOptions> = {
  cli: {},
  cliAndHost: { hostToo: true },
  ctrlC: { signals: ["SIGINT", "SIGINT"] },
};

/** Runs `plan.command` on the stack and kills it at `plan.at`; the command must fail. */
export async function crash(emu: BasetenEmulator, stack: ReliabilityStack, plan: CrashPlan): Promise<CrashResult> {
  const { route, nth, held, inFlight = 0, pathPrefix } = plan.at;
  if (held && inFlight > 0) throw new Error("a held kill point waits for its held request, not for requests in flight");
  const from = mark(emu);
  if (held)
    emu.injectFault({ kind: "lateCommit", afterRequests: 100_000, route, skip: nth - 1, ...(pathPrefix ? { pathPrefix } : {}) });
  const answered = () => since(emu, from).filter((r) => r.route === route && r.status >= 200 && r.status < 300).length;
  const onRoute = () => emu.requestsInFlight().filter((r) => r.route === route).length;
  if (plan.latencyMs !== undefined) emu.setLatency(plan.latencyMs);
  let result: Crash;
  try {
    result = await killPulumiWhen(
      emu,
      stack,
      () => (plan.command === "up" ? stack.up() : stack.destroy()),
      held ? () => emu.heldRequests() > 0 : () => answered() >= nth && onRoute() >= inFlight,
      {
        ...KILLS[plan.kill ?? "cli"],
        settleMs: plan.settleMs ?? 1000,
        afterKill: async () => {
          if (held) expect(held === "commit" ? emu.runLateCommits() : emu.dropLateCommits()).toBe(1);
          if (plan.hostDone) await waitFor("the provider host to finish its work", plan.hostDone, 60_000);
        },
      },
    );
  } finally {
    if (plan.latencyMs !== undefined) emu.setLatency(0);
  }
  expect(result.outcome.ok).toBe(false);
  const state = await stack.exportState();
  const pending = (type: string) => (state.deployment.pending_operations ?? []).filter((o) => o.type === type);
  return { ...result, state, pending };
}

/**
 * Runs the main README's recovery snippet exactly as written there; it must succeed and leave
 * no pending operation.
 */
export async function recoverAsReadmeSays(emu: BasetenEmulator, stack: ReliabilityStack, snippet: string): Promise<SnippetRun> {
  const run = await runSnippet(snippet, stack, { apiUrl: emu.url, apiKey: emu.managementKey });
  expect({ code: run.code, stderr: run.stderr.slice(-2000) }).toMatchObject({ code: 0 });
  expect((await stack.exportState()).deployment.pending_operations ?? []).toEqual([]);
  return run;
}
