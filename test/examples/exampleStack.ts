/**
 * Runs an example of examples/ as a project folder through the real CLI against the emulator:
 * a copy of the example's folder (its Pulumi.yaml, index.ts and other files, as written) is the
 * project, and the CLI runs it with the Node.js language host as `pulumi up` typed in that
 * folder does. The copy lives under this checkout's .tmp/, so the program resolves
 * `@pulumi-baseten/api-key` (linked to this checkout by scripts/link-self.js, hence its
 * dist/), `@pulumi/pulumi`, ts-node and TypeScript from the checkout's node_modules, as the
 * example does in place; a copy, so that concurrent runs never share stack config files.
 */
import * as fs from "fs";
import * as path from "path";
import type { BasetenEmulator } from "../emulator";
import { CLOCK_VARIABLE } from "../../provider/core/clock";
import { REPO_ROOT } from "../../scripts/pulumiCli";
import { ProjectStack } from "../package/projectStack";

export const EXAMPLES_DIR = path.join(REPO_ROOT, "examples");

/** The marker Pulumi puts on an encrypted secret in exported state. */
export const SECRET_SIG = "4dabf18193072939515e22adb298388d";

export interface ExampleRun {
  stack: ProjectStack;
  /** The project name in the example's Pulumi.yaml: the namespace of its config. */
  project: string;
  /** A temp folder for the run (the project's copy, state); removed by `remove`. */
  dir: string;
  remove(): Promise<void>;
}

/** Opens a stack of a copy of examples/<name> against `emu`, with `config` (keys without the project prefix). */
export async function openExample(name: string, emu: BasetenEmulator, config: Record<string, string> = {}): Promise<ExampleRun> {
  const exampleDir = path.join(EXAMPLES_DIR, name);
  const dist = path.join(REPO_ROOT, "dist", "provider", "index.js");
  if (!fs.existsSync(dist)) throw new Error(`${dist} is missing: run \`npm run build\` first (npm test does).`);
  const linked = path.join(REPO_ROOT, "node_modules", "@pulumi-baseten", "api-key");
  if (!fs.existsSync(path.join(linked, "dist", "provider", "index.js"))) {
    throw new Error(`${linked} does not lead to this checkout's build: run \`npm ci\` (its prepare script links it).`);
  }
  const project = /^name:\s*(\S+)/m.exec(fs.readFileSync(path.join(exampleDir, "Pulumi.yaml"), "utf8"))?.[1];
  if (!project) throw new Error(`examples/${name}/Pulumi.yaml has no name`);
  fs.mkdirSync(path.join(REPO_ROOT, ".tmp"), { recursive: true });
  const dir = fs.mkdtempSync(path.join(REPO_ROOT, ".tmp", `example-${name}-`));
  const projectDir = path.join(dir, name);
  // The example's own files only: a node_modules of its own (from an `npm install` there) would
  // hold the published package instead of this checkout's.
  fs.cpSync(exampleDir, projectDir, {
    recursive: true,
    filter: (src) => !/(^|\/)(node_modules|Pulumi\.[^/]+\.yaml)$/.test(path.relative(exampleDir, src)),
  });
  const stack = await ProjectStack.open({
    projectDir,
    stateDir: path.join(dir, "state"),
    stackName: "dev",
    config: Object.fromEntries(Object.entries(config).map(([k, v]) => [`${project}:${k}`, v])),
    apiUrl: emu.url,
    managementKey: emu.managementKey,
    transpileOnly: true,
  });
  return {
    stack,
    project,
    dir,
    remove: async () => {
      try {
        await stack.remove();
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * Runs `commands` with the provider's clock at `at` (BASETEN_PROVIDER_NOW, provider/core/clock.ts).
 * The Automation API starts the CLI with this process's environment under the stack's own
 * (execa's `extendEnv`), and the CLI's provider host inherits it, so the commands run inside see
 * the moved clock and the ones after do not: the variable is put back at the end. Nothing in the
 * test's own process reads it (the emulator keeps its own clock), and Jest runs a file's tests
 * one at a time.
 */
export async function atClock<T>(at: Date, commands: () => Promise<T>): Promise<T> {
  const before = process.env[CLOCK_VARIABLE];
  process.env[CLOCK_VARIABLE] = at.toISOString();
  try {
    return await commands();
  } finally {
    if (before === undefined) delete process.env[CLOCK_VARIABLE];
    else process.env[CLOCK_VARIABLE] = before;
  }
}

/** Every plaintext key the emulator minted and the management key: none may appear outside a secret. */
export function secretsOf(emu: BasetenEmulator): string[] {
  return [...emu.allKeys().map((k) => k.apiKey), emu.managementKey];
}

/** The secrets that appear in `text`. */
export function leaked(emu: BasetenEmulator, text: string): string[] {
  return secretsOf(emu).filter((s) => text.includes(s));
}

/** Checks that no secret reached any command's output, the exported state or the state files. */
export async function expectNoLeaks(emu: BasetenEmulator, run: ExampleRun): Promise<void> {
  const state = JSON.stringify(await run.stack.exportState());
  expect(leaked(emu, state)).toEqual([]);
  expect(leaked(emu, run.stack.stateFilesText())).toEqual([]);
  expect(leaked(emu, run.stack.transcript.join(""))).toEqual([]);
}
