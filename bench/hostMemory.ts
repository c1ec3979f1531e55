/**
 * Peak memory and CPU time of the engine's dynamic-provider host (`node .../cmd/dynamic-provider/index.js`,
 * started by `pulumi`, which this process starts). Linux only: it reads /proc.
 *
 * The kernel keeps each process's high-water mark of resident memory (VmHWM), so sampling it
 * loses nothing except growth in the last interval before the host exits; CPU time (utime +
 * stime) likewise loses at most the last interval's. Only descendants
 * of this process count, so hosts of other Pulumi runs on the machine are never measured.
 */
import * as fs from "fs";

const INTERVAL_MS = 50;
/** A full scan of /proc costs more than polling known hosts: do it every this many ticks once a host is known. */
const RESCAN_EVERY = 10;

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined; // the process exited between listing and reading
  }
}

/** Parent pid from /proc/<pid>/stat; the command name may contain spaces and parentheses. */
function parentOf(pid: number): number | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[1]);
}

/** utime + stime of `pid`, in clock ticks (USER_HZ). */
function cpuTicks(pid: number): number | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // Fields 14 and 15 of stat (utime, stime): indices 11 and 12 after the command name.
  return Number(fields[11]) + Number(fields[12]);
}

function highWaterKiB(pid: number): number | undefined {
  const m = /^VmHWM:\s+(\d+) kB/m.exec(readText(`/proc/${pid}/status`) ?? "");
  return m ? Number(m[1]) : undefined;
}

/** The host's script path when `pid` is a dynamic-provider host. */
function dynamicProviderHostScript(pid: number): string | undefined {
  const cmdline = (readText(`/proc/${pid}/cmdline`) ?? "").split("\0");
  return cmdline.find((arg) => /cmd[/\\]dynamic-provider([/\\]index\.js)?$/.test(arg));
}

function descendantsOf(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const parent = parentOf(pid);
    if (parent === undefined) continue;
    const list = children.get(parent) ?? [];
    list.push(pid);
    children.set(parent, list);
  }
  const out: number[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length) {
    const pid = queue.shift() as number;
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

export class HostMemorySampler {
  private readonly peaks = new Map<number, number>();
  private readonly ticks = new Map<number, number>();
  /** Script paths of the hosts seen: they show which node_modules the engine ran the provider from. */
  readonly hostScripts = new Set<string>();
  private timer?: NodeJS.Timeout;
  private tick = 0;

  static supported(): boolean {
    return fs.existsSync("/proc/self/status");
  }

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), INTERVAL_MS);
  }

  /** Stops sampling; the largest high-water mark of any host seen, in KiB (undefined: none seen). */
  stop(): number | undefined {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    return this.peaks.size ? Math.max(...this.peaks.values()) : undefined;
  }

  /** CPU seconds of every host seen, as last sampled (Linux's USER_HZ is 100). */
  cpuSeconds(): number {
    return [...this.ticks.values()].reduce((a, b) => a + b, 0) / 100;
  }

  private sample(): void {
    let alive = 0;
    for (const pid of this.peaks.keys()) {
      const kib = highWaterKiB(pid);
      if (kib === undefined) continue;
      alive++;
      this.peaks.set(pid, Math.max(kib, this.peaks.get(pid) ?? 0));
      const t = cpuTicks(pid);
      if (t !== undefined) this.ticks.set(pid, t);
    }
    if (alive > 0 && this.tick++ % RESCAN_EVERY !== 0) return;
    for (const pid of descendantsOf(process.pid)) {
      if (this.peaks.has(pid)) continue;
      const script = dynamicProviderHostScript(pid);
      if (script === undefined) continue;
      this.hostScripts.add(script);
      this.peaks.set(pid, highWaterKiB(pid) ?? 0);
      this.ticks.set(pid, cpuTicks(pid) ?? 0);
    }
  }
}
