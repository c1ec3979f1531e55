/**
 * SIGKILL of the `pulumi` process in the middle of a command, and the aftermath a user finds:
 * the engine dies at once, holding its stack lock; the dynamic-provider host it spawned lives
 * on (it is not killed with its parent) and may still finish the requests it had in flight.
 */
import * as path from "path";
import { removeCutSidecars } from "../../../provider/recover/cutSidecars";
import type { BasetenEmulator } from "../../emulator";
import { isAlive, waitFor } from "./processes";
import type { Outcome, ReliabilityStack } from "./stack";

export interface Crash {
  /** The command's outcome: a failure, since its CLI was killed. */
  outcome: Outcome;
  killedPid: number;
  /** Processes of the stack still running after the kill (the provider host), ended by the test. */
  survivors: string[];
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
}

/**
 * Starts `command`, waits until `ready()` (e.g. 20 keys minted), signals the stack's `pulumi`
 * process, lets the survivors' in-flight requests land (`settleMs`), then ends the survivors
 * by pid, as closing the terminal or the CI job would.
 */
export async function killPulumiWhen(
  stack: ReliabilityStack,
  command: () => Promise<Outcome>,
  ready: () => boolean,
  settleMs: number,
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
  await new Promise((r) => setTimeout(r, settleMs));
  const survivors = stack.processes();
  for (const p of survivors) process.kill(p.pid, "SIGKILL");
  await waitFor("the survivors to be gone", () => survivors.every((p) => !isAlive(p.pid)), 10_000);
  const cutSidecars = removeCutSidecars(path.join(stack.dir, "backend"));
  return { outcome, killedPid: pid, survivors: survivors.map((p) => p.cmdline), cutSidecars };
}

/** Keys the emulator minted (live or revoked) so far. */
export const minted = (emu: BasetenEmulator) => emu.allKeys().length;
/** Keys the emulator revoked so far. */
export const revoked = (emu: BasetenEmulator) => emu.allKeys().filter((k) => k.revoked).length;
