/**
 * examples/handoff, run as written: the new key handed to another resource (an env file)
 * stays a Pulumi secret in state and output; only the file holds the plaintext.
 */
import * as fs from "fs";
import * as path from "path";
import { BasetenEmulator } from "../emulator";
import { expectNoLeaks, openExample, SECRET_SIG, type ExampleRun } from "./exampleStack";

jest.setTimeout(10 * 60 * 1000);

let emu: BasetenEmulator;
let run: ExampleRun;
let envFile: string;

beforeAll(async () => {
  emu = await BasetenEmulator.start();
  run = await openExample("handoff", emu);
  envFile = path.join(run.dir, "worker.env");
  await run.stack.setConfig({ [`${run.project}:envFile`]: envFile });
});
afterAll(async () => {
  await run?.remove();
  await emu?.stop();
});

describe("examples/handoff", () => {
  it("preview shows the key and the env file to create, writes nothing and sends nothing", async () => {
    const preview = await run.stack.preview({ diff: true });
    expect(preview.changeSummary).toEqual({ create: 3 });
    expect(preview.text).toMatch(/\+ pulumi-nodejs:dynamic\/handoff:SecretFile: \(create\)/);
    expect(fs.existsSync(envFile)).toBe(false);
    expect(emu.requestLog()).toEqual([]);
  });

  it("up writes the plaintext only to the 0600 file; state holds the file's content encrypted", async () => {
    const up = await run.stack.up();
    const [key] = emu.liveKeys();
    expect(fs.readFileSync(envFile, "utf8")).toBe(`BASETEN_API_KEY=${key.apiKey}\n`);
    expect(fs.statSync(envFile).mode & 0o777).toBe(0o600);
    expect(up.outputs.envFilePath).toEqual({ value: envFile, secret: false });
    expect(up.outputs.apiKey).toEqual({ value: key.apiKey, secret: true });

    const state = await run.stack.exportState();
    const file = (state.deployment.resources ?? []).find((r) => r.type === "pulumi-nodejs:dynamic/handoff:SecretFile") as {
      inputs: Record<string, unknown>;
      outputs: Record<string, unknown>;
    };
    expect(JSON.stringify(file.inputs.content)).toContain(SECRET_SIG);
    expect(JSON.stringify(file.outputs.content)).toContain(SECRET_SIG);
    expect(file.outputs.path).toBe(envFile);
    await expectNoLeaks(emu, run);
  });

  it("destroy removes the file and revokes the key", async () => {
    emu.clearLog();
    await run.stack.destroy();
    expect(fs.existsSync(envFile)).toBe(false);
    expect(emu.requestLog().map((r) => [r.route, r.status])).toEqual([["DELETE /v1/api_keys/{prefix}", 200]]);
    expect(emu.liveKeys()).toEqual([]);
    await expectNoLeaks(emu, run);
  });
});
