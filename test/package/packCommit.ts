/**
 * A released version, built from this repository's history rather than from whatever is
 * checked out: `git archive <commit>`, compiled with this checkout's TypeScript, packed.
 * Upgrade tests install it first, so "state written by a released version keeps working"
 * is tested against that version's real code.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../../scripts/pulumiCli";
import { npmPack, type PackResult } from "./userProgram";

/** The commit of release 0.1.0, the first published state format. */
export const RELEASE_0_1_0 = "897f2ff";

/** The commit of release 0.2.0 (adds `seenBy`, `ownerId` and `unconfirmed/<name>` entries to state). */
export const RELEASE_0_2_0 = "7b5e49e";

/**
 * The git checkout holding this repository's history: this one, or the one named by
 * BASETEN_HISTORY_REPO (the Node 22 run of .ci/run works in a copy without .git).
 */
function gitRepo(): string {
  return process.env.BASETEN_HISTORY_REPO ?? REPO_ROOT;
}

export function packCommit(commit: string, dir: string): PackResult {
  const src = path.join(dir, `src-${commit}`);
  fs.mkdirSync(src, { recursive: true });
  try {
    const archive = execFileSync("git", ["archive", "--format=tar", commit], { cwd: gitRepo(), maxBuffer: 256 * 1024 * 1024 });
    execFileSync("tar", ["-x", "-C", src], { input: archive });
  } catch (e) {
    throw new Error(
      `Could not extract commit ${commit} with git archive (${(e as Error).message.split("\n")[0]}). ` +
        `The upgrade tests need this repository's full history: clone it without --depth, or run \`git fetch --unshallow\`.`,
    );
  }
  // Its build needs only TypeScript and type packages, which this checkout's node_modules has.
  fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(src, "node_modules"), "dir");
  // Emitted without type checking: the release's code is what it was, whatever newer type
  // packages (the Node 22 run installs the newest @pulumi/pulumi) would say of it.
  const tsc = path.join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
  execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json", "--noCheck"], {
    cwd: src,
    stdio: ["ignore", "pipe", "pipe"],
  });
  fs.rmSync(path.join(src, "node_modules"));
  // A folder of its own: the checkout, packed beside it, may carry the same version (and so
  // the same tarball name) until its release bumps it.
  const out = path.join(dir, `release-${commit}`);
  fs.mkdirSync(out, { recursive: true });
  return npmPack(src, out, ["--ignore-scripts"]);
}
