/**
 * The package as a user gets it: `npm pack` of this checkout, installed with the exact
 * `@pulumi/pulumi` we test against into a fresh folder outside the repository. The benchmark's
 * stacks live in that folder, so the engine's dynamic-provider host resolves the package and
 * the SDK from the user's node_modules, and `__provider` is what a user's state holds.
 */
import { execFileSync } from "child_process";
import { createRequire } from "module";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT } from "../scripts/pulumiCli";

export const PULUMI_SDK_VERSION = "3.248.0";
export const PACKAGE_NAME = "@pulumi-baseten/api-key";

export interface UserInstall {
  /** The user's program folder (holds node_modules); stacks go in subfolders. */
  dir: string;
  tarballBytes: number;
  /** `require` as a module of the user's program resolves it. */
  require: NodeJS.Require;
  remove(): void;
}

function npm(args: string[], cwd: string): string {
  try {
    return execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 10 * 60 * 1000 });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(
      `npm ${args.join(" ")} failed in ${cwd}: ${err.stderr?.trim() || err.message}\n` +
        `The benchmark installs the packed package with @pulumi/pulumi@${PULUMI_SDK_VERSION} from the npm registry ` +
        `(or npm's cache after \`npm ci\`); check that npm can reach it.`,
    );
  }
}

/** Installs `tarball`, or else `npm pack` of this checkout, into a fresh folder outside the repository. */
export function installPackedPackage(tarball?: string): UserInstall {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "baseten-bench-"));
  try {
    if (tarball === undefined) {
      // `prepack` rebuilds dist/, so the tarball always matches the checkout.
      const packed = JSON.parse(npm(["pack", "--json", "--pack-destination", dir], REPO_ROOT)) as Array<{ filename: string }>;
      tarball = path.join(dir, path.basename(packed[0].filename));
    }
    const app = path.join(dir, "app");
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "bench-user-program", private: true }));
    npm(
      [
        "install",
        "--no-audit",
        "--no-fund",
        "--prefer-offline",
        "--loglevel=error",
        tarball,
        `@pulumi/pulumi@${PULUMI_SDK_VERSION}`,
      ],
      app,
    );
    return {
      dir: app,
      tarballBytes: fs.statSync(tarball).size,
      require: createRequire(path.join(app, "package.json")),
      remove: () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
