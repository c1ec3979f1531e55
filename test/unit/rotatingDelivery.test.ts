/**
 * RotatingApiKey with `deliverTo` (issue 20): each key minted is written into a Baseten secret
 * and its plaintext is stored nowhere else. Driven as the engine drives the provider, against
 * the emulator over loopback HTTP, time moved through BASETEN_PROVIDER_NOW. Every behaviour of
 * Baseten used here is from the shared README ("Secrets": POST is an upsert by name, `id` stable
 * across value changes, values never read back, non-alphanumeric characters equivalent; "A
 * create can time out on our side and still commit") or the spec (the team secret routes and
 * their tombstone). Fake keys only.
 */
import { UNKNOWN } from "../../provider/core/unknown";
import { diffRotating } from "../../provider/rotatingApiKey/diff";
import type { RotatingApiKeyOutputs } from "../../provider/rotatingApiKey/types";
import { SECRET_ROUTES, ROUTES, type BasetenEmulator } from "../emulator";
import { keyInSecret as keyHeldBy, secretIn } from "../support/delivery";
import { failureOf } from "../support/failureOf";
import { printed } from "../support/printed";
import { configured, DAY, Engine, HOUR, PROGRAM, rotatingEmulator, T0, useRotatingEmulator } from "../support/rotatingEngine";

useRotatingEmulator();
let emu: BasetenEmulator;
beforeAll(() => {
  emu = rotatingEmulator();
});

const SECRET = "upstream_api_key";
const DELIVERING = { ...PROGRAM, deliverTo: { secretName: SECRET } };

/** The default team's secret of SECRET, and the live key it holds (the emulator's control side: test/support/delivery.ts). */
const theSecret = () => secretIn(emu, SECRET);
const keyInSecret = () => keyHeldBy(emu, SECRET);
/** Mints, secret writes and revocations, in order: "mint", "write", "delete-secret", "revoke". */
const steps = () =>
  emu
    .requestLog()
    .map((r) =>
      r.route === ROUTES.createKey
        ? "mint"
        : r.route === SECRET_ROUTES.upsertTeamSecret
          ? "write"
          : r.route === SECRET_ROUTES.deleteTeamSecret
            ? "delete-secret"
            : r.route === ROUTES.deleteKey
              ? "revoke"
              : r.route === SECRET_ROUTES.listTeamSecrets
                ? "list-secrets"
                : undefined,
    )
    .filter((s) => s !== undefined);

/** No plaintext of any key the emulator ever minted appears anywhere in `value`. */
function expectNoPlaintext(value: unknown) {
  const text = JSON.stringify(value);
  for (const k of emu.allKeys()) expect(text).not.toContain(k.apiKey.split(".")[1]);
}

async function delivering(program: Record<string, unknown> = DELIVERING) {
  const engine = new Engine(await configured(), program);
  await engine.up(T0);
  return engine;
}

describe("RotatingApiKey deliverTo: create and rotation", () => {
  it("lists the team's secrets, mints, lists again (the name may have been taken meanwhile), then writes; state holds prefixes and the secret's id, no apiKey", async () => {
    const engine = await delivering();
    const outs = engine.state!.outs;
    expect(steps()).toEqual(["list-secrets", "mint", "list-secrets", "write"]);
    expect(keyInSecret()?.prefix).toBe(outs.prefix);
    expect(outs).not.toHaveProperty("apiKey");
    expect(outs).toMatchObject({ secretName: SECRET, secretId: theSecret()!.id });
    expect(outs.delivery).toMatchObject({ name: SECRET, secretId: theSecret()!.id, teamId: "team-default" });
    expectNoPlaintext(engine.state);
  });

  it("a rotation writes the new key into the same secret before anything is revoked; the previous key lives through the overlap", async () => {
    const engine = await delivering();
    const g1 = engine.state!.outs.prefix;
    const id = theSecret()!.id;
    emu.clearLog();
    expect(await engine.up(T0 + 30 * DAY)).toBe("update");
    const g2 = engine.state!.outs.prefix;
    expect(steps()).toEqual(["list-secrets", "mint", "write"]);
    expect(keyInSecret()?.prefix).toBe(g2);
    expect(theSecret()!.id).toBe(id); // written in place: models keep reading the same secret
    expect(emu.liveKeys().map((k) => k.prefix)).toEqual(expect.arrayContaining([g1, g2]));
    expect(engine.state!.outs.previousPrefix).toBe(g1);

    emu.clearLog();
    expect(await engine.up(T0 + 32 * DAY + HOUR)).toBe("update");
    expect(steps()).toEqual(["revoke"]);
    expect(emu.liveKeys().map((k) => k.prefix)).toEqual([g2]);
    expectNoPlaintext(engine.state);
  });

  it("takes the secret's team by name, and refuses an input that names both team fields or omits the name", async () => {
    const engine = await delivering({ ...PROGRAM, deliverTo: { secretName: SECRET, teamName: "ml-platform" } });
    expect(emu.secrets().map((s) => [s.teamId, s.name])).toEqual([["team-ml", SECRET]]);
    expect(engine.state!.outs.delivery).toMatchObject({ teamId: "team-ml", teamName: "ml-platform" });

    const bad = new Engine(await configured(), {
      ...PROGRAM,
      deliverTo: { teamId: "team-ml", teamName: "ml-platform", adoptExisting: "yes", extra: 1 },
    });
    const { failures } = await bad.check(T0);
    expect(failures.map((f) => f.property).sort()).toEqual([
      "deliverTo.adoptExisting",
      "deliverTo.extra",
      "deliverTo.secretName",
      "deliverTo.teamName",
    ]);
  });
});

describe("RotatingApiKey deliverTo: a secret it does not own", () => {
  it("refuses, before any mint, a name another writer holds; with adoptExisting it writes into that secret, keeping its id", async () => {
    const theirs = emu.upsertSecretOutOfBand({ teamId: "team-default", name: "upstream-api-key", value: "theirs" });
    const engine = new Engine(await configured(), DELIVERING);
    const error = await failureOf(engine.up(T0));
    expect(error.message).toContain("minted no key");
    expect(error.message).toContain("adoptExisting");
    expect(emu.allKeys()).toEqual([]);
    expect(theSecret()).toBeUndefined();
    expect(emu.secrets()[0].value).toBe("theirs");

    const adopting = await delivering({ ...PROGRAM, deliverTo: { secretName: SECRET, adoptExisting: true } });
    expect(emu.secrets().map((s) => s.id)).toEqual([theirs.id]);
    expect(emu.liveKeys()[0].apiKey).toBe(emu.secrets()[0].value);
    expect(adopting.state!.outs.secretId).toBe(theirs.id);
  });

  it("a management key that cannot read the team's secrets fails at the listing, before any mint, naming the request", async () => {
    emu.injectFault({
      route: SECRET_ROUTES.listTeamSecrets,
      kind: "respond",
      status: 403,
      body: '{"error":"forbidden"}',
      times: 10,
    });
    const error = await failureOf(new Engine(await configured(), DELIVERING).up(T0));
    expect(error.message).toContain("GET /v1/teams/team-default/secrets");
    expect(emu.allKeys()).toEqual([]);
  });
});

describe("RotatingApiKey deliverTo: a write that fails", () => {
  it("certainly (a 4xx): the new key is revoked, verified, and the error says so; a create then leaves nothing", async () => {
    emu.injectFault({ route: SECRET_ROUTES.upsertTeamSecret, kind: "respond", status: 400, body: '{"error":"bad"}' });
    const error = await failureOf(new Engine(await configured(), DELIVERING).up(T0));
    expect(error.message).toContain("so the new key was revoked");
    expect(error.message).toContain("verified");
    expect(emu.liveKeys()).toEqual([]);
    expect(emu.allKeys()).toHaveLength(1);
    expect(theSecret()).toBeUndefined();
    expect(steps()).toEqual(["list-secrets", "mint", "list-secrets", "write", "revoke"]);
  });

  it("certainly, at a rotation: the new key is revoked; the secret and the previous key are untouched", async () => {
    const engine = await delivering();
    const g1 = engine.state!.outs.prefix;
    emu.injectFault({ route: SECRET_ROUTES.upsertTeamSecret, kind: "respond", status: 422, body: '{"detail":"no"}' });
    const error = await engine.upKeepingFailure(T0 + 30 * DAY);
    expect(error.message).toContain("so the new key was revoked");
    expect(emu.liveKeys().map((k) => k.prefix)).toEqual([g1]);
    expect(keyInSecret()?.prefix).toBe(g1);
    expect(engine.state!.outs.keys.map((k) => k.prefix)).toEqual([g1]);

    await engine.newProcess();
    await engine.up(T0 + 30 * DAY + HOUR); // the next run rotates
    expect(keyInSecret()?.prefix).toBe(engine.state!.outs.prefix);
    expect(engine.state!.outs.prefix).not.toBe(g1);
  });

  it("with an unknown outcome (the connection lost after Baseten wrote it): no key is revoked, both stay tracked, and the next up delivers a fresh key", async () => {
    const engine = await delivering();
    const g1 = engine.state!.outs.prefix;
    emu.injectFault({ route: SECRET_ROUTES.upsertTeamSecret, kind: "reset", afterCommit: true });
    const error = await engine.upKeepingFailure(T0 + 30 * DAY);
    expect(error.message).toContain("may now hold that key: no key is revoked");
    const g2 = engine.state!.outs.keys[0];
    expect(g2.mayBeDelivered).toBe(true);
    expect(keyInSecret()?.prefix).toBe(g2.prefix); // it did land: revoking it would break the secret
    expect(
      emu
        .liveKeys()
        .map((k) => k.prefix)
        .sort(),
    ).toEqual([g1, g2.prefix].sort());
    expect(engine.state!.outs.keys.map((k) => k.prefix).sort()).toEqual([g1, g2.prefix].sort());

    await engine.newProcess();
    emu.clearLog();
    await engine.up(T0 + 30 * DAY + HOUR);
    const g3 = engine.state!.outs.prefix;
    expect(steps()).toEqual(["list-secrets", "mint", "write"]); // nothing revoked before the fresh key is in the secret
    expect(keyInSecret()?.prefix).toBe(g3);
    // Both keys the secret may have held are kept through the overlap, then revoked.
    expect(
      emu
        .liveKeys()
        .map((k) => k.prefix)
        .sort(),
    ).toEqual([g1, g2.prefix, g3].sort());
    // At the overlap's end a fresh key is written first (a late write of g2 could otherwise leave
    // the secret holding a revoked key), then g1 goes. g2 (a late write may have put it in the
    // secret until now) and g3, both replaced by that write, follow after a whole overlap from it.
    await engine.newProcess();
    emu.clearLog();
    const { lines } = await printed(() => engine.up(T0 + 33 * DAY));
    expect(lines).toContain("before revoking the keys whose write had an unknown outcome");
    const g4 = engine.state!.outs.prefix;
    expect(steps()).toEqual(["list-secrets", "mint", "write", "revoke"]);
    expect(keyInSecret()?.prefix).toBe(g4);
    expect(
      emu
        .liveKeys()
        .map((k) => k.prefix)
        .sort(),
    ).toEqual([g2.prefix, g3, g4].sort());
    expect((await engine.preview(T0 + 34 * DAY)).op).toBe("same");
    await engine.newProcess();
    await engine.up(T0 + 35 * DAY + HOUR);
    expect(emu.liveKeys().map((k) => k.prefix)).toEqual([g4]);
    expectNoPlaintext(engine.state);
  });

  it("with an unknown outcome at create (a lost connection): the key stays tracked, and the next up delivers a fresh one", async () => {
    emu.injectFault({ route: SECRET_ROUTES.upsertTeamSecret, kind: "reset" });
    const engine = new Engine(await configured(), DELIVERING);
    const error = (await failureOf(engine.up(T0))) as Error & { id?: string; properties?: RotatingApiKeyOutputs };
    expect(error.properties?.keys).toHaveLength(1);
    expect(error.properties).not.toHaveProperty("delivery");
    engine.state = { id: error.id!, inputs: (await engine.check(T0)).inputs, outs: error.properties! };
    await engine.newProcess();
    expect(await engine.up(T0 + HOUR)).toBe("update");
    expect(keyInSecret()?.prefix).toBe(engine.state!.outs.prefix);
    expect(engine.state!.outs.secretId).toBe(theSecret()!.id);
  });
});

describe("RotatingApiKey deliverTo: the secret changed outside Pulumi", () => {
  it("deleted: refresh keeps the resource and plans a re-delivery; up writes a fresh key into a new secret, then the old key follows the overlap", async () => {
    const engine = await delivering();
    const g1 = engine.state!.outs.prefix;
    emu.deleteSecretOutOfBand("team-default", SECRET);
    await engine.newProcess();
    const { lines } = await printed(() => engine.refresh(T0 + HOUR));
    expect(lines).toContain("was deleted outside Pulumi");
    expect(engine.state!.outs.delivery).toBeUndefined();
    expect(engine.state!.inputs.rotateNowBecause).toMatch(/its secret .* was deleted outside Pulumi/);

    emu.clearLog();
    const planned = await engine.preview(T0 + 2 * HOUR);
    expect(planned.op).toBe("update");
    await engine.up(T0 + 2 * HOUR); // in the refresh's process, as `pulumi up --refresh` runs: its listing is reused
    expect(steps()).toEqual(["mint", "list-secrets", "write"]); // a new secret: the name listed again just before the write
    expect(keyInSecret()?.prefix).toBe(engine.state!.outs.prefix);
    expect(engine.state!.outs.secretId).toBe(theSecret()!.id);
    expect(emu.liveKeys().map((k) => k.prefix)).toContain(g1); // through the overlap
  });

  it("replaced (another id under its name): refresh drops it, and up refuses to overwrite the other secret unless told to adopt it", async () => {
    const engine = await delivering();
    emu.replaceSecretOutOfBand({ teamId: "team-default", name: SECRET, value: "a colleague's" });
    await engine.newProcess();
    await engine.refresh(T0 + HOUR);
    expect(engine.state!.outs.delivery).toBeUndefined();
    const mintedBefore = emu.allKeys().length;
    const error = await failureOf(engine.up(T0 + 2 * HOUR));
    expect(error.message).toContain("not written by this resource");
    expect(emu.allKeys()).toHaveLength(mintedBefore);
    expect(theSecret()!.value).toBe("a colleague's");
  });

  it("replaced, seen by an up without refresh: the stored id is not in the listing under the name, so nothing is written over it", async () => {
    const engine = await delivering();
    emu.replaceSecretOutOfBand({ teamId: "team-default", name: SECRET, value: "a colleague's" });
    await engine.newProcess();
    const error = await failureOf(engine.up(T0 + 30 * DAY));
    expect(error.message).toContain("not written by this resource");
    expect(theSecret()!.value).toBe("a colleague's");
  });
});

describe("RotatingApiKey deliverTo: destroy and replacement", () => {
  it("destroy deletes the secret first, then revokes every key, each proven", async () => {
    const engine = await delivering();
    await engine.up(T0 + 30 * DAY);
    emu.clearLog();
    await engine.newProcess();
    const { lines } = await printed(() => engine.destroy(T0 + 30 * DAY + HOUR));
    expect(steps().filter((s) => s !== "list-secrets")).toEqual(["delete-secret", "revoke", "revoke"]);
    expect(lines).toContain("Deleted the secret");
    expect(emu.secrets()).toEqual([]);
    expect(emu.liveKeys()).toEqual([]);
  });

  it("a secret deletion that cannot be proven revokes no key and keeps the resource", async () => {
    const engine = await delivering();
    emu.injectFault({ route: SECRET_ROUTES.deleteTeamSecret, kind: "wrongTombstone", name: "other", times: 5 });
    const error = await failureOf(engine.destroy(T0 + HOUR));
    expect(error.message).toContain("No key was revoked");
    expect(emu.liveKeys()).toHaveLength(1);
    expect(keyInSecret()).toBeDefined();
  });

  it("a new secret name replaces the resource delete-first: the old secret and keys go before the new secret is written", async () => {
    const engine = await delivering();
    const { op } = await engine.preview(T0 + HOUR);
    expect(op).toBe("same");
    engine.program = { ...PROGRAM, deliverTo: { secretName: "moved_key" } };
    expect((await engine.preview(T0 + HOUR)).op).toBe("replace");
    expect(engine.lastDiff).toMatchObject({ replaces: ["deliverTo"], deleteBeforeReplace: true });
    emu.clearLog();
    await engine.up(T0 + HOUR);
    expect(steps().filter((s) => s !== "list-secrets")).toEqual(["delete-secret", "revoke", "mint", "write"]);
    expect(emu.secrets().map((s) => s.name)).toEqual(["moved_key"]);
    expect(emu.liveKeys()).toHaveLength(1);
  });

  it("an equivalent name, or the stored secret's team named another way, is the same target; an unknown name at preview is a new one", async () => {
    const engine = await delivering({ ...PROGRAM, deliverTo: { secretName: SECRET, teamName: "ml-platform" } });
    const olds = engine.state!.outs as unknown as Record<string, unknown>;
    const replaces = (deliverTo: unknown) => diffRotating(olds, { ...olds, deliverTo }).replaces;
    expect(replaces({ secretName: "upstream-api-key", teamName: "ml-platform" })).toEqual([]);
    expect(replaces({ secretName: SECRET, teamId: "team-ml" })).toEqual([]);
    expect(replaces({ secretName: SECRET, teamName: "ml-platform", adoptExisting: UNKNOWN })).toEqual([]);
    expect(replaces({ secretName: SECRET, teamId: "team-default" })).toEqual(["deliverTo"]);
    expect(replaces({ secretName: UNKNOWN, teamName: "ml-platform" })).toEqual(["deliverTo"]);
    expect(replaces(undefined)).toEqual(["deliverTo"]);
  });

  it("deliverTo added to a key given out as apiKey is a hand-over in place: a rotation into the secret, the old key through the overlap", async () => {
    const engine = new Engine(await configured(), PROGRAM);
    await engine.up(T0);
    const g1 = engine.state!.outs.prefix;
    expect(engine.state!.outs.apiKey).toMatch(/\S/);
    engine.program = DELIVERING;
    const planned = await engine.preview(T0 + HOUR);
    expect(planned.op).toBe("update");
    expect(planned.inputs.rotationReason).toBe(`deliverTo added: the next key is written into secret "${SECRET}"`);
    emu.clearLog();
    await engine.up(T0 + HOUR);
    expect(steps()).toEqual(["list-secrets", "mint", "list-secrets", "write"]);
    const g2 = engine.state!.outs.prefix;
    expect(keyInSecret()?.prefix).toBe(g2);
    expect(engine.state!.outs).not.toHaveProperty("apiKey");
    expect(engine.state!.outs.previousPrefix).toBe(g1);
    expectNoPlaintext(engine.state!.outs.keys);
    await engine.newProcess();
    await engine.up(T0 + 3 * DAY);
    expect(emu.liveKeys().map((k) => k.prefix)).toEqual([g2]);
  });

  it("deliverTo added where a secret not its own holds the name: refused before any mint, nothing revoked", async () => {
    const engine = new Engine(await configured(), PROGRAM);
    await engine.up(T0);
    emu.upsertSecretOutOfBand({ teamId: "team-default", name: SECRET, value: "written by a Secret resource" });
    engine.program = DELIVERING;
    const error = await failureOf(engine.up(T0 + HOUR));
    expect(error.message).toContain("minted no key");
    expect(emu.allKeys()).toHaveLength(1);
    expect(emu.liveKeys()).toHaveLength(1);
  });

  it("a changed adoptExisting alone is not a new target: no replacement, no request", async () => {
    const engine = await delivering();
    engine.program = { ...PROGRAM, deliverTo: { secretName: SECRET, adoptExisting: true } };
    emu.clearLog();
    const { op } = await engine.preview(T0 + HOUR);
    expect(engine.lastDiff?.replaces).toEqual([]);
    expect(op).not.toBe("replace");
    await engine.up(T0 + HOUR);
    expect(steps()).toEqual([]);
  });
});

describe("RotatingApiKey deliverTo: a create interrupted after its write", () => {
  it("the rerun tracks the interrupted create's key (proven ours) while refusing the secret it cannot prove ours; adoptExisting then converges", async () => {
    // The interrupted create: minted and wrote, and its answer never reached the engine.
    const lost = new Engine(await configured(), DELIVERING);
    await lost.up(T0);
    const g1 = lost.state!.outs.prefix;

    const engine = new Engine(await configured(), DELIVERING);
    const error = (await failureOf(engine.up(T0 + 60_000))) as Error & { id?: string; properties?: RotatingApiKeyOutputs };
    expect(error.message).toContain("adoptExisting");
    expect(error.properties?.keys.map((k) => k.prefix)).toEqual([g1]);
    expect(error.properties?.keys[0]).toMatchObject({ leftBehind: true, mayBeDelivered: true });
    engine.state = { id: error.id!, inputs: (await engine.check(T0 + 60_000)).inputs, outs: error.properties! };

    engine.program = { ...PROGRAM, deliverTo: { secretName: SECRET, adoptExisting: true } };
    await engine.newProcess();
    await engine.up(T0 + 2 * 60_000);
    const newest = engine.state!.outs.prefix;
    expect(keyInSecret()?.prefix).toBe(newest);
    expect(
      emu
        .liveKeys()
        .map((k) => k.prefix)
        .sort(),
    ).toEqual([g1, newest].sort()); // g1 may be held by a consumer: through a whole overlap from this write
    // The overlap counts from the write, though no rotation was planned: a plain preview plans nothing meanwhile.
    expect((await engine.preview(T0 + 2 * DAY)).op).toBe("same");
    await engine.newProcess();
    await engine.up(T0 + 3 * DAY); // g1 goes after a fresh key is written (see "with an unknown outcome" above)
    expect(emu.liveKeys().some((k) => k.prefix === newest)).toBe(true); // replaced in the secret now: its overlap starts
    await engine.newProcess();
    await engine.up(T0 + 5 * DAY + HOUR);
    expect(emu.liveKeys().map((k) => k.prefix)).toEqual([engine.state!.outs.prefix]);
    expect(keyInSecret()?.prefix).toBe(engine.state!.outs.prefix);
    await engine.destroy(T0 + 4 * DAY);
    expect(emu.liveKeys()).toEqual([]);
    expect(emu.secrets()).toEqual([]);
  });
});

describe("RotatingApiKey deliverTo: a rotation interrupted after its write", () => {
  /** The rotation ran at Baseten (g2 minted and written into the secret), but no state recorded it: the engine still holds g1 alone. */
  async function interrupted() {
    const engine = await delivering();
    const g1 = engine.state!.outs.prefix;
    const lost = new Engine(await configured(), DELIVERING);
    lost.state = structuredClone(engine.state);
    await lost.up(T0 + 30 * DAY);
    const g2 = lost.state!.outs.prefix;
    expect(keyInSecret()?.prefix).toBe(g2);
    await engine.newProcess();
    return { engine, g1, g2 };
  }
  const live = () =>
    emu
      .liveKeys()
      .map((k) => k.prefix)
      .sort();

  it("the next up keeps the key the secret held through the overlap, and a preview during the overlap plans nothing", async () => {
    const { engine, g1, g2 } = await interrupted();
    expect(await engine.up(T0 + 30 * DAY + HOUR)).toBe("update");
    const g3 = engine.state!.outs.prefix;
    expect(keyInSecret()?.prefix).toBe(g3);
    expect(engine.state!.outs.keys.find((k) => k.prefix === g2)).toMatchObject({ leftBehind: true, mayBeDelivered: true });
    expect(live()).toEqual([g1, g2, g3].sort());
    // Kept through the overlap, as update.ts keeps it: no change to plan (it used to plan an update at every run).
    await engine.newProcess();
    expect((await engine.preview(T0 + 31 * DAY)).op).toBe("same");
    // At the overlap's end a fresh key is written, settling g2 (which the secret may have held until
    // now): g1 goes; g2 and g3 follow a whole overlap after that write, with no further settle.
    await engine.up(T0 + 33 * DAY);
    const g4 = engine.state!.outs.prefix;
    expect(keyInSecret()?.prefix).toBe(g4);
    expect(live()).toEqual([g2, g3, g4].sort());
    await engine.newProcess();
    await engine.up(T0 + 35 * DAY + HOUR);
    expect(live()).toEqual([g4]);
  });

  it("a refresh first takes the key in as one the secret may hold, so the next up keeps it through the overlap instead of revoking it", async () => {
    const { engine, g1, g2 } = await interrupted();
    const { lines } = await printed(() => engine.refresh(T0 + 30 * DAY + HOUR));
    expect(lines).toContain("its secret may hold it");
    expect(engine.state!.outs.keys.find((k) => k.prefix === g2)).toMatchObject({ leftBehind: true, mayBeDelivered: true });
    await engine.up(T0 + 30 * DAY + HOUR); // in the refresh's process, as `pulumi up --refresh` runs
    const g3 = engine.state!.outs.prefix;
    expect(keyInSecret()?.prefix).toBe(g3);
    // g2 was in the secret until this run's write: a consumer may hold it (it used to be revoked at once).
    expect(live()).toEqual([g1, g2, g3].sort());
    await engine.newProcess();
    expect((await engine.preview(T0 + 31 * DAY)).op).toBe("same");
  });
});
