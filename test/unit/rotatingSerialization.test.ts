/**
 * RotatingApiKey's provider as the engine stores it: the `__provider` text the class registers
 * holds no management key, and runs a whole rotation (check, create, check and update past the
 * due date, delete) when loaded in a fresh Node process the way the engine's dynamic-provider
 * host loads it, reading its clock from BASETEN_PROVIDER_NOW there.
 */
import * as pulumi from "@pulumi/pulumi";
import { BasetenEmulator } from "../emulator";
import { runProviderText } from "../support/freshProviderProcess";

let emu: BasetenEmulator;
let registered: { type: string; inputs: Record<string, unknown> } | undefined;

pulumi.runtime.setMocks(
  {
    newResource: (args) => {
      registered = { type: args.type, inputs: args.inputs };
      return { id: "rotating/serialized", state: args.inputs };
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
  const { RotatingApiKey } = require("../../provider") as typeof import("../../provider");
  const key = new RotatingApiKey("serialized", { type: "WORKSPACE_INVOKE", rotation: { every: "30d", overlap: "0s" } });
  await new Promise((resolve) => key.urn.apply(resolve));
});
afterAll(async () => {
  delete process.env.BASETEN_API_KEY;
  await emu.stop();
});

describe("the serialized RotatingApiKey provider", () => {
  it("registers the type token pulumi-nodejs:dynamic/baseten:RotatingApiKey", () => {
    expect(registered?.type).toBe("pulumi-nodejs:dynamic/baseten:RotatingApiKey");
  });

  it("contains no management key", () => {
    const text = String(registered?.inputs.__provider);
    expect(text.length).toBeGreaterThan(1000);
    expect(text).not.toContain(emu.managementKey);
  });

  it("rotates and revokes in a fresh process, on the clock BASETEN_PROVIDER_NOW gives it", async () => {
    const news = { ...registered!.inputs, __provider: "stored-provider-text" };
    const out = await runProviderText(
      String(registered?.inputs.__provider),
      emu,
      `
      try {
      const news = ${JSON.stringify(news)};
      process.env.BASETEN_PROVIDER_NOW = "2026-01-01T00:00:00Z";
      const first = await provider.check({}, news);
      const created = await provider.create(first.inputs);
      process.env.BASETEN_PROVIDER_NOW = "2026-02-01T00:00:00Z";
      const second = await provider.check(first.inputs, news);
      const diff = await provider.diff(created.id, created.outs, second.inputs);
      const updated = await provider.update(created.id, created.outs, second.inputs);
      await provider.delete(created.id, updated.outs);
      console.log(JSON.stringify({ ok: true, id: created.id, failures: first.failures, diff, first: first.inputs.rotatedAt,
        generations: updated.outs.keys.map((k) => k.generation) }));
      } catch (e) {
        console.log(JSON.stringify({ ok: false, message: e.message, name: e.name }));
      }`,
    );
    expect(out).toMatchObject({
      ok: true,
      failures: [],
      first: "2026-01-01T00:00:00.000Z",
      diff: { changes: true, replaces: [] },
      // With overlap "0s", g1 still outlives the run that mints g2 (its consumers update after it).
      generations: [2, 1],
    });
    expect(String(out.id)).toMatch(/^rotating\/serialized-[a-z0-9]{7}$/);
    expect(emu.liveKeys()).toEqual([]);
    expect(
      emu
        .requestLog()
        .filter((r) => r.method === "POST" || r.method === "DELETE")
        .map((r) => r.method),
    ).toEqual(["POST", "POST", "DELETE", "DELETE"]);
  });
});
