/**
 * A stack of a project folder (a Pulumi.yaml, its program, and node_modules the program
 * resolves), run the way `pulumi up` typed in that folder runs it: the Automation API's
 * LocalWorkspace with `workDir` set to the folder, so the real CLI starts the Node.js language
 * host on the folder's program, and the engine starts the dynamic-provider host there. No
 * program is passed to the Automation API, so nothing but the language host can run it, and
 * nothing of the program runs in the test's process.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { LocalWorkspace, PulumiCommand, type OutputMap, type Stack, type UpdateSummary } from "@pulumi/pulumi/automation";
import { isolatedPulumiEnv, pulumiBinDir } from "../../scripts/pulumiCli";
import { KEY_TYPE_TOKEN } from "./userProgram";

export interface ProjectStackOptions {
  /** The project folder: holds Pulumi.yaml; `pulumi` runs there. */
  projectDir: string;
  /** Holds the file:// backend and PULUMI_HOME. */
  stateDir: string;
  stackName: string;
  apiUrl: string;
  managementKey: string;
  /** Stack config besides the Baseten settings, full keys, e.g. `{"baseten-team-key:team": "ml-platform"}`. */
  config?: Record<string, string>;
  /**
   * Run TypeScript programs without type checking (PULUMI_NODEJS_TRANSPILE_ONLY), for speed:
   * `npm run typecheck` checks the examples' types.
   */
  transpileOnly?: boolean;
}

type StateResource = Record<string, unknown> & { type?: string };

/** A stack of one project folder; every command's output is kept in `transcript` for secret scans. */
export class ProjectStack {
  /** Everything every command printed (and every failure's message). */
  readonly transcript: string[] = [];

  private constructor(
    private readonly stack: Stack,
    private readonly options: ProjectStackOptions,
    /** The CLI and the environment every command runs with. */
    private readonly cli: { pulumi: string; env: Record<string, string> },
  ) {}

  get name(): string {
    return this.options.stackName;
  }

  /** `pulumi stack init` (or select) in the folder, then the Baseten settings and `config`. */
  static async open(options: ProjectStackOptions): Promise<ProjectStack> {
    if (!fs.existsSync(path.join(options.projectDir, "Pulumi.yaml"))) {
      throw new Error(`${options.projectDir} has no Pulumi.yaml: not a project folder`);
    }
    for (const d of ["backend", "home"]) fs.mkdirSync(path.join(options.stateDir, d), { recursive: true });
    const binDir = pulumiBinDir();
    const env: Record<string, string> = {
      ...isolatedPulumiEnv(options.stateDir, binDir),
      ...(options.transpileOnly ? { PULUMI_NODEJS_TRANSPILE_ONLY: "true" } : {}),
    };
    const stack = await LocalWorkspace.createOrSelectStack(
      { stackName: options.stackName, workDir: options.projectDir },
      {
        pulumiHome: env.PULUMI_HOME,
        pulumiCommand: await PulumiCommand.get({ root: path.dirname(binDir), skipVersionCheck: true }),
        envVars: env,
      },
    );
    const self = new ProjectStack(stack, options, { pulumi: path.join(binDir, "pulumi"), env });
    await stack.setConfig("baseten:apiKey", { value: options.managementKey, secret: true });
    await stack.setConfig("baseten:apiUrl", { value: options.apiUrl });
    await self.setConfig(options.config ?? {});
    return self;
  }

  /** `pulumi config set` of each value, for the next commands. */
  async setConfig(values: Record<string, string>): Promise<void> {
    for (const [key, value] of Object.entries(values)) await this.stack.setConfig(key, { value });
  }

  /** Runs a command, keeping its output (and, when it fails, its message) in the transcript. */
  private async record<T>(command: (onOutput: (out: string) => void) => Promise<T>): Promise<T & { text: string }> {
    const text: string[] = [];
    const onOutput = (out: string) => text.push(out);
    try {
      const result = await command(onOutput);
      return Object.assign(result as object, { text: text.join("") }) as T & { text: string };
    } catch (e) {
      text.push(String((e as Error).message));
      throw e;
    } finally {
      this.transcript.push(text.join(""));
    }
  }

  preview(opts: { diff?: boolean; expectNoChanges?: boolean } = {}) {
    return this.record((onOutput) =>
      this.stack.preview({ ...opts, onOutput }).then((r) => ({ changeSummary: r.changeSummary as Record<string, number> })),
    );
  }

  /** `pulumi up`; `replace` lists URNs to replace, as `pulumi up --replace <urn>` does. */
  up(opts: { expectNoChanges?: boolean; replace?: string[] } = {}) {
    return this.record((onOutput) =>
      this.stack
        .up({ ...opts, onOutput })
        .then((r): { summary: UpdateSummary; outputs: OutputMap } => ({ summary: r.summary, outputs: r.outputs })),
    );
  }

  destroy() {
    return this.record((onOutput) => this.stack.destroy({ onOutput }).then((r) => ({ summary: r.summary })));
  }

  /** Runs `pulumi <args>` in the project folder with the stack's environment; resolves with its stdout. */
  private run(args: string[]): Promise<{ stdout: string; stderr: string }> {
    return new Promise((resolve, reject) =>
      execFile(
        this.cli.pulumi,
        args,
        { cwd: this.options.projectDir, env: { ...process.env, ...this.cli.env }, maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) =>
          error ? reject(new Error(`pulumi ${args.slice(0, 2).join(" ")} failed: ${stderr}`)) : resolve({ stdout, stderr }),
      ),
    );
  }

  /**
   * `pulumi stack export` as a user runs it: secrets stay encrypted (the Automation API's
   * exportStack decrypts them). With `showSecrets`, `--show-secrets`: the state's secrets in
   * plaintext, for checks that a secret is not in state at all (not kept in the transcript).
   */
  async exportState(opts: { showSecrets?: boolean } = {}): Promise<{ deployment: { resources?: StateResource[] } }> {
    const { stdout } = await this.run(["stack", "export", "--stack", this.name, ...(opts.showSecrets ? ["--show-secrets"] : [])]);
    return JSON.parse(stdout);
  }

  /**
   * `pulumi stack output --json` (with `showSecrets`, `--show-secrets` too), as a user runs it:
   * what a terminal or a CI log shows. Its output is kept in the transcript.
   */
  async stackOutput(opts: { showSecrets?: boolean } = {}): Promise<Record<string, unknown>> {
    const args = ["stack", "output", "--json", "--stack", this.name, ...(opts.showSecrets ? ["--show-secrets"] : [])];
    const { stdout, stderr } = await this.run(args);
    this.transcript.push(stdout, stderr);
    return JSON.parse(stdout);
  }

  /** The ApiKey resources in state, with their inputs and outputs. */
  async keyResources(): Promise<Array<{ id: string; inputs: Record<string, unknown>; outputs: Record<string, unknown> }>> {
    const state = await this.exportState();
    return (state.deployment.resources ?? []).filter((r) => r.type === KEY_TYPE_TOKEN) as never;
  }

  /** Every file of the backend (the state files on disk), as text. */
  stateFilesText(): string {
    const out: string[] = [];
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else out.push(fs.readFileSync(p, "latin1"));
      }
    };
    walk(path.join(this.options.stateDir, "backend"));
    return out.join("\n");
  }

  /** `pulumi stack rm --force`: the stack and its config file in the folder. */
  async remove(): Promise<void> {
    await this.stack.workspace.removeStack(this.name, { force: true });
  }
}
