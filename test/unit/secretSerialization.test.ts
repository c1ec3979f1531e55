/**
 * The Secret's provider as the engine stores it: the `__provider` text a Secret registers
 * holds no management key and no value, and works when loaded in a fresh Node process the
 * way the engine's dynamic-provider host loads it.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { BasetenEmulator } from "../emulator";

const VALUE = "fake-value-serialized-1";
const REPO = path.resolve(__dirname, "../..");
let emu: BasetenEmulator;
let registered: { type: string; inputs: Record<string, unknown> } | undefined;

pulumi.runtime.setMocks(
  {
    newResource: (args) => {
      registered = { type: args.type, inputs: args.inputs };
      return { id: "team-default/serialized", state: args.inputs };
    },
    call: () => ({}),
  },
  "project",
  "stack",
  false,
);

beforeAll(async () => {
  emu = await BasetenEmulator.start();
  process.env.BASETEN_API_KEY = emu.managementKey; // a capture at serialization time would leak it
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Secret } = require("../../provider") as typeof import("../../provider");
  const secret = new Secret("serialized", { name: "serialized", value: VALUE });
  await new Promise((resolve) => secret.urn.apply(resolve));
});
afterAll(async () => {
  delete process.env.BASETEN_API_KEY;
  await emu.stop();
});

function runInFreshProcess(method: string, args: unknown[]): Promise<{ ok: boolean; message?: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "secret-provider-text-"));
  const file = path.join(dir, "provider.js");
  fs.writeFileSync(file, String(registered?.inputs.__provider));
  const script = `
    const provider = require("require-from-string")(require("fs").readFileSync(${JSON.stringify(file)}, "utf8")).handler();
    const config = { "baseten:apiKey": process.env.TEST_MGMT_KEY, "baseten:apiUrl": process.env.TEST_API_URL };
    (async () => {
      await provider.configure({ config: { get: (k) => config[k] } });
      try {
        await provider[${JSON.stringify(method)}](...${JSON.stringify(args)});
        console.log(JSON.stringify({ ok: true }));
      } catch (e) {
        console.log(JSON.stringify({ ok: false, message: e.message, name: e.name }));
      }
    })();`;
  const env: NodeJS.ProcessEnv = { ...process.env, TEST_MGMT_KEY: emu.managementKey, TEST_API_URL: emu.url };
  delete env.BASETEN_API_KEY;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ["-e", script], { cwd: REPO, env }, (err, stdout, stderr) => {
      fs.rmSync(dir, { recursive: true, force: true });
      if (err) return reject(new Error(`fresh process failed: ${stderr}`));
      resolve(JSON.parse(stdout.trim().split("\n").pop() as string));
    });
  });
}

describe("the serialized Secret provider", () => {
  it("registers the type token pulumi-nodejs:dynamic/baseten:Secret", () => {
    expect(registered?.type).toBe("pulumi-nodejs:dynamic/baseten:Secret");
  });

  it("contains no management key and no value", () => {
    const text = String(registered?.inputs.__provider);
    expect(text.length).toBeGreaterThan(1000);
    expect(text).not.toContain(emu.managementKey);
    expect(text).not.toContain(VALUE);
    expect(text).toContain('require("node-fetch")');
  });

  it("deletes a secret with its tombstone verified when loaded in a fresh process", async () => {
    const s = emu.upsertSecretOutOfBand({ teamId: "team-default", name: "to-delete", value: "fake-x" });
    const stored = { name: "to-delete", teamId: "team-default", teamName: "default", secretId: s.id };
    expect(await runInFreshProcess("delete", ["team-default/to-delete", stored])).toEqual({ ok: true });
    expect(emu.secrets()).toEqual([]);
  });

  it("refuses a tombstone for another name in a fresh process, with a typed error", async () => {
    const s = emu.upsertSecretOutOfBand({ teamId: "team-default", name: "kept", value: "fake-x" });
    emu.injectFault({ kind: "wrongTombstone", name: "other", method: "DELETE" });
    const stored = { name: "kept", teamId: "team-default", teamName: "default", secretId: s.id };
    const out = await runInFreshProcess("delete", ["team-default/kept", stored]);
    expect(out).toMatchObject({ ok: false, name: "BasetenError" });
    expect(out.message).toContain('tombstone for "other", expected "kept"');
    expect(emu.secrets()).toHaveLength(1);
  });
});
