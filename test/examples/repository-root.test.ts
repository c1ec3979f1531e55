/**
 * The repository's root is a project folder: its Pulumi.yaml runs examples/basic (`main:`),
 * which is what `npm run demo` and a contributor typing `pulumi up` there rely on. Its own stack
 * (a name no one else uses, a private backend) keeps concurrent runs and the demo apart; the
 * stack's config file in the root is removed with the stack.
 */
import * as fs from "fs";
import * as path from "path";
import { BasetenEmulator } from "../emulator";
import { REPO_ROOT } from "../../scripts/pulumiCli";
import { ProjectStack } from "../package/projectStack";
import { leaked } from "./exampleStack";

jest.setTimeout(10 * 60 * 1000);

const STACK = `root-test-${process.pid}`;
let emu: BasetenEmulator;
let stack: ProjectStack;
let stateDir: string;

beforeAll(async () => {
  emu = await BasetenEmulator.start();
  fs.mkdirSync(path.join(REPO_ROOT, ".tmp"), { recursive: true });
  stateDir = fs.mkdtempSync(path.join(REPO_ROOT, ".tmp", "repository-root-"));
  stack = await ProjectStack.open({
    projectDir: REPO_ROOT,
    stateDir,
    stackName: STACK,
    apiUrl: emu.url,
    managementKey: emu.managementKey,
    transpileOnly: true,
  });
});
afterAll(async () => {
  try {
    await stack?.remove();
  } finally {
    fs.rmSync(path.join(REPO_ROOT, `Pulumi.${STACK}.yaml`), { force: true });
    if (stateDir) fs.rmSync(stateDir, { recursive: true, force: true });
    await emu?.stop();
  }
});

describe("the repository's root as a project", () => {
  it("points main at a program, never at the library's entry point", () => {
    const yaml = fs.readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8");
    expect(/^main:\s*(\S+)\s*$/m.exec(yaml)?.[1]).toBe("examples/basic");
  });

  it("preview runs examples/basic: one key to create, nothing sent", async () => {
    const preview = await stack.preview({ diff: true });
    expect(preview.changeSummary).toEqual({ create: 2 });
    expect(preview.text).toContain(
      "urn:pulumi:" + STACK + "::baseten-api-key::pulumi-nodejs:dynamic/baseten:ApiKey::ci-deployer",
    );
    expect(emu.requestLog()).toEqual([]);
  });

  it("up mints the key and destroy revokes it", async () => {
    const up = await stack.up();
    const [key] = emu.liveKeys();
    expect(emu.liveKeys()).toHaveLength(1);
    expect(up.outputs.prefix).toEqual({ value: key.prefix, secret: false });
    expect(up.outputs.apiKey).toEqual({ value: key.apiKey, secret: true });
    emu.clearLog();
    await stack.destroy();
    expect(emu.requestLog().map((r) => [r.route, r.rawPath, r.status])).toEqual([
      ["DELETE /v1/api_keys/{prefix}", `/v1/api_keys/${key.prefix}`, 200],
    ]);
    expect(emu.liveKeys()).toEqual([]);
    expect(leaked(emu, stack.transcript.join(""))).toEqual([]);
  });
});
