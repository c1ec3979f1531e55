/**
 * A stack of a few hundred keys in a workspace of tens of thousands (issue 21): one listing per
 * process, and every lookup (by prefix, by name in a scope, a scope's keys) answered from an
 * index built once per listing, so the work grows with the stack, not the workspace. The work
 * is counted (reads of listed keys' fields), not timed: the count does not depend on the
 * machine. The emulator's preloaded keys stand for the workspace (spec: `GET /v1/api_keys` has
 * no paging, so its listing holds all of them).
 */
import { BasetenClient } from "../../provider/client/baseten";
import { createKey } from "../../provider/core/keys/create";
import { readKey } from "../../provider/core/keys/read";
import { ProviderRuntime } from "../../provider/core/runtime";
import type { ListedApiKey } from "../../provider/client/baseten";
import type { ApiKeyInputs, ApiKeyOutputs } from "../../provider/core/keys/types";
import { PROVIDER_VERSION } from "../../provider/version";
import { BasetenEmulator } from "../emulator";

const OTHERS = 50_000;
const STACK = 200;

let emu: BasetenEmulator;
beforeAll(async () => {
  emu = await BasetenEmulator.start({ rateLimitPerSecond: null, preloadKeys: OTHERS });
});
afterAll(() => emu.stop());
beforeEach(() => emu.reset()); // keeps the preloaded keys (EmulatorOptions.preloadKeys)

/** Field reads of listed keys, counted through getters on each listed key. */
let fieldReads = 0;
function counted(key: ListedApiKey): ListedApiKey {
  const out = {} as ListedApiKey;
  for (const [field, value] of Object.entries(key)) {
    Object.defineProperty(out, field, {
      enumerable: true,
      get: () => {
        fieldReads++;
        return value;
      },
    });
  }
  return out;
}

/** A client whose listings count every read of their keys' fields. */
class CountingClient extends BasetenClient {
  listings = 0;
  override async listKeys(): Promise<ListedApiKey[]> {
    this.listings++;
    return (await super.listKeys()).map(counted);
  }
}

function runtime(): { rt: ProviderRuntime; client: CountingClient } {
  const settings = { apiKey: emu.managementKey, apiUrl: emu.url, timeoutMs: 30_000, maxRetries: 0, retryBudgetMs: 60_000 };
  const client = new CountingClient({ baseUrl: settings.apiUrl, apiKey: settings.apiKey, timeoutMs: settings.timeoutMs });
  return { rt: new ProviderRuntime(settings, client), client };
}

const inputsOf = (i: number): ApiKeyInputs => ({
  type: "WORKSPACE_INVOKE",
  name: `stack-key-${i}`,
  autoName: i % 2 === 0, // both paths: a generated name looks for a free one, an explicit one refuses a taken one
  modelIds: ["model-a"],
  providerVersion: PROVIDER_VERSION,
  resourceName: `key-${i}`,
});

describe(`${STACK} stack keys among ${OTHERS} others`, () => {
  jest.setTimeout(120_000);

  it("creates and refreshes them with one listing each, reading each listed key a bounded number of times", async () => {
    const up = runtime();
    fieldReads = 0;
    const created: Array<{ id: string; outs: ApiKeyOutputs }> = [];
    for (let i = 0; i < STACK; i++) created.push(await createKey(up.rt, inputsOf(i), "provider-code"));
    expect(up.client.listings).toBe(1);
    // Scanning the listing per key would read ~4 fields of 50,000 keys per lookup, 3 lookups a key: 120 million.
    const upReads = fieldReads;
    expect(upReads).toBeLessThan(20 * OTHERS);

    const refresh = runtime();
    fieldReads = 0;
    const read = await Promise.all(created.map((c) => readKey(refresh.rt, c.id, c.outs)));
    expect(refresh.client.listings).toBe(1);
    expect(read.map((r) => r?.name)).toEqual(created.map((c) => c.outs.name));
    expect(fieldReads).toBeLessThan(20 * OTHERS);
    console.log(`field reads of listed keys: up ${upReads}, refresh ${fieldReads} (${OTHERS + STACK} keys listed)`);
  });

  it("still finds a name taken among the others, in the create's scope only", async () => {
    const { rt } = runtime();
    const taken = emu.liveKeys().find((k) => k.name === "preloaded-31337")!;
    await expect(createKey(rt, { ...inputsOf(1), name: "preloaded-31337" }, "provider-code")).rejects.toThrow(
      new RegExp(`a live key named "preloaded-31337" already exists in the workspace .*prefix ${taken.prefix}`),
    );
    // Another scope (team ml-platform): the name is free there.
    const inTeam = await createKey(rt, { ...inputsOf(1), name: "preloaded-31337", teamName: "ml-platform" }, "provider-code");
    expect(emu.liveKeys().find((k) => k.prefix === inTeam.id)?.teamName).toBe("ml-platform");
    // A generated name taken among the others gets the first free replacement name.
    const generated = await createKey(rt, { ...inputsOf(0), name: "preloaded-7" }, "provider-code");
    expect(generated.outs.name).toBe("preloaded-7-r1");
  });
});
