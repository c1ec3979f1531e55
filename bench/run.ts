/**
 * `npm run bench`: the ApiKey provider against two baselines measured in the same run, on the
 * same machine, with the same emulator latency (see report.ts for what each column means); then
 * Secret, RotatingApiKey and the crowded workspace, each against its own baseline.
 * Prints the markdown table, writes it to bench/results.md when run with the defaults, and
 * keeps every run's raw numbers in bench/.runs/ (git-ignored).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { performance } from "perf_hooks";
import { pulumiBinDir } from "../scripts/pulumiCli";
import { measureApiAlone } from "./apiAlone";
import {
  BenchStack,
  PHASES,
  type Phase,
  type PhaseMeasure,
  type StackMeasure,
  type StateMeasure,
  type Variant,
} from "./benchStack";
import { measureCrowd, type CrowdMeasure } from "./crowd";
import { startEmulatorProcess, type EmulatorProcess } from "./emulatorProcess";
import { ProcessSampler } from "./hostMemory";
import { describeMachine } from "./machine";
import { installNoopProvider } from "./noopResource";
import { isDefaultCrowdRun, isDefaultRotatingRun, isDefaultRun, parseBenchArgs } from "./options";
import {
  renderReport,
  summarize,
  unmetTargets,
  type BenchResult,
  type RunMeasure,
  type SecretsMeasure,
  type SizeMeasure,
} from "./report";
import { measureRotating, type RotatingMeasure } from "./rotating";
import { installPackedPackage, PULUMI_SDK_VERSION, type UserInstall } from "./userInstall";

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

/** The key variants of a size: ApiKey and the two no-op baselines (same shape, narrow). */
const KEY_VARIANTS = ["provider", "shaped", "engine"] as const;

/**
 * One run at one size: the three variants' stacks side by side, each phase run for one variant
 * right after the other (so load from elsewhere on the machine hits all alike), then the API alone.
 */
async function measureRun(args: {
  install: UserInstall;
  binDir: string;
  emulator: EmulatorProcess;
  keys: number;
  run: number;
  concurrency: number;
}): Promise<RunMeasure> {
  const { install, binDir, emulator, keys, run } = args;
  // Rotate which variant goes first, so the place in the order favours none.
  const order: Variant[] = KEY_VARIANTS.map((_, i) => KEY_VARIANTS[(i + run - 1) % KEY_VARIANTS.length]);
  const stacks: Partial<Record<Variant, BenchStack>> = {};
  try {
    for (const variant of order) {
      stacks[variant] = await BenchStack.open({ install, binDir, emulator, variant, keys, label: `${variant}-${keys}-${run}` });
    }
    const phases: Partial<Record<Variant, Partial<Record<Phase, PhaseMeasure>>>> = { provider: {}, shaped: {}, engine: {} };
    const states: Partial<Record<Variant, StateMeasure>> = {};
    for (const phase of PHASES) {
      for (const variant of order) {
        const stack = stacks[variant] as BenchStack;
        (phases[variant] as Partial<Record<Phase, PhaseMeasure>>)[phase] = await stack.run(phase);
        if (phase === "up") states[variant] = await stack.inspectState();
      }
    }
    const measure = (variant: Variant): StackMeasure => ({
      variant,
      keys,
      phases: phases[variant] as Record<Phase, PhaseMeasure>,
      ...(states[variant] as StateMeasure),
    });
    await emulator.control.reset();
    const api = await measureApiAlone({
      url: emulator.url,
      managementKey: emulator.managementKey,
      keys,
      concurrency: args.concurrency,
      label: `api-${keys}-${run}`,
    });
    return { provider: measure("provider"), shaped: measure("shaped"), engine: measure("engine"), api };
  } finally {
    for (const stack of Object.values(stacks)) await stack.close();
    await emulator.control.reset();
  }
}

/**
 * The Secret stack of `count` secrets against a no-op stack of the same shape, every phase run
 * for one right after the other, as for keys.
 */
async function measureSecrets(args: {
  install: UserInstall;
  binDir: string;
  emulator: EmulatorProcess;
  count: number;
}): Promise<SecretsMeasure> {
  const { install, binDir, emulator, count } = args;
  const order: Variant[] = ["secretEngine", "secret"];
  const stacks: Partial<Record<Variant, BenchStack>> = {};
  try {
    for (const variant of order) {
      stacks[variant] = await BenchStack.open({ install, binDir, emulator, variant, keys: count, label: `${variant}-${count}` });
    }
    const phases: Partial<Record<Variant, Partial<Record<Phase, PhaseMeasure>>>> = { secret: {}, secretEngine: {} };
    const states: Partial<Record<Variant, StateMeasure>> = {};
    for (const phase of PHASES) {
      for (const variant of order) {
        const stack = stacks[variant] as BenchStack;
        (phases[variant] as Partial<Record<Phase, PhaseMeasure>>)[phase] = await stack.run(phase);
        if (phase === "up") states[variant] = await stack.inspectState();
      }
    }
    const measure = (variant: Variant): StackMeasure => ({
      variant,
      keys: count,
      phases: phases[variant] as Record<Phase, PhaseMeasure>,
      ...(states[variant] as StateMeasure),
    });
    return { count, secret: measure("secret"), engine: measure("secretEngine") };
  } finally {
    for (const stack of Object.values(stacks)) await stack.close();
    await emulator.control.reset();
  }
}

async function main(): Promise<void> {
  const options = parseBenchArgs(process.argv.slice(2));
  const started = performance.now();
  const loadStart = os.loadavg()[0];
  if (!ProcessSampler.supported())
    throw new Error("The benchmark reads /proc to measure the provider host's memory: run it on Linux.");
  const binDir = pulumiBinDir();
  const machine = describeMachine(path.join(binDir, "pulumi"));

  log(`installing ${options.tarball ?? "this checkout, packed,"} with @pulumi/pulumi@${PULUMI_SDK_VERSION} into a fresh folder`);
  const install = installPackedPackage(options.tarball);
  let emulator: EmulatorProcess | undefined;
  // Ctrl-C or a crash must not leave the emulator running or the user's folder in the temp dir.
  const cleanUp = () => {
    emulator?.kill();
    install.remove();
  };
  process.once("exit", cleanUp);
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.exit(130));
  const sizes: SizeMeasure[] = [];
  let secrets: SecretsMeasure | undefined;
  let crowd: CrowdMeasure | undefined;
  let rotating: RotatingMeasure | undefined;
  // `--only-crowd` and `--only-rotating` measure only their own rows.
  const only = options.onlyCrowd || options.onlyRotating;
  try {
    installNoopProvider(install.dir);
    emulator = await startEmulatorProcess({ latencyMs: options.latencyMs, rateLimitPerSecond: options.rateLimitPerSecond });
    for (const keys of only ? [] : options.sizes) {
      const size: SizeMeasure = { keys, runs: [] };
      sizes.push(size);
      for (let run = 1; run <= options.runs; run++) {
        size.runs.push(await measureRun({ install, binDir, emulator, keys, run, concurrency: options.concurrency }));
        const last = size.runs[size.runs.length - 1];
        const secs = (ph: Phase) => KEY_VARIANTS.map((v) => (last[v].phases[ph].ms / 1000).toFixed(1)).join("/");
        log(
          `${keys} keys, run ${run}/${options.runs}: ` +
            PHASES.map((ph) => `${ph} ${secs(ph)}s`).join(", ") +
            ` (ApiKey/same shape/narrow); ${((performance.now() - started) / 60000).toFixed(1)} min so far`,
        );
      }
      for (const phase of ["destroy", "refresh"] as const) {
        log(`${keys} keys: ${phase} provider / engine alone = ${summarize(size, phase).overEngine?.toFixed(2)}x`);
      }
    }
    if (options.secrets > 0 && !only) {
      secrets = await measureSecrets({ install, binDir, emulator, count: options.secrets });
      const s = secrets;
      log(
        `${s.count} secrets: ` +
          PHASES.map(
            (ph) => `${ph} ${(s.secret.phases[ph].ms / 1000).toFixed(1)}s/${(s.engine.phases[ph].ms / 1000).toFixed(1)}s`,
          ).join(", ") +
          " (Secret/engine alone)",
      );
    }
    if (options.rotating > 0 && !options.onlyCrowd) {
      rotating = await measureRotating({ install, binDir, emulator, count: options.rotating, runs: options.runs, log });
    }
    if (options.crowd > 0 && !options.onlyRotating) {
      crowd = await measureCrowd({
        install,
        binDir,
        emulator,
        keys: options.crowdKeys,
        others: options.crowd,
        runs: options.runs,
        log,
      });
    }
  } finally {
    await emulator?.stop();
    install.remove();
    process.off("exit", cleanUp);
  }

  const result: BenchResult = {
    options,
    machine,
    sdkVersion: PULUMI_SDK_VERSION,
    tarballBytes: install.tarballBytes,
    sizes,
    secrets,
    rotating,
    crowd,
    wallMinutes: (performance.now() - started) / 60000,
    argv: process.argv.slice(2),
    loadAverage: { start: loadStart, end: os.loadavg()[0] },
  };
  const markdown = renderReport(result);
  process.stdout.write(markdown);

  const runsDir = path.join(__dirname, ".runs");
  fs.mkdirSync(runsDir, { recursive: true });
  const rawFile = path.join(runsDir, `${machine.date.replace(/[:]/g, "-")}.json`);
  fs.writeFileSync(rawFile, JSON.stringify(result, null, 2));
  // The table of `--only-crowd` or `--only-rotating` has its own file: it must never replace results.md.
  const file = options.onlyCrowd ? "results-crowd.md" : options.onlyRotating ? "results-rotating.md" : "results.md";
  if (isDefaultRun(options) || isDefaultCrowdRun(options) || isDefaultRotatingRun(options) || options.write) {
    fs.writeFileSync(path.join(__dirname, file), markdown);
    log(`wrote bench/${file}; raw numbers in ${path.relative(process.cwd(), rawFile)}`);
  } else {
    log(`not the default settings, so bench/${file} is left as it was; raw numbers in ${path.relative(process.cwd(), rawFile)}`);
  }
  const unmet = unmetTargets(result);
  log(unmet.length ? `targets not met:\n  ${unmet.join("\n  ")}` : "every target is met");
}

main().catch((e: unknown) => {
  process.stderr.write(`[bench] failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
