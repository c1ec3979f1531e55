import * as path from "path";

/**
 * What a benchmark run measures: `npm run bench -- [--sizes 10,200] [--runs 3] [--latency 25]
 * [--rate-limit] [--tarball <file>] [--secrets 200] [--rotating 200] [--crowd 50000] [--crowd-keys 200] [--only-crowd]
 * [--only-rotating] [--write]`. Only a run with the defaults rewrites `bench/results.md` (or, with only `--only-crowd` or
 * `--only-rotating` added, its own file), so a quick trial (`--sizes 10 --runs 1`) cannot replace the committed table.
 */
export interface BenchOptions {
  /** Numbers of keys per stack. */
  sizes: number[];
  /** Runs per size; the table reports medians. */
  runs: number;
  /** Latency the emulator adds to every API request, in milliseconds. */
  latencyMs: number;
  /** Baseten's 100 requests/second limit; off by default so the table measures work, not throttling. */
  rateLimitPerSecond: number | null;
  /** The engine's default `--parallel` in the CLI version we drive (v3.248.0: 8); the API-alone baseline uses it too. */
  concurrency: number;
  /** A packed package to measure instead of `npm pack` of this checkout (e.g. a release, to compare). */
  tarball?: string;
  /** Secrets in the Secret stack (one run, against a no-op stack of the same shape); 0 skips it. */
  secrets: number;
  /** RotatingApiKeys in the rotating stack (`--runs` runs, against a no-op stack of the same shape); 0 skips it. */
  rotating: number;
  /** Other keys of the crowded workspace (bench/crowd.ts); 0 skips those rows. */
  crowd: number;
  /** Keys of the stack measured in the crowded and the empty workspace. */
  crowdKeys: number;
  /** Only the crowded-workspace rows (`--runs` of them): no sizes, no secrets. */
  onlyCrowd: boolean;
  /** Only the rotating-keys rows (`--runs` of them): no sizes, no secrets, no crowd. */
  onlyRotating: boolean;
  /** Write bench/results.md whatever the settings (the table names the command that made it). */
  write?: boolean;
}

export const DEFAULT_OPTIONS: BenchOptions = {
  sizes: [10, 200],
  runs: 3,
  latencyMs: 25,
  rateLimitPerSecond: null,
  concurrency: 8,
  secrets: 200,
  rotating: 200,
  crowd: 50_000,
  crowdKeys: 200,
  onlyCrowd: false,
  onlyRotating: false,
};

export function parseBenchArgs(argv: string[]): BenchOptions {
  const out: BenchOptions = { ...DEFAULT_OPTIONS, sizes: [...DEFAULT_OPTIONS.sizes] };
  const positiveInt = (flag: string, v: string | undefined): number => {
    const n = Number(v);
    if (v === undefined || !Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a positive integer, got ${v}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    switch (flag) {
      case "--sizes":
        out.sizes = (argv[++i] ?? "").split(",").map((s) => positiveInt(flag, s));
        break;
      case "--runs":
        out.runs = positiveInt(flag, argv[++i]);
        break;
      case "--latency": {
        const v = argv[++i];
        const n = Number(v);
        if (v === undefined || !Number.isFinite(n) || n < 0) throw new Error(`--latency needs milliseconds >= 0, got ${v}`);
        out.latencyMs = n;
        break;
      }
      case "--secrets": {
        const v = argv[++i];
        const n = Number(v);
        if (v === undefined || !Number.isInteger(n) || n < 0) throw new Error(`--secrets needs an integer >= 0, got ${v}`);
        out.secrets = n;
        break;
      }
      case "--rotating": {
        const v = argv[++i];
        const n = Number(v);
        if (v === undefined || !Number.isInteger(n) || n < 0) throw new Error(`--rotating needs an integer >= 0, got ${v}`);
        out.rotating = n;
        break;
      }
      case "--crowd": {
        const v = argv[++i];
        const n = Number(v);
        if (v === undefined || !Number.isInteger(n) || n < 0) throw new Error(`--crowd needs an integer >= 0, got ${v}`);
        out.crowd = n;
        break;
      }
      case "--crowd-keys":
        out.crowdKeys = positiveInt(flag, argv[++i]);
        break;
      case "--only-crowd":
        out.onlyCrowd = true;
        break;
      case "--only-rotating":
        out.onlyRotating = true;
        break;
      case "--write":
        out.write = true;
        break;
      case "--rate-limit":
        out.rateLimitPerSecond = 100;
        break;
      case "--tarball": {
        const file = argv[++i];
        if (!file) throw new Error("--tarball needs the path of a packed package (.tgz)");
        out.tarball = path.resolve(file);
        break;
      }
      default:
        throw new Error(
          `unknown argument ${flag}\nusage: npm run bench -- [--sizes 10,200] [--runs 3] [--latency 25] [--rate-limit] [--tarball <file>] [--secrets 200] [--rotating 200] [--crowd 50000] [--crowd-keys 200] [--only-crowd] [--only-rotating] [--write]`,
        );
    }
  }
  if (out.onlyCrowd && out.onlyRotating) throw new Error("--only-crowd and --only-rotating exclude each other");
  if (out.onlyRotating && out.rotating === 0) throw new Error("--only-rotating needs --rotating above 0");
  return out;
}

/** True when `options` are the defaults but for `--only-crowd`: such a run rewrites bench/results-crowd.md. */
export function isDefaultCrowdRun(options: BenchOptions): boolean {
  return options.onlyCrowd && isDefaultRun({ ...options, onlyCrowd: false });
}

/** True when `options` are the defaults but for `--only-rotating`: such a run rewrites bench/results-rotating.md. */
export function isDefaultRotatingRun(options: BenchOptions): boolean {
  return options.onlyRotating && isDefaultRun({ ...options, onlyRotating: false });
}

/** True when `options` are the defaults: only such a run may rewrite bench/results.md. */
export function isDefaultRun(options: BenchOptions): boolean {
  return JSON.stringify(options) === JSON.stringify(DEFAULT_OPTIONS);
}
