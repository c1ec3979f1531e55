/**
 * The Secret provider under Baseten's failures, injected by the emulator's seeded random faults
 * (500s, HTML 502s, 429s, connection resets, slow answers): whatever fails, a create that
 * resolves left the secret at Baseten with the program's value, a create that throws says how
 * to recover when the write may have landed, and a delete that resolves left nothing behind.
 * Each seed replays exactly. Fake values only.
 */
import type * as pulumi from "@pulumi/pulumi";
import { createSecretProvider, type SecretProvider } from "../../provider/secret/provider";
import type { SecretOutputs } from "../../provider/core/secrets/types";
import { PROVIDER_VERSION } from "../../provider/version";
import { BasetenEmulator } from "../emulator";

let emu: BasetenEmulator;
beforeAll(async () => {
  emu = await BasetenEmulator.start({ rateLimitPerSecond: null });
});
afterAll(() => emu.stop());
beforeEach(() => emu.reset());

async function configured(): Promise<SecretProvider> {
  const provider = createSecretProvider();
  // A 429's Retry-After is 0 and two retries at most, so the retry backoff stays short.
  const values: Record<string, string> = {
    "baseten:apiKey": emu.managementKey,
    "baseten:apiUrl": emu.url,
    "baseten:timeoutSeconds": "5",
    "baseten:maxRetries": "2",
  };
  await provider.configure!({ config: { get: (k: string) => values[k] } } as unknown as pulumi.dynamic.ConfigureRequest);
  return provider;
}

const VALUE = "fake-value-faults-0001";

describe.each([1, 2, 3, 4, 5])("seeded random faults, seed %i", (seed) => {
  it("keeps every promise of create and delete", async () => {
    emu.setRandomFaults({
      rate: 0.3,
      seed,
      kinds: ["serverError", "badGatewayHtml", "rateLimited", "reset", "latency"],
      latencyMs: 20,
      retryAfterSeconds: 0,
    });
    const p = await configured();
    const created: Array<{ id: string; outs: SecretOutputs }> = [];
    for (let i = 0; i < 6; i++) {
      const name = `s${i}`;
      const news = { name, value: VALUE, resourceName: name, providerVersion: PROVIDER_VERSION };
      const checked = await p.check!({} as never, news as never);
      try {
        const r = await p.create(checked.inputs as never);
        const atBaseten = emu.secrets().find((s) => s.name === name);
        expect(atBaseten?.value).toBe(VALUE);
        expect(atBaseten?.id).toBe((r.outs as SecretOutputs).secretId);
        created.push({ id: r.id, outs: r.outs as SecretOutputs });
      } catch (e) {
        const message = (e as Error).message;
        expect(message).not.toContain(VALUE);
        // Written or not, the error says so: either nothing was written, or it points to the recovery.
        if (emu.secrets().some((s) => s.name === name)) expect(message).toMatch(/may have reached Baseten|adoptExisting/);
      }
    }
    // The run met failures (else it proves nothing): some requests got a fault.
    expect(emu.requestLog().filter((r) => r.fault !== undefined).length).toBeGreaterThan(0);
    for (const { id, outs } of created) {
      try {
        await p.delete!(id, outs);
        expect(emu.secrets().some((s) => s.name === outs.name)).toBe(false);
      } catch (e) {
        expect((e as Error).message).not.toContain(VALUE);
        // Kept in state: a rerun (without faults) finishes the job, on a tombstone or on evidence.
        emu.setRandomFaults(null);
        await p.delete!(id, outs);
        expect(emu.secrets().some((s) => s.name === outs.name)).toBe(false);
        emu.setRandomFaults({ rate: 0.3, seed: seed + 100, kinds: ["serverError", "reset"], retryAfterSeconds: 0 });
      }
    }
    // The retries' backoff sleeps in real time (up to 2 retries a request; a destroy now also
    // reads the listing and the audit log): bounded, but more than jest's 5 s on a loaded machine.
  }, 60_000);
});
