/**
 * A user's project folder, as `pulumi new` and `npm install` leave it: Pulumi.yaml, a plain
 * JavaScript program (no TypeScript toolchain needed), package.json, and node_modules with the
 * packed package and `@pulumi/pulumi` installed by npm.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PULUMI_SDK_VERSION, type UserKey } from "./userProgram";

/** Each key becomes `new ApiKey(name, args, opts)`, exported as `<name>Prefix` and `<name>ApiKey`. */
export function programSource(keys: UserKey[]): string {
  const lines = [`const { ApiKey } = require("@pulumi-baseten/api-key");`];
  for (const { name, args, opts } of keys) {
    const id = name.replace(/\W/g, "_");
    lines.push(
      `const ${id} = new ApiKey(${JSON.stringify(name)}, ${JSON.stringify(args)}, ${JSON.stringify(opts ?? {})});`,
      `exports.${id}Prefix = ${id}.prefix;`,
      `exports.${id}ApiKey = ${id}.apiKey;`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Writes the project into `dir` and `npm install`s the tarball and `@pulumi/pulumi` there.
 * Returns what npm printed (its warnings go to stderr).
 */
export function createUserProject(dir: string, tarball: string, keys: UserKey[]): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: user-project\nruntime: nodejs\n");
  fs.writeFileSync(path.join(dir, "index.js"), programSource(keys));
  fs.writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({ name: "user-project", private: true, main: "index.js" }, null, 2),
  );
  const args = ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball, `@pulumi/pulumi@${PULUMI_SDK_VERSION}`];
  const npm = spawnSync("npm", args, { cwd: dir, encoding: "utf8", timeout: 10 * 60 * 1000 });
  if (npm.status !== 0) {
    throw new Error(
      `npm ${args.join(" ")} failed in ${dir}: ${npm.stderr || npm.error?.message}\n` +
        `This suite installs the packed package and @pulumi/pulumi@${PULUMI_SDK_VERSION} from the npm registry ` +
        `(or npm's cache after \`npm ci\`): check that npm can reach it.`,
    );
  }
  return `${npm.stdout}${npm.stderr}`;
}
