/**
 * The crowded-workspace rows (issue 21): a stack of N `ApiKey`s in a workspace that also holds
 * tens of thousands of other keys (a scoped invoke key per customer), against the same stack in
 * an empty workspace, same run, same emulator. Baseten's listing has no paging, so every
 * listing carries all the others; the target is that `up` and `refresh` cost at most 0.5 s of
 * CPU more than in the empty workspace. The others come from the emulator's preload
 * (`POST /_emulator/preload-keys`).
 */
import { BenchStack, type PhaseMeasure } from "./benchStack";
import type { EmulatorProcess } from "./emulatorProcess";
import { median } from "./stats";
import type { UserInstall } from "./userInstall";

export const CROWD_PHASES = ["up", "refresh", "destroy"] as const;
export type CrowdPhase = (typeof CROWD_PHASES)[number];
export type Workspace = "empty" | "crowded";

/** Most CPU seconds a phase of the crowded workspace may add (issue 21). */
export const MAX_CROWD_CPU_DELTA_S = 0.5;
/** The phases the target applies to. */
const TARGET_PHASES: CrowdPhase[] = ["up", "refresh"];

export interface CrowdMeasure {
  keys: number;
  others: number;
  /** Bytes of the crowded workspace's `GET /v1/api_keys` answer, before the stack's keys exist. */
  listingBytes: number;
  runs: Array<Record<Workspace, Record<CrowdPhase, PhaseMeasure>>>;
}

async function runWorkspace(args: {
  install: UserInstall;
  binDir: string;
  emulator: EmulatorProcess;
  keys: number;
  others: number;
  label: string;
}): Promise<Record<CrowdPhase, PhaseMeasure>> {
  const { emulator, others } = args;
  await emulator.control.reset();
  if (others > 0) await emulator.control.preloadKeys({ count: others });
  const stack = await BenchStack.open({ ...args, variant: "provider", othersLive: others });
  try {
    const out: Partial<Record<CrowdPhase, PhaseMeasure>> = {};
    for (const phase of CROWD_PHASES) out[phase] = await stack.run(phase);
    return out as Record<CrowdPhase, PhaseMeasure>;
  } finally {
    await stack.close();
    await emulator.control.reset();
  }
}

async function listingBytes(emulator: EmulatorProcess, others: number): Promise<number> {
  await emulator.control.reset();
  await emulator.control.preloadKeys({ count: others });
  const res = await fetch(`${emulator.url}/v1/api_keys`, { headers: { Authorization: `Api-Key ${emulator.managementKey}` } });
  const bytes = Buffer.byteLength(await res.text());
  await emulator.control.reset();
  return bytes;
}

/** `runs` runs of both workspaces, alternating which goes first. */
export async function measureCrowd(args: {
  install: UserInstall;
  binDir: string;
  emulator: EmulatorProcess;
  keys: number;
  others: number;
  runs: number;
  log: (message: string) => void;
}): Promise<CrowdMeasure> {
  const { keys, others } = args;
  const result: CrowdMeasure = { keys, others, listingBytes: await listingBytes(args.emulator, others), runs: [] };
  for (let run = 1; run <= args.runs; run++) {
    const order: Workspace[] = run % 2 ? ["crowded", "empty"] : ["empty", "crowded"];
    const measured: Partial<Record<Workspace, Record<CrowdPhase, PhaseMeasure>>> = {};
    for (const workspace of order) {
      measured[workspace] = await runWorkspace({
        ...args,
        others: workspace === "crowded" ? others : 0,
        label: `crowd-${workspace}-${run}`,
      });
    }
    result.runs.push(measured as Record<Workspace, Record<CrowdPhase, PhaseMeasure>>);
    args.log(
      `${keys} keys among ${others} others, run ${run}/${args.runs}: ` +
        CROWD_PHASES.map((ph) => {
          const c = measured.crowded![ph];
          const e = measured.empty![ph];
          return `${ph} host CPU ${c.hostCpuSeconds?.toFixed(2)}s/${e.hostCpuSeconds?.toFixed(2)}s (all ${c.cpuSeconds.toFixed(2)}s/${e.cpuSeconds.toFixed(2)}s)`;
        }).join(", ") +
        " (crowded/empty)",
    );
  }
  return result;
}

const med = (crowd: CrowdMeasure, w: Workspace, phase: CrowdPhase, f: (m: PhaseMeasure) => number) =>
  median(crowd.runs.map((r) => f(r[w][phase])));

/**
 * Median CPU seconds the crowded workspace adds to `phase`: of the provider host (`host`), or of
 * every process of the phase (`all`: the CLI and the inline program too, which do the same work
 * in both workspaces but vary by a second or more between runs on a busy machine).
 */
export function cpuDelta(crowd: CrowdMeasure, phase: CrowdPhase, of: "host" | "all"): number {
  const cpu = (m: PhaseMeasure) => (of === "host" ? (m.hostCpuSeconds ?? NaN) : m.cpuSeconds);
  return median(crowd.runs.map((r) => cpu(r.crowded[phase]) - cpu(r.empty[phase])));
}

const signed = (s: number) => `${s >= 0 ? "+" : ""}${s.toFixed(2)} s`;

/** The target of issue 21, for the targets table: name, measured, met. */
export function crowdTargets(crowd: CrowdMeasure): Array<{ name: string; measured: string; met: boolean; shortfall?: string }> {
  return TARGET_PHASES.map((phase) => {
    const delta = cpuDelta(crowd, phase, "host");
    const met = delta <= MAX_CROWD_CPU_DELTA_S;
    return {
      name: `\`${phase}\` of ${crowd.keys} keys among ${crowd.others} others: the provider host spends at most ${MAX_CROWD_CPU_DELTA_S} s CPU more than in an empty workspace (issue 21)`,
      measured: `${signed(delta)} CPU in the host (all processes: ${signed(cpuDelta(crowd, phase, "all"))})`,
      met,
      shortfall: met ? undefined : `${(delta - MAX_CROWD_CPU_DELTA_S).toFixed(2)} s over`,
    };
  });
}

/** The markdown section of the crowded-workspace rows. */
export function renderCrowd(crowd: CrowdMeasure): string[] {
  const n = crowd.runs.length;
  const lines: string[] = [];
  lines.push(
    `## A crowded workspace: ${crowd.keys} keys among ${crowd.others} others (issue 21; medians of ${n} run${n === 1 ? "" : "s"})`,
    "",
  );
  lines.push(
    `The same stack of ${crowd.keys} \`ApiKey\`s in an empty workspace and in one that also holds ${crowd.others} other keys ` +
      `(the emulator's preload: scoped invoke keys in the default team, the stack's own scope). Baseten's listing has no ` +
      `paging: there it is ${(crowd.listingBytes / (1024 * 1024)).toFixed(1)} MiB in one body.`,
    "",
  );
  lines.push(
    "| phase | wall (crowded / empty) | host CPU s (crowded / empty) | host CPU delta | all CPU s (crowded / empty) | all CPU delta | host peak MiB (crowded / empty) | requests (crowded) |",
    "|---|---:|---:|---:|---:|---:|---:|---|",
  );
  for (const phase of CROWD_PHASES) {
    const wall = (w: Workspace) => (med(crowd, w, phase, (m) => m.ms) / 1000).toFixed(2);
    const cpu = (w: Workspace) => med(crowd, w, phase, (m) => m.cpuSeconds).toFixed(2);
    const hostCpu = (w: Workspace) => med(crowd, w, phase, (m) => m.hostCpuSeconds ?? NaN).toFixed(2);
    const mem = (w: Workspace) => (med(crowd, w, phase, (m) => m.hostPeakKiB ?? 0) / 1024).toFixed(0);
    const requests = Object.entries(crowd.runs[crowd.runs.length - 1].crowded[phase].requests)
      .map(([route, count]) => `${route} ×${count}`)
      .join(", ");
    lines.push(
      `| ${phase} | ${wall("crowded")} s / ${wall("empty")} s | ${hostCpu("crowded")} / ${hostCpu("empty")} | ` +
        `${signed(cpuDelta(crowd, phase, "host"))} | ${cpu("crowded")} / ${cpu("empty")} | ${signed(cpuDelta(crowd, phase, "all"))} | ` +
        `${mem("crowded")} / ${mem("empty")} | ${requests} |`,
    );
  }
  lines.push("");
  return lines;
}
