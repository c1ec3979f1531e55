/**
 * SIGKILL of the `pulumi` process in the middle of a command, and the aftermath a user finds:
 * the engine dies at once, holding its stack lock; the dynamic-provider host it spawned lives
 * on (it is not killed with its parent) and may still finish the requests it had in flight.
 */
import type { BasetenEmulator } from "../../emulator";
import { isAlive, waitFor } from "./processes";
import type { Outcome, ReliabilityStack } from "./stack";

export interface Crash {
  /** The command's outcome: a failure, since its CLI was killed. */
  outcome: Outcome;
  killedPid: number;
  /** Processes of the stack still running after the kill (the provider host), ended by the test. */
  survivors: string[];
}

/**
 * Starts `command`, waits until `ready()` (e.g. 20 keys minted), SIGKILLs the stack's `pulumi`
 * process, lets the survivors' in-flight requests land (`settleMs`), then ends the survivors
 * by pid, as closing the terminal or the CI job would.
 */
export async function killPulumiWhen(
  stack: ReliabilityStack,
  command: () => Promise<Outcome>,
  ready: () => boolean,
  settleMs: number,
): Promise<Crash> {
  const running = command();
  const pid = await waitFor("the pulumi process of this stack", () => stack.pulumiProcesses()[0]?.pid, 60_000);
  await waitFor("the moment to crash", ready, 120_000, 5);
  process.kill(pid, "SIGKILL");
  const outcome = await running;
  await waitFor("the killed pulumi to be gone", () => !isAlive(pid), 10_000);
  await new Promise((r) => setTimeout(r, settleMs));
  const survivors = stack.processes();
  for (const p of survivors) process.kill(p.pid, "SIGKILL");
  await waitFor("the survivors to be gone", () => survivors.every((p) => !isAlive(p.pid)), 10_000);
  return { outcome, killedPid: pid, survivors: survivors.map((p) => p.cmdline) };
}

/** Keys the emulator minted (live or revoked) so far. */
export const minted = (emu: BasetenEmulator) => emu.allKeys().length;
/** Keys the emulator revoked so far. */
export const revoked = (emu: BasetenEmulator) => emu.allKeys().filter((k) => k.revoked).length;
