/**
 * examples/model-to-model, run as written: a `RotatingApiKey` scoped to one model, whose key
 * reaches a Baseten secret another model reads. Its two forms: `delivery: secret` (the default:
 * the key writes itself into the secret, `deliverTo`) and `delivery: apiKey` (its `apiKey`
 * output written by a `Secret`). Time moves through the provider's clock (BASETEN_PROVIDER_NOW
 * in the CLI's environment: `atClock`), never by waiting. A rotation must mint the next key and
 * write it into the secret in place while the previous key stays live; the first `up` after the
 * overlap revokes the previous key and writes nothing else. Checked in order in the emulator's
 * request log (the routes are the spec's: test/contract/baseten-openapi.json).
 */
import { BasetenEmulator, dottedManagementKey } from "../emulator";
import { deliverySteps } from "../support/delivery";
import { atClock, expectNoLeaks, leaked, openExample, type ExampleRun } from "./exampleStack";

jest.setTimeout(15 * 60 * 1000);

const RERANKER = "model-rerank";
const ROTATING_TYPE = "pulumi-nodejs:dynamic/baseten:RotatingApiKey";
const TEAM_SECRETS = "/v1/teams/team-default/secrets";
const SECRET_PATH = `${TEAM_SECRETS}/${encodeURIComponent("reranker_api_key")}`;

// The example's defaults: `every` 30d, `overlap` 2d. A fixed start, so every date is exact.
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const T0 = Date.parse("2031-03-03T09:00:00.000Z");
const DUE = T0 + 30 * DAY; // g1's rotateAfter
const ROTATED = DUE + HOUR; // the run that rotates
const OVERLAP_END = ROTATED + 2 * DAY;
const iso = (ms: number) => new Date(ms).toISOString();
const at = (ms: number) => new Date(ms);

/** The emulator's log since it was cleared, in order (test/support/delivery.ts). */
const steps = deliverySteps;
const WRITE = `write ${TEAM_SECRETS} 200`;
const DELETE_SECRET = `delete-secret ${SECRET_PATH} 200`;
const revoke = (prefix: string) => `revoke /v1/api_keys/${prefix} 200`;
const live = (emu: BasetenEmulator) => emu.liveKeys().map((k) => k.prefix);

describe("examples/model-to-model, delivery: secret (the default)", () => {
  let emu: BasetenEmulator;
  let run: ExampleRun;
  let base: string;
  let g1: { prefix: string; apiKey: string };
  let g2: { prefix: string; apiKey: string };
  let secretId: string;

  beforeAll(async () => {
    emu = await BasetenEmulator.start({ managementKey: dottedManagementKey() });
    run = await openExample("model-to-model", emu, { rerankerModelId: RERANKER });
  });
  afterAll(async () => {
    await run?.remove();
    await emu?.stop();
  });

  /**
   * No secret in any command's output, the exported state or the state files; and no key's
   * plaintext even in the state decrypted (`stack export --show-secrets`): this form keeps none.
   */
  async function expectNoPlaintext(): Promise<void> {
    await expectNoLeaks(emu, run);
    const decrypted = JSON.stringify(await run.stack.exportState({ showSecrets: true }));
    const plaintexts = emu.allKeys().flatMap((k) => [k.apiKey, k.apiKey.split(".")[1]]);
    expect(plaintexts.filter((p) => decrypted.includes(p))).toEqual([]);
  }

  it("preview creates and sends nothing; up lists the team's secrets, mints g1, then writes it into the secret; a second up changes nothing", async () => {
    const preview = await atClock(at(T0), () => run.stack.preview());
    expect(preview.changeSummary).toEqual({ create: 2 });
    expect(emu.requestLog()).toEqual([]);

    const up = await atClock(at(T0), () => run.stack.up());
    expect(up.summary.resourceChanges).toEqual({ create: 2 });
    expect(steps(emu)).toEqual(["list-secrets 200", "mint 200", "list-secrets 200", WRITE]);
    const [key] = emu.liveKeys();
    expect(emu.liveKeys()).toHaveLength(1);
    expect(key).toMatchObject({ type: "WORKSPACE_INVOKE", modelIds: [RERANKER] });
    expect(key.name).toMatch(/-g1$/);
    base = key.name!.slice(0, -"-g1".length);
    const [secret] = emu.secrets();
    expect(emu.secrets()).toHaveLength(1);
    expect(secret).toMatchObject({ name: "reranker_api_key", teamId: "team-default" });
    expect(secret.value).toBe(key.apiKey);
    const state = await run.stack.exportState();
    const rotating = (state.deployment.resources ?? []).filter((r) => r.type === ROTATING_TYPE);
    expect(rotating.map((r) => r.id)).toEqual([`rotating/${base}`]);
    expect(rotating[0].outputs).not.toHaveProperty("apiKey");
    expect(rotating[0].outputs).toMatchObject({ secretName: "reranker_api_key", secretId: secret.id });
    expect(up.outputs.keyPrefix).toEqual({ value: key.prefix, secret: false });
    expect(up.outputs.previousPrefix?.value).toBeUndefined();
    expect(up.outputs.rotateAfter).toEqual({ value: iso(DUE), secret: false });
    expect(up.outputs.secretNameAtBaseten).toEqual({ value: "reranker_api_key", secret: false });
    expect(up.outputs.secretId).toEqual({ value: secret.id, secret: false });
    g1 = { prefix: key.prefix, apiKey: key.apiKey };
    secretId = secret.id;

    // A day before the due date: nothing to do, nothing sent.
    emu.clearLog();
    const again = await atClock(at(DUE - DAY), () => run.stack.up({ expectNoChanges: true }));
    expect(again.summary.resourceChanges).toEqual({ same: 2 });
    expect(emu.requestLog()).toEqual([]);
    await expectNoPlaintext();
  });

  it("past the due date, preview shows the rotation and its reason, and sends nothing", async () => {
    emu.clearLog();
    const preview = await atClock(at(ROTATED), () => run.stack.preview({ diff: true }));
    // The key's schedule moves: an update in place (same id, no replacement), and nothing else.
    expect(preview.changeSummary).toEqual({ update: 1, same: 1 });
    expect(preview.text).toMatch(/~ pulumi-nodejs:dynamic\/baseten:RotatingApiKey: \(update\)/);
    expect(preview.text).toContain(`[id=rotating/${base}]`);
    expect(preview.text).toMatch(new RegExp(`\\+ overlapEndsAt\\s*: "${iso(OVERLAP_END)}"`));
    expect(preview.text).toContain(`${base}-g1 reached its rotation age (every 30d) at ${iso(DUE)}`);
    expect(preview.text).toMatch(new RegExp(`keyName\\s*: "${base}-g1" => "${base}-g2"`));
    expect(emu.requestLog()).toEqual([]);
    expect(leaked(emu, preview.text)).toEqual([]);
    await expectNoPlaintext();
  });

  it("up rotates: lists, mints g2 and writes it into the same secret, revoking nothing; both keys stay live through the overlap", async () => {
    emu.clearLog();
    const up = await atClock(at(ROTATED), () => run.stack.up());
    expect(up.summary.resourceChanges).toEqual({ update: 1, same: 1 });
    expect(steps(emu)).toEqual(["list-secrets 200", "mint 200", WRITE]);
    const minted = emu.liveKeys().find((k) => k.prefix !== g1.prefix)!;
    expect(minted).toMatchObject({ name: `${base}-g2`, type: "WORKSPACE_INVOKE", modelIds: [RERANKER] });
    g2 = { prefix: minted.prefix, apiKey: minted.apiKey };
    expect(live(emu).sort()).toEqual([g1.prefix, g2.prefix].sort());
    const [secret] = emu.secrets();
    expect(emu.secrets()).toHaveLength(1);
    expect(secret.id).toBe(secretId); // written in place, not replaced
    expect(secret.value).toBe(g2.apiKey);
    expect(up.outputs.keyPrefix.value).toBe(g2.prefix);
    expect(up.outputs.previousPrefix).toEqual({ value: g1.prefix, secret: false });
    expect(up.outputs.rotateAfter.value).toBe(iso(ROTATED + 30 * DAY));
    expect(up.outputs.secretId.value).toBe(secretId);

    // Within the overlap, a run changes nothing: replicas that read g1 keep working.
    emu.clearLog();
    const within = await atClock(at(OVERLAP_END - 60_000), () => run.stack.up({ expectNoChanges: true }));
    expect(within.summary.resourceChanges).toEqual({ same: 2 });
    expect(emu.requestLog()).toEqual([]);
    expect(live(emu).sort()).toEqual([g1.prefix, g2.prefix].sort());
    await expectNoPlaintext();
  });

  it("the first up after the overlap revokes the previous key (tombstone verified) and writes nothing else", async () => {
    emu.clearLog();
    const up = await atClock(at(OVERLAP_END + HOUR), () => run.stack.up());
    expect(up.summary.resourceChanges).toEqual({ update: 1, same: 1 });
    expect(steps(emu)).toEqual([revoke(g1.prefix)]);
    expect(up.text).toContain(
      `Rotating key "rotating/${base}" revoked "${g1.prefix}" (${base}-g1): Baseten's tombstone names it (verified).`,
    );
    expect(live(emu)).toEqual([g2.prefix]);
    const [secret] = emu.secrets();
    expect(emu.secrets()).toHaveLength(1);
    expect(secret.id).toBe(secretId);
    expect(secret.value).toBe(g2.apiKey);
    expect(up.outputs.keyPrefix.value).toBe(g2.prefix);
    expect(up.outputs.previousPrefix?.value).toBeUndefined();
    await expectNoPlaintext();
  });

  it("destroy deletes the secret first, then revokes every key, each removal verified; nothing stays live", async () => {
    emu.clearLog();
    const destroy = await atClock(at(OVERLAP_END + 2 * HOUR), () => run.stack.destroy());
    expect(destroy.summary.result).toBe("succeeded");
    expect(steps(emu)).toEqual(["list-secrets 200", DELETE_SECRET, revoke(g2.prefix)]);
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
    await expectNoPlaintext();
  });
});

describe("examples/model-to-model, delivery: apiKey (the key's output written by a Secret)", () => {
  let emu: BasetenEmulator;
  let run: ExampleRun;
  let g1: string;
  let g2: string;

  beforeAll(async () => {
    emu = await BasetenEmulator.start({ managementKey: dottedManagementKey() });
    run = await openExample("model-to-model", emu, { rerankerModelId: RERANKER, delivery: "apiKey" });
  });
  afterAll(async () => {
    await run?.remove();
    await emu?.stop();
  });

  it("up mints g1, then the Secret writes it; a rotation mints g2 and updates the secret in place, revoking nothing", async () => {
    const up = await atClock(at(T0), () => run.stack.up());
    expect(up.summary.resourceChanges).toEqual({ create: 3 });
    expect(steps(emu).filter((s) => !s.startsWith("list-secrets"))).toEqual(["mint 200", WRITE]);
    const [key] = emu.liveKeys();
    g1 = key.prefix;
    const [secret] = emu.secrets();
    expect(secret).toMatchObject({ name: "reranker_api_key", teamId: "team-default", value: key.apiKey });
    expect(up.outputs.secretId).toEqual({ value: secret.id, secret: false });
    expect(up.outputs.secretNameAtBaseten).toEqual({ value: "reranker_api_key", secret: false });

    emu.clearLog();
    const rotated = await atClock(at(ROTATED), () => run.stack.up());
    expect(rotated.summary.resourceChanges).toEqual({ update: 2, same: 1 });
    expect(steps(emu).filter((s) => !s.startsWith("list-secrets"))).toEqual(["mint 200", WRITE]);
    const minted = emu.liveKeys().find((k) => k.prefix !== g1)!;
    g2 = minted.prefix;
    expect(live(emu).sort()).toEqual([g1, g2].sort());
    expect(emu.secrets().map((s) => [s.id, s.value])).toEqual([[secret.id, minted.apiKey]]);
    expect(rotated.outputs.previousPrefix).toEqual({ value: g1, secret: false });
    await expectNoLeaks(emu, run);
  });

  it("destroy during the overlap deletes the secret, then revokes both keys; nothing stays live", async () => {
    emu.clearLog();
    const destroy = await atClock(at(ROTATED + DAY), () => run.stack.destroy());
    expect(destroy.summary.result).toBe("succeeded");
    expect(steps(emu).filter((s) => !s.startsWith("list-secrets"))).toEqual([DELETE_SECRET, revoke(g1), revoke(g2)]);
    expect(emu.secrets()).toEqual([]);
    expect(emu.liveKeys()).toEqual([]);
    await expectNoLeaks(emu, run);
  });
});
