/**
 * The package as users get it: `npm pack` of this checkout, `npm install`ed with
 * `@pulumi/pulumi` into a fresh program folder outside the repository, and stacks driven from
 * that folder by the real engine.
 *
 * Everything a stack runs comes from the user's node_modules: each command runs in a fresh
 * Node process that loads the Automation API, `@pulumi/pulumi` and the package from that
 * folder (not jest's module registry), and the folder is the project's `main`, so the engine's
 * dynamic-provider host resolves them from there too. So `__provider` is captured exactly as
 * in a user's state: `require("@pulumi-baseten/api-key/dist/provider/...")`.
 */
import { execFile, execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type * as automation from "@pulumi/pulumi/automation";
import type { ApiKeyArgs } from "../../provider";
import { isolatedPulumiEnv, pulumiBinDir, REPO_ROOT } from "../../scripts/pulumiCli";

export const PACKAGE_NAME = "@pulumi-baseten/api-key";
/**
 * The `@pulumi/pulumi` the users of these tests install: the version this checkout runs
 * (3.248.0 on Node 20; the newest in the Node 22 run of .ci/run).
 */
export const PULUMI_SDK_VERSION: string = (
  JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "node_modules", "@pulumi", "pulumi", "package.json"), "utf8")) as {
    version: string;
  }
).version;
export const KEY_TYPE_TOKEN = "pulumi-nodejs:dynamic/baseten:ApiKey";

/** A temp folder outside the repository, so nothing resolves from the checkout's node_modules. */
export function makeTempDir(label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `baseten-${label}-`));
  if (path.resolve(dir).startsWith(REPO_ROOT + path.sep)) throw new Error(`${dir} is inside the repository`);
  return dir;
}

/** Runs npm; a failure names the command and says what the suite needs. */
export function npm(args: string[], cwd: string): string {
  try {
    return execFileSync("npm", args, {
      cwd,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 10 * 60 * 1000,
      env: { ...process.env, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" },
    });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(
      `npm ${args.join(" ")} failed in ${cwd}: ${err.stderr?.trim() || err.message}\n` +
        `This suite installs the packed package and @pulumi/pulumi@${PULUMI_SDK_VERSION} from the npm registry ` +
        `(or npm's cache after \`npm ci\`): check that npm can reach it.`,
    );
  }
}

/** What `npm pack --json` reports. */
export interface PackResult {
  tarball: string;
  files: string[];
  version: string;
}

/**
 * `npm pack` of this checkout into `dir`. Its `prepack` rebuilds dist/, so the tarball matches
 * the sources; suites that pack at the same time take turns, so no pack reads a half-written
 * dist/.
 */
export function packCheckout(dir: string): PackResult {
  return withCheckoutLock("npm-pack", () => npmPack(REPO_ROOT, dir));
}

/** `npm pack --json` of the package in `from` into `dir` (with `--ignore-scripts` or other flags). */
export function npmPack(from: string, dir: string, flags: string[] = []): PackResult {
  const [packed] = JSON.parse(npm(["pack", "--json", ...flags, "--pack-destination", dir], from)) as Array<{
    filename: string;
    version: string;
    files: Array<{ path: string }>;
  }>;
  return {
    tarball: path.join(dir, path.basename(packed.filename)),
    files: packed.files.map((f) => f.path).sort(),
    version: packed.version,
  };
}

/** Runs `fn` while holding a lock folder under .tmp/ (mkdir is atomic); a lock older than 10 minutes was abandoned. */
function withCheckoutLock<T>(name: string, fn: () => T): T {
  const lock = path.join(REPO_ROOT, ".tmp", `${name}.lock`);
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  const staleMs = 10 * 60 * 1000;
  const deadline = Date.now() + 2 * staleMs;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > staleMs) fs.rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`${lock} is held by another run; remove it if no test is running`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500); // a synchronous sleep
    }
  }
  try {
    return fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/** One textual edit of a packed file; `from` must occur exactly once. */
export interface FileEdit {
  file: string;
  from: string;
  to: string;
}

/**
 * A stand-in for the next release: the packed package at `version`, with `edits` applied to
 * its built files, packed again. No build runs (the copy has no sources).
 */
export function repackAs(tarball: string, dir: string, version: string, edits: FileEdit[]): string {
  const unpacked = path.join(dir, `unpacked-${version}`);
  fs.mkdirSync(unpacked, { recursive: true });
  execFileSync("tar", ["-xzf", tarball, "-C", unpacked]);
  const root = path.join(unpacked, "package");
  const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as Record<string, unknown>;
  manifest.version = version;
  fs.writeFileSync(path.join(root, "package.json"), JSON.stringify(manifest, null, 2));
  for (const edit of edits) {
    const file = path.join(root, edit.file);
    const text = fs.readFileSync(file, "utf8");
    if (text.split(edit.from).length !== 2) throw new Error(`${edit.file}: expected exactly one ${JSON.stringify(edit.from)}`);
    fs.writeFileSync(file, text.replace(edit.from, edit.to));
  }
  const [packed] = JSON.parse(npm(["pack", "--json", "--ignore-scripts", "--pack-destination", dir], root)) as Array<{
    filename: string;
  }>;
  return path.join(dir, path.basename(packed.filename));
}

/**
 * A user's program folder: `package.json`, then `npm install <tarball> @pulumi/pulumi`.
 * Installing another tarball later is the user's upgrade.
 */
export function installUserProgram(dir: string, tarball: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "user-program", private: true }, null, 2));
  installTarball(dir, tarball);
}

/** `npm install <tarball>` in the user's folder (the first time with the SDK too). */
export function installTarball(dir: string, tarball: string): void {
  npm(["install", "--prefer-offline", "--loglevel=error", tarball, `@pulumi/pulumi@${PULUMI_SDK_VERSION}`], dir);
}

/** One ApiKey of the user's program: plain JSON, since the program runs in another process. */
export interface UserKey {
  name: string;
  args: ApiKeyArgs;
  opts?: { protect?: boolean; retainOnDelete?: boolean; deleteBeforeReplace?: boolean };
}

export interface DrivenStackOptions {
  /** The program's folder: modules resolve from here, and it is the project's `main`. */
  programDir: string;
  /** Where Pulumi writes the project and stack files. @default programDir */
  workDir?: string;
  /** Holds the file:// backend and PULUMI_HOME; shared by stacks that share state. */
  stateDir: string;
  stackName: string;
  /** @default "user-program" */
  projectName?: string;
  /** A module that is the program (its exports become the outputs); else `keys` are. */
  entry?: string;
  /** Stack config besides the Baseten settings, e.g. `{"baseten-team-key:team": "ml-platform"}`. */
  config?: Record<string, string>;
  /** Run the program with ts-node (TypeScript examples). */
  typescript?: boolean;
  apiUrl: string;
  managementKey: string;
}

const DRIVER = path.join(__dirname, "runUserCommand.js");

/**
 * A stack driven through the Automation API, one command per fresh Node process
 * (runUserCommand.js), as `pulumi up` runs a program: each command loads the program and the
 * package afresh, from the folder the program lives in. So after an upgrade the next command
 * sees the newly installed files, and an example's index.ts runs exactly as written.
 */
export class DrivenStack {
  /** The program's keys, when it has no `entry`; change them between commands. */
  keys: UserKey[] = [];
  /** Everything every command printed, for secret scans. */
  readonly transcript: string[] = [];
  private readonly binDir = pulumiBinDir();

  private constructor(private readonly options: DrivenStackOptions) {}

  get name(): string {
    return this.options.stackName;
  }

  static async open(options: DrivenStackOptions): Promise<DrivenStack> {
    for (const d of ["backend", "home"]) fs.mkdirSync(path.join(options.stateDir, d), { recursive: true });
    const self = new DrivenStack(options);
    await self.run("configure");
    return self;
  }

  /** Sets stack config (`pulumi config set`) for the next commands. */
  async setConfig(values: Record<string, string>): Promise<void> {
    this.options.config = { ...this.options.config, ...values };
    await this.run("configure");
  }

  /** Runs one command in the driver; rejects with the engine's message when it fails. */
  private async run<T>(command: string, options: Record<string, unknown> = {}): Promise<T> {
    const work = fs.mkdtempSync(path.join(this.options.stateDir, "command-"));
    const requestFile = path.join(work, "request.json");
    const resultFile = path.join(work, "result.json");
    fs.writeFileSync(
      requestFile,
      JSON.stringify({
        command,
        options,
        keys: this.keys,
        entry: this.options.entry,
        config: this.options.config ?? {},
        programDir: this.options.programDir,
        workDir: this.options.workDir ?? this.options.programDir,
        projectName: this.options.projectName ?? "user-program",
        stackName: this.options.stackName,
        apiUrl: this.options.apiUrl,
        cliRoot: path.dirname(this.binDir),
        envVars: isolatedPulumiEnv(this.options.stateDir, this.binDir),
        resultFile,
      }),
    );
    try {
      await new Promise<void>((resolve, reject) =>
        execFile(
          process.execPath,
          [...(this.options.typescript ? ["-r", require.resolve("ts-node/register")] : []), DRIVER, requestFile],
          {
            cwd: this.options.programDir,
            env: {
              ...process.env,
              USER_STACK_MANAGEMENT_KEY: this.options.managementKey,
              // Types are checked by `npm run typecheck` (tsconfig.json includes the examples).
              ...(this.options.typescript ? { TS_NODE_TRANSPILE_ONLY: "true" } : {}),
            },
            maxBuffer: 64 * 1024 * 1024,
          },
          (error, _stdout, stderr) => (error ? reject(new Error(`${DRIVER} failed: ${stderr}`)) : resolve()),
        ),
      );
      const outcome = JSON.parse(fs.readFileSync(resultFile, "utf8")) as {
        ok: boolean;
        result: T;
        message?: string;
        text: string;
      };
      this.transcript.push(outcome.text, outcome.message ?? "");
      if (!outcome.ok) throw new Error(outcome.message);
      return Object.assign(outcome.result as object, { text: outcome.text }) as T;
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }

  preview(opts: { diff?: boolean; expectNoChanges?: boolean } = {}) {
    return this.run<{ changeSummary: Record<string, number>; text: string }>("preview", opts);
  }

  up(opts: { expectNoChanges?: boolean } = {}) {
    return this.run<{ summary: automation.UpdateSummary; outputs: automation.OutputMap; text: string }>("up", opts);
  }

  refresh(opts: { expectNoChanges?: boolean } = {}) {
    return this.run<{ summary: automation.UpdateSummary; text: string }>("refresh", opts);
  }

  destroy() {
    return this.run<{ summary: automation.UpdateSummary; text: string }>("destroy");
  }

  /** `pulumi stack export` as a user runs it: secrets stay encrypted. */
  async exportState(): Promise<{ deployment: { resources?: Array<Record<string, unknown>> } }> {
    return (await this.run<{ state: { deployment: { resources?: Array<Record<string, unknown>> } } }>("export")).state;
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

  async remove(): Promise<void> {
    await this.run("remove");
  }
}
