/**
 * The Secret's provider as the engine stores it: the `__provider` text a Secret registers
 * holds no management key and no value, and works when loaded in a fresh Node process the
 * way the engine's dynamic-provider host loads it.
 */
import * as pulumi from "@pulumi/pulumi";
import { BasetenEmulator } from "../emulator";
import { callProviderText } from "../support/freshProviderProcess";

const VALUE = "fake-value-serialized-1";
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
    expect(
      await callProviderText(String(registered?.inputs.__provider), emu, "delete", ["team-default/to-delete", stored]),
    ).toEqual({ ok: true, result: null });
    expect(emu.secrets()).toEqual([]);
  });

  it("refuses a tombstone for another name in a fresh process, with a typed error", async () => {
    const s = emu.upsertSecretOutOfBand({ teamId: "team-default", name: "kept", value: "fake-x" });
    emu.injectFault({ kind: "wrongTombstone", name: "other", method: "DELETE" });
    const stored = { name: "kept", teamId: "team-default", teamName: "default", secretId: s.id };
    const out = await callProviderText(String(registered?.inputs.__provider), emu, "delete", ["team-default/kept", stored]);
    expect(out).toMatchObject({ ok: false, name: "BasetenError" });
    expect(out.message).toContain('tombstone for "other", expected "kept"');
    expect(emu.secrets()).toHaveLength(1);
  });
});
