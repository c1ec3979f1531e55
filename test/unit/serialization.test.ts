/**
 * The provider as the engine stores it: the `__provider` text an ApiKey registers. It must
 * hold no secret (the management key is set in this process's environment while it is
 * serialized), stay small, and work when loaded in a fresh Node process the way the engine's
 * dynamic-provider host loads it (`require-from-string`, then `configure`, then the method).
 */
import * as pulumi from "@pulumi/pulumi";
import { BasetenEmulator } from "../emulator";
import { callProviderText } from "../support/freshProviderProcess";

let emu: BasetenEmulator;
let providerText = "";

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
    const out = await callProviderText(providerText, emu, "delete", [k.prefix, {}]);
    expect(out).toEqual({ ok: true, result: null });
    expect(emu.liveKeys()).toEqual([]);
    expect(emu.routeCounts()["DELETE /v1/api_keys/{prefix}"]).toBe(1);
  });
  it("refuses a tombstone for another key when loaded in a fresh process", async () => {
    const k = emu.createKeyOutOfBand({ type: "PERSONAL", name: "kept" });
    emu.injectFault({ kind: "wrongTombstone", prefix: "otherkey", method: "DELETE" });
    const out = await callProviderText(providerText, emu, "delete", [k.prefix, {}]);
    expect(out.ok).toBe(false);
    expect(out.message).toContain(`tombstone for "otherkey", expected "${k.prefix}"`);
    expect(out.message).not.toContain(emu.managementKey);
    expect(emu.liveKeys().map((x) => x.prefix)).toEqual([k.prefix]);
  });
});
