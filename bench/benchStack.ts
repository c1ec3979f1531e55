/**
 * One stack of the benchmark, driven through the Automation API of the user's installed SDK
 * (never this repository's copy) by the real Pulumi CLI, with a file:// backend and a private
 * PULUMI_HOME inside the user's program folder. Each phase is timed around the CLI command and
 * checked: a phase that did not do its work fails the benchmark instead of looking fast.
 */
import * as fs from "fs";
import * as path from "path";
import { performance } from "perf_hooks";
import type * as PulumiSdk from "@pulumi/pulumi";
import type * as Automation from "@pulumi/pulumi/automation";
import { CLOCK_VARIABLE } from "../provider/core/clock";
import { isolatedPulumiEnv } from "../scripts/pulumiCli";
import { startCpuClock } from "./cpuTime";
import type { EmulatorProcess } from "./emulatorProcess";
import { ProcessSampler, type CpuSplit } from "./hostMemory";
import {
  NOOP_PROVIDER_PACKAGE,
  NOOP_ROTATING_PROVIDER_MODULE,
  NOOP_SHAPED_PROVIDER_MODULE,
  noopKeyClass,
  noopRotatingKeyClass,
  noopSecretClass,
  noopShapedKeyClass,
  type KeyResourceClass,
} from "./noopResource";
import { median } from "./stats";
import { PACKAGE_NAME, type UserInstall } from "./userInstall";

export const PHASES = ["up", "preview", "refresh", "destroy"] as const;
export type Phase = (typeof PHASES)[number];

/**
 * `provider`: ApiKey from the installed package; `engine`: the narrow no-op resource, no HTTP;
 * `shaped`: the no-op resource that stores what an ApiKey stores.
 * `secret`: Secret from the installed package; `secretEngine`: a no-op resource of its shape.
 * `rotating`: RotatingApiKey from the installed package; `rotatingEngine`: a no-op resource
 * that plans the same schedule and stores the same state (noop-provider/rotating.js).
 */
export type Variant = "provider" | "shaped" | "engine" | "secret" | "secretEngine" | "rotating" | "rotatingEngine";

export interface PhaseMeasure {
  ms: number;
  /** CPU seconds of the program, the provider host and the CLI together: the sum of `cpu`. */
  cpuSeconds: number;
  /** CPU seconds per process (see hostMemory.ts). */
  cpu: CpuSplit;
  /**
   * The cross-check of `cpuSeconds`: this process's CPU and its reaped children's (cpuTime.ts),
   * exact for what was reaped, blind to a host the CLI left orphaned, and with the sampler's own CPU in.
   */
  reapedCpuSeconds: number;
  /** Requests per emulator route during the phase (routes with none are left out). */
  requests: Record<string, number>;
  /** Peak resident memory of the dynamic-provider host, KiB. */
  hostPeakKiB?: number;
  /** CPU seconds of the dynamic-provider host: `cpu.host`. */
  hostCpuSeconds?: number;
}

/** `__provider` of a stack's resources and the size of its state, after `up`. */
export interface StateMeasure {
  providerMaxBytes: number;
  distinctProviderTexts: number;
  providerText: string;
  /** `pulumi stack export` (secrets encrypted, as users see it). */
  exportedStateBytes: number;
  /** Median bytes of one resource's entry in that export, as compact JSON (`__provider` included). */
  entryBytes: number;
  /** The property names of one entry: what the resource declares and the engine stores. */
  inputNames: string[];
  outputNames: string[];
}

export interface StackMeasure extends StateMeasure {
  variant: Variant;
  keys: number;
  phases: Record<Phase, PhaseMeasure>;
}

const TYPE_TOKENS: Record<Variant, string> = {
  provider: "pulumi-nodejs:dynamic/baseten:ApiKey",
  engine: "pulumi-nodejs:dynamic/bench:NoopKey",
  shaped: "pulumi-nodejs:dynamic/bench:NoopShapedKey",
  secret: "pulumi-nodejs:dynamic/baseten:Secret",
  secretEngine: "pulumi-nodejs:dynamic/bench:NoopSecret",
  rotating: "pulumi-nodejs:dynamic/baseten:RotatingApiKey",
  rotatingEngine: "pulumi-nodejs:dynamic/bench:NoopRotatingKey",
};

/** The module each variant's `__provider` must require: the proof it was captured by reference from the user's install. */
const PROVIDER_MODULES: Record<Variant, string> = {
  provider: `require("${PACKAGE_NAME}/dist/provider/`,
  engine: `require("${NOOP_PROVIDER_PACKAGE}`,
  shaped: `require("${NOOP_SHAPED_PROVIDER_MODULE}`,
  secret: `require("${PACKAGE_NAME}/dist/provider/`,
  secretEngine: `require("${NOOP_PROVIDER_PACKAGE}`,
  rotating: `require("${PACKAGE_NAME}/dist/provider/rotatingApiKey/`,
  rotatingEngine: `require("${NOOP_ROTATING_PROVIDER_MODULE}`,
};

/** What every key of both variants is: an invoke key for one model, auto-named. */
const KEY_ARGS = { type: "WORKSPACE_INVOKE", modelIds: ["bench-model"] };

/** The schedule of every rotating key of both rotating variants (bench/rotating.ts moves the clock past it). */
export const ROTATION = { every: "30d", overlap: "2d" };

/** The args of resource `i` of a stack: every secret of both secret variants has its own name and a fake value. */
function argsOf(variant: Variant, label: string, i: number): Record<string, unknown> {
  if (variant === "secret" || variant === "secretEngine") return { name: `${label}_${i}`, value: `bench-fake-value-${i}` };
  if (variant === "rotating" || variant === "rotatingEngine") return { ...KEY_ARGS, rotation: ROTATION };
  return KEY_ARGS;
}

function resourceClass(install: UserInstall, variant: Variant): KeyResourceClass {
  if (variant === "provider") return (install.require(PACKAGE_NAME) as { ApiKey: KeyResourceClass }).ApiKey;
  if (variant === "secret") return (install.require(PACKAGE_NAME) as { Secret: KeyResourceClass }).Secret;
  if (variant === "rotating") return (install.require(PACKAGE_NAME) as { RotatingApiKey: KeyResourceClass }).RotatingApiKey;
  const pulumi = install.require("@pulumi/pulumi") as typeof PulumiSdk;
  const noop = (module: string) => install.require(module) as PulumiSdk.dynamic.ResourceProvider;
  if (variant === "secretEngine") return noopSecretClass(pulumi, noop(NOOP_PROVIDER_PACKAGE));
  if (variant === "rotatingEngine") return noopRotatingKeyClass(pulumi, noop(NOOP_ROTATING_PROVIDER_MODULE));
  if (variant === "shaped") return noopShapedKeyClass(pulumi, noop(NOOP_SHAPED_PROVIDER_MODULE));
  return noopKeyClass(pulumi, noop(NOOP_PROVIDER_PACKAGE));
}

function nonZero(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
}

/** Throws unless the engine's change counts are `want` exactly (in any order). */
export function expectChanges(phase: string, got: Record<string, number> | undefined, want: Record<string, number>): void {
  const sorted = (c: Record<string, number>) => JSON.stringify(Object.entries(c).sort(([a], [b]) => a.localeCompare(b)));
  if (sorted(got ?? {}) !== sorted(want)) {
    throw new Error(`${phase}: the engine reported ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
  }
}

/**
 * A stack of `keys` resources of one variant. The engine starts the dynamic-provider host in
 * the project's `main` folder, and the host resolves `@pulumi/pulumi` and the provider's
 * modules from there. For an inline program the Automation API sets `main` to the driving
 * process's working directory (not the stack's workDir), which here is this repository; so the
 * project names the user's folder as `main`, and each phase checks that the host it measured
 * ran from that folder's node_modules.
 */
export class BenchStack {
  private constructor(
    private readonly stack: Automation.Stack,
    private readonly dir: string,
    private readonly install: UserInstall,
    private readonly emulator: EmulatorProcess,
    readonly variant: Variant,
    readonly keys: number,
    /** Keys of the workspace that are not the stack's (a crowded workspace; see bench/crowd.ts). */
    private readonly othersLive: number,
  ) {}

  static async open(args: {
    install: UserInstall;
    binDir: string;
    emulator: EmulatorProcess;
    variant: Variant;
    keys: number;
    label: string;
    othersLive?: number;
  }): Promise<BenchStack> {
    const { install, binDir, emulator, variant, keys } = args;
    const auto = install.require("@pulumi/pulumi/automation") as typeof Automation;
    const Resource = resourceClass(install, variant);
    const dir = path.join(install.dir, "stacks", args.label);
    for (const d of ["backend", "home", "work"]) fs.mkdirSync(path.join(dir, d), { recursive: true });
    const program = async () => {
      const label = args.label.replace(/[^A-Za-z0-9]/g, "_");
      for (let i = 0; i < keys; i++) new Resource(`key-${i}`, argsOf(variant, label, i));
    };
    const stack = await auto.LocalWorkspace.createOrSelectStack(
      { stackName: "bench", projectName: `baseten-bench-${variant}`, program },
      {
        projectSettings: { name: `baseten-bench-${variant}`, runtime: "nodejs", main: install.dir },
        workDir: path.join(dir, "work"),
        pulumiHome: path.join(dir, "home"),
        envVars: isolatedPulumiEnv(dir, binDir),
        pulumiCommand: await auto.PulumiCommand.get({ root: path.dirname(binDir) }),
      },
    );
    // Both variants carry the same config, so the engine decrypts the same secret in both.
    await stack.setConfig("baseten:apiKey", { value: emulator.managementKey, secret: true });
    await stack.setConfig("baseten:apiUrl", { value: emulator.url });
    return new BenchStack(stack, dir, install, emulator, variant, keys, args.othersLive ?? 0);
  }

  /**
   * The provider's clock for the next commands: `BASETEN_PROVIDER_NOW` in the CLI's environment,
   * which the provider host inherits (provider/core/clock.ts); undefined for the machine's clock.
   */
  setClock(iso: string | undefined): void {
    if (iso === undefined) delete this.stack.workspace.envVars[CLOCK_VARIABLE];
    else this.stack.workspace.envVars[CLOCK_VARIABLE] = iso;
  }

  /** Runs one phase, timed, and checks that it did its work. */
  async run(phase: Phase): Promise<PhaseMeasure> {
    const all = this.keys + 1; // the keys and the stack resource
    const work: Record<Phase, (s: Automation.Stack) => Promise<void>> = {
      up: async (s) => expectChanges("up", (await s.up()).summary.resourceChanges, { create: all }),
      preview: async (s) => expectChanges("preview", (await s.preview({ expectNoChanges: true })).changeSummary, { same: all }),
      refresh: async (s) => {
        const res = await s.refresh({ expectNoChanges: true });
        if (res.summary.result !== "succeeded") throw new Error(`refresh: ${res.summary.result}`);
      },
      destroy: async (s) => expectChanges("destroy", (await s.destroy()).summary.resourceChanges, { delete: all }),
    };
    const measured = await this.measure(phase, work[phase]);
    if (this.variant === "provider") {
      const live = (await this.emulator.control.liveKeys()).length;
      const expected = this.othersLive + (phase === "destroy" ? 0 : this.keys);
      if (live !== expected) throw new Error(`${phase}: Baseten holds ${live} keys, expected ${expected}`);
    }
    if (this.variant === "secret") {
      const held = (await this.emulator.control.secrets()).length;
      const expected = phase === "destroy" ? 0 : this.keys;
      if (held !== expected) throw new Error(`${phase}: Baseten holds ${held} secrets, expected ${expected}`);
    }
    return measured;
  }

  /**
   * Runs `work` on the stack, timed, with the CPU of every process and the requests to the
   * emulator counted, and checks that the provider host ran from the user's folder.
   */
  async measure(name: string, work: (s: Automation.Stack) => Promise<void>): Promise<PhaseMeasure> {
    await this.emulator.control.clearLog();
    const sampler = new ProcessSampler();
    sampler.start();
    const cpu = startCpuClock();
    const t0 = performance.now();
    let ms = 0;
    let hostPeakKiB: number | undefined;
    try {
      await work(this.stack);
      ms = performance.now() - t0;
    } finally {
      hostPeakKiB = sampler.stop();
    }
    const reapedCpuSeconds = cpu();
    const split = sampler.split();
    const hosts = [...sampler.hostScripts];
    if (hosts.length === 0) throw new Error(`${name}: no dynamic-provider host was seen, so its memory and origin are unknown`);
    const foreign = hosts.filter((p) => !p.startsWith(this.install.dir + path.sep));
    if (foreign.length) throw new Error(`${name}: the provider host ran from ${foreign.join(", ")}, not the user's folder`);

    const requests = nonZero((await this.emulator.control.log()).counts);
    const cpuSeconds = split.program + split.host + split.cli;
    return { ms, cpuSeconds, cpu: split, reapedCpuSeconds, hostPeakKiB, hostCpuSeconds: split.host, requests };
  }

  /** `__provider` and the exported state, as a user sees them (secrets encrypted). */
  async inspectState(): Promise<StateMeasure> {
    const workspace = this.stack.workspace as unknown as { runPulumiCmd(a: string[]): Promise<{ stdout: string }> };
    const exported = (await workspace.runPulumiCmd(["stack", "export", "--stack", this.stack.name])).stdout;
    const resources = (JSON.parse(exported).deployment.resources ?? []) as Array<{
      type: string;
      inputs?: Record<string, unknown>;
      outputs?: Record<string, unknown>;
    }>;
    const mine = resources.filter((r) => r.type === TYPE_TOKENS[this.variant]);
    const texts = mine.map((r) => String(r.inputs?.__provider ?? ""));
    if (texts.length !== this.keys)
      throw new Error(`state holds ${texts.length} ${TYPE_TOKENS[this.variant]}, expected ${this.keys}`);
    if (!texts.every((t) => t.includes(PROVIDER_MODULES[this.variant]))) {
      throw new Error(
        `__provider does not require ${PROVIDER_MODULES[this.variant]}...: it was not captured from the user's install`,
      );
    }
    return {
      providerMaxBytes: Math.max(...texts.map((t) => Buffer.byteLength(t))),
      distinctProviderTexts: new Set(texts).size,
      providerText: texts[0],
      exportedStateBytes: Buffer.byteLength(exported),
      entryBytes: median(mine.map((r) => Buffer.byteLength(JSON.stringify(r)))),
      inputNames: Object.keys(mine[0]?.inputs ?? {}).sort(),
      outputNames: Object.keys(mine[0]?.outputs ?? {}).sort(),
    };
  }

  async close(): Promise<void> {
    await this.stack.workspace.removeStack(this.stack.name, { force: true }).catch(() => undefined);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
