/** examples/scoped-invoke, run as written: one invoke-only key per model of a service. */
import { BasetenEmulator } from "../emulator";
import { expectNoLeaks, openExample, type ExampleRun } from "./exampleStack";

jest.setTimeout(10 * 60 * 1000);

let emu: BasetenEmulator;
let run: ExampleRun;
const POST = "POST /v1/api_keys";
const DELETE = "DELETE /v1/api_keys/{prefix}";
const models = { embedder: "model-embed", reranker: "model-rerank" };

beforeAll(async () => {
  emu = await BasetenEmulator.start();
  run = await openExample("scoped-invoke", emu, { models: JSON.stringify(models) });
});
afterAll(async () => {
  await run?.remove();
  await emu?.stop();
});

describe("examples/scoped-invoke", () => {
  it("preview shows two keys to create and sends nothing", async () => {
    const preview = await run.stack.preview();
    expect(preview.changeSummary).toEqual({ create: 3 });
    expect(emu.requestLog()).toEqual([]);
  });

  it("up mints one WORKSPACE_INVOKE key per model, each scoped to that model only", async () => {
    const up = await run.stack.up();
    const live = emu.liveKeys();
    expect(live.map((k) => [k.type, k.modelIds]).sort()).toEqual([
      ["WORKSPACE_INVOKE", ["model-embed"]],
      ["WORKSPACE_INVOKE", ["model-rerank"]],
    ]);
    const byModel = (m: string) => live.find((k) => k.modelIds?.[0] === m)!;
    expect(up.outputs.prefixes).toEqual({
      value: { embedder: byModel("model-embed").prefix, reranker: byModel("model-rerank").prefix },
      secret: false,
    });
    expect(up.outputs.apiKeys).toEqual({
      value: { embedder: byModel("model-embed").apiKey, reranker: byModel("model-rerank").apiKey },
      secret: true,
    });
    await expectNoLeaks(emu, run);
  });

  it("a third model mints one more key and touches neither of the others", async () => {
    await run.stack.setConfig({ [`${run.project}:models`]: JSON.stringify({ ...models, classifier: "model-class" }) });
    emu.clearLog();
    const up = await run.stack.up();
    expect(up.summary.resourceChanges).toEqual({ create: 1, same: 3 });
    expect(emu.routeCounts()[POST]).toBe(1);
    expect(emu.routeCounts()[DELETE]).toBe(0);
    expect(emu.liveKeys()).toHaveLength(3);
  });

  it("destroy revokes every key with a verified tombstone", async () => {
    emu.clearLog();
    await run.stack.destroy();
    expect(emu.requestLog().map((r) => [r.route, r.status])).toEqual([
      [DELETE, 200],
      [DELETE, 200],
      [DELETE, 200],
    ]);
    expect(emu.liveKeys()).toEqual([]);
    await expectNoLeaks(emu, run);
  });
});
