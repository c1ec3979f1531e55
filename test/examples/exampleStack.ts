/**
 * Runs an example of examples/ through the real engine against the emulator: its index.ts, as
 * written, is the program (with ts-node, in a fresh Node process per command, like `pulumi up`
 * in the example's folder; there is no Node.js language host here, see README "The Pulumi
 * CLI"). The example imports `@pulumi-baseten/api-key`, which in this checkout is linked to the
 * checkout (scripts/link-self.js), so it runs this checkout's dist/.
 */
import * as fs from "fs";
import * as path from "path";
import type { BasetenEmulator } from "../emulator";
import { REPO_ROOT } from "../../scripts/pulumiCli";
import { DrivenStack, makeTempDir } from "../package/userProgram";

export const EXAMPLES_DIR = path.join(REPO_ROOT, "examples");

/** The marker Pulumi puts on an encrypted secret in exported state. */
export const SECRET_SIG = "4dabf18193072939515e22adb298388d";

export interface ExampleRun {
  stack: DrivenStack;
  /** The project name in the example's Pulumi.yaml: the namespace of its config. */
  project: string;
  /** A temp folder for the run (state, work dir); removed by `remove`. */
  dir: string;
  remove(): Promise<void>;
}

/** Opens a stack running examples/<name> against `emu`, with `config` (keys without the project prefix). */
export async function openExample(name: string, emu: BasetenEmulator, config: Record<string, string> = {}): Promise<ExampleRun> {
  const programDir = path.join(EXAMPLES_DIR, name);
  const dist = path.join(REPO_ROOT, "dist", "provider", "index.js");
  if (!fs.existsSync(dist)) throw new Error(`${dist} is missing: run \`npm run build\` first (npm test does).`);
  const project = /^name:\s*(\S+)/m.exec(fs.readFileSync(path.join(programDir, "Pulumi.yaml"), "utf8"))?.[1];
  if (!project) throw new Error(`examples/${name}/Pulumi.yaml has no name`);
  const dir = makeTempDir(`example-${name}`);
  const workDir = path.join(dir, "work");
  fs.mkdirSync(workDir);
  const stack = await DrivenStack.open({
    programDir,
    workDir,
    stateDir: path.join(dir, "state"),
    stackName: "dev",
    projectName: project,
    entry: path.join(programDir, "index.ts"),
    typescript: true,
    config: Object.fromEntries(Object.entries(config).map(([k, v]) => [`${project}:${k}`, v])),
    apiUrl: emu.url,
    managementKey: emu.managementKey,
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
