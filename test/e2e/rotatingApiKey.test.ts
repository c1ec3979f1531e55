/**
 * RotatingApiKey (issue 19) through the real Pulumi CLI and engine, the emulator and a file://
 * backend. Time moves through BASETEN_PROVIDER_NOW in the CLI's environment, which the provider
 * host inherits (`TestStack.setNow`): nothing sleeps. Each step is checked on both sides: what
 * Pulumi plans, prints and states, and what Baseten (the emulator) holds and was asked.
 * Sources of the emulator's answers: the spec (`test/contract/baseten-openapi.json`: DELETE
 * answers a tombstone naming the prefix) and ../shared/baseten/README.md (a key's plaintext is
 * shown once, at its creation; names are unique among the live keys of a scope).
 */
import * as fs from "fs";
import * as path from "path";
import { BasetenEmulator, dottedManagementKey, ROUTES } from "../emulator";
import { packCommit, RELEASE_0_2_0 } from "../package/packCommit";
import { DrivenStack, installTarball, installUserProgram, makeTempDir, packCheckout, repackAs } from "../package/userProgram";
import { failureOf } from "../support/failureOf";
import { leaks, TestStack } from "./harness";

jest.setTimeout(15 * 60 * 1000);

const T0 = Date.parse("2026-01-01T00:00:00Z");
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();
const ROTATION = { every: "30d", overlap: "2d" };
/** A time past g1's due date (T0 + 30d). */
const DUE = T0 + 30 * DAY + HOUR;

let emu: BasetenEmulator;
let ts: TestStack;
/** Case 5's stack, on an emulator of its own, so its keys never mix with the main stack's. */
let emuB: BasetenEmulator;
let tsB: TestStack;
/** The keys of case 5's resource `guarded`. */
let guarded: string[];
/** Case 7: a user's program folder upgraded from release 0.2.0, its stack and emulator. */
let tmp: string | undefined;
let emuC: BasetenEmulator;
let upgraded: DrivenStack;

beforeAll(async () => {
  emu = await BasetenEmulator.start({ managementKey: dottedManagementKey() });
  ts = await TestStack.create({ apiUrl: emu.url, managementKey: emu.managementKey, projectName: "baseten-rotating" });
});
afterAll(async () => {
  await ts?.remove();
  await emu?.stop();
  await tsB?.remove();
  await emuB?.stop();
  await upgraded?.remove();
  await emuC?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** POSTs and DELETEs the emulator answered since its log was cleared, as `METHOD path status`. */
const writes = (e: BasetenEmulator = emu) =>
  e
    .requestLog()
    .filter((r) => r.method === "POST" || r.method === "DELETE")
    .map((r) => `${r.method} ${r.rawPath} ${r.status}`);
const liveNames = (e: BasetenEmulator = emu) =>
  e
    .liveKeys()
    .map((k) => k.name)
    .sort();
const livePrefixes = (e: BasetenEmulator = emu) =>
  e
    .liveKeys()
    .map((k) => k.prefix)
    .sort();

/** No minted plaintext, nor the management key, anywhere the CLI printed or the backend holds. */
function expectNoLeaks(stack: TestStack, e: BasetenEmulator): void {
  const secrets = [...e.allKeys().map((k) => k.apiKey), e.managementKey];
  expect(leaks(stack.transcript.join(""), secrets)).toEqual([]);
  expect(leaks(stack.stateFilesText(), secrets)).toEqual([]);
}

/**
 * Case 7's program, as a user's index.js: the keys and rotating keys of `spec.json` beside it
 * (rewritten between commands), from whatever release the folder has installed.
 */
const UPGRADE_PROGRAM = `const fs = require("fs");
const path = require("path");
const baseten = require("@pulumi-baseten/api-key");
const spec = JSON.parse(fs.readFileSync(path.join(__dirname, "spec.json"), "utf8"));
for (const k of spec.keys) {
  const key = new baseten.ApiKey(k.name, k.args);
  exports[k.name + "Prefix"] = key.prefix;
  exports[k.name + "ApiKey"] = key.apiKey;
}
for (const r of spec.rotating) {
  const key = new baseten.RotatingApiKey(r.name, r.args);
  exports[r.name + "Prefix"] = key.prefix;
  exports[r.name + "ApiKey"] = key.apiKey;
}
`;

/** The prefixes of every key the stack's rotating keys own in state, sorted. */
async function ownedPrefixes(stack: TestStack = ts): Promise<string[]> {
  const resources = await stack.rotatingResources();
  return resources.flatMap((r) => (r.outputs.keys as Array<{ prefix: string }>).map((k) => k.prefix)).sort();
}

describe("RotatingApiKey through the real engine", () => {
  let base: string;
  let g1: string;
  let g2: string;

  it("1. preview shows the <base>-g1 it will mint; up mints exactly that key; nothing is sent or changed before the due date", async () => {
    ts.rotating = [{ name: "caller", args: { type: "WORKSPACE_INVOKE", modelIds: ["model-a"], rotation: ROTATION } }];
    ts.setNow(T0);
    const preview = await ts.preview({ diff: true });
    expect(preview.changeSummary).toEqual({ create: 2 });
    const shown = /keyName\s*:\s*"(caller-[a-z0-9]{7})-g1"/.exec(preview.text);
    expect(shown).not.toBeNull();
    base = shown![1];

    emu.clearLog();
    const up = await ts.up();
    expect(up.summary.resourceChanges).toEqual({ create: 2 });
    expect(emu.routeCounts()[ROUTES.createKey]).toBe(1);
    expect(emu.routeCounts()[ROUTES.deleteKey] ?? 0).toBe(0);
    const live = emu.liveKeys();
    expect(live.map((k) => k.name)).toEqual([`${base}-g1`]);
    g1 = live[0].prefix;
    const [resource] = await ts.rotatingResources();
    expect(resource.id).toBe(`rotating/${base}`);
    expect(await ownedPrefixes()).toEqual([g1]);

    // Outputs: the plaintext is a secret, and what Pulumi holds is what Baseten minted.
    expect(up.outputs.callerPrefix).toEqual({ value: g1, secret: false });
    expect(up.outputs.callerApiKey).toEqual({ value: live[0].apiKey, secret: true });
    expect(up.outputs.callerKeyName.value).toBe(`${base}-g1`);
    expect(up.outputs.callerGeneration.value).toBe(1);
    expect(up.outputs.callerRotateAfter.value).toBe(iso(T0 + 30 * DAY));
    expect(up.outputs.callerPreviousPrefix?.value).toBeUndefined();
    const shownOutputs = await ts.outputsAsShown();
    expect(shownOutputs.callerApiKey).toBe("[secret]");
    expect(shownOutputs.callerPrefix).toBe(g1);

    // A day before the due date: preview and up plan nothing and send nothing at all.
    ts.setNow(T0 + 29 * DAY);
    emu.clearLog();
    expect((await ts.preview({ expectNoChanges: true })).changeSummary).toEqual({ same: 2 });
    expect(emu.requestLog()).toEqual([]);
    expect((await ts.up({ expectNoChanges: true })).summary.resourceChanges).toEqual({ same: 2 });
    expect(emu.requestLog()).toEqual([]);
    expectNoLeaks(ts, emu);
  });

  it("2. once due, preview --diff shows the rotation and why, and sends nothing", async () => {
    ts.setNow(DUE);
    emu.clearLog();
    const preview = await ts.preview({ diff: true });
    expect(preview.changeSummary).toEqual({ update: 1, same: 1 });
    expect(emu.requestLog()).toEqual([]);
    const text = preview.text;
    expect(text).toMatch(/~\s*pulumi-nodejs:dynamic\/baseten:RotatingApiKey: \(update\)/);
    expect(text).not.toMatch(/replace/);
    expect(text).toContain(`"${base}-g1" => "${base}-g2"`);
    expect(text).toContain(`${base}-g1 reached its rotation age (every 30d) at ${iso(T0 + 30 * DAY)}`);
    expect(text).toMatch(/generation\s*:\s*1 => 2/);
    expect(text).toContain(`"${iso(DUE + 2 * DAY)}"`); // overlapEndsAt, added
    expectNoLeaks(ts, emu);
  });

  it("3. up mints g2 and keeps g1 through the overlap, sends nothing inside it, and revokes g1 (verified) after it", async () => {
    emu.clearLog();
    const up = await ts.up();
    expect(up.summary.resourceChanges).toEqual({ update: 1, same: 1 });
    expect(writes()).toEqual([`POST /v1/api_keys 200`]);
    expect(liveNames()).toEqual([`${base}-g1`, `${base}-g2`]);
    g2 = emu.liveKeys().find((k) => k.name === `${base}-g2`)!.prefix;
    expect(up.outputs.callerPrefix.value).toBe(g2);
    expect(up.outputs.callerPreviousPrefix.value).toBe(g1);
    expect(up.outputs.callerApiKey).toEqual({ value: emu.liveKeys().find((k) => k.prefix === g2)!.apiKey, secret: true });
    expect(await ownedPrefixes()).toEqual([g1, g2].sort());

    ts.setNow(DUE + DAY);
    emu.clearLog();
    expect((await ts.up({ expectNoChanges: true })).summary.resourceChanges).toEqual({ same: 2 });
    expect(emu.requestLog()).toEqual([]);

    ts.setNow(DUE + 2 * DAY + HOUR);
    emu.clearLog();
    const after = await ts.up();
    expect(after.summary.resourceChanges).toEqual({ update: 1, same: 1 });
    expect(writes()).toEqual([`DELETE /v1/api_keys/${g1} 200`]);
    expect(after.stdout).toContain(
      `Rotating key "rotating/${base}" revoked "${g1}" (${base}-g1): Baseten's tombstone names it (verified).`,
    );
    expect(liveNames()).toEqual([`${base}-g2`]);
    expect(after.outputs.callerPreviousPrefix?.value).toBeUndefined();
    expect(await ownedPrefixes()).toEqual([g2]);
    expectNoLeaks(ts, emu);
  });

  it("4. up --replace: the engine checks the replacement afresh, so it mints <base>-g1 (no live key holds that name), and the old resource's delete revokes g2 in the same up", async () => {
    const NOW = DUE + 3 * DAY;
    ts.setNow(NOW);
    const [old] = await ts.rotatingResources();
    emu.clearLog();
    const up = await ts.stack.up({ replace: [old.urn], onOutput: ts.recorder() });
    expect(up.summary.resourceChanges).toEqual({ replace: 1, same: 1 });
    // What we observe: for a replacement the engine calls `check` with no old inputs, so the
    // new resource keeps the base name (derived from the same identity and inputs) but starts a
    // schedule of its own at generation 1. The name <base>-g1 belongs to a revoked key only.
    const wrote = emu.requestLog().filter((r) => r.method === "POST" || r.method === "DELETE");
    expect(wrote.map((r) => `${r.method} ${r.rawPath} ${r.status}`)).toEqual([
      `POST /v1/api_keys 200`, // the replacement's mint comes first (create before delete)
      `DELETE /v1/api_keys/${g2} 200`, // then the replaced resource's delete revokes what it owned
    ]);
    expect((wrote[0].requestBody as { name: string }).name).toBe(`${base}-g1`);
    expect(
      emu
        .allKeys()
        .filter((k) => k.name === `${base}-g1`)
        .map((k) => k.revoked),
    ).toEqual([true, false]);
    expect(up.stdout).toContain(
      `Revoked every key of rotating key "rotating/${base}": "${g2}" (${base}-g2): Baseten's tombstone names it (verified).`,
    );
    expect(up.stdout).not.toContain("holds a name");

    const [fresh] = emu.liveKeys();
    expect(liveNames()).toEqual([`${base}-g1`]);
    const [replacement] = await ts.rotatingResources();
    expect(replacement.id).toBe(`rotating/${base}`);
    expect(replacement.outputs).toMatchObject({ generation: 1, rotatedAt: iso(NOW), rotateAfter: iso(NOW + 30 * DAY) });
    expect(await ownedPrefixes()).toEqual([fresh.prefix]);
    expect(up.outputs.callerPrefix.value).toBe(fresh.prefix);
    expect(up.outputs.callerApiKey).toEqual({ value: fresh.apiKey, secret: true });

    // State and Baseten agree: refresh finds nothing to change or take in, and preview plans nothing.
    emu.clearLog();
    const refresh = await ts.refresh({ expectNoChanges: true });
    expect(refresh.stdout).not.toMatch(/holds a name|gone/);
    expect(writes()).toEqual([]);
    expect(await ownedPrefixes()).toEqual(livePrefixes());
    expect((await ts.preview({ expectNoChanges: true })).changeSummary).toEqual({ same: 2 });
    expectNoLeaks(ts, emu);
  });

  it("5a. protect: true makes destroy fail before anything is revoked", async () => {
    emuB = await BasetenEmulator.start({ managementKey: dottedManagementKey() });
    tsB = await TestStack.create({
      apiUrl: emuB.url,
      managementKey: emuB.managementKey,
      projectName: "baseten-rotating-options",
    });
    tsB.rotating = [{ name: "guarded", args: { type: "WORKSPACE_INVOKE", rotation: ROTATION }, opts: { protect: true } }];
    tsB.setNow(T0);
    await tsB.up();
    guarded = livePrefixes(emuB);
    expect(guarded).toHaveLength(1);

    emuB.clearLog();
    const e = await failureOf(tsB.destroy());
    tsB.transcript.push(e.message);
    expect(e.message).toMatch(/protected/);
    expect(writes(emuB)).toEqual([]);
    expect(livePrefixes(emuB)).toEqual(guarded);
    expect(await ownedPrefixes(tsB)).toEqual(guarded);
    expectNoLeaks(tsB, emuB);
  });

  it("5b. retainOnDelete: true: removing the resource from the program revokes none of its keys, even during an overlap", async () => {
    tsB.rotating[0].opts = { retainOnDelete: true };
    tsB.setNow(DUE);
    emuB.clearLog();
    await tsB.up(); // drops protect, and rotates: g2 minted, g1 in its overlap
    expect(writes(emuB)).toEqual(["POST /v1/api_keys 200"]);
    guarded = livePrefixes(emuB);
    expect(guarded).toHaveLength(2);
    expect(await ownedPrefixes(tsB)).toEqual(guarded);

    tsB.rotating = [];
    emuB.clearLog();
    const up = await tsB.up();
    expect(up.summary.resourceChanges).toEqual({ delete: 1, same: 1 });
    expect(writes(emuB)).toEqual([]);
    expect(up.stdout).not.toContain("Revoked");
    expect(await tsB.rotatingResources()).toEqual([]);
    expect(livePrefixes(emuB)).toEqual(guarded); // left live, and no longer tracked: revoked by hand
    for (const prefix of guarded) expect(emuB.revokeOutOfBand(prefix)).toBe(true);
    expect(emuB.liveKeys()).toEqual([]);
    expectNoLeaks(tsB, emuB);
  });

  it('5c. ignoreChanges: ["rotation"]: a changed rotation.every is ignored (no update, the schedule stays); the same change without it is an update', async () => {
    const T1 = DUE + 3 * DAY;
    tsB.setNow(T1);
    tsB.rotating = [
      { name: "steady", args: { type: "WORKSPACE_INVOKE", rotation: ROTATION }, opts: { ignoreChanges: ["rotation"] } },
      { name: "retained", args: { type: "WORKSPACE_EXPORT_METRICS", rotation: ROTATION }, opts: { retainOnDelete: true } },
    ];
    await tsB.up();
    expect(emuB.liveKeys()).toHaveLength(2);
    const before = Object.fromEntries((await tsB.rotatingResources()).map((r) => [r.outputs.resourceName, r]));

    // A week-long `every` would make steady due at T1 + 7d; eight days later the program says so.
    tsB.setNow(T1 + 8 * DAY);
    tsB.rotating[0].args = { ...tsB.rotating[0].args, rotation: { every: "7d", overlap: "2d" } };
    tsB.rotating[1].args = { ...tsB.rotating[1].args, rotation: { every: "30d", overlap: "1d" } };
    emuB.clearLog();
    const preview = await tsB.preview({ diff: true });
    expect(preview.changeSummary).toEqual({ update: 1, same: 2 });
    // --diff shows the changed resources only: retained, not steady.
    expect(preview.text).toMatch(/\[urn=[^\]]*::retained\]/);
    expect(preview.text).not.toMatch(/::steady\]/);
    const up = await tsB.up();
    expect(up.summary.resourceChanges).toEqual({ update: 1, same: 2 });
    expect(emuB.requestLog()).toEqual([]);
    const after = Object.fromEntries((await tsB.rotatingResources()).map((r) => [r.outputs.resourceName, r]));
    // steady: the stored inputs keep the old rotation, so the schedule is the one of 30d.
    expect(after.steady.inputs.rotation).toEqual(ROTATION);
    expect(after.steady.outputs.rotateAfter).toBe(before.steady.outputs.rotateAfter);
    expect(after.steady.outputs.rotateAfter).toBe(iso(T1 + 30 * DAY));
    expect(after.steady.outputs.generation).toBe(1);
    // retained: the same kind of change, not ignored, is an in-place update that sends nothing.
    expect(after.retained.inputs.rotation).toEqual({ every: "30d", overlap: "1d" });
    expect(emuB.liveKeys()).toHaveLength(2);
    expectNoLeaks(tsB, emuB);
  });

  it("5d. destroy revokes the key of steady and none of retained (retainOnDelete), which is then revoked by hand", async () => {
    const owned = Object.fromEntries(
      (await tsB.rotatingResources()).map((r) => [
        r.outputs.resourceName,
        (r.outputs.keys as Array<{ prefix: string }>)[0].prefix,
      ]),
    );
    emuB.clearLog();
    const destroy = await tsB.destroy();
    expect(destroy.summary.resourceChanges).toEqual({ delete: 3 });
    expect(writes(emuB)).toEqual([`DELETE /v1/api_keys/${owned.steady} 200`]);
    expect(livePrefixes(emuB)).toEqual([owned.retained]);
    expect(await tsB.rotatingResources()).toEqual([]);
    expect(emuB.revokeOutOfBand(owned.retained)).toBe(true);
    expectNoLeaks(tsB, emuB);
  });

  it("6. destroy during an overlap revokes both keys, each verified, and leaves nothing", async () => {
    const [resource] = await ts.rotatingResources();
    const due = Date.parse(resource.outputs.rotateAfter as string) + HOUR;
    ts.setNow(due);
    await ts.up();
    const [newest, previous] = (await ts.rotatingResources())[0].outputs.keys as Array<{ prefix: string; name: string }>;
    expect([newest.name, previous.name]).toEqual([`${base}-g2`, `${base}-g1`]);
    expect(livePrefixes()).toEqual([newest.prefix, previous.prefix].sort());

    ts.setNow(due + DAY);
    emu.clearLog();
    const destroy = await ts.destroy();
    expect(destroy.summary.resourceChanges).toEqual({ delete: 2 });
    // Oldest first, each answered 200 with a tombstone naming it.
    expect(writes()).toEqual([`DELETE /v1/api_keys/${previous.prefix} 200`, `DELETE /v1/api_keys/${newest.prefix} 200`]);
    expect(destroy.stdout).toContain(
      `Revoked every key of rotating key "rotating/${base}": ` +
        `"${previous.prefix}" (${base}-g1): Baseten's tombstone names it (verified); ` +
        `"${newest.prefix}" (${base}-g2): Baseten's tombstone names it (verified).`,
    );
    expect(await ts.rotatingResources()).toEqual([]);
    expect(emu.liveKeys()).toEqual([]);
    expectNoLeaks(ts, emu);
  });

  it("7. a 0.2.0 ApiKey stack upgraded to this checkout, with a RotatingApiKey added in the same up: the ApiKey is only updated in place, the rotating key created; destroy revokes both", async () => {
    tmp = makeTempDir("rotating-upgrade");
    // Release 0.2.0 from history, as the upgrade suite builds it; this checkout packed under a
    // version of its own (whatever package.json says), as the upgrade suite repacks it.
    const previous = packCommit(RELEASE_0_2_0, tmp);
    expect(previous.version).toBe("0.2.0");
    const checkout = packCheckout(tmp);
    const next = `${checkout.version}-rotating`;
    const nextTarball = repackAs(checkout.tarball, tmp, next, [
      {
        file: "dist/provider/version.js",
        from: `exports.PROVIDER_VERSION = "${checkout.version}";`,
        to: `exports.PROVIDER_VERSION = "${next}";`,
      },
    ]);
    const programDir = path.join(tmp, "program");
    installUserProgram(programDir, previous.tarball);
    const entry = path.join(programDir, "index.js");
    fs.writeFileSync(entry, UPGRADE_PROGRAM);
    const writeSpec = (spec: { keys: unknown[]; rotating: unknown[] }) =>
      fs.writeFileSync(path.join(programDir, "spec.json"), JSON.stringify(spec));
    const legacyKey = { name: "legacy", args: { type: "WORKSPACE_INVOKE", modelIds: ["model-a"] } };
    writeSpec({ keys: [legacyKey], rotating: [] });

    emuC = await BasetenEmulator.start({ managementKey: dottedManagementKey() });
    upgraded = await DrivenStack.open({
      programDir,
      stateDir: path.join(tmp, "state"),
      stackName: "upgraded",
      apiUrl: emuC.url,
      managementKey: emuC.managementKey,
      entry,
    });
    const before = await upgraded.up();
    expect(before.summary.resourceChanges).toEqual({ create: 2 });
    const [legacy] = emuC.liveKeys();
    expect(before.outputs.legacyPrefix.value).toBe(legacy.prefix);
    expect((await upgraded.keyResources()).map((r) => r.outputs.providerVersion)).toEqual(["0.2.0"]);

    // The upgrade, and a rotating key beside the old key.
    installTarball(programDir, nextTarball);
    writeSpec({ keys: [legacyKey], rotating: [{ name: "fresh", args: { type: "WORKSPACE_INVOKE", rotation: ROTATION } }] });
    emuC.clearLog();
    const preview = await upgraded.preview({ diff: true });
    expect(preview.changeSummary).toEqual({ create: 1, update: 1, same: 1 });
    expect(preview.text).toMatch(new RegExp(`~ providerVersion\\s*: "0\\.2\\.0" => "${next.replace(/\./g, "\\.")}"`));
    expect(preview.text).not.toMatch(/replace/);
    // The ApiKey's block changes one property: the version.
    const apiKeyBlock = preview.text
      .split("--outputs:--")[0]
      .split(/\n(?=\s*[~+-]? ?pulumi-nodejs:dynamic\/)/)
      .find((b) => b.includes("baseten:ApiKey: (update)"));
    expect(apiKeyBlock).toContain("[urn=urn:pulumi:upgraded::user-program::pulumi-nodejs:dynamic/baseten:ApiKey::legacy]");
    const changedProperties = (apiKeyBlock ?? "").split("\n").flatMap((l) => /^\s*[~+-] (\w+)\s*:/.exec(l)?.[1] ?? []);
    expect(changedProperties).toEqual(["providerVersion"]);
    const freshName = /keyName\s*:\s*"(fresh-[a-z0-9]{7}-g1)"/.exec(preview.text)?.[1];
    expect(freshName).toBeDefined();
    expect(emuC.requestLog()).toEqual([]);

    emuC.clearLog();
    const up = await upgraded.up();
    expect(up.summary.resourceChanges).toEqual({ create: 1, update: 1, same: 1 });
    // The only write is the rotating key's mint; no request names the old key.
    const wrote = emuC.requestLog().filter((r) => r.method === "POST" || r.method === "DELETE");
    expect(wrote.map((r) => `${r.method} ${r.rawPath} ${r.status}`)).toEqual(["POST /v1/api_keys 200"]);
    expect((wrote[0].requestBody as { name: string }).name).toBe(freshName);
    expect(emuC.requestLog().filter((r) => r.rawPath.includes(legacy.prefix))).toEqual([]);
    const [legacyAfter] = await upgraded.keyResources();
    expect(legacyAfter.id).toBe(legacy.prefix);
    expect(legacyAfter.outputs.providerVersion).toBe(next);
    expect(up.outputs.legacyApiKey).toEqual(before.outputs.legacyApiKey);
    const fresh = emuC.liveKeys().find((k) => k.name === freshName)!;
    expect(up.outputs.freshApiKey).toEqual({ value: fresh.apiKey, secret: true });
    expect(
      emuC
        .liveKeys()
        .map((k) => k.prefix)
        .sort(),
    ).toEqual([legacy.prefix, fresh.prefix].sort());
    expect((await upgraded.preview({ expectNoChanges: true })).changeSummary).toEqual({ same: 3 });

    emuC.clearLog();
    const destroy = await upgraded.destroy();
    expect(destroy.summary.resourceChanges).toEqual({ delete: 3 });
    expect(writes(emuC).sort()).toEqual(
      [`DELETE /v1/api_keys/${legacy.prefix} 200`, `DELETE /v1/api_keys/${fresh.prefix} 200`].sort(),
    );
    expect(destroy.text).toContain(`Revoked Baseten API key "${legacy.prefix}": Baseten's tombstone names it (verified).`);
    expect(destroy.text).toContain(
      `Revoked every key of rotating key "rotating/${freshName!.slice(0, -3)}": "${fresh.prefix}" (${freshName}): Baseten's tombstone names it (verified).`,
    );
    expect(emuC.liveKeys()).toEqual([]);
    const secrets = [...emuC.allKeys().map((k) => k.apiKey), emuC.managementKey];
    expect(leaks(upgraded.transcript.join(""), secrets)).toEqual([]);
    expect(leaks(upgraded.stateFilesText(), secrets)).toEqual([]);
  });
});
