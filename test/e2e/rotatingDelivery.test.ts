/**
 * RotatingApiKey with `deliverTo` (issue 20) through the real Pulumi CLI: a project folder (its
 * Pulumi.yaml and a JavaScript program that imports the package as a user's does) run by the
 * Node.js language host, a file:// backend, and the emulator. Time moves through
 * BASETEN_PROVIDER_NOW (`atClock`), never by waiting. Each step is checked on both sides: what
 * Pulumi plans, prints and states, and what Baseten (the emulator) holds and was asked, in order.
 * Sources of the emulator's answers: the spec (test/contract/baseten-openapi.json: the team
 * secret routes, DELETE answers a tombstone) and ../shared/baseten/README.md ("Secrets": a POST
 * is an upsert by name and keeps the id; a value is never read back).
 */
import * as fs from "fs";
import * as path from "path";
import { BasetenEmulator, dottedManagementKey } from "../emulator";
import { REPO_ROOT } from "../../scripts/pulumiCli";
import { ProjectStack } from "../package/projectStack";
import { atClock } from "../examples/exampleStack";
import { deliverySteps } from "../support/delivery";
import { ROTATING_TYPE } from "./harness";

jest.setTimeout(15 * 60 * 1000);

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const T0 = Date.parse("2026-01-01T00:00:00Z");
/** A time past g1's due date (T0 + 30d): the rotation. */
const DUE = T0 + 30 * DAY + HOUR;
const at = (ms: number) => new Date(ms);
const SECRET = "upstream_api_key";
const RENAMED = "upstream_api_key_v2";
const TEAM_SECRETS = "/v1/teams/team-default/secrets";

/** The program, as a user's index.js: one rotating key delivered into the secret config names. */
const PROGRAM = `const pulumi = require("@pulumi/pulumi");
const { RotatingApiKey } = require(${JSON.stringify(path.join(REPO_ROOT, "dist", "provider", "index.js"))});
const config = new pulumi.Config();
const key = new RotatingApiKey("caller", {
  type: "WORKSPACE_INVOKE",
  modelIds: ["model-a"],
  rotation: { every: "30d", overlap: "2d" },
  deliverTo: { secretName: config.require("secretName") },
});
exports.prefix = key.prefix;
exports.previousPrefix = key.previousPrefix;
exports.keyName = key.keyName;
exports.secretName = key.secretName;
exports.secretId = key.secretId;
// With deliverTo the resource has no apiKey: a program that reads it gets nothing.
exports.apiKey = key.apiKey;
`;

let emu: BasetenEmulator;
let stack: ProjectStack;
let dir: string;

beforeAll(async () => {
  // The checkout's build, by path: the Node 22 run's copy of the checkout has no self-link in node_modules.
  const dist = path.join(REPO_ROOT, "dist", "provider", "index.js");
  if (!fs.existsSync(dist)) throw new Error(`${dist} is missing: run \`npm run build\` first (npm run test:e2e does).`);
  emu = await BasetenEmulator.start({ managementKey: dottedManagementKey() });
  // Under the checkout, so the program resolves @pulumi/pulumi from the checkout's node_modules.
  fs.mkdirSync(path.join(REPO_ROOT, ".tmp"), { recursive: true });
  dir = fs.mkdtempSync(path.join(REPO_ROOT, ".tmp", "delivery-"));
  const projectDir = path.join(dir, "project");
  fs.mkdirSync(projectDir);
  fs.writeFileSync(path.join(projectDir, "Pulumi.yaml"), "name: baseten-delivery\nruntime: nodejs\n");
  fs.writeFileSync(
    path.join(projectDir, "package.json"),
    '{ "name": "baseten-delivery", "private": true, "main": "index.js" }\n',
  );
  fs.writeFileSync(path.join(projectDir, "index.js"), PROGRAM);
  stack = await ProjectStack.open({
    projectDir,
    stateDir: path.join(dir, "state"),
    stackName: "dev",
    apiUrl: emu.url,
    managementKey: emu.managementKey,
    config: { "baseten-delivery:secretName": SECRET },
  });
});
afterAll(async () => {
  try {
    await stack?.remove();
  } finally {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    await emu?.stop();
  }
});

/** The emulator's log since it was cleared, as steps (test/support/delivery.ts). */
const steps = () => deliverySteps(emu);
const write = `write ${TEAM_SECRETS} 200`;
const deleteSecret = (name: string) => `delete-secret ${TEAM_SECRETS}/${encodeURIComponent(name)} 200`;
const revoke = (prefix: string) => `revoke /v1/api_keys/${prefix} 200`;
const livePrefixes = () =>
  emu
    .liveKeys()
    .map((k) => k.prefix)
    .sort();

async function rotatingResource() {
  const state = await stack.exportState();
  const found = (state.deployment.resources ?? []).filter((r) => r.type === ROTATING_TYPE);
  expect(found).toHaveLength(1);
  return found[0] as { urn: string; id: string; inputs: Record<string, unknown>; outputs: Record<string, unknown> };
}

/**
 * No plaintext of any key the emulator ever minted (whole, or its part after the dot), nor the
 * management key, in anything the CLI printed or the backend holds; and no key's plaintext even
 * in the state decrypted (`stack export --show-secrets`): with delivery, state never holds one.
 */
async function expectNoPlaintext(): Promise<void> {
  const keys = emu.allKeys().flatMap((k) => [k.apiKey, k.apiKey.split(".")[1]]);
  const found = (text: string, needles: string[]) => needles.filter((n) => n && text.includes(n));
  expect(keys.length).toBeGreaterThan(0);
  expect(found(stack.transcript.join(""), [...keys, emu.managementKey])).toEqual([]);
  expect(found(stack.stateFilesText(), [...keys, emu.managementKey])).toEqual([]);
  expect(found(JSON.stringify(await stack.exportState()), [...keys, emu.managementKey])).toEqual([]);
  expect(found(JSON.stringify(await stack.exportState({ showSecrets: true })), keys)).toEqual([]);
}

describe("RotatingApiKey with deliverTo through the real CLI", () => {
  let base: string;
  let g1: string;
  let g2: string;
  let secretId: string;

  it("1. preview sends nothing; up lists the team's secrets, mints, then writes the key into the secret; no apiKey output, no plaintext anywhere", async () => {
    const preview = await atClock(at(T0), () => stack.preview({ diff: true }));
    expect(preview.changeSummary).toEqual({ create: 2 });
    expect(preview.text).toMatch(new RegExp(`secretName\\s*: "${SECRET}"`));
    expect(emu.requestLog()).toEqual([]);

    const up = await atClock(at(T0), () => stack.up());
    expect(up.summary.resourceChanges).toEqual({ create: 2 });
    expect(steps()).toEqual(["list-secrets 200", "mint 200", "list-secrets 200", write]);

    const [key] = emu.liveKeys();
    expect(emu.liveKeys()).toHaveLength(1);
    expect(key).toMatchObject({ type: "WORKSPACE_INVOKE", modelIds: ["model-a"] });
    expect(key.name).toMatch(/^caller-[a-z0-9]{7}-g1$/);
    base = key.name!.slice(0, -"-g1".length);
    g1 = key.prefix;
    const [secret] = emu.secrets();
    expect(emu.secrets()).toHaveLength(1);
    expect(secret).toMatchObject({ name: SECRET, teamId: "team-default" });
    expect(secret.value).toBe(key.apiKey); // the emulator's control side: the live key's plaintext
    secretId = secret.id;

    const resource = await rotatingResource();
    expect(resource.id).toBe(`rotating/${base}`);
    expect(resource.outputs).not.toHaveProperty("apiKey");
    expect(resource.outputs).toMatchObject({ prefix: g1, secretName: SECRET, secretId });
    expect(resource.outputs.delivery).toMatchObject({ name: SECRET, secretId, teamId: "team-default" });
    expect((resource.outputs.keys as Array<{ prefix: string }>).map((k) => k.prefix)).toEqual([g1]);

    expect(up.outputs.prefix).toEqual({ value: g1, secret: false });
    expect(up.outputs.secretId).toEqual({ value: secretId, secret: false });
    expect(up.outputs.secretName).toEqual({ value: SECRET, secret: false });
    expect(up.outputs.apiKey?.value).toBeUndefined();
    // What a terminal shows, and with --show-secrets: the same, as there is nothing secret to show.
    const shown = await stack.stackOutput();
    const revealed = await stack.stackOutput({ showSecrets: true });
    expect(shown).toEqual(revealed);
    expect(shown).toMatchObject({ prefix: g1, secretId, secretName: SECRET, keyName: `${base}-g1` });
    expect(shown.apiKey ?? undefined).toBeUndefined();
    await expectNoPlaintext();
  });

  it("2. a rotation: preview shows it and sends nothing; up lists, mints g2 and writes it into the same secret, revoking nothing", async () => {
    emu.clearLog();
    const preview = await atClock(at(DUE), () => stack.preview({ diff: true }));
    expect(preview.changeSummary).toEqual({ update: 1, same: 1 });
    expect(preview.text).toMatch(new RegExp(`keyName\\s*: "${base}-g1" => "${base}-g2"`));
    expect(preview.text).toContain(`${base}-g1 reached its rotation age (every 30d)`);
    expect(emu.requestLog()).toEqual([]);

    const up = await atClock(at(DUE), () => stack.up());
    expect(up.summary.resourceChanges).toEqual({ update: 1, same: 1 });
    expect(steps()).toEqual(["list-secrets 200", "mint 200", write]); // the write comes before any revoke: none in this run
    const minted = emu.liveKeys().find((k) => k.prefix !== g1)!;
    expect(minted.name).toBe(`${base}-g2`);
    g2 = minted.prefix;
    expect(livePrefixes()).toEqual([g1, g2].sort()); // g1 stays through the overlap
    const [secret] = emu.secrets();
    expect(emu.secrets()).toHaveLength(1);
    expect(secret.id).toBe(secretId); // written in place
    expect(secret.value).toBe(minted.apiKey);
    expect(up.outputs.prefix.value).toBe(g2);
    expect(up.outputs.previousPrefix).toEqual({ value: g1, secret: false });
    expect(up.outputs.apiKey?.value).toBeUndefined();
    await expectNoPlaintext();
  });

  it("3. up --replace during the overlap deletes the secret and revokes both keys before the replacement lists, mints and writes", async () => {
    const { urn } = await rotatingResource();
    emu.clearLog();
    const up = await atClock(at(DUE + DAY), () => stack.up({ replace: [urn] }));
    expect(up.summary.resourceChanges).toEqual({ replace: 1, same: 1 });
    // Delete first: the old resource's secret (deleted once the listing shows its id), then its
    // keys, oldest first; only then the replacement's create: listing, mint, write.
    expect(steps()).toEqual([
      "list-secrets 200",
      deleteSecret(SECRET),
      revoke(g1),
      revoke(g2),
      "list-secrets 200",
      "mint 200",
      "list-secrets 200",
      write,
    ]);
    expect(up.text).toContain(`Revoked every key of rotating key "rotating/${base}"`);

    // The replacement starts afresh at g1 (the old g1 was revoked first, so the name is free).
    const [fresh] = emu.liveKeys();
    expect(emu.liveKeys()).toHaveLength(1);
    expect(fresh.name).toBe(`${base}-g1`);
    const [secret] = emu.secrets();
    expect(emu.secrets()).toHaveLength(1);
    expect(secret.name).toBe(SECRET);
    expect(secret.id).not.toBe(secretId); // a new secret: the old one was deleted
    expect(secret.value).toBe(fresh.apiKey);
    secretId = secret.id;
    g1 = fresh.prefix;
    const resource = await rotatingResource();
    expect(resource.id).toBe(`rotating/${base}`);
    expect(resource.outputs).toMatchObject({ prefix: g1, secretId });
    expect(resource.outputs).not.toHaveProperty("apiKey");
    await expectNoPlaintext();
  });

  it("4. a new deliverTo.secretName replaces the resource delete-first: the old secret deleted and the key revoked before the new secret's write", async () => {
    await stack.setConfig({ "baseten-delivery:secretName": RENAMED });
    emu.clearLog();
    const preview = await atClock(at(DUE + 2 * DAY), () => stack.preview({ diff: true }));
    expect(preview.changeSummary).toEqual({ replace: 1, same: 1 });
    expect(preview.text).toMatch(new RegExp(`secretName\\s*: "${SECRET}" => "${RENAMED}"`));
    expect(emu.requestLog()).toEqual([]);

    const up = await atClock(at(DUE + 2 * DAY), () => stack.up());
    expect(up.summary.resourceChanges).toEqual({ replace: 1, same: 1 });
    expect(steps()).toEqual([
      "list-secrets 200",
      deleteSecret(SECRET),
      revoke(g1),
      "list-secrets 200",
      "mint 200",
      "list-secrets 200",
      write,
    ]);

    const [fresh] = emu.liveKeys();
    expect(emu.liveKeys()).toHaveLength(1);
    expect(fresh.name).toBe(`${base}-g1`);
    const [secret] = emu.secrets();
    expect(emu.secrets().map((s) => s.name)).toEqual([RENAMED]);
    expect(secret.value).toBe(fresh.apiKey);
    secretId = secret.id;
    g1 = fresh.prefix;
    expect(up.outputs.secretName.value).toBe(RENAMED);
    expect(up.outputs.secretId.value).toBe(secretId);
    await expectNoPlaintext();
  });

  it("5. destroy deletes the secret first, then revokes the key; nothing stays", async () => {
    emu.clearLog();
    const destroy = await atClock(at(DUE + 3 * DAY), () => stack.destroy());
    expect(destroy.summary.resourceChanges).toEqual({ delete: 2 });
    expect(steps()).toEqual(["list-secrets 200", deleteSecret(RENAMED), revoke(g1)]);
    expect(destroy.text).toContain(`Revoked every key of rotating key "rotating/${base}"`);
    expect(emu.secrets()).toEqual([]);
    expect(emu.liveKeys()).toEqual([]);
    expect((await stack.exportState()).deployment.resources ?? []).toEqual([]);
    await expectNoPlaintext();
  });
});
