/**
 * The provider as the engine stores it: the `__provider` text an ApiKey registers. It must
 * hold no secret (the management key is set in this process's environment while it is
 * serialized), stay small, and work when loaded in a fresh Node process the way the engine's
 * dynamic-provider host loads it (`require-from-string`, then `configure`, then the method).
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { BasetenEmulator } from "../emulator";

let emu: BasetenEmulator;
let providerText = "";
const REPO = path.resolve(__dirname, "../..");

pulumi.runtime.setMocks(
  {
    newResource: (args) => {
      providerText = String(args.inputs.__provider);
      return { id: "mockmock", state: args.inputs };
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
  const { ApiKey } = require("../../provider") as typeof import("../../provider");
  const key = new ApiKey("serialized", { type: "PERSONAL" });
  await new Promise((resolve) => key.urn.apply(resolve));
});
afterAll(async () => {
  delete process.env.BASETEN_API_KEY;
  await emu.stop();
});

/** Runs `method(...args)` of the provider text in a fresh node, as the engine's host does. */
function runInFreshProcess(method: string, args: unknown[]): Promise<{ ok: boolean; result?: unknown; message?: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "provider-text-"));
  const file = path.join(dir, "provider.js");
  fs.writeFileSync(file, providerText);
  const script = `
    const requireFromString = require("require-from-string");
    const fs = require("fs");
    const provider = requireFromString(fs.readFileSync(${JSON.stringify(file)}, "utf8")).handler();
    const config = { "baseten:apiKey": process.env.TEST_MGMT_KEY, "baseten:apiUrl": process.env.TEST_API_URL };
    (async () => {
      await provider.configure({ config: { get: (k) => config[k] } });
      try {
        const result = await provider[${JSON.stringify(method)}](...${JSON.stringify(args)});
        console.log(JSON.stringify({ ok: true, result: result === undefined ? null : result }));
      } catch (e) {
        console.log(JSON.stringify({ ok: false, message: e.message }));
      }
    })();`;
  // The child resolves modules from the repo, as the host resolves them from the program's folder;
  // BASETEN_API_KEY is removed so only stack config (configure) can supply the key.
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

describe("the serialized provider", () => {
  it("contains no management key", async () => {
    expect(providerText.length).toBeGreaterThan(1000);
    expect(providerText).not.toContain(emu.managementKey);
  });
  it("stays small: under 192 KB when the provider is a local module (the package installed from npm is far smaller)", () => {
    // Measured from source in this repo: 110 KB at 0.2.0, 136 KB with the identity, index and
    // error-line work after it. See bench/ for the installed-package size.
    expect(Buffer.byteLength(providerText)).toBeLessThan(192 * 1024);
  });
  it("references npm modules instead of embedding them", () => {
    expect(providerText).toContain('require("node-fetch")');
    expect(providerText).not.toMatch(/class FetchError|function Body\(/);
  });
  it("revokes a key with its tombstone verified when loaded in a fresh process", async () => {
    const k = emu.createKeyOutOfBand({ type: "PERSONAL", name: "to-revoke" });
    const out = await runInFreshProcess("delete", [k.prefix, {}]);
    expect(out).toEqual({ ok: true, result: null });
    expect(emu.liveKeys()).toEqual([]);
    expect(emu.routeCounts()["DELETE /v1/api_keys/{prefix}"]).toBe(1);
  });
  it("refuses a tombstone for another key when loaded in a fresh process", async () => {
    const k = emu.createKeyOutOfBand({ type: "PERSONAL", name: "kept" });
    emu.injectFault({ kind: "wrongTombstone", prefix: "otherkey", method: "DELETE" });
    const out = await runInFreshProcess("delete", [k.prefix, {}]);
    expect(out.ok).toBe(false);
    expect(out.message).toContain(`tombstone for "otherkey", expected "${k.prefix}"`);
    expect(out.message).not.toContain(emu.managementKey);
    expect(emu.liveKeys().map((x) => x.prefix)).toEqual([k.prefix]);
  });
});
