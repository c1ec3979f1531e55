/**
 * A stack for the reliability suite: the real Pulumi CLI through the Automation API (inline
 * program, file:// backend, private PULUMI_HOME), like `test/e2e/harness.ts`, plus what this
 * suite needs on top: every command's stdout AND stderr kept as artifacts for the secret scan,
 * failures returned instead of thrown (a fault run may fail and be rerun), raw CLI commands
 * (`pulumi stack import`, `pulumi cancel`: commands the Automation API lacks), and the pids of the
 * processes this stack started, so a test can SIGKILL its own `pulumi`.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation";
import { isolatedPulumiEnv, pulumiBinDir, REPO_ROOT } from "../../../scripts/pulumiCli";
import { filesText, type KeySpec } from "../../e2e/harness";
import { API_KEY_TYPE, type StateResource } from "../../../provider/recover/stackState";
import { installedPackage } from "./installedPackage";
import { processesWithPulumiHome, type StackProcess } from "./processes";

export type { KeySpec };

export const STACK_NAME = "rel";
const PROJECT_NAME = "baseten-reliability";
export { API_KEY_TYPE };
export type { StateResource };

export interface ReliabilityStackOptions {
  apiUrl: string;
  /** Stored as the secret `baseten:apiKey`; undefined leaves it unset. */
  managementKey?: string;
  /** More `baseten:*` settings, e.g. `{ timeoutSeconds: "2" }`. */
  settings?: Record<string, string>;
  /** Extra environment of every command (e.g. BASETEN_API_KEY). */
  env?: Record<string, string>;
  /** A word for the temp folder name, to tell runs apart. */
  label: string;
}

/** One text a command produced, named for reports. */
export interface Artifact {
  source: string;
  text: string;
}

/** How a command ended: never thrown, so a test can assert on failures and rerun. */
export interface Outcome {
  ok: boolean;
  /** Set when the command failed; its message holds the CLI's stdout and stderr. */
  error?: Error;
  stdout: string;
  stderr: string;
  /** Resource changes of a successful up/destroy/refresh. */
  changes?: Record<string, number>;
}

export interface CommandFlags {
  parallel?: number;
  /** Attempt every resource even after one fails (up and destroy). */
  continueOnError?: boolean;
  /** Run the program (destroy, refresh): the provider then gets the current stack config, not the stored one. */
  runProgram?: boolean;
  logVerbosity?: number;
  logToStdErr?: boolean;
}

/** Folder for the stacks' work dirs: inside the repo, so the provider host resolves its modules here. */
const WORK_ROOT = path.join(REPO_ROOT, ".tmp", "stacks");

export class ReliabilityStack {
  /** The program's keys; change them between commands. */
  keys: KeySpec[] = [];
  /** Everything every command printed, and every error, for the secret scan. */
  readonly artifacts: Artifact[] = [];
  readonly home: string;
  readonly workDir: string;
  /** Pulumi commands run so far (for the figures). */
  commandCount = 0;

  private constructor(
    readonly stack: Stack,
    readonly dir: string,
    readonly envVars: Record<string, string>,
    private readonly pulumiExe: string,
  ) {
    this.home = path.join(dir, "home");
    this.workDir = path.join(dir, "work");
  }

  static async create(options: ReliabilityStackOptions): Promise<ReliabilityStack> {
    fs.mkdirSync(WORK_ROOT, { recursive: true });
    const dir = fs.mkdtempSync(path.join(WORK_ROOT, `rel-${options.label}-`));
    for (const d of ["backend", "home", "work"]) fs.mkdirSync(path.join(dir, d));
    const binDir = pulumiBinDir();
    const pulumiCommand = await PulumiCommand.get({ root: path.dirname(binDir) });
    const holder: { self?: ReliabilityStack } = {};
    const { ApiKey } = installedPackage();
    const program = async () => {
      const outputs: Record<string, pulumi.Output<unknown>> = {};
      for (const spec of holder.self?.keys ?? []) {
        const key = new ApiKey(spec.name, spec.args, spec.opts);
        outputs[`${spec.name}Prefix`] = key.prefix;
        outputs[`${spec.name}ApiKey`] = key.apiKey;
      }
      return outputs;
    };
    const envVars: Record<string, string> = { ...isolatedPulumiEnv(dir, binDir), ...options.env };
    const stack = await LocalWorkspace.createOrSelectStack(
      { stackName: STACK_NAME, projectName: PROJECT_NAME, program },
      { workDir: path.join(dir, "work"), pulumiHome: path.join(dir, "home"), envVars, pulumiCommand },
    );
    const config: Record<string, { value: string; secret?: boolean }> = { "baseten:apiUrl": { value: options.apiUrl } };
    if (options.managementKey !== undefined) config["baseten:apiKey"] = { value: options.managementKey, secret: true };
    for (const [k, v] of Object.entries(options.settings ?? {})) config[`baseten:${k}`] = { value: v };
    await stack.setAllConfig(config);
    const self = new ReliabilityStack(stack, dir, envVars, fs.realpathSync(path.join(binDir, "pulumi")));
    holder.self = self;
    return self;
  }

  /** Sets (or, with undefined, removes) a `baseten:*` stack setting; `apiKey` is stored as a secret. */
  async setSetting(name: string, value: string | undefined): Promise<void> {
    const key = `baseten:${name}`;
    if (value === undefined) await this.stack.removeConfig(key);
    else await this.stack.setConfig(key, { value, secret: name === "apiKey" });
  }

  /** Sets (or, with undefined, removes) an environment variable of every later command. */
  setEnv(name: string, value: string | undefined): void {
    for (const env of [this.envVars, this.stack.workspace.envVars]) {
      if (value === undefined) delete env[name];
      else env[name] = value;
    }
  }

  /** The stack's config file in the work dir (secrets in it are encrypted), as text. */
  configFilesText(): string {
    return fs
      .readdirSync(this.workDir)
      .filter((f) => /^Pulumi.*\.ya?ml$/.test(f))
      .map((f) => fs.readFileSync(path.join(this.workDir, f), "utf8"))
      .join("\n");
  }

  private record(source: string, text: string): void {
    if (text) this.artifacts.push({ source, text });
  }

  /** Runs one Automation API command, keeping its output and turning a failure into an Outcome. */
  private async run(
    what: string,
    command: (handlers: { onOutput: (s: string) => void; onError: (s: string) => void }) => Promise<{
      summary?: { resourceChanges?: Record<string, number> };
    }>,
  ): Promise<Outcome> {
    const n = ++this.commandCount;
    const out: string[] = [];
    const err: string[] = [];
    const handlers = { onOutput: (s: string) => out.push(s), onError: (s: string) => err.push(s) };
    try {
      const result = await command(handlers);
      return { ok: true, stdout: out.join(""), stderr: err.join(""), changes: result.summary?.resourceChanges };
    } catch (e) {
      const error = e as Error;
      this.record(`${what} #${n} error`, error.message ?? String(e));
      return { ok: false, error, stdout: out.join(""), stderr: err.join("") };
    } finally {
      this.record(`${what} #${n} stdout`, out.join(""));
      this.record(`${what} #${n} stderr`, err.join(""));
    }
  }

  up(flags: CommandFlags = {}): Promise<Outcome> {
    return this.run("up", (h) => this.stack.up({ ...h, ...flags }));
  }

  destroy(flags: CommandFlags = {}): Promise<Outcome> {
    return this.run("destroy", (h) => this.stack.destroy({ ...h, ...flags }));
  }

  refresh(flags: CommandFlags & { clearPendingCreates?: boolean } = {}): Promise<Outcome> {
    return this.run("refresh", (h) => this.stack.refresh({ ...h, ...flags }));
  }

  preview(): Promise<Outcome> {
    return this.run("preview", (h) => this.stack.preview(h) as never);
  }

  /** `pulumi <args> --stack rel` in the work dir, for flags the Automation API does not offer. */
  async cli(args: string[]): Promise<Outcome> {
    return this.run(`pulumi ${args[0]}`, async (h) => {
      // `run` is public in the SDK's JavaScript but not declared in its types.
      const command = this.stack.workspace.pulumiCommand as unknown as RawPulumiCommand;
      const result = await command.run([...args, "--stack", STACK_NAME], this.workDir, this.envVars, h.onOutput, h.onError);
      return result as never;
    });
  }

  /**
   * `pulumi stack export` as a user runs it: secrets stay encrypted. (The Automation API's
   * `exportStack` adds `--show-secrets`, which would defeat the secret scan.)
   */
  async exportState(): Promise<StateExport> {
    const outcome = await this.cli(["stack", "export"]);
    if (!outcome.ok) throw outcome.error;
    return JSON.parse(outcome.stdout) as StateExport;
  }

  /**
   * The stack's last checkpoint as the file backend holds it, read without running a command:
   * what `pulumi stack export` prints as `deployment` (secrets as ciphertext). For checks between
   * commands, where a `stack export` each would add a CLI run per check; what a user finds after a
   * crash is still read with `exportState`.
   */
  stateOnDisk(): StateExport {
    const file = path.join(this.dir, "backend", ".pulumi", "stacks", PROJECT_NAME, `${STACK_NAME}.json`);
    if (!fs.existsSync(file)) throw new Error(`no checkpoint at ${file}: has the stack run a command?`);
    const text = fs.readFileSync(file, "utf8");
    const saved = JSON.parse(text) as { checkpoint?: { latest?: StateExport["deployment"] } };
    return { deployment: saved.checkpoint?.latest ?? {} };
  }

  /** Prefixes (ids) of the ApiKey resources in state, sorted. */
  async prefixesInState(): Promise<string[]> {
    return keyResourcesOf(await this.exportState())
      .map((r) => r.id as string)
      .sort();
  }

  /** Every file of the backend (the state files on disk, history and backups), as text. */
  stateFilesText(): string {
    return filesText(path.join(this.dir, "backend"));
  }

  /** Processes this stack's commands started and that are still running. */
  processes(): StackProcess[] {
    return processesWithPulumiHome(this.home);
  }

  /** The running `pulumi` CLI processes of this stack (not the provider host it spawned). */
  pulumiProcesses(): StackProcess[] {
    return this.processes().filter((p) => p.exe === this.pulumiExe);
  }

  async remove(): Promise<void> {
    // A crash test may leave a provider host behind: end this stack's processes only.
    for (const p of this.processes()) {
      try {
        process.kill(p.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

interface RawPulumiCommand {
  run(
    args: string[],
    cwd: string,
    env: Record<string, string>,
    onOutput: (s: string) => void,
    onError: (s: string) => void,
  ): Promise<{ stdout: string; stderr: string; code: number }>;
}

/** The parts of `pulumi stack export` this suite reads. */
export interface StateExport {
  deployment: {
    resources?: StateResource[];
    pending_operations?: Array<{ type: string; resource: StateResource }>;
  };
}

export function keyResourcesOf(state: StateExport): StateResource[] {
  return (state.deployment.resources ?? []).filter((r) => r.type === API_KEY_TYPE);
}

/** `count` keys named `<stem>-<i>` of one type: the bulk programs of the fault and crash tests. */
export function manyKeys(stem: string, count: number, type: KeySpec["args"]["type"] = "WORKSPACE_INVOKE"): KeySpec[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `${stem}-${String(i).padStart(3, "0")}`,
    args: type === "WORKSPACE_INVOKE" ? { type, modelIds: [`model-${i % 7}`] } : { type },
  }));
}
