/**
 * examples/rotation, run as written: a key rotated by quarter. The first run takes the current
 * quarter; a new period replaces the key, minting the new one before revoking the old one.
 */
import * as fs from "fs";
import * as path from "path";
import { BasetenEmulator } from "../emulator";
import { REPO_ROOT } from "../../scripts/pulumiCli";
import { expectNoLeaks, leaked, openExample, type ExampleRun } from "./exampleStack";

jest.setTimeout(10 * 60 * 1000);

let emu: BasetenEmulator;
let run: ExampleRun;
const POST = "POST /v1/api_keys";
const DELETE = "DELETE /v1/api_keys/{prefix}";

beforeAll(async () => {
  emu = await BasetenEmulator.start();
  run = await openExample("rotation", emu);
});
afterAll(async () => {
  await run?.remove();
  await emu?.stop();
});

const currentQuarter = () => {
  const now = new Date();
  return `${now.getUTCFullYear()}-Q${Math.floor(now.getUTCMonth() / 3) + 1}`;
};

describe("examples/rotation", () => {
  let first: { prefix: string; apiKey: string };

  it("the first up mints a key for the current quarter", async () => {
    const up = await run.stack.up();
    expect(up.outputs.rotationPeriod.value).toBe(currentQuarter());
    const [key] = emu.liveKeys();
    expect(emu.liveKeys()).toHaveLength(1);
    expect(up.outputs.apiKey).toEqual({ value: key.apiKey, secret: true });
    first = { prefix: key.prefix, apiKey: key.apiKey };
    expect((await run.stack.up({ expectNoChanges: true })).summary.resourceChanges).toEqual({ same: 2 });
  });

  it("preview of a new period shows the key's replacement and the changed trigger, and sends nothing", async () => {
    await run.stack.setConfig({ [`${run.project}:rotationPeriod`]: "2099-Q1" });
    emu.clearLog();
    const preview = await run.stack.preview({ diff: true });
    expect(preview.changeSummary).toEqual({ replace: 1, same: 1 });
    expect(preview.text).toMatch(/\+-pulumi-nodejs:dynamic\/baseten:ApiKey: \(replace\)/);
    expect(preview.text).toMatch(new RegExp(`period: "${currentQuarter()}" => "2099-Q1"`));
    expect(leaked(emu, preview.text)).toEqual([]);
    expect(emu.requestLog()).toEqual([]);
    fs.mkdirSync(path.join(REPO_ROOT, ".tmp"), { recursive: true });
    fs.writeFileSync(path.join(REPO_ROOT, ".tmp", "example-rotation-preview.txt"), preview.text);
  });

  it("up rotates: the new key is minted first, the old one revoked last, and the output is the new key", async () => {
    emu.clearLog();
    const up = await run.stack.up();
    expect(up.summary.resourceChanges).toEqual({ replace: 1, same: 1 });
    const writes = emu.requestLog().filter((r) => r.route === POST || r.route === DELETE);
    expect(writes.map((r) => [r.route, r.rawPath, r.status])).toEqual([
      [POST, "/v1/api_keys", 200],
      [DELETE, `/v1/api_keys/${first.prefix}`, 200],
    ]);
    const [live] = emu.liveKeys();
    expect(emu.liveKeys()).toHaveLength(1);
    expect(live.prefix).not.toBe(first.prefix);
    expect(up.outputs.apiKey).toEqual({ value: live.apiKey, secret: true });
    expect(up.outputs.rotationPeriod.value).toBe("2099-Q1");
    await expectNoLeaks(emu, run);
  });

  it("destroy revokes the live key and leaves nothing", async () => {
    await run.stack.destroy();
    expect(emu.liveKeys()).toEqual([]);
    expect(await run.stack.keyResources()).toEqual([]);
  });
});
