/**
 * RotatingApiKey's provider, driven as the engine drives it (check with the stored inputs, diff
 * against the stored outputs, then create, update, read or delete), against the emulator over
 * loopback HTTP, with time moved through BASETEN_PROVIDER_NOW (never slept through). Fake keys only.
 */
import { CLOCK_VARIABLE } from "../../provider/core/clock";
import type { RotatingApiKeyOutputs } from "../../provider/rotatingApiKey/types";
import { dottedManagementKey, ROUTES, type BasetenEmulator } from "../emulator";
import { failureOf } from "../support/failureOf";
import { printed } from "../support/printed";
import {
  at,
  configured,
  configuredAs,
  DAY,
  Engine,
  HOUR,
  liveNames,
  PROGRAM,
  requests,
  rotatingEmulator,
  T0,
  useRotatingEmulator,
  writes,
} from "../support/rotatingEngine";

useRotatingEmulator();
let emu: BasetenEmulator;
beforeAll(() => {
  emu = rotatingEmulator();
});

describe("RotatingApiKey: the schedule (issue 19)", () => {
  it("mints <base>-g1 under a stable id that is not a prefix, and plans nothing before the due date", async () => {
    const engine = new Engine(await configured());
    const planned = await engine.preview(T0);
    expect(planned.inputs).toMatchObject({ generation: 1, rotationReason: "first key", rotateAfter: at(T0 + 30 * DAY) });
    const base = planned.inputs.baseName as string;
    expect(planned.inputs.keyName).toBe(`${base}-g1`);
    expect(await engine.up(T0)).toBe("create");
    expect(engine.state!.id).toBe(`rotating/${base}`);
    expect(liveNames()).toEqual([`${base}-g1`]);
    expect(engine.state!.outs.prefix).toBe(emu.liveKeys()[0].prefix);
    expect(engine.state!.outs.apiKey).toMatch(/\S/);
    expect(engine.state!.outs.previousPrefix).toBeUndefined();

    emu.clearLog();
    expect(await engine.up(T0 + 30 * DAY - 1000)).toBe("same");
    expect(requests()).toEqual([]);
  });

  it("rotates after `every`: mints g2 and keeps g1 live through the overlap, then revokes g1 (verified) once it ends", async () => {
    const engine = new Engine(await configured());
    await engine.up(T0);
    const base = engine.state!.inputs.baseName as string;
    const g1 = engine.state!.outs.prefix;

    const due = T0 + 30 * DAY;
    const planned = await engine.preview(due);
    expect(planned.op).toBe("update");
    expect(planned.inputs).toMatchObject({ generation: 2, keyName: `${base}-g2`, overlapEndsAt: at(due + 2 * DAY) });
    expect(planned.inputs.rotationReason).toBe(`${base}-g1 reached its rotation age (every 30d) at ${at(due)}`);

    emu.clearLog();
    expect(await engine.up(due)).toBe("update");
    expect(writes().map((r) => r.method)).toEqual(["POST"]);
    expect(liveNames()).toEqual([`${base}-g1`, `${base}-g2`]);
    const g2 = engine.state!.outs.prefix;
    expect(g2).not.toBe(g1);
    expect(engine.state!.outs.previousPrefix).toBe(g1);

    // Within the overlap nothing happens.
    emu.clearLog();
    expect(await engine.up(due + 2 * DAY - 1000)).toBe("same");
    expect(requests()).toEqual([]);

    // After it, the update revokes g1 and only g1.
    emu.clearLog();
    const out = await printed(() => engine.up(due + 2 * DAY));
    expect(out.result).toBe("update");
    expect(writes().map((r) => `${r.method} ${r.rawPath}`)).toEqual([`DELETE /v1/api_keys/${g1}`]);
    expect(liveNames()).toEqual([`${base}-g2`]);
    expect(engine.state!.outs.previousPrefix).toBeUndefined();
    expect(engine.state!.outs.keys.map((k) => k.prefix)).toEqual([g2]);
    expect(out.lines).toContain(`revoked "${g1}" (${base}-g1): Baseten's tombstone names it (verified)`);
  });

  it("ends a previous key's overlap at the next rotation, whichever comes first, and destroy revokes every key it owns", async () => {
    const engine = new Engine(await configured(), { ...PROGRAM, rotation: { every: "1h", overlap: "50m" } });
    await engine.up(T0);
    await engine.up(T0 + HOUR);
    const [g2, g1] = engine.state!.outs.keys.map((k) => k.prefix);
    // A forced rotation (refresh finding the newest revoked) while g1's overlap still runs.
    emu.revokeOutOfBand(g2);
    await engine.refresh(T0 + HOUR + 60_000);
    expect(engine.state!.inputs.rotateNowBecause).toMatch(new RegExp(`key ${g2} .* was found revoked outside Pulumi`));
    const planned = await engine.preview(T0 + HOUR + 120_000);
    expect(planned.inputs.generation).toBe(3);
    expect(planned.inputs.rotationReason).toMatch(/found revoked outside Pulumi/);
    await engine.up(T0 + HOUR + 120_000);
    expect(engine.state!.outs.keys.map((k) => k.generation)).toEqual([3, 1]);
    expect(engine.state!.outs.previousPrefix).toBe(g1);

    emu.clearLog();
    const out = await printed(() => engine.destroy(T0 + HOUR + 180_000));
    expect(writes().map((r) => r.method)).toEqual(["DELETE", "DELETE"]);
    expect(liveNames()).toEqual([]);
    expect(out.lines).toMatch(/^Revoked every key of rotating key "rotating\/.*": .*verified.*verified/m);
  });

  it("refresh ends the overlap early when the previous key was revoked outside Pulumi, and plans no rotation", async () => {
    const engine = new Engine(await configured());
    await engine.up(T0);
    await engine.up(T0 + 30 * DAY);
    const g1 = engine.state!.outs.previousPrefix!;
    emu.revokeOutOfBand(g1);
    await engine.refresh(T0 + 30 * DAY + HOUR);
    expect(engine.state!.inputs.overlapEndsAt).toBeUndefined();
    expect(engine.state!.inputs.rotateNowBecause).toBeUndefined();
    expect(engine.state!.outs.previousPrefix).toBeUndefined();
    emu.clearLog();
    expect(await engine.up(T0 + 30 * DAY + 2 * HOUR)).toBe("same");
    expect(writes()).toEqual([]);
  });

  it("refresh drops the resource only when every key it owned is proven gone", async () => {
    const engine = new Engine(await configured());
    await engine.up(T0);
    emu.revokeOutOfBand(engine.state!.outs.prefix);
    const out = await printed(() => engine.refresh(T0 + HOUR));
    expect(engine.state).toBeUndefined();
    expect(out.lines).toMatch(/Refresh dropped rotating Baseten API key "rotating\/.*": every key it owned is gone/);
  });

  it("a changed `every` moves the due date from the newest key's plan, without minting", async () => {
    const engine = new Engine(await configured());
    await engine.up(T0);
    engine.program = { ...PROGRAM, rotation: { every: "7d", overlap: "2d" } };
    emu.clearLog();
    expect(await engine.up(T0 + DAY)).toBe("update");
    expect(writes()).toEqual([]);
    expect(engine.state!.outs.rotateAfter).toBe(at(T0 + 7 * DAY));
    // Already past the new due date: the next run rotates.
    expect((await engine.preview(T0 + 8 * DAY)).inputs.generation).toBe(2);
  });

  it("a changed type or model set replaces the resource under a new base name, minted before the old keys are revoked", async () => {
    const engine = new Engine(await configured());
    await engine.up(T0);
    const oldBase = engine.state!.inputs.baseName as string;
    engine.program = { ...PROGRAM, modelIds: ["abcd1234"] };
    const planned = await engine.preview(T0 + HOUR);
    expect(planned.op).toBe("replace");
    expect(engine.lastDiff!.replaces).toEqual(expect.arrayContaining(["modelIds", "baseName"]));
    expect(planned.inputs.baseName).not.toBe(oldBase);
    expect(planned.inputs).toMatchObject({ generation: 1, rotationReason: "first key" });
    emu.clearLog();
    await engine.up(T0 + HOUR);
    expect(writes().map((r) => r.method)).toEqual(["POST", "DELETE"]);
    expect(liveNames()).toEqual([`${planned.inputs.baseName as string}-g1`]);
  });
});

describe("RotatingApiKey: check", () => {
  it.each([
    [{ rotation: undefined }, "rotation", /is required: \{ every, overlap \}/],
    [{ rotation: { every: "30 days", overlap: "2d" } }, "rotation.every", /must be a duration such as "30d"/],
    [{ rotation: { every: "30d", overlap: "30d" } }, "rotation.overlap", /must be shorter than rotation.every/],
    [{ rotation: { every: "30s", overlap: "1s" } }, "rotation.every", /must be at least 1m/],
    [{ rotation: { every: "30d", overlap: "2d", at: "x" } }, "rotation.at", /is not a field of rotation/],
  ])("refuses %j at preview, naming %s", async (change, property, reason) => {
    const engine = new Engine(await configured(), { ...PROGRAM, ...change });
    const { failures } = await engine.check(T0);
    expect(failures).toEqual(expect.arrayContaining([{ property, reason: expect.stringMatching(reason) }]));
    expect(requests()).toEqual([]);
  });

  it("refuses a malformed clock override rather than falling back to this machine's clock", async () => {
    const engine = new Engine(await configured());
    process.env[CLOCK_VARIABLE] = "next tuesday";
    const { failures } = await engine.provider.check!({} as never, PROGRAM as never);
    expect(failures).toEqual([
      { property: "rotation", reason: expect.stringContaining(`${CLOCK_VARIABLE}="next tuesday" is neither`) },
    ]);
  });
});

describe("RotatingApiKey: interrupted runs leave nothing untracked, and nothing not its own is touched", () => {
  // README's facts: the audit log's `actor.api_key_prefix` names the acting API key, "so the log
  // can show which management key minted a given prefix". A name alone proves nothing.
  it("a create finding its first name held by a key this management key minted (a create interrupted after its mint) tracks it, mints g2, and the next up revokes it", async () => {
    const crashed = new Engine(await configured());
    await crashed.up(T0); // minted g1, then its state was lost
    const base = crashed.state!.inputs.baseName as string;
    const orphan = crashed.state!.outs.prefix;
    const engine = new Engine(await configured());
    const out = await printed(() => engine.up(T0 + 60_000));
    expect(liveNames()).toEqual([`${base}-g1`, `${base}-g2`]);
    expect(engine.state!.outs.keys.map((k) => [k.prefix, Boolean(k.leftBehind)])).toEqual([
      [engine.state!.outs.prefix, false],
      [orphan, true],
    ]);
    expect(out.lines).toContain(
      `Baseten API key "${orphan}" named "${base}-g1" holds a name of rotating key "${base}", and the audit log shows it minted by this management key`,
    );
    expect(out.lines).toContain(`mints "${base}-g2" instead of the planned "${base}-g1"`);

    // The next up retires it (no schedule change needed), and refresh realigns the plan to g2.
    expect((await engine.preview(T0 + HOUR)).op).toBe("update");
    emu.clearLog();
    await engine.up(T0 + HOUR);
    expect(writes().map((r) => `${r.method} ${r.rawPath}`)).toEqual([`DELETE /v1/api_keys/${orphan}`]);
    expect(liveNames()).toEqual([`${base}-g2`]);
    await engine.refresh(T0 + 2 * HOUR);
    expect(engine.state!.inputs).toMatchObject({ generation: 2, keyName: `${base}-g2` });
    expect((await engine.preview(T0 + 2 * HOUR)).op).toBe("same");
    expect((await engine.preview(T0 + 31 * DAY)).inputs.keyName).toBe(`${base}-g3`);
  });

  it.each([
    ["another management key (another stack of the same project, stack and resource names)", "api"],
    ["Baseten's UI", "ui"],
  ] as const)("a create leaves alone a key holding its name that %s minted: never tracked, never revoked", async (_who, via) => {
    const engine = new Engine(await configured());
    const base = (await engine.preview(T0)).inputs.baseName as string;
    const other = emu.addUser({ userId: "user-two", admin: true, manages: "all", apiKey: dottedManagementKey() });
    const theirs = emu.createKeyOutOfBand({ type: "WORKSPACE_INVOKE", name: `${base}-g1`, userId: other.userId, via });
    const out = await printed(() => engine.up(T0));
    expect(out.lines).toContain(
      `Baseten API key "${theirs.prefix}" holds "${base}-g1", a name of rotating key "${base}", but nothing proves it this resource's`,
    );
    expect(out.lines).toContain(via === "api" ? `minted by API key ${other.apiKey.split(".")[0]}` : "minted in Baseten's UI");
    expect(engine.state!.outs.keys.map((k) => k.name)).toEqual([`${base}-g2`]);
    await engine.up(T0 + 30 * DAY);
    await engine.up(T0 + 33 * DAY);
    await engine.refresh(T0 + 34 * DAY);
    await engine.destroy(T0 + 35 * DAY);
    expect(emu.liveKeys().map((k) => k.prefix)).toEqual([theirs.prefix]);
  });

  it("refresh takes in a later generation this management key minted (a rotation interrupted after its mint), and the next up revokes it", async () => {
    const engine = new Engine(await configured());
    await engine.up(T0);
    const base = engine.state!.inputs.baseName as string;
    const orphan = emu.createKeyOutOfBand({ type: "WORKSPACE_INVOKE", name: `${base}-g2`, teamId: "team-default", via: "api" });
    const out = await printed(() => engine.refresh(T0 + HOUR));
    expect(out.lines).toContain(
      `Baseten API key "${orphan.prefix}" named "${base}-g2" holds a later name of rotating key "${base}", the audit log shows it minted by this management key`,
    );
    expect(engine.state!.outs.keys.find((k) => k.prefix === orphan.prefix)?.leftBehind).toBe(true);
    emu.clearLog();
    await engine.up(T0 + 2 * HOUR);
    expect(writes().map((r) => `${r.method} ${r.rawPath}`)).toEqual([`DELETE /v1/api_keys/${orphan.prefix}`]);
    expect(liveNames()).toEqual([`${base}-g1`]);
  });

  it("refresh leaves alone a later generation's name held by a key the audit log does not show this management key minting", async () => {
    const engine = new Engine(await configured());
    await engine.up(T0);
    const base = engine.state!.inputs.baseName as string;
    const theirs = emu.createKeyOutOfBand({ type: "WORKSPACE_INVOKE", name: `${base}-g2`, teamId: "team-default" });
    const out = await printed(() => engine.refresh(T0 + HOUR));
    expect(out.lines).toContain(
      `Baseten API key "${theirs.prefix}" holds "${base}-g2", a later name of rotating key "${base}", but nothing proves it this resource's (the audit log shows it minted in Baseten's UI)`,
    );
    expect(engine.state!.outs.keys.map((k) => k.prefix)).not.toContain(theirs.prefix);
    await engine.newProcess();
    await engine.up(T0 + 30 * DAY);
    expect(engine.state!.outs.keyName).toBe(`${base}-g3`);
    await engine.destroy(T0 + 31 * DAY);
    expect(emu.liveKeys().map((k) => k.prefix)).toEqual([theirs.prefix]);
  });

  it("a revocation that fails at the overlap's end keeps the key in state ({id, properties} with the provider code), and the next up retries it", async () => {
    const engine = new Engine(await configured());
    await engine.up(T0);
    const g1 = engine.state!.outs.prefix;
    await engine.up(T0 + 30 * DAY);
    // "A DELETE on a key the caller may list but not manage can answer 403" (README's facts): no proof.
    emu.injectFault({ kind: "respond", status: 403, method: "DELETE", body: '{"error":"forbidden"}' });
    const { inputs } = await engine.preview(T0 + 33 * DAY);
    const error = await failureOf(engine.provider.update!(engine.state!.id, engine.state!.outs as never, inputs as never));
    const kept = error as unknown as { id: string; properties: RotatingApiKeyOutputs & { __provider: string } };
    expect(kept.id).toBe(engine.state!.id);
    expect(kept.properties.__provider).toBe("serialized-provider-text");
    expect(kept.properties.keys.map((k) => k.prefix)).toEqual([kept.properties.prefix, g1]);
    expect(kept.properties.apiKey).toMatch(/\S/);
    expect(String((error as Error).message)).toMatch(
      /could not prove 1 retiring key\(s\) revoked: .*stay tracked, and the next `pulumi up`/,
    );
    // The engine stores the new inputs and the error's properties; the next up sees a key to retire.
    engine.state = { id: kept.id, inputs, outs: kept.properties };
    emu.clearFaults();
    expect((await engine.preview(T0 + 34 * DAY)).op).toBe("update");
    emu.clearLog();
    await engine.up(T0 + 34 * DAY);
    expect(writes().map((r) => `${r.method} ${r.rawPath}`)).toEqual([`DELETE /v1/api_keys/${g1}`]);
    expect(emu.liveKeys().map((k) => k.prefix)).toEqual([engine.state!.outs.prefix]);
  });

  it("a rotation mint whose outcome stays unknown revokes nothing; the retry keeps the delivered key through the overlap, even when it is retried after the planned end", async () => {
    // Teamless keys listed with no team (spec: team_name nullable): the creating user's listing
    // is then known to cover the unconfirmed name, so the retry can prove it never minted.
    emu.setModes({ teamlessTeamName: "null" });
    const engine = new Engine(await configured());
    await engine.up(T0);
    const g1 = engine.state!.outs.prefix;
    // A fresh process: its first listing is the one before the mint, the second the one after it.
    const provider = await configured();
    emu.injectFault({ kind: "reset", method: "POST" });
    emu.injectFault({ kind: "respond", status: 400, route: ROUTES.listKeys, skip: 1, times: 5, body: '{"error":"bad"}' });
    const { inputs } = await engine.preview(T0 + 30 * DAY);
    const error = await failureOf(provider.update!(engine.state!.id, engine.state!.outs as never, inputs as never));
    const kept = error as unknown as { id: string; properties: RotatingApiKeyOutputs };
    expect(kept.properties.keys.map((k) => k.prefix || `unconfirmed/${k.name}`)).toEqual([
      `unconfirmed/${inputs.keyName as string}`,
      g1,
    ]);
    expect(String((error as Error).message)).toContain("Nothing was revoked");
    expect(emu.liveKeys().map((k) => k.prefix)).toContain(g1);
    engine.state = { id: kept.id, inputs, outs: kept.properties };
    emu.clearFaults();

    // Retried after the 2d overlap planned at day 30 is over: g1 is what consumers hold, so it
    // outlives the run that mints its successor, and goes at the next.
    expect((await engine.preview(T0 + 33 * DAY)).op).toBe("update");
    await engine.up(T0 + 33 * DAY);
    expect(emu.liveKeys().map((k) => k.prefix)).toContain(g1);
    expect(engine.state!.outs.previousPrefix).toBe(g1);
    const newest = engine.state!.outs.prefix;
    emu.clearLog();
    await engine.up(T0 + 33 * DAY + 60_000);
    expect(writes().map((r) => `${r.method} ${r.rawPath}`)).toEqual([`DELETE /v1/api_keys/${g1}`]);
    expect(emu.liveKeys().map((k) => k.prefix)).toEqual([newest]);
  });

  it('with overlap "0s" the previous key outlives the rotating run (its consumers update after it) and goes at the next run', async () => {
    const engine = new Engine(await configured(), { ...PROGRAM, rotation: { every: "30d", overlap: "0s" } });
    await engine.up(T0);
    const g1 = engine.state!.outs.prefix;
    emu.clearLog();
    await engine.up(T0 + 30 * DAY);
    expect(writes().map((r) => r.method)).toEqual(["POST"]);
    expect(engine.state!.outs.previousPrefix).toBe(g1);
    emu.clearLog();
    expect(await engine.up(T0 + 30 * DAY + 60_000)).toBe("update");
    expect(writes().map((r) => `${r.method} ${r.rawPath}`)).toEqual([`DELETE /v1/api_keys/${g1}`]);
    expect(engine.state!.outs.previousPrefix).toBeUndefined();
  });

  it("destroy tries every key even when one cannot be proven revoked, and names what is left", async () => {
    const engine = new Engine(await configured());
    await engine.up(T0);
    await engine.up(T0 + 30 * DAY);
    const [g2, g1] = engine.state!.outs.keys.map((k) => k.prefix);
    emu.injectFault({
      kind: "respond",
      status: 403,
      method: "DELETE",
      pathPrefix: `/v1/api_keys/${g1}`,
      body: '{"error":"forbidden"}',
    });
    const error = await failureOf(engine.provider.delete!(engine.state!.id, engine.state!.outs as never));
    expect(String((error as Error).message)).toMatch(
      new RegExp(`could not prove 1 of its 2 keys revoked: key "${g1}".*Revoked: "${g2}"`),
    );
    expect(emu.liveKeys().map((k) => k.prefix)).toEqual([g1]);
    emu.clearFaults();
    await engine.destroy(T0 + 31 * DAY);
    expect(emu.liveKeys()).toEqual([]);
  });

  it("refuses to rotate a PERSONAL key with another user's management key, before any POST", async () => {
    const engine = new Engine(await configured(), { ...PROGRAM, type: "PERSONAL" });
    await engine.up(T0);
    const other = emu.addUser({ userId: "user-two", admin: true, manages: "all", apiKey: dottedManagementKey() });
    const theirs = new Engine(await configuredAs(other.apiKey), engine.program);
    theirs.state = engine.state;
    emu.clearLog();
    const error = await failureOf(theirs.up(T0 + 30 * DAY));
    expect(String((error as Error).message)).toMatch(
      /cannot rotate: it stands for a personal key of Baseten user .*this management key belongs to user user-two/,
    );
    expect(writes()).toEqual([]);
  });

  it("a rotation's reason names the `every` in force, not the one before it", async () => {
    const engine = new Engine(await configured());
    await engine.up(T0);
    engine.program = { ...PROGRAM, rotation: { every: "7d", overlap: "2d" } };
    expect((await engine.preview(T0 + 8 * DAY)).inputs.rotationReason).toMatch(/reached its rotation age \(every 7d\)/);
  });
});
