/**
 * The package as a user's program loads it: a copy of this checkout's `dist/` build inside a
 * real `node_modules/@pulumi-baseten/api-key` folder. Closure serialization then captures the
 * provider's modules as `require("@pulumi-baseten/api-key/dist/provider/...")`, so every
 * resource's `__provider` is the few kilobytes users store, not the whole provider copied by
 * value (what importing `provider/` or the symlinked checkout gives: ~65 KB per key, which
 * makes a 200-key state ten times larger than a user's).
 *
 * Inside the engine's provider host that `require` resolves through this repo's own
 * `node_modules/@pulumi-baseten/api-key` link to the same `dist/` build.
 */
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../../../scripts/pulumiCli";

type PackageModule = typeof import("../../../provider");

const INSTALL_ROOT = path.join(REPO_ROOT, ".tmp", "reliability", "install");
const PACKAGE_DIR = path.join(INSTALL_ROOT, "node_modules", "@pulumi-baseten", "api-key");

let loaded: PackageModule | undefined;

/** Copies the build into the install folder (once per test file) and loads it from there. */
export function installedPackage(): PackageModule {
  if (loaded) return loaded;
  const dist = path.join(REPO_ROOT, "dist", "provider", "index.js");
  if (!fs.existsSync(dist)) {
    throw new Error(
      `The reliability suite loads the built package and ${path.relative(REPO_ROOT, dist)} is missing: ` +
        "run `npm run build` (or `npm run test:reliability`, which builds first).",
    );
  }
  // Each test file (jest worker) copies into its own folder: no worker overwrites files another loads.
  const target = path.join(PACKAGE_DIR.replace(INSTALL_ROOT, path.join(INSTALL_ROOT, String(process.pid))));
  fs.rmSync(target, { recursive: true, force: true });
  fs.mkdirSync(target, { recursive: true });
  fs.copyFileSync(path.join(REPO_ROOT, "package.json"), path.join(target, "package.json"));
  fs.cpSync(path.join(REPO_ROOT, "dist", "provider"), path.join(target, "dist", "provider"), { recursive: true });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded = require(path.join(target, "dist", "provider", "index.js")) as PackageModule;
  return loaded;
}
