/**
 * Turns the runs into the markdown the command prints and writes to bench/results.md: times
 * with their ratios to both baselines, requests per route, sizes, host memory, and every
 * target of issue 5 with whether it was met and, if not, by how much.
 */
import * as path from "path";
import type { ApiAloneMeasure } from "./apiAlone";
import { crowdTargets, renderCrowd, type CrowdMeasure } from "./crowd";
import { PHASES, type Phase, type PhaseMeasure, type StackMeasure } from "./benchStack";
import type { MachineInfo } from "./machine";
import type { BenchOptions } from "./options";
import type { RotatingMeasure } from "./rotating";
import { renderRotating, rotatingTargets } from "./rotatingReport";
import { median, ratio } from "./stats";

export interface RunMeasure {
  provider: StackMeasure;
  /** The no-op resource that stores what an ApiKey stores. */
  shaped: StackMeasure;
  /** The narrow no-op resource (5 stored properties). */
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
  /** The rotating-keys rows (issue 19); absent when run with `--rotating 0` (and in older raw files). */
  rotating?: RotatingMeasure;
  /** The crowded-workspace rows; absent when run with `--crowd 0`. */
  crowd?: CrowdMeasure;
  wallMinutes: number;
  /** The command's arguments, as given (absent in older raw files). */
  argv?: string[];
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
/** The route of a team's secrets listing. */
const SECRET_LIST = "GET /v1/teams/{team_id}/secrets";
const SECRET_CREATE = "POST /v1/teams/{team_id}/secrets";
/** The key variants in the order of the table's columns. */
const KEY_COLUMNS = ["provider", "shaped", "engine"] as const;
type KeyColumn = (typeof KEY_COLUMNS)[number];
const PROCESSES = ["program", "host", "cli"] as const;

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
  shaped: number;
  engine: number;
  api: number;
  overEngine: number | undefined;
  overApi: number | undefined;
}

export function summarize(size: SizeMeasure, phase: Phase): PhaseSummary {
  const provider = median(size.runs.map((r) => r.provider.phases[phase].ms));
  const shaped = median(size.runs.map((r) => r.shaped.phases[phase].ms));
  const engine = median(size.runs.map((r) => r.engine.phases[phase].ms));
  const api = median(size.runs.map((r) => apiMs(r.api, phase)));
  return {
    provider,
    shaped,
    engine,
    api,
    overEngine: ratio(provider, engine),
    overApi: api > 0 ? ratio(provider, api) : undefined,
  };
}

/** Median CPU seconds of one process class (or all, `cpuSeconds`) of a variant in a phase. */
function cpuOf(size: SizeMeasure, v: KeyColumn, phase: Phase, process?: (typeof PROCESSES)[number]): number {
  return median(size.runs.map((r) => (process ? r[v].phases[phase].cpu[process] : r[v].phases[phase].cpuSeconds)));
}

/** Stored properties of a variant's state entry, `__provider` aside. */
function storedProperties(m: StackMeasure): number {
  return new Set([...m.inputNames, ...m.outputNames].filter((n) => n !== "__provider")).size;
}

const signed = (x: number) => `${x >= 0 ? "+" : "−"}${Math.abs(x).toFixed(2)}`;

interface Target {
  name: string;
  measured: string;
  met: boolean;
  /** How far off, when not met. */
  shortfall?: string;
}

function targets(result: BenchResult): Target[] {
  const crowd = result.crowd ? crowdTargets(result.crowd) : [];
  const rotating = result.rotating ? rotatingTargets(result.rotating) : [];
  // `--only-crowd` and `--only-rotating` measure no sizes: only their own targets apply.
  if (result.sizes.length === 0) return [...rotating, ...crowd];
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
    const cpu = (v: KeyColumn) => cpuOf(largest, v, phase);
    const s = summarize(largest, phase);
    out.push({
      name: `\`${phase}\` at ${largest.keys} keys: provider / engine alone (narrow) at most ${MAX_RATIO_OVER_ENGINE}x`,
      measured:
        `${times(r)} wall time (CPU time: ${times(ratio(cpu("provider"), cpu("engine")))}); against the same-shape no-op ` +
        `${times(ratio(s.provider, s.shaped))} (CPU time: ${times(ratio(cpu("provider"), cpu("shaped")))})`,
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
  return [...out, ...rotating, ...crowd];
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
  // `--only-rotating` measures RotatingApiKey alone: the title says so.
  const onlyRotating = result.sizes.length === 0 && !result.crowd && result.rotating;
  lines.push(
    onlyRotating
      ? "# Benchmark: RotatingApiKey through a rotation against the engine alone"
      : "# Benchmark: the ApiKey provider against the engine alone and the API alone",
    "",
  );
  lines.push(
    `Measured ${machine.date} by \`npm run bench${result.argv?.length ? ` -- ${result.argv.join(" ")}` : ""}\` in ${result.wallMinutes.toFixed(1)} minutes; medians of ${n} run${n === 1 ? "" : "s"} ` +
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
    const perPhase = (heading: string, intro: string, columns: string[], row: (size: SizeMeasure, phase: Phase) => string) => {
      lines.push(`## ${heading}`, "", intro, "", `| keys | phase | ${columns.join(" | ")} |`);
      lines.push(`|---:|---|${columns.map(() => "---:|").join("")}`);
      for (const size of result.sizes)
        for (const phase of PHASES) lines.push(`| ${size.keys} | ${phase} | ${row(size, phase)} |`);
      lines.push("");
    };
    perPhase(
      "Time per phase",
      "ApiKey against two no-op baselines (engine alone): **same shape** stores what an ApiKey stores, **narrow** stores 5 " +
        "properties. ApiKey / same shape is what the provider's code costs; same shape / narrow is what the shape costs.",
      [
        "ApiKey",
        "same shape",
        "narrow",
        "API alone",
        "ApiKey / same shape (the code)",
        "same shape / narrow (the shape)",
        "ApiKey / narrow",
        "ApiKey / API alone",
        "host peak MiB (ApiKey / same shape / narrow)",
      ],
      (size, phase) => {
        const s = summarize(size, phase);
        const wall = (v: KeyColumn) => {
          const ms = size.runs.map((r) => r[v].phases[phase].ms);
          return `${seconds(median(ms))}${range(ms, (x) => (x / 1000).toFixed(2))}`;
        };
        const mem = (v: KeyColumn) => mib(median(size.runs.map((r) => r[v].phases[phase].hostPeakKiB ?? 0)));
        return (
          `${KEY_COLUMNS.map(wall).join(" | ")} | ${phase === "preview" ? "none needed" : millis(s.api)} | ` +
          `${times(ratio(s.provider, s.shaped))} | ${times(ratio(s.shaped, s.engine))} | ${times(s.overEngine)} | ${times(s.overApi)} | ` +
          KEY_COLUMNS.map(mem).join(" / ")
        );
      },
    );
    perPhase(
      "CPU seconds by process",
      "Per phase, the CPU of the **program** (the process that runs the inline program and drives the CLI), the " +
        "**provider host** (`pulumi-resource-pulumi-nodejs` and its node) and the **CLI** (`pulumi`, the engine), each " +
        "as ApiKey / same shape / narrow. **The code** is ApiKey minus same shape, **the shape** is same shape minus narrow, " +
        "each as program / host / CLI.",
      ["program", "provider host", "CLI", "all", "the code (program / host / CLI)", "the shape (program / host / CLI)"],
      (size, phase) => {
        const of = (p?: (typeof PROCESSES)[number]) => KEY_COLUMNS.map((v) => cpuOf(size, v, phase, p).toFixed(2)).join(" / ");
        const delta = (a: KeyColumn, b: KeyColumn) =>
          PROCESSES.map((p) => signed(cpuOf(size, a, phase, p) - cpuOf(size, b, phase, p))).join(" / ");
        return (
          `${of("program")} | ${of("host")} | ${of("cli")} | ${of()} | ` +
          `${delta("provider", "shaped")} | ${delta("shaped", "engine")}`
        );
      },
    );

    lines.push("## Requests to Baseten per phase (provider)", "");
    lines.push("| keys | up | preview | refresh | destroy |", "|---:|---|---|---|---|");
    for (const size of result.sizes) {
      lines.push(`| ${size.keys} | ${PHASES.map((p) => requestsOfRuns(size, p)).join(" | ")} |`);
    }
    lines.push("", "The engine-alone stacks sent no request in any phase.", "");

    lines.push("## State", "");
    lines.push(
      "Each as ApiKey / same shape / narrow. A state entry is one resource's entry in `pulumi stack export` as compact JSON " +
        "(median), `__provider` in its inputs and outputs included; the CLI rewrites the whole state, every entry, at each step.",
      "",
      "| keys | stored properties | state entry | `__provider` per resource | distinct texts per stack (ApiKey) | exported state | per key |",
      "|---:|---:|---:|---:|---:|---:|---:|",
    );
    for (const size of result.sizes) {
      const r = size.runs[size.runs.length - 1];
      const each = (f: (m: StackMeasure) => string) => KEY_COLUMNS.map((v) => f(r[v])).join(" / ");
      lines.push(
        `| ${size.keys} | ${each((m) => String(storedProperties(m)))} | ${each((m) => `${Math.round(m.entryBytes)} B`)} | ` +
          `${each((m) => `${m.providerMaxBytes} B`)} | ${r.provider.distinctProviderTexts} | ${each((m) => kib(m.exportedStateBytes))} | ` +
          `${each((m) => kib(m.exportedStateBytes / size.keys))} |`,
      );
    }
    lines.push("");
  }

  if (result.secrets) {
    const s = result.secrets;
    lines.push(`## Secrets: ${s.count} \`Secret\` resources against the engine alone (one run)`, "");
    lines.push(
      "| phase | Secret | engine alone | Secret / engine alone | CPU s program / host / CLI (Secret) | CPU s program / host / CLI (engine alone) | requests to Baseten (Secret) |",
      "|---|---:|---:|---:|---:|---:|---|",
    );
    const split = (m: PhaseMeasure) => PROCESSES.map((p) => m.cpu[p].toFixed(2)).join(" / ");
    for (const phase of PHASES) {
      const p = s.secret.phases[phase];
      const e = s.engine.phases[phase];
      lines.push(
        `| ${phase} | ${seconds(p.ms)} | ${seconds(e.ms)} | ${times(ratio(p.ms, e.ms))} | ${split(p)} | ${split(e)} | ${requestsText(p.requests)} |`,
      );
    }
    const up = s.secret.phases.up.requests;
    lines.push(
      "",
      `\`__provider\` per resource: ${s.secret.providerMaxBytes} B (engine alone ${s.engine.providerMaxBytes} B), ` +
        `${s.secret.distinctProviderTexts} distinct text per stack; state entry ${Math.round(s.secret.entryBytes)} B (engine alone ` +
        `${Math.round(s.engine.entryBytes)} B); exported state ${kib(s.secret.exportedStateBytes)} (engine alone ${kib(s.engine.exportedStateBytes)}).`,
      "",
      `**Why \`up\` lists the team ${up[SECRET_LIST] ?? 0} times for ${up[SECRET_CREATE] ?? 0} creates.** Baseten's secret write ` +
        "is an upsert: it cannot refuse a name that exists, it overwrites the value. So before each create the provider lists " +
        "the team's secrets and refuses a name already there (unless `adoptExisting`): the price of refusing a secret someone " +
        "else created, also one created during the run. The listing is shared by every create that asks while it is current, " +
        "but each upsert of the process makes it stale (provider/secret/create.ts, `wroteTeamSecrets` after every write; " +
        "KeyListCache: no read older than the process's own writes), so a create never decides on a listing that predates " +
        "a write it could have seen, and the listing's start time, which bounds the `created_at` check for a secret the " +
        "listing missed, stays recent. With 8 creates in flight and 25 ms per request, a listing serves the creates that " +
        "ask before the next upsert lands, and the next ones list again. `refresh` shares one listing per team; " +
        "`destroy` lists again after deletes the same way.",
      "",
    );
  }

  if (result.rotating) lines.push(...renderRotating(result.rotating));
  if (result.crowd) lines.push(...renderCrowd(result.crowd));

  lines.push("## Targets (issues 5, 19 and 21)", "");
  lines.push("| target | measured | met |", "|---|---|---|");
  for (const t of targets(result))
    lines.push(`| ${t.name} | ${t.measured} | ${t.met ? "yes" : `**no**: ${t.shortfall ?? "see measured"}`} |`);
  lines.push("");

  lines.push("## How it is measured", "");
  // The ApiKey rows' bullets, when there are such rows (not with `--only-crowd` or `--only-rotating`).
  const keyRows = result.sizes.length > 0;
  lines.push(
    ...(keyRows ? [] : ["- Each section above says what its stacks are, and how each phase is checked."]),
    ...(keyRows ? apiKeyBullets(options.concurrency) : []),
    "- **requests**: the emulator's per-route counts, cleared before each phase.",
    "- **host peak**: the high-water mark of resident memory (VmHWM in /proc) of the `node .../cmd/dynamic-provider` " +
      "process that the phase's `pulumi` started, sampled every 50 ms; only descendants of the benchmark count, and " +
      "each phase checks that the host ran from the user's node_modules.",
    ...(keyRows ? ["- **state**: `pulumi stack export` after `up`, secrets encrypted, as a user sees it."] : []),
    "- **CPU s**: per phase and process, from /proc: every 50 ms the benchmark reads each process's own CPU " +
      "(utime + stime), its reaped children's (cutime + cstime) and its parent, for the processes that the phase started " +
      "under the benchmark; a process counts its last sample plus the part of its reaped children's time that its samples " +
      "of them do not explain (their last interval, a child too short-lived to be seen). **program** is the benchmark's " +
      "own process less the sampler's CPU; **provider host** the `pulumi-resource-pulumi-nodejs` wrapper and everything " +
      "under it; **CLI** every other process of the phase (the `pulumi` commands). bench/README.md has the details.",
    "- Each run opens the variants' stacks and runs every phase for one right after the other, so load from elsewhere " +
      "on the machine hits all alike; runs rotate which variant goes first.",
  );
  if (result.crowd)
    lines.push(
      "- **crowded workspace**: the emulator preloads the other keys before the stack's `up` (`POST /_emulator/preload-keys`); " +
        "**host CPU** is the provider host's utime + stime (/proc/<pid>/stat, sampled every 50 ms with its memory), the " +
        "part of a phase's CPU that the provider's own work changes; each run alternates which workspace goes first.",
    );
  return lines.join("\n") + "\n";
}

/** The bullets of "How it is measured" that describe the ApiKey rows. */
function apiKeyBullets(concurrency: number): string[] {
  return [
    "- **provider**: a stack of N `ApiKey` resources (`WORKSPACE_INVOKE`, one model, generated names), run by the real CLI " +
      "through the Automation API of the SDK installed next to the package (inline program, file:// backend); " +
      "`up`, `preview` (no changes), `refresh` (no changes), `destroy`. Each time is the wall time of the CLI command, " +
      "process start to exit. Each phase is checked (resource changes, keys live at Baseten, state), or the run fails.",
    "- **engine alone**: the same stack with a no-op dynamic resource (bench/noop-provider: no I/O, a secret `apiKey`, " +
      "its provider captured by reference like ApiKey's, so its `__provider` is as small as a dynamic resource's can be), " +
      "in two shapes: **narrow** (`type`, `modelIds`, `resourceName`, `prefix`, `apiKey`) and **same shape**, which also " +
      "stores `name` (generated by its `check`), `autoName`, `nameScope`, `providerVersion` and `mintedAfter`, as an " +
      "ApiKey does, with an `apiKey` of a real key's length. ApiKey / narrow is what the provider adds, its HTTP and its " +
      "state footprint included; ApiKey / same shape is the code alone.",
    `- **API alone**: N creates, one list and N deletes from plain Node (node:http, keep-alive), ${concurrency} in ` +
      "flight like the engine: the least time this API allows for `up`, `refresh` and `destroy`. `preview` needs no request.",
  ];
}
