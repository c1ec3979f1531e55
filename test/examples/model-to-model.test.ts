/**
 * examples/model-to-model, run as written: a `RotatingApiKey` scoped to one model, written into
 * a Baseten secret another model reads. Time moves through the provider's clock
 * (BASETEN_PROVIDER_NOW in the CLI's environment: `atClock`), never by waiting. A rotation must
 * mint the next key and update the secret in place while the previous key stays live; the first
 * `up` after the overlap revokes the previous key and writes nothing else. Checked in the
 * emulator's request log (the routes are the spec's: test/contract/baseten-openapi.json).
 */
import { BasetenEmulator, dottedManagementKey, SECRET_ROUTES } from "../emulator";
import { atClock, expectNoLeaks, leaked, openExample, type ExampleRun } from "./exampleStack";

jest.setTimeout(15 * 60 * 1000);

let emu: BasetenEmulator;
let run: ExampleRun;
const POST_KEY = "POST /v1/api_keys";
const DELETE_KEY = "DELETE /v1/api_keys/{prefix}";
const POST_SECRET = SECRET_ROUTES.upsertTeamSecret;
const DELETE_SECRET = SECRET_ROUTES.deleteTeamSecret;
const WRITES = [POST_KEY, DELETE_KEY, POST_SECRET, DELETE_SECRET] as string[];
const RERANKER = "model-rerank";
const ROTATING_TYPE = "pulumi-nodejs:dynamic/baseten:RotatingApiKey";

// The example's defaults: `every` 30d, `overlap` 2d. A fixed start, so every date is exact.
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const T0 = Date.parse("2031-03-03T09:00:00.000Z");
const DUE = T0 + 30 * DAY; // g1's rotateAfter
const ROTATED = DUE + HOUR; // the run that rotates
const OVERLAP_END = ROTATED + 2 * DAY;
const iso = (ms: number) => new Date(ms).toISOString();
const at = (ms: number) => new Date(ms);

beforeAll(async () => {
  emu = await BasetenEmulator.start({ managementKey: dottedManagementKey() });
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
const live = () => emu.liveKeys().map((k) => k.prefix);

describe("examples/model-to-model", () => {
  let base: string;
  let g1: { prefix: string; apiKey: string };
  let g2: { prefix: string; apiKey: string };
  let secretId: string;

  it("preview creates and sends nothing; up mints g1, then writes it into the secret; a second up changes nothing", async () => {
    const preview = await atClock(at(T0), () => run.stack.preview());
    expect(preview.changeSummary).toEqual({ create: 3 });
    expect(emu.requestLog()).toEqual([]);

    const up = await atClock(at(T0), () => run.stack.up());
    expect(up.summary.resourceChanges).toEqual({ create: 3 });
    expect(writes()).toEqual([
      [POST_KEY, "/v1/api_keys", 200],
      [POST_SECRET, "/v1/teams/team-default/secrets", 200],
    ]);
    const [key] = emu.liveKeys();
    expect(emu.liveKeys()).toHaveLength(1);
    expect(key).toMatchObject({ type: "WORKSPACE_INVOKE", modelIds: [RERANKER] });
    expect(key.name).toMatch(/-g1$/);
    base = key.name!.slice(0, -"-g1".length);
    const state = await run.stack.exportState();
    expect((state.deployment.resources ?? []).filter((r) => r.type === ROTATING_TYPE).map((r) => r.id)).toEqual([
      `rotating/${base}`,
    ]);
    const [secret] = emu.secrets();
    expect(emu.secrets()).toHaveLength(1);
    expect(secret).toMatchObject({ name: "reranker_api_key", teamId: "team-default" });
    expect(secret.value).toBe(key.apiKey);
    expect(up.outputs.keyPrefix).toEqual({ value: key.prefix, secret: false });
    expect(up.outputs.previousPrefix?.value).toBeUndefined();
    expect(up.outputs.rotateAfter).toEqual({ value: iso(DUE), secret: false });
    expect(up.outputs.secretId).toEqual({ value: secret.id, secret: false });
    g1 = { prefix: key.prefix, apiKey: key.apiKey };
    secretId = secret.id;

    // A day before the due date: nothing to do, nothing sent.
    emu.clearLog();
    const again = await atClock(at(DUE - DAY), () => run.stack.up({ expectNoChanges: true }));
    expect(again.summary.resourceChanges).toEqual({ same: 3 });
    expect(emu.requestLog()).toEqual([]);
    await expectNoLeaks(emu, run);
  });

  it("past the due date, preview shows the rotation and its reason, and sends nothing", async () => {
    emu.clearLog();
    const preview = await atClock(at(ROTATED), () => run.stack.preview({ diff: true }));
    // The key's schedule moves (an update in place: same id, no replacement); the secret's value
    // is the key's next plaintext, unknown until the mint.
    expect(preview.changeSummary).toEqual({ update: 2, same: 1 });
    expect(preview.text).toMatch(/~ pulumi-nodejs:dynamic\/baseten:RotatingApiKey: \(update\)/);
    expect(preview.text).toContain(`[id=rotating/${base}]`);
    expect(preview.text).toMatch(/~ pulumi-nodejs:dynamic\/baseten:Secret: \(update\)[^]*~ value: \[secret\] => \[unknown\]/);
    expect(preview.text).toMatch(new RegExp(`\\+ overlapEndsAt\\s*: "${iso(OVERLAP_END)}"`));
    expect(preview.text).toContain(`${base}-g1 reached its rotation age (every 30d) at ${iso(DUE)}`);
    expect(preview.text).toMatch(new RegExp(`keyName\\s*: "${base}-g1" => "${base}-g2"`));
    expect(emu.requestLog()).toEqual([]);
    expect(leaked(emu, preview.text)).toEqual([]);
    await expectNoLeaks(emu, run);
  });

  it("up rotates: mints g2, updates the secret in place with it, and revokes nothing; both keys stay live", async () => {
    emu.clearLog();
    const up = await atClock(at(ROTATED), () => run.stack.up());
    expect(up.summary.resourceChanges).toEqual({ update: 2, same: 1 });
    expect(writes()).toEqual([
      [POST_KEY, "/v1/api_keys", 200],
      [POST_SECRET, "/v1/teams/team-default/secrets", 200],
    ]);
    const minted = emu.liveKeys().find((k) => k.prefix !== g1.prefix)!;
    expect(minted).toMatchObject({ name: `${base}-g2`, type: "WORKSPACE_INVOKE", modelIds: [RERANKER] });
    g2 = { prefix: minted.prefix, apiKey: minted.apiKey };
    expect(live().sort()).toEqual([g1.prefix, g2.prefix].sort());
    const [secret] = emu.secrets();
    expect(emu.secrets()).toHaveLength(1);
    expect(secret.id).toBe(secretId); // updated in place, not replaced
    expect(secret.value).toBe(g2.apiKey);
    expect(up.outputs.keyPrefix.value).toBe(g2.prefix);
    expect(up.outputs.previousPrefix).toEqual({ value: g1.prefix, secret: false });
    expect(up.outputs.rotateAfter.value).toBe(iso(ROTATED + 30 * DAY));
    expect(up.outputs.secretId.value).toBe(secretId);

    // Within the overlap, a run changes nothing: replicas that read g1 keep working.
    emu.clearLog();
    const within = await atClock(at(OVERLAP_END - 60_000), () => run.stack.up({ expectNoChanges: true }));
    expect(within.summary.resourceChanges).toEqual({ same: 3 });
    expect(emu.requestLog()).toEqual([]);
    expect(live().sort()).toEqual([g1.prefix, g2.prefix].sort());
    await expectNoLeaks(emu, run);
  });

  it("the first up after the overlap revokes the previous key (tombstone verified) and writes nothing else", async () => {
    emu.clearLog();
    const up = await atClock(at(OVERLAP_END + HOUR), () => run.stack.up());
    expect(up.summary.resourceChanges).toEqual({ update: 1, same: 2 });
    expect(writes()).toEqual([[DELETE_KEY, `/v1/api_keys/${g1.prefix}`, 200]]);
    expect(up.text).toContain(
      `Rotating key "rotating/${base}" revoked "${g1.prefix}" (${base}-g1): Baseten's tombstone names it (verified).`,
    );
    expect(live()).toEqual([g2.prefix]);
    const [secret] = emu.secrets();
    expect(emu.secrets()).toHaveLength(1);
    expect(secret.id).toBe(secretId);
    expect(secret.value).toBe(g2.apiKey);
    expect(up.outputs.keyPrefix.value).toBe(g2.prefix);
    expect(up.outputs.previousPrefix?.value).toBeUndefined();
    await expectNoLeaks(emu, run);
  });

  it("destroy deletes the secret and revokes every key, each removal verified; nothing stays live", async () => {
    emu.clearLog();
    const destroy = await atClock(at(OVERLAP_END + 2 * HOUR), () => run.stack.destroy());
    expect(destroy.summary.result).toBe("succeeded");
    expect(writes()).toEqual([
      [DELETE_SECRET, `/v1/teams/team-default/secrets/${encodeURIComponent("reranker_api_key")}`, 200],
      [DELETE_KEY, `/v1/api_keys/${g2.prefix}`, 200],
    ]);
    expect(destroy.text).toContain(`Revoked every key of rotating key "rotating/${base}": `);
    expect(emu.secrets()).toEqual([]);
    expect(emu.liveKeys()).toEqual([]);
    expect(
      emu
        .allKeys()
        .map((k) => [k.prefix, k.revoked])
        .sort(),
    ).toEqual(
      [
        [g1.prefix, true],
        [g2.prefix, true],
      ].sort(),
    );
    expect((await run.stack.exportState()).deployment.resources ?? []).toEqual([]);
    await expectNoLeaks(emu, run);
  });
});
