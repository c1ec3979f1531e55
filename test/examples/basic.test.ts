/** examples/basic, run as written: one personal key, exported as a secret. */
import { BasetenEmulator } from "../emulator";
import { expectNoLeaks, openExample, type ExampleRun } from "./exampleStack";

jest.setTimeout(10 * 60 * 1000);

let emu: BasetenEmulator;
let run: ExampleRun;

beforeAll(async () => {
  emu = await BasetenEmulator.start();
  run = await openExample("basic", emu);
});
afterAll(async () => {
  await run?.remove();
  await emu?.stop();
});

describe("examples/basic", () => {
  it("preview shows one key to create and sends nothing", async () => {
    const preview = await run.stack.preview({ diff: true });
    expect(preview.changeSummary).toEqual({ create: 2 });
    expect(preview.text).toMatch(/\+ pulumi-nodejs:dynamic\/baseten:ApiKey: \(create\)/);
    expect(emu.requestLog()).toEqual([]);
  });

  it("up mints one personal key and exports its plaintext as a secret", async () => {
    const up = await run.stack.up();
    const [key] = emu.liveKeys();
    expect(emu.liveKeys()).toHaveLength(1);
    expect(key.type).toBe("PERSONAL");
    expect(key.name).toMatch(/^ci-deployer-[a-z0-9]{7}$/);
    expect(up.outputs.prefix).toEqual({ value: key.prefix, secret: false });
    expect(up.outputs.apiKey).toEqual({ value: key.apiKey, secret: true });
    await expectNoLeaks(emu, run);
  });

  it("destroy revokes it with a verified tombstone and leaves nothing", async () => {
    emu.clearLog();
    await run.stack.destroy();
    expect(emu.requestLog().map((r) => [r.route, r.status])).toEqual([["DELETE /v1/api_keys/{prefix}", 200]]);
    expect(emu.liveKeys()).toEqual([]);
    expect(await run.stack.keyResources()).toEqual([]);
    await expectNoLeaks(emu, run);
  });
});
