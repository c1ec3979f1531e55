/**
 * examples/model-to-model, run as written: an invoke key scoped to one model, written into a
 * Baseten secret another model reads. A rotation must replace the key, update the secret in
 * place, and only then revoke the old key: checked in the emulator's request log.
 */
import { BasetenEmulator, SECRET_ROUTES } from "../emulator";
import { expectNoLeaks, leaked, openExample, type ExampleRun } from "./exampleStack";

jest.setTimeout(10 * 60 * 1000);

let emu: BasetenEmulator;
let run: ExampleRun;
const POST_KEY = "POST /v1/api_keys";
const DELETE_KEY = "DELETE /v1/api_keys/{prefix}";
const POST_SECRET = SECRET_ROUTES.upsertTeamSecret;
const DELETE_SECRET = SECRET_ROUTES.deleteTeamSecret;
const WRITES = [POST_KEY, DELETE_KEY, POST_SECRET, DELETE_SECRET] as string[];
const RERANKER = "model-rerank";

beforeAll(async () => {
  emu = await BasetenEmulator.start();
  run = await openExample("model-to-model", emu, { rerankerModelId: RERANKER });
});
afterAll(async () => {
  await run?.remove();
  await emu?.stop();
});

const writes = () =>
  emu
    .requestLog()
    .filter((r) => WRITES.includes(r.route))
    .map((r) => [r.route, r.rawPath, r.status]);

describe("examples/model-to-model", () => {
  let first: { prefix: string; secretId: string };

  it("preview shows a key and a secret to create and sends nothing", async () => {
    const preview = await run.stack.preview();
    expect(preview.changeSummary).toEqual({ create: 3 });
    expect(emu.requestLog()).toEqual([]);
  });

  it("up mints an invoke key scoped to the reranker, then writes it into the secret the caller reads", async () => {
    const up = await run.stack.up();
    const [key] = emu.liveKeys();
    expect(emu.liveKeys()).toHaveLength(1);
    expect(key).toMatchObject({ type: "WORKSPACE_INVOKE", modelIds: [RERANKER] });
    const [secret] = emu.secrets();
    expect(emu.secrets()).toHaveLength(1);
    expect(secret).toMatchObject({ name: "reranker_api_key", teamId: "team-default" });
    expect(secret.value).toBe(key.apiKey);
    expect(writes()).toEqual([
      [POST_KEY, "/v1/api_keys", 200],
      [POST_SECRET, "/v1/teams/team-default/secrets", 200],
    ]);
    expect(up.outputs.secretId).toEqual({ value: secret.id, secret: false });
    expect(up.outputs.keyPrefix.value).toBe(key.prefix);
    first = { prefix: key.prefix, secretId: secret.id };
    expect((await run.stack.up({ expectNoChanges: true })).summary.resourceChanges).toEqual({ same: 3 });
    await expectNoLeaks(emu, run);
  });

  it("a rotation replaces the key, updates the secret in place, then revokes the old key, in that order", async () => {
    await run.stack.setConfig({ [`${run.project}:rotation`]: "2099-01" });
    emu.clearLog();
    const preview = await run.stack.preview();
    expect(preview.changeSummary).toEqual({ replace: 1, update: 1, same: 1 });
    expect(emu.requestLog()).toEqual([]);
    expect(leaked(emu, preview.text)).toEqual([]);

    const up = await run.stack.up();
    expect(up.summary.resourceChanges).toEqual({ replace: 1, update: 1, same: 1 });
    const [key] = emu.liveKeys();
    expect(emu.liveKeys()).toHaveLength(1);
    expect(key.prefix).not.toBe(first.prefix);
    expect(writes()).toEqual([
      [POST_KEY, "/v1/api_keys", 200],
      [POST_SECRET, "/v1/teams/team-default/secrets", 200],
      [DELETE_KEY, `/v1/api_keys/${first.prefix}`, 200],
    ]);
    const [secret] = emu.secrets();
    expect(secret.id).toBe(first.secretId); // updated in place, not replaced
    expect(secret.value).toBe(key.apiKey);
    expect(up.outputs.secretId.value).toBe(first.secretId);
    await expectNoLeaks(emu, run);
  });

  it("destroy deletes the secret and revokes the key, each removal verified", async () => {
    emu.clearLog();
    const destroy = await run.stack.destroy();
    expect(destroy.summary.result).toBe("succeeded");
    expect(emu.secrets()).toEqual([]);
    expect(emu.liveKeys()).toEqual([]);
    const removals = writes();
    expect(removals.map(([route, , status]) => [route, status])).toEqual([
      [DELETE_SECRET, 200],
      [DELETE_KEY, 200],
    ]);
    expect((await run.stack.exportState()).deployment.resources ?? []).toEqual([]);
    await expectNoLeaks(emu, run);
  });
});
