/**
 * Turns the runs into the markdown the command prints and writes to bench/results.md: times
 * with their ratios to both baselines, requests per route, sizes, host memory, and every
 * target of issue 5 with whether it was met and, if not, by how much.
 */
import * as path from "path";
import type { ApiAloneMeasure } from "./apiAlone";
import { crowdTargets, renderCrowd, type CrowdMeasure } from "./crowd";
import { PHASES, type Phase, type StackMeasure } from "./benchStack";
import type { MachineInfo } from "./machine";
import type { BenchOptions } from "./options";
import { median, ratio } from "./stats";

export interface RunMeasure {
  provider: StackMeasure;
  engine: StackMeasure;
  api: ApiAloneMeasure;
}

export interface SizeMeasure {
  keys: number;
  runs: RunMeasure[];
}

/** The Secret stack against the no-op stack of its shape (one run). */
export interface SecretsMeasure {
  count: number;
  secret: StackMeasure;
  engine: StackMeasure;
}

export interface BenchResult {
  options: BenchOptions;
  machine: MachineInfo;
  sdkVersion: string;
  tarballBytes: number;
  sizes: SizeMeasure[];
  /** Absent when run with `--secrets 0`. */
  secrets?: SecretsMeasure;
  /** The crowded-workspace rows; absent when run with `--crowd 0`. */
  crowd?: CrowdMeasure;
  wallMinutes: number;
  loadAverage: { start: number; end: number };
}

const LIST = "GET /v1/api_keys";
const CREATE = "POST /v1/api_keys";
const DELETE = "DELETE /v1/api_keys/{prefix}";
const ME = "GET /v1/users/me";
/** Limits of issue 5. */
const MAX_REFRESH_LISTS = 2;
const MAX_RATIO_OVER_ENGINE = 1.25;
const MAX_PROVIDER_BYTES = 8 * 1024;

/** The API-alone time of a phase: what the same HTTP work costs from plain Node; preview needs none. */
function apiMs(api: ApiAloneMeasure, phase: Phase): number {
  return { up: api.createMs, preview: 0, refresh: api.listMs, destroy: api.deleteMs }[phase];
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const millis = (ms: number) => `${ms.toFixed(0)} ms`;
const times = (r: number | undefined) => (r === undefined ? "n/a" : `${r.toFixed(2)}x`);
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const mib = (k: number | undefined) => (k === undefined ? "?" : (k / 1024).toFixed(0));
const range = (values: number[], fmt: (n: number) => string) =>
  values.length > 1 ? ` (${fmt(Math.min(...values))}–${fmt(Math.max(...values))})` : "";

function requestsText(counts: Record<string, number>): string {
  const entries = Object.entries(counts);
  return entries.length ? entries.map(([route, n]) => `${route} ×${n}`).join(", ") : "none";
}

/** The requests of a phase, or each run's when runs differ. */
function requestsOfRuns(size: SizeMeasure, phase: Phase): string {
  const texts = size.runs.map((r) => requestsText(r.provider.phases[phase].requests));
  return new Set(texts).size === 1 ? texts[0] : texts.map((t, i) => `run ${i + 1}: ${t}`).join("; ");
}

export interface PhaseSummary {
  provider: number;
  engine: number;
  api: number;
  overEngine: number | undefined;
  overApi: number | undefined;
}

export function summarize(size: SizeMeasure, phase: Phase): PhaseSummary {
  const provider = median(size.runs.map((r) => r.provider.phases[phase].ms));
  const engine = median(size.runs.map((r) => r.engine.phases[phase].ms));
  const api = median(size.runs.map((r) => apiMs(r.api, phase)));
  return { provider, engine, api, overEngine: ratio(provider, engine), overApi: api > 0 ? ratio(provider, api) : undefined };
}

interface Target {
  name: string;
  measured: string;
  met: boolean;
  /** How far off, when not met. */
  shortfall?: string;
}

function targets(result: BenchResult): Target[] {
  const crowd = result.crowd ? crowdTargets(result.crowd) : [];
  // `--only-crowd` measures no sizes: only its own targets apply.
  if (result.sizes.length === 0) return crowd;
  const out: Target[] = [];
  const every = (f: (s: SizeMeasure, r: RunMeasure) => boolean) => result.sizes.every((s) => s.runs.every((r) => f(s, r)));
  const perSize = (f: (s: SizeMeasure) => string) => result.sizes.map((s) => `${s.keys} keys: ${f(s)}`).join("; ");
  const maxOf = (s: SizeMeasure, f: (r: RunMeasure) => number) => Math.max(...s.runs.map(f));
  const total = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);

  out.push({
    name: "`preview` of an unchanged stack sends no HTTP request",
    measured: perSize((s) => {
      const most = maxOf(s, (r) => total(r.provider.phases.preview.requests));
      return most === 0 ? "none in any run" : `up to ${most} requests`;
    }),
    met: every((_s, r) => total(r.provider.phases.preview.requests) === 0),
  });
  const lists = (r: RunMeasure) => r.provider.phases.refresh.requests[LIST] ?? 0;
  const mes = (r: RunMeasure) => r.provider.phases.refresh.requests[ME] ?? 0;
  const refreshOthers = (r: RunMeasure) => total(r.provider.phases.refresh.requests) - lists(r) - mes(r);
  out.push({
    name: `\`refresh\` of N keys sends at most ${MAX_REFRESH_LISTS} list requests and one \`${ME}\`, whatever N (and nothing else)`,
    measured: perSize((s) => `at most ${maxOf(s, lists)} list, ${maxOf(s, mes)} users/me, ${maxOf(s, refreshOthers)} other`),
    met: every((_s, r) => lists(r) <= MAX_REFRESH_LISTS && mes(r) <= 1 && refreshOthers(r) === 0),
  });
  // up: one POST per key, plus one listing (the names already taken) and one /v1/users/me per
  // provider process; destroy: one DELETE per key.
  for (const [phase, route, perProcess] of [
    ["up", CREATE, { [LIST]: 1, [ME]: 1 }],
    ["destroy", DELETE, {}],
  ] as const) {
    const exact = (s: SizeMeasure, r: RunMeasure) => {
      const c = r.provider.phases[phase].requests;
      const extras = Object.entries(perProcess) as Array<[string, number]>;
      return (
        (c[route] ?? 0) === s.keys &&
        extras.every(([k, n]) => (c[k] ?? 0) === n) &&
        total(c) === s.keys + extras.reduce((a, [, n]) => a + n, 0)
      );
    };
    const plus = Object.keys(perProcess).length ? ` plus ${Object.keys(perProcess).join(" and ")} once` : "";
    out.push({
      name: `\`${phase}\` sends exactly one request per key (${route})${plus}`,
      measured: perSize((s) => requestsOfRuns(s, phase)),
      met: every(exact),
    });
  }
  const largest = result.sizes.reduce((a, b) => (b.keys > a.keys ? b : a));
  for (const phase of ["destroy", "refresh"] as const) {
    const r = summarize(largest, phase).overEngine ?? Infinity;
    const met = r <= MAX_RATIO_OVER_ENGINE;
    const cpu = (v: "provider" | "engine") => median(largest.runs.map((run) => run[v].phases[phase].cpuSeconds));
    out.push({
      name: `\`${phase}\` at ${largest.keys} keys: provider / engine alone at most ${MAX_RATIO_OVER_ENGINE}x`,
      measured: `${times(r)} wall time (CPU time: ${times(ratio(cpu("provider"), cpu("engine")))})`,
      met,
      shortfall: met ? undefined : `${Math.round((r / MAX_RATIO_OVER_ENGINE - 1) * 100)}% over the limit`,
    });
  }
  const bytes = Math.max(...result.sizes.flatMap((s) => s.runs.map((r) => r.provider.providerMaxBytes)));
  out.push({
    name: "`__provider` at most 8 KB per resource, as a user sees it (packed tarball installed into a separate program)",
    measured: `${bytes} bytes`,
    met: bytes <= MAX_PROVIDER_BYTES,
    shortfall: bytes <= MAX_PROVIDER_BYTES ? undefined : `${bytes - MAX_PROVIDER_BYTES} bytes over`,
  });
  const distinct = Math.max(...result.sizes.flatMap((s) => s.runs.map((r) => r.provider.distinctProviderTexts)));
  out.push({
    name: "`__provider` identical across the resources of one program",
    measured: `${distinct} distinct text${distinct === 1 ? "" : "s"} per stack`,
    met: distinct === 1,
  });
  return [...out, ...crowd];
}

export function unmetTargets(result: BenchResult): string[] {
  return targets(result)
    .filter((t) => !t.met)
    .map((t) => `${t.name}: ${t.measured}${t.shortfall ? ` (${t.shortfall})` : ""}`);
}

export function renderReport(result: BenchResult): string {
  const { options, machine } = result;
  const n = options.runs;
  const lines: string[] = [];
  lines.push("# Benchmark: the ApiKey provider against the engine alone and the API alone", "");
  lines.push(
    `Measured ${machine.date} by \`npm run bench\` in ${result.wallMinutes.toFixed(1)} minutes; medians of ${n} run${n === 1 ? "" : "s"} ` +
      `(range in parentheses).`,
    "",
  );
  lines.push(
    `- Machine: ${machine.cpus}, ${machine.memory}, ${machine.os}; load average ${result.loadAverage.start.toFixed(2)} at ` +
      `the start, ${result.loadAverage.end.toFixed(2)} at the end (other work on the machine shows up here).`,
    `- Software: Node ${machine.node}, Pulumi CLI ${machine.pulumiCli}, @pulumi/pulumi ${result.sdkVersion}; ` +
      `the package as a user installs it (${options.tarball ? `\`${path.basename(options.tarball)}\`` : "`npm pack` of this checkout"}, ` +
      `${kib(result.tarballBytes)}, installed into a fresh folder outside the repository).`,
    `- Emulator: ${options.latencyMs} ms added to every API request, rate limit ` +
      `${options.rateLimitPerSecond === null ? "off" : `${options.rateLimitPerSecond}/s`}; ` +
      `engine parallelism: the CLI default (${options.concurrency}).`,
    "",
  );

  // `--only-crowd` measures no sizes.
  if (result.sizes.length > 0) {
    lines.push("## Time per phase", "");
    lines.push(
      "| keys | phase | provider | engine alone | API alone | provider / engine alone | provider / API alone | CPU s (provider / engine alone) | host peak MiB (provider / engine alone) |",
      "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    );
    for (const size of result.sizes) {
      for (const phase of PHASES) {
        const s = summarize(size, phase);
        const pMs = size.runs.map((r) => r.provider.phases[phase].ms);
        const eMs = size.runs.map((r) => r.engine.phases[phase].ms);
        const mem = (v: "provider" | "engine") => median(size.runs.map((r) => r[v].phases[phase].hostPeakKiB ?? 0));
        const cpu = (v: "provider" | "engine") => median(size.runs.map((r) => r[v].phases[phase].cpuSeconds)).toFixed(1);
        lines.push(
          `| ${size.keys} | ${phase} | ${seconds(s.provider)}${range(pMs, (x) => (x / 1000).toFixed(2))} | ` +
            `${seconds(s.engine)}${range(eMs, (x) => (x / 1000).toFixed(2))} | ${phase === "preview" ? "none needed" : millis(s.api)} | ` +
            `${times(s.overEngine)} | ${times(s.overApi)} | ${cpu("provider")} / ${cpu("engine")} | ${mib(mem("provider"))} / ${mib(mem("engine"))} |`,
        );
      }
    }
    lines.push("");

    lines.push("## Requests to Baseten per phase (provider)", "");
    lines.push("| keys | up | preview | refresh | destroy |", "|---:|---|---|---|---|");
    for (const size of result.sizes) {
      lines.push(`| ${size.keys} | ${PHASES.map((p) => requestsOfRuns(size, p)).join(" | ")} |`);
    }
    lines.push("", "The engine-alone stacks sent no request in any phase.", "");

    lines.push("## State", "");
    lines.push(
      "| keys | `__provider` per resource (provider / engine alone) | distinct texts per stack | exported state (provider / engine alone) | per key (provider / engine alone) |",
      "|---:|---:|---:|---:|---:|",
    );
    for (const size of result.sizes) {
      const r = size.runs[size.runs.length - 1];
      const per = (m: StackMeasure) => kib(m.exportedStateBytes / size.keys);
      lines.push(
        `| ${size.keys} | ${r.provider.providerMaxBytes} B / ${r.engine.providerMaxBytes} B | ${r.provider.distinctProviderTexts} | ` +
          `${kib(r.provider.exportedStateBytes)} / ${kib(r.engine.exportedStateBytes)} | ${per(r.provider)} / ${per(r.engine)} |`,
      );
    }
    lines.push("");
  }

  if (result.secrets) {
    const s = result.secrets;
    lines.push(`## Secrets: ${s.count} \`Secret\` resources against the engine alone (one run)`, "");
    lines.push(
      "| phase | Secret | engine alone | Secret / engine alone | CPU s (Secret / engine alone) | requests to Baseten (Secret) |",
      "|---|---:|---:|---:|---:|---|",
    );
    for (const phase of PHASES) {
      const p = s.secret.phases[phase];
      const e = s.engine.phases[phase];
      lines.push(
        `| ${phase} | ${seconds(p.ms)} | ${seconds(e.ms)} | ${times(ratio(p.ms, e.ms))} | ${p.cpuSeconds.toFixed(1)} / ${e.cpuSeconds.toFixed(1)} | ${requestsText(p.requests)} |`,
      );
    }
    lines.push(
      "",
      `\`__provider\` per resource: ${s.secret.providerMaxBytes} B (engine alone ${s.engine.providerMaxBytes} B), ` +
        `${s.secret.distinctProviderTexts} distinct text per stack; exported state ${kib(s.secret.exportedStateBytes)} ` +
        `(engine alone ${kib(s.engine.exportedStateBytes)}). All secrets live in one team (the default): the creates in ` +
        "flight share one listing of it, a create that starts after one of this command's writes lists it again; " +
        "`refresh` shares one listing per team.",
      "",
    );
  }

  if (result.crowd) lines.push(...renderCrowd(result.crowd));

  lines.push("## Targets (issues 5 and 21)", "");
  lines.push("| target | measured | met |", "|---|---|---|");
  for (const t of targets(result))
    lines.push(`| ${t.name} | ${t.measured} | ${t.met ? "yes" : `**no**: ${t.shortfall ?? "see measured"}`} |`);
  lines.push("");

  lines.push("## How it is measured", "");
  lines.push(
    "- **provider**: a stack of N `ApiKey` resources (`WORKSPACE_INVOKE`, one model, generated names), run by the real CLI " +
      "through the Automation API of the SDK installed next to the package (inline program, file:// backend); " +
      "`up`, `preview` (no changes), `refresh` (no changes), `destroy`. Each time is the wall time of the CLI command, " +
      "process start to exit. Each phase is checked (resource changes, keys live at Baseten, state), or the run fails.",
    "- **engine alone**: the same stack with a no-op dynamic resource of the same shape " +
      "(bench/noop-provider: no I/O, a secret output, its provider captured by reference like ApiKey's, so its " +
      "`__provider` is as small as a dynamic resource's can be). Provider / engine alone is what the provider adds, " +
      "its HTTP and its state footprint included.",
    `- **API alone**: N creates, one list and N deletes from plain Node (node:http, keep-alive), ${options.concurrency} in ` +
      "flight like the engine: the least time this API allows for `up`, `refresh` and `destroy`. `preview` needs no request.",
    "- **requests**: the emulator's per-route counts, cleared before each phase.",
    "- **host peak**: the high-water mark of resident memory (VmHWM in /proc) of the `node .../cmd/dynamic-provider` " +
      "process that the phase's `pulumi` started, sampled every 50 ms; only descendants of the benchmark count, and " +
      "each phase checks that the host ran from the user's node_modules.",
    "- **state**: `pulumi stack export` after `up`, secrets encrypted, as a user sees it.",
    "- **CPU s**: CPU time of the `pulumi` CLI, the provider host (both read from /proc/self/stat once reaped) and the " +
      "inline program (this process), per phase: what the phase costs the machine, less sensitive than wall time to other load.",
    "- Each run opens both variants' stacks and runs every phase for one right after the other, so load from elsewhere " +
      "on the machine hits both alike; runs alternate which variant goes first.",
  );
  if (result.crowd)
    lines.push(
      "- **crowded workspace**: the emulator preloads the other keys before the stack's `up` (`POST /_emulator/preload-keys`); " +
        "**host CPU** is the provider host's utime + stime (/proc/<pid>/stat, sampled every 50 ms with its memory), the " +
        "part of a phase's CPU that the provider's own work changes; each run alternates which workspace goes first.",
    );
  return lines.join("\n") + "\n";
}
