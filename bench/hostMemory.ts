/**
 * CPU time per process class and the provider host's peak memory, for one phase: the `pulumi`
 * CLI (every process it starts but the provider host), the dynamic-provider host
 * (`pulumi-resource-pulumi-nodejs`, the `sh` wrapper, and everything under it: the `node -e`
 * that resolves the host script and the `node .../cmd/dynamic-provider` host itself) and the
 * program (this process, which runs the inline program and drives the CLI). Linux only: it
 * reads /proc.
 *
 * Every 50 ms it reads /proc/<pid>/stat of every process, keeps the descendants of this process
 * that appeared after `start()`, and records each one's own CPU (utime + stime), its reaped
 * children's (cutime + cstime) and its parent. A process's CPU is its last sample (exact when
 * it was caught as a zombie); what a sample cannot see (the last interval of a process that
 * exited, a child too short-lived to be seen) is still in its parent's reaped-children time,
 * so each process also counts that part of its children's time which its own samples of them
 * do not explain. A host the CLI leaves orphaned (reparented to init) is still counted from its
 * own samples, where the reaped-children times of this process (cpuTime.ts) would lose it.
 * The sampler's own CPU is measured and left out of the program's.
 *
 * The kernel keeps each process's high-water mark of resident memory (VmHWM), so the host's
 * peak loses nothing except growth in the last interval before it exits.
 */
import * as fs from "fs";

const INTERVAL_MS = 50;
/** Linux's USER_HZ: the unit of the /proc tick counters (100 on every mainstream kernel). */
export const TICKS_PER_SECOND = 100;

export type ProcessClass = "cli" | "host";

/** CPU seconds of one phase per process class. */
export interface CpuSplit {
  program: number;
  host: number;
  cli: number;
}

interface Stat {
  ppid: number;
  /** utime + stime, ticks. */
  self: number;
  /** cutime + cstime: the reaped children's, ticks. */
  children: number;
}

interface Tracked extends Stat {
  cls: ProcessClass;
  /** The sample that last saw it, and the first that did not. */
  lastTick: number;
  goneTick?: number;
  /** A host's script path, once its command line shows one. */
  script?: string;
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined; // the process exited between listing and reading
  }
}

/** Parent and CPU ticks from /proc/<pid>/stat; the command name may contain spaces and parentheses. */
export function readStat(pid: number | "self"): Stat | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // Fields 4 (ppid) and 14-17 (utime, stime, cutime, cstime) of stat: indices 1 and 11-14 here.
  return { ppid: Number(f[1]), self: Number(f[11]) + Number(f[12]), children: Number(f[13]) + Number(f[14]) };
}

function highWaterKiB(pid: number): number | undefined {
  const m = /^VmHWM:\s+(\d+) kB/m.exec(readText(`/proc/${pid}/status`) ?? "");
  return m ? Number(m[1]) : undefined;
}

/** The host's script path when `pid` is a dynamic-provider host. */
function dynamicProviderHostScript(cmdline: string[]): string | undefined {
  return cmdline.find((arg) => /cmd[/\\]dynamic-provider([/\\]index\.js)?$/.test(arg));
}

function isHostProcess(cmdline: string[]): boolean {
  return cmdline.some((arg) => /pulumi-resource-pulumi-nodejs$/.test(arg)) || dynamicProviderHostScript(cmdline) !== undefined;
}

/** Every process's stat, by pid. */
function allStats(): Map<number, Stat> {
  const out = new Map<number, Stat>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const s = readStat(Number(entry));
    if (s) out.set(Number(entry), s);
  }
  return out;
}

function descendantsOf(root: number, stats: Map<number, Stat>): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, s] of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), pid]);
  const out: number[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length) {
    const pid = queue.shift() as number;
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

export class ProcessSampler {
  private readonly tracked = new Map<number, Tracked>();
  private readonly peaks = new Map<number, number>();
  /** Processes that were there before the phase (the emulator): never counted. */
  private readonly before = new Set<number>();
  /** Script paths of the hosts seen: they show which node_modules the engine ran the provider from. */
  readonly hostScripts = new Set<string>();
  private timer?: NodeJS.Timeout;
  private tick = 0;
  private samplerMicros = 0;
  private programStart?: NodeJS.CpuUsage;
  private programMicros = 0;
  /** This process's reaped children's ticks at start and stop: the `pulumi` commands it ran. */
  private reapedAtStart = 0;
  private reapedAtStop = 0;

  static supported(): boolean {
    return fs.existsSync("/proc/self/status");
  }

  start(): void {
    for (const pid of descendantsOf(process.pid, allStats())) this.before.add(pid);
    this.programStart = process.cpuUsage();
    this.reapedAtStart = readStat("self")?.children ?? 0;
    this.timer = setInterval(() => this.sample(), INTERVAL_MS);
  }

  /** Stops sampling; the largest high-water mark of any host seen, in KiB (undefined: none seen). */
  stop(): number | undefined {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    const used = process.cpuUsage(this.programStart);
    this.programMicros = used.user + used.system;
    this.reapedAtStop = readStat("self")?.children ?? 0;
    return this.peaks.size ? Math.max(...this.peaks.values()) : undefined;
  }

  /** CPU seconds of the provider hosts seen (see the module comment). */
  cpuSeconds(): number {
    return this.split().host;
  }

  /** CPU seconds per process class, after `stop()`. */
  split(): CpuSplit {
    const ticks: Record<ProcessClass, number> = { cli: 0, host: 0 };
    /** Ticks of `pid`'s reaped children that the samples of those children do not explain. */
    const unexplained = (pid: number, reaped: number, lastTick: number) => {
      let explained = 0;
      for (const c of this.tracked.values())
        if (c.ppid === pid && c.goneTick !== undefined && c.goneTick <= lastTick) explained += c.self + c.children;
      return Math.max(0, reaped - explained);
    };
    for (const [pid, p] of this.tracked) ticks[p.cls] += p.self + unexplained(pid, p.children, p.lastTick);
    // The `pulumi` commands this process ran and reaped between two samples.
    ticks.cli += unexplained(process.pid, this.reapedAtStop - this.reapedAtStart, this.tick);
    return {
      program: Math.max(0, this.programMicros - this.samplerMicros) / 1e6,
      host: ticks.host / TICKS_PER_SECOND,
      cli: ticks.cli / TICKS_PER_SECOND,
    };
  }

  private sample(): void {
    const t0 = process.cpuUsage();
    const tick = ++this.tick;
    const stats = allStats();
    for (const pid of descendantsOf(process.pid, stats)) {
      if (this.before.has(pid)) continue;
      const s = stats.get(pid) as Stat;
      let p = this.tracked.get(pid);
      if (!p) {
        const cmdline = (readText(`/proc/${pid}/cmdline`) ?? "").split("\0");
        const cls: ProcessClass = isHostProcess(cmdline) || this.tracked.get(s.ppid)?.cls === "host" ? "host" : "cli";
        p = { ...s, cls, lastTick: tick };
        this.tracked.set(pid, p);
      }
      Object.assign(p, s, { lastTick: tick });
      // The wrapper forks `sh` before it execs `node .../cmd/dynamic-provider`: a host first seen
      // between the fork and the exec still shows the wrapper's command line, so a host's is read
      // again at each sample until it names the script.
      if (p.cls === "host" && p.script === undefined) {
        p.script = dynamicProviderHostScript((readText(`/proc/${pid}/cmdline`) ?? "").split("\0"));
        if (p.script !== undefined) this.hostScripts.add(p.script);
      }
      if (p.cls === "host") {
        const kib = highWaterKiB(pid);
        if (kib !== undefined) this.peaks.set(pid, Math.max(kib, this.peaks.get(pid) ?? 0));
      }
    }
    // An orphaned host leaves the tree but keeps its pid: follow it by pid.
    for (const [pid, p] of this.tracked) {
      if (p.lastTick === tick || p.goneTick !== undefined) continue;
      const s = stats.get(pid);
      if (s) Object.assign(p, s, { lastTick: tick });
      else p.goneTick ??= tick;
    }
    const used = process.cpuUsage(t0);
    this.samplerMicros += used.user + used.system;
  }
}
