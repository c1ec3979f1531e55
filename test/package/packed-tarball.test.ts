/**
 * The path a user takes: `npm pack` of this checkout, `npm install` of the tarball into a
 * fresh project folder outside the repository (Pulumi.yaml, a JavaScript program), TypeScript
 * against the installed types, then preview, up and destroy through the CLI in that folder
 * (the Node.js language host runs the program) against the emulator, with the provider
 * captured from the user's node_modules.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { BasetenEmulator } from "../emulator";
import { REPO_ROOT } from "../../scripts/pulumiCli";
import { ProjectStack } from "./projectStack";
import { createUserProject } from "./userProject";
import {
  KEY_TYPE_TOKEN,
  makeTempDir,
  npm,
  npmPack,
  PACKAGE_NAME,
  packCheckout,
  PULUMI_SDK_VERSION,
  type PackResult,
} from "./userProgram";

jest.setTimeout(15 * 60 * 1000);

let emu: BasetenEmulator;
let tmp: string;
let programDir: string;
let packed: PackResult;
let npmOutput: string;
let user: ProjectStack;

const POST = "POST /v1/api_keys";
const DELETE = "DELETE /v1/api_keys/{prefix}";
const count = (route: string) => emu.routeCounts()[route] ?? 0;
const secrets = () => [...emu.allKeys().map((k) => k.apiKey), emu.managementKey];
const leaked = (text: string) => secrets().filter((s) => text.includes(s));
/** The scripts npm runs when a package is installed (or lists in its install-scripts warning). */
const INSTALL_TIME_SCRIPTS = ["preinstall", "install", "postinstall", "prepublish", "preprepare", "prepare", "postprepare"];

beforeAll(async () => {
  tmp = makeTempDir("packed");
  packed = packCheckout(tmp);
  programDir = path.join(tmp, "program");
  npmOutput = createUserProject(programDir, packed.tarball, [{ name: "deployer", args: { type: "PERSONAL" } }]);
  emu = await BasetenEmulator.start();
  user = await ProjectStack.open({
    projectDir: programDir,
    stateDir: path.join(tmp, "state"),
    stackName: "dev",
    apiUrl: emu.url,
    managementKey: emu.managementKey,
  });
});
afterAll(async () => {
  await user?.remove();
  await emu?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe("the packed package, installed by npm into a user's program", () => {
  it("the tarball holds the built provider, its types and the README, and no sources or tests", () => {
    expect(packed.files).toEqual(
      expect.arrayContaining(["README.md", "package.json", "dist/provider/index.js", "dist/provider/index.d.ts"]),
    );
    const unexpected = packed.files.filter(
      (f) => !/^dist\/provider\/.+\.(js|d\.ts)$/.test(f) && !["README.md", "package.json", "LICENSE"].includes(f),
    );
    expect(unexpected).toEqual([]);
    expect(packed.files.some((f) => f.includes("test/") || f.includes("emulator"))).toBe(false);
  });

  it("installs under its scoped name with types listed first, a peer dependency on @pulumi/pulumi and Node >= 20", () => {
    const installed = path.join(programDir, "node_modules", ...PACKAGE_NAME.split("/"));
    expect(fs.lstatSync(installed).isSymbolicLink()).toBe(false); // a real copy, not this checkout
    const manifest = JSON.parse(fs.readFileSync(path.join(installed, "package.json"), "utf8"));
    expect(manifest.name).toBe(PACKAGE_NAME);
    expect(Object.keys(manifest.exports["."])[0]).toBe("types");
    expect(manifest.peerDependencies["@pulumi/pulumi"]).toMatch(/^>=3\./);
    expect(manifest.engines.node).toBe(">=20");
    const sdk = JSON.parse(fs.readFileSync(path.join(programDir, "node_modules/@pulumi/pulumi/package.json"), "utf8"));
    expect(sdk.version).toBe(PULUMI_SDK_VERSION);
  });

  it("installs the baseten-recover command (the package's bin), which runs from the project folder", () => {
    const bin = path.join(programDir, "node_modules", ".bin", "baseten-recover");
    expect(execFileSync(bin, ["--help"], { cwd: programDir, encoding: "utf8" })).toMatch(/^Usage: baseten-recover /);
  });

  it("its manifest has no install-time script, names only shipped files, and npm installs it without a warning about it", () => {
    const installed = path.join(programDir, "node_modules", ...PACKAGE_NAME.split("/"));
    const manifest = JSON.parse(fs.readFileSync(path.join(installed, "package.json"), "utf8"));
    expect(Object.keys(manifest.scripts ?? {}).filter((s) => INSTALL_TIME_SCRIPTS.includes(s))).toEqual([]);
    expect(manifest.files).toEqual(["dist/provider/**/*.js", "dist/provider/**/*.d.ts", "README.md"]);
    const entryPoints = [manifest.main, manifest.types, manifest.exports["."].types, manifest.exports["."].default];
    expect(entryPoints).toEqual([
      "dist/provider/index.js",
      "dist/provider/index.d.ts",
      "./dist/provider/index.d.ts",
      "./dist/provider/index.js",
    ]);
    for (const entry of entryPoints) expect(packed.files).toContain(path.posix.normalize(entry));
    expect(manifest.exports["./package.json"]).toBe("./package.json");
    // npm 11 lists every installed package with install-time scripts ("install-scripts ...").
    expect(npmOutput.split("\n").filter((line) => line.includes(PACKAGE_NAME))).toEqual([]);
  });

  it("its manifest has no scripts and no placeholder repository; the extracted package packs again, unchanged, with no script run", () => {
    const installed = path.join(programDir, "node_modules", ...PACKAGE_NAME.split("/"));
    const manifest = JSON.parse(fs.readFileSync(path.join(installed, "package.json"), "utf8"));
    expect(manifest.scripts).toBeUndefined();
    expect(JSON.stringify(manifest)).not.toContain("example.invalid");
    // What a user does to vendor it: unpack the tarball and pack that folder again (no --ignore-scripts).
    const unpacked = path.join(tmp, "unpacked");
    fs.mkdirSync(unpacked);
    execFileSync("tar", ["-xzf", packed.tarball, "-C", unpacked]);
    const again = npmPack(path.join(unpacked, "package"), unpacked);
    expect(again.files).toEqual(packed.files);
    expect(again.version).toBe(packed.version);
  });

  it("an example's package.json, copied out of the repository with the tarball in its vendor/, installs this version", () => {
    const example = path.join(tmp, "copied-example");
    fs.cpSync(path.join(REPO_ROOT, "examples", "basic"), example, { recursive: true });
    fs.mkdirSync(path.join(example, "vendor"));
    fs.copyFileSync(packed.tarball, path.join(example, "vendor", path.basename(packed.tarball)));
    npm(["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], example);
    const installed = JSON.parse(
      fs.readFileSync(path.join(example, "node_modules", ...PACKAGE_NAME.split("/"), "package.json"), "utf8"),
    );
    expect(installed.version).toBe(packed.version);
    // Every example names the same tarball, of this version.
    for (const name of fs.readdirSync(path.join(REPO_ROOT, "examples"))) {
      const own = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "examples", name, "package.json"), "utf8"));
      expect([name, own.dependencies[PACKAGE_NAME]]).toEqual([name, `file:vendor/${path.basename(packed.tarball)}`]);
    }
  });

  it.each(["commonjs", "node16"])(
    "TypeScript (module %s) accepts a user's program against the installed types and rejects a wrong key type",
    (moduleKind) => {
      const files = {
        "good.ts": `import { ApiKey } from "${PACKAGE_NAME}";\nexport const k = new ApiKey("k", { type: "WORKSPACE_INVOKE", modelIds: ["m"] }).apiKey;\n`,
        "bad.ts": `import { ApiKey } from "${PACKAGE_NAME}";\nnew ApiKey("k", { type: "SUPERUSER" });\n`,
      };
      for (const [name, source] of Object.entries(files)) fs.writeFileSync(path.join(programDir, name), source);
      const tsc = path.join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
      // @types/node from this checkout: a user's program has its own.
      const typeRoots = path.join(REPO_ROOT, "node_modules", "@types");
      const args = ["--noEmit", "--strict", "--module", moduleKind, "--typeRoots", typeRoots, "--types", "node"];
      let output = "";
      try {
        execFileSync(process.execPath, [tsc, ...args, ...Object.keys(files)], { cwd: programDir, encoding: "utf8" });
      } catch (e) {
        output = String((e as { stdout?: string }).stdout);
      } finally {
        for (const name of Object.keys(files)) fs.rmSync(path.join(programDir, name));
      }
      const errors = output.split("\n").filter((line) => line.includes("error TS"));
      expect(errors).toEqual([expect.stringMatching(/^bad\.ts\(2,.*error TS2322: Type '"SUPERUSER"' is not assignable/)]);
    },
  );

  it("preview in the project folder shows one key to create and sends nothing to Baseten", async () => {
    const preview = await user.preview({ diff: true });
    expect(preview.changeSummary).toEqual({ create: 2 }); // the key and the stack
    expect(preview.text).toContain(`+ ${KEY_TYPE_TOKEN}: (create)`);
    expect(emu.requestLog()).toEqual([]);
  });

  it("up in the project folder mints the key with one POST; state holds the provider as a require of the installed package, and no secret", async () => {
    const up = await user.up();
    expect(up.summary.resourceChanges).toEqual({ create: 2 });
    expect(count(POST)).toBe(1);
    const [live] = emu.liveKeys();
    expect(up.outputs.deployerPrefix.value).toBe(live.prefix);
    expect(up.outputs.deployerApiKey).toEqual({ value: live.apiKey, secret: true });

    const [resource] = await user.keyResources();
    const providerText = String(resource.inputs.__provider);
    // The provider names the installed package's modules, which the engine's host loads from
    // the user's node_modules: no copy of the operations, no path of this machine.
    expect(providerText).toMatch(/require\("@pulumi-baseten\/api-key\/dist\/provider\/[\w/]+\.js"\)/);
    expect(providerText).not.toContain("function adoptKey");
    expect(providerText).not.toContain(tmp);
    expect(providerText.length).toBeLessThan(10_000);
    expect(leaked(JSON.stringify(await user.exportState()))).toEqual([]);
    expect(leaked(user.stateFilesText())).toEqual([]);
  });

  it("destroy revokes the key with one verified DELETE and leaves nothing", async () => {
    emu.clearLog();
    const destroy = await user.destroy();
    expect(destroy.summary.resourceChanges).toEqual({ delete: 2 });
    expect(emu.requestLog().map((r) => [r.route, r.status])).toEqual([[DELETE, 200]]);
    expect(emu.liveKeys()).toEqual([]);
    expect(await user.keyResources()).toEqual([]);
    expect(leaked(user.transcript.join(""))).toEqual([]);
  });
});
