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
import { npm, type PackResult } from "./userProgram";

/** The commit of release 0.1.0, the first published state format. */
export const RELEASE_0_1_0 = "897f2ff";

export function packCommit(commit: string, dir: string): PackResult {
  const src = path.join(dir, `src-${commit}`);
  fs.mkdirSync(src, { recursive: true });
  try {
    const archive = execFileSync("git", ["archive", "--format=tar", commit], { cwd: REPO_ROOT, maxBuffer: 256 * 1024 * 1024 });
    execFileSync("tar", ["-x", "-C", src], { input: archive });
  } catch (e) {
    throw new Error(
      `Could not extract commit ${commit} with git archive (${(e as Error).message.split("\n")[0]}). ` +
        `The upgrade tests need this repository's full history: clone it without --depth, or run \`git fetch --unshallow\`.`,
    );
  }
  // Its build needs only TypeScript and type packages, which this checkout's node_modules has.
  fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(src, "node_modules"), "dir");
  execFileSync(
    process.execPath,
    [path.join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"],
    {
      cwd: src,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  fs.rmSync(path.join(src, "node_modules"));
  const [packed] = JSON.parse(npm(["pack", "--json", "--ignore-scripts", "--pack-destination", dir], src)) as Array<{
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
