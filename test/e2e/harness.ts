/**
 * A Pulumi stack driven through the Automation API by the real CLI, with a file:// backend,
 * a private PULUMI_HOME and the Baseten emulator on loopback. Every command's output is
 * kept so tests can search it for secrets.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation";
import { ApiKey, RotatingApiKey, Secret, type ApiKeyArgs, type RotatingApiKeyArgs, type SecretArgs } from "../../provider";
import { CLOCK_VARIABLE } from "../../provider/core/clock";
import { isolatedPulumiEnv, pulumiBinDir, REPO_ROOT } from "../../scripts/pulumiCli";

/** One ApiKey of the program: resource name, args and options. */
export interface KeySpec {
  name: string;
  args: ApiKeyArgs;
  opts?: pulumi.CustomResourceOptions;
}

/** One Secret of the program: resource name, args and options. */
export interface SecretSpec {
  name: string;
  args: SecretArgs;
  opts?: pulumi.CustomResourceOptions;
}

/**
 * One RotatingApiKey of the program: resource name, args and options. Its outputs are
 * `<name>Prefix`, `<name>ApiKey`, `<name>PreviousPrefix`, `<name>KeyName`, `<name>Generation`
 * and `<name>RotateAfter`, so give it a name no ApiKey of the same program has.
 */
export interface RotatingSpec {
  name: string;
  args: RotatingApiKeyArgs;
  opts?: pulumi.CustomResourceOptions;
}

/** The type token of RotatingApiKey resources in state. */
export const ROTATING_TYPE = "pulumi-nodejs:dynamic/baseten:RotatingApiKey";

export interface TestStackOptions {
  apiUrl: string;
  managementKey: string;
  /** How the management key reaches the provider. @default "config" */
  credentials?: "config" | "env";
  projectName?: string;
  extraEnv?: Record<string, string>;
}

/** Folder for the stacks' work dirs: inside the repo, so the provider host resolves its modules here. */
const WORK_ROOT = path.join(REPO_ROOT, ".tmp", "stacks");

export class TestStack {
  /** The program's keys; change them between commands. */
  keys: KeySpec[] = [];
  /** The program's secrets; change them between commands. */
  secrets: SecretSpec[] = [];
  /** The program's rotating keys; change them between commands. */
  rotating: RotatingSpec[] = [];
  /** Everything every command printed, for secret scans. */
  readonly transcript: string[] = [];

  private constructor(
    readonly stack: Stack,
    readonly dir: string,
  ) {}

  static async create(options: TestStackOptions): Promise<TestStack> {
    fs.mkdirSync(WORK_ROOT, { recursive: true });
    const dir = fs.mkdtempSync(path.join(WORK_ROOT, "stack-"));
    const backend = path.join(dir, "backend");
    const home = path.join(dir, "home");
    const workDir = path.join(dir, "work");
    for (const d of [backend, home, workDir]) fs.mkdirSync(d);
    const binDir = pulumiBinDir();
    const pulumiCommand = await PulumiCommand.get({ root: path.dirname(binDir) });
    const holder: { self?: TestStack } = {};
    const program = async () => {
      const outputs: Record<string, pulumi.Output<unknown>> = {};
      for (const spec of holder.self?.keys ?? []) {
        const key = new ApiKey(spec.name, spec.args, spec.opts);
        outputs[`${spec.name}Prefix`] = key.prefix;
        outputs[`${spec.name}ApiKey`] = key.apiKey;
      }
      for (const spec of holder.self?.secrets ?? []) {
        const secret = new Secret(spec.name, spec.args, spec.opts);
        outputs[`${spec.name}SecretId`] = secret.secretId;
        outputs[`${spec.name}Value`] = secret.value;
      }
      for (const spec of holder.self?.rotating ?? []) {
        const key = new RotatingApiKey(spec.name, spec.args, spec.opts);
        outputs[`${spec.name}Prefix`] = key.prefix;
        outputs[`${spec.name}ApiKey`] = key.apiKey;
        outputs[`${spec.name}PreviousPrefix`] = key.previousPrefix;
        outputs[`${spec.name}KeyName`] = key.keyName;
        outputs[`${spec.name}Generation`] = key.generation;
        outputs[`${spec.name}RotateAfter`] = key.rotateAfter;
      }
      return outputs;
    };
    const envVars: Record<string, string> = {
      ...isolatedPulumiEnv(dir, binDir),
      ...(options.credentials === "env" ? { BASETEN_API_KEY: options.managementKey, BASETEN_API_URL: options.apiUrl } : {}),
      ...options.extraEnv,
    };
    const stack = await LocalWorkspace.createOrSelectStack(
      { stackName: "e2e", projectName: options.projectName ?? "baseten-e2e", program },
      { workDir, pulumiHome: home, envVars, pulumiCommand },
    );
    if (options.credentials !== "env") {
      await stack.setConfig("baseten:apiKey", { value: options.managementKey, secret: true });
      await stack.setConfig("baseten:apiUrl", { value: options.apiUrl });
    }
    const self = new TestStack(stack, dir);
    holder.self = self;
    return self;
  }

  /**
   * Changes environment variables of the next commands, as a user who exports another
   * BASETEN_API_KEY would (with `credentials: "env"` the provider reads it at run time).
   */
  setEnv(vars: Record<string, string>): void {
    Object.assign((this.stack.workspace as LocalWorkspace).envVars, vars);
  }

  /**
   * The provider's clock for the next commands: `BASETEN_PROVIDER_NOW` in the CLI's environment,
   * which its provider host inherits (epoch milliseconds or ISO); `undefined` gives back this
   * machine's clock. Time moves this way, never by waiting.
   */
  setNow(at: number | string | undefined): void {
    const env = (this.stack.workspace as LocalWorkspace).envVars;
    if (at === undefined) delete env[CLOCK_VARIABLE];
    else env[CLOCK_VARIABLE] = typeof at === "number" ? new Date(at).toISOString() : at;
  }

  /** An `onOutput` that records into the transcript (and optionally a local buffer). */
  recorder(local?: string[]): (out: string) => void {
    return (out: string) => {
      this.transcript.push(out);
      local?.push(out);
    };
  }

  async up(opts: { expectNoChanges?: boolean } = {}) {
    return this.stack.up({ onOutput: this.recorder(), ...opts });
  }

  async preview(opts: { expectNoChanges?: boolean; diff?: boolean } = {}) {
    const text: string[] = [];
    const result = await this.stack.preview({ onOutput: this.recorder(text), ...opts });
    return { ...result, text: text.join("") };
  }

  async refresh(opts: { expectNoChanges?: boolean } = {}) {
    return this.stack.refresh({ onOutput: this.recorder(), ...opts });
  }

  async destroy() {
    return this.stack.destroy({ onOutput: this.recorder() });
  }

  /**
   * `pulumi stack export` as a user runs it: secrets stay encrypted. (The Automation API's
   * `exportStack` adds `--show-secrets`, which would defeat the secret checks.)
   */
  async exportState(): Promise<{ deployment: { resources?: Array<Record<string, unknown>> } }> {
    const workspace = this.stack.workspace as unknown as {
      runPulumiCmd(args: string[]): Promise<{ stdout: string; stderr: string }>;
    };
    const result = await workspace.runPulumiCmd(["stack", "export", "--stack", this.stack.name]);
    this.transcript.push(result.stdout, result.stderr);
    return JSON.parse(result.stdout);
  }

  /** The ApiKey resources in state. */
  async keyResources(): Promise<Array<{ urn: string; id: string; outputs: Record<string, unknown> }>> {
    const state = await this.exportState();
    return (state.deployment.resources ?? []).filter((r) => r.type === "pulumi-nodejs:dynamic/baseten:ApiKey") as never;
  }

  /** The Secret resources in state. */
  async secretResources(): Promise<
    Array<{ urn: string; id: string; inputs: Record<string, unknown>; outputs: Record<string, unknown> }>
  > {
    const state = await this.exportState();
    return (state.deployment.resources ?? []).filter((r) => r.type === "pulumi-nodejs:dynamic/baseten:Secret") as never;
  }

  /** The RotatingApiKey resources in state, with their inputs and outputs. */
  async rotatingResources(): Promise<
    Array<{ urn: string; id: string; inputs: Record<string, unknown>; outputs: Record<string, unknown> }>
  > {
    const state = await this.exportState();
    return (state.deployment.resources ?? []).filter((r) => r.type === ROTATING_TYPE) as never;
  }

  /** `pulumi stack output --json` as a user runs it (no `--show-secrets`): what a terminal shows. */
  async outputsAsShown(): Promise<Record<string, unknown>> {
    const workspace = this.stack.workspace as unknown as {
      runPulumiCmd(args: string[]): Promise<{ stdout: string; stderr: string }>;
    };
    const result = await workspace.runPulumiCmd(["stack", "output", "--json", "--stack", this.stack.name]);
    this.transcript.push(result.stdout, result.stderr);
    return JSON.parse(result.stdout);
  }

  /** Every file of the backend (the state files on disk), as text. */
  stateFilesText(): string {
    return filesText(path.join(this.dir, "backend"));
  }

  async remove(): Promise<void> {
    try {
      await this.stack.workspace.removeStack("e2e", { force: true });
    } finally {
      fs.rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

/** The marker Pulumi puts on an encrypted secret in exported state. */
export const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/**
 * Occurrences of `needle` in `haystack` that are not inside a Pulumi secret envelope; the
 * exported state keeps secrets as `{"4dabf...": "1b47...", "ciphertext": "..."}`, so a plaintext
 * found anywhere is a leak.
 */
export function leaks(haystack: string, needles: string[]): string[] {
  return needles.filter((n) => n.length > 0 && haystack.includes(n));
}

/** Every file under `dir`, read as text and joined: for scanning state files for secrets. */
export function filesText(dir: string): string {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    out.push(e.isDirectory() ? filesText(p) : fs.readFileSync(p, "latin1"));
  }
  return out.join("\n");
}
