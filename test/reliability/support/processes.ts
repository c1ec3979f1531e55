/**
 * Finds the processes one test stack started, by the private PULUMI_HOME every one of them
 * inherits (the `pulumi` CLI and the dynamic-provider host it spawns). Nothing else on the
 * machine has that value, so a test only ever signals its own processes, by pid.
 */
import * as fs from "fs";

export interface StackProcess {
  pid: number;
  /** Resolved executable, e.g. `.../.pulumi-cli/bin/pulumi` or `/usr/bin/node`. */
  exe: string;
  /** argv joined by spaces. */
  cmdline: string;
}

function readOrUndefined(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "latin1");
  } catch {
    return undefined; // the process ended while we looked, or is not ours to read
  }
}

/** Live processes whose environment holds `PULUMI_HOME=<home>`. */
export function processesWithPulumiHome(home: string): StackProcess[] {
  const marker = `PULUMI_HOME=${home}`;
  const found: StackProcess[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const environ = readOrUndefined(`/proc/${entry}/environ`);
    if (!environ || !environ.split("\0").includes(marker)) continue;
    const stat = readOrUndefined(`/proc/${entry}/stat`);
    // A zombie has exited already; it only waits for its parent to collect it.
    if (stat && / Z /.test(stat.slice(stat.lastIndexOf(")")))) continue;
    let exe = "";
    try {
      exe = fs.readlinkSync(`/proc/${entry}/exe`);
    } catch {
      continue;
    }
    const cmdline = (readOrUndefined(`/proc/${entry}/cmdline`) ?? "").split("\0").join(" ").trim();
    found.push({ pid: Number(entry), exe, cmdline });
  }
  return found;
}

/** Waits until `poll` returns a value, checking every `everyMs`; throws after `timeoutMs`. */
export async function waitFor<T>(what: string, poll: () => T | undefined | false, timeoutMs: number, everyMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = poll();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function isAlive(pid: number): boolean {
  const stat = readOrUndefined(`/proc/${pid}/stat`);
  return stat !== undefined && !/ Z /.test(stat.slice(stat.lastIndexOf(")")));
}
