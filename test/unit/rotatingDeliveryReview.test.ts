/**
 * RotatingApiKey `deliverTo` where Baseten's documented behaviour leaves room: the findings of a
 * skeptic review (R20-1..R20-4), each first written as a failing reproduction, then fixed. Each
 * test states the behaviour the issue asks for. Driven as the engine drives the
 * provider (test/support/rotatingEngine.ts), against the emulator; time moved through
 * BASETEN_PROVIDER_NOW. Fake keys only.
 *
 * Then the overlap rule of delivery (delivery/overlap.ts), from a second review's reproductions
 * (OV-1..OV-6), each failing before its fix: every key the secret held (or may have held) stays
 * live for a whole overlap after the write that replaced it, planned or not; a key whose write
 * may yet land is revoked only after a later write settled it; a preview after an `up` plans
 * nothing while overlaps run. A third review's (OV2-1..OV2-4): a settled key taken in stays its
 * overlap; a key found after the secret was deleted outside Pulumi may have been read; a planned
 * rotation's keys end with the plan `check` carries.
 */
import { CLOCK_VARIABLE } from "../../provider/core/clock";
import type { RotatingApiKeyOutputs } from "../../provider/rotatingApiKey/types";
import { ROUTES, SECRET_ROUTES, type BasetenEmulator } from "../emulator";
import { keyInSecret as keyHeldBy, secretIn as secretInTeam } from "../support/delivery";
import { failureOf } from "../support/failureOf";
import {
  at,
  configured,
  configuredWithShortTimeout,
  DAY,
  Engine,
  HOUR,
  PROGRAM,
  rotatingEmulator,
  T0,
  useRotatingEmulator,
} from "../support/rotatingEngine";

useRotatingEmulator();
let emu: BasetenEmulator;
beforeAll(() => {
  emu = rotatingEmulator();
});

const SECRET = "upstream_api_key";
const DELIVERING = { ...PROGRAM, deliverTo: { secretName: SECRET } };

/** The team's secret of SECRET, and the live key it holds (the emulator's control side: test/support/delivery.ts). */
const secretIn = (teamId: string) => secretInTeam(emu, SECRET, teamId);
const theSecret = () => secretIn("team-default");
const keyInSecret = () => keyHeldBy(emu, SECRET);

describe("RotatingApiKey deliverTo: findings of the review of issue 20", () => {
  it("R20-1: a create whose write had an unknown outcome and landed: the next up claims the secret its own write created (dated after its listing) and delivers a fresh key", async () => {
    // The write reaches Baseten, then the connection is lost: the outcome is unknown to the provider.
    emu.injectFault({ route: SECRET_ROUTES.upsertTeamSecret, kind: "reset", afterCommit: true });
    const engine = new Engine(await configured(), DELIVERING);
    const error = (await failureOf(engine.up(T0))) as Error & { id?: string; properties?: RotatingApiKeyOutputs };
    expect(error.properties?.keys).toHaveLength(1);
    // The engine keeps the created resource with the new inputs and those properties.
    engine.state = { id: error.id!, inputs: (await engine.check(T0)).inputs, outs: error.properties! };
    expect(theSecret()).toBeDefined(); // the write did land: the secret exists, written by this resource

    // Issue: "A write whose outcome is unknown: ... the next run mints and delivers a fresh key".
    await engine.newProcess();
    const next = await failureOf(engine.up(T0 + HOUR)).catch(() => undefined);
    expect(next?.message ?? "").not.toContain("not written by this resource");
    expect(engine.state.outs.delivery).toBeDefined();
    expect(keyInSecret()?.prefix).toBe(engine.state.outs.prefix);
  });

  it("R20-2: a secret another writer creates while the key is minted is seen by a listing just before the write: not overwritten, not claimed", async () => {
    // The mint (after the listing) is held by Baseten: the window between listing and write, made visible.
    emu.injectFault({ route: ROUTES.createKey, kind: "lateCommit", afterRequests: 1000 });
    const engine = new Engine(await configured(), DELIVERING);
    const up = failureOf(engine.up(T0)).catch(() => undefined);
    while (emu.heldRequests() === 0) await new Promise((resolve) => setTimeout(resolve, 5));

    // A colleague creates SECRET in the UI meanwhile (real time, as Baseten dates it).
    emu.upsertSecretOutOfBand({ teamId: "team-default", name: SECRET, value: "a colleague's" });
    expect(emu.runLateCommits()).toBe(1);
    const error = await up;

    // Issue: "never overwriting a secret it does not own (adoptExisting)"; at least it must never be
    // recorded as this resource's (its destroy would delete the colleague's secret).
    expect(error?.message ?? "(the up succeeded)").toContain("not written by this resource");
    expect(error?.message).toContain("It appeared while the key was minted; the new key was revoked");
    expect(engine.state?.outs.delivery).toBeUndefined();
    expect(theSecret()!.value).toBe("a colleague's");
    expect(emu.liveKeys()).toEqual([]);
  });

  it("R20-3: a write that commits late, after the next run delivered a fresh key: a fresh key is written again before that key is revoked", async () => {
    const engine = new Engine(await configured(), DELIVERING);
    await engine.up(T0);

    // The rotation's write is held by Baseten and times out on the client: unknown outcome, g2 kept.
    engine.provider = await configuredWithShortTimeout();
    emu.injectFault({ route: SECRET_ROUTES.upsertTeamSecret, kind: "lateCommit", afterRequests: 1000 });
    const error = await engine.upKeepingFailure(T0 + 30 * DAY);
    expect(error.message).toContain("no key is revoked");
    const g2 = engine.state!.outs.keys[0].prefix;
    expect(emu.heldRequests()).toBe(1);

    // The next run delivers g3; then the held write of g2 commits.
    await engine.newProcess();
    await engine.up(T0 + 30 * DAY + HOUR);
    expect(emu.runLateCommits()).toBe(1);
    expect(keyInSecret()?.prefix).toBe(g2); // the secret now holds g2, a key the resource tracks as mayBeDelivered

    // After the overlap: issue, "no key it may hold is revoked"; the secret must hold a live key while the resource exists.
    await engine.newProcess();
    await engine.up(T0 + 33 * DAY);
    expect(engine.state).toBeDefined();
    expect(keyInSecret()).toBeDefined();
  });

  it("R20-4: a team name that now resolves to another team: nothing is minted or written, the stored secret stays the resource's, and the error names both teams", async () => {
    try {
      const engine = new Engine(await configured(), { ...PROGRAM, deliverTo: { secretName: SECRET, teamName: "ml-platform" } });
      await engine.up(T0);
      expect(secretIn("team-ml")).toBeDefined();

      // The team is renamed in the UI, and a new team takes its old name.
      emu.putTeam("team-ml", "ml-platform-old");
      emu.putTeam("team-ml2", "ml-platform");

      await engine.newProcess();
      const error = await failureOf(engine.up(T0 + 30 * DAY)); // the rotation is due
      expect(error.message).toContain('deliverTo.teamId: "team-ml"');
      expect(error.message).toContain("team-ml2");
      expect(emu.allKeys()).toHaveLength(1); // nothing minted
      // The stored secret must stay the resource's: no second secret written while the first goes untracked.
      expect(emu.secrets().map((s) => s.teamId)).toEqual(["team-ml"]);
      expect(engine.state!.outs.delivery?.teamId).toBe("team-ml");
    } finally {
      emu.putTeam("team-ml", "ml-platform");
      emu.putTeam("team-ml2", "zz-review-unused");
    }
  });
});

const live = () =>
  emu
    .liveKeys()
    .map((k) => k.prefix)
    .sort();

async function delivering(program: Record<string, unknown> = DELIVERING) {
  const engine = new Engine(await configured(), program);
  await engine.up(T0);
  return engine;
}

describe("RotatingApiKey deliverTo overlap: a write off the schedule during a carried overlap", () => {
  it("OV-1: the retry of a rotation whose write certainly failed keeps the replaced key a whole overlap from its write, not only to the carried overlapEndsAt", async () => {
    const engine = await delivering();
    const g1 = engine.state!.outs.prefix;
    // The rotation at day 30 plans overlapEndsAt = day 32; its write is refused, nothing changes.
    emu.injectFault({ route: SECRET_ROUTES.upsertTeamSecret, kind: "respond", status: 422, body: '{"detail":"no"}' });
    await engine.upKeepingFailure(T0 + 30 * DAY);
    expect(keyInSecret()?.prefix).toBe(g1);
    // Retried at day 31.5: g2 replaces g1 in the secret now; a consumer that started at day 31.4 holds g1.
    await engine.newProcess();
    await engine.up(T0 + 31 * DAY + 12 * HOUR);
    const g2 = engine.state!.outs.prefix;
    expect(keyInSecret()?.prefix).toBe(g2);
    const keptUntil = engine.state!.outs.keys.find((k) => k.prefix === g1)?.overlapEndsAt;
    // A whole overlap (2d) from the write at day 31.5 ends at day 33.5.
    await engine.newProcess();
    await engine.up(T0 + 32 * DAY + HOUR);
    expect({ g1Live: live().includes(g1), keptUntil }).toEqual({
      g1Live: true,
      keptUntil: new Date(T0 + 33 * DAY + 12 * HOUR).toISOString(),
    });
  });

  it("OV-2: the re-delivery after a write of unknown outcome keeps the key the secret held (mayBeDelivered) a whole overlap from the write that replaced it", async () => {
    const engine = await delivering();
    emu.injectFault({ route: SECRET_ROUTES.upsertTeamSecret, kind: "reset", afterCommit: true });
    await engine.upKeepingFailure(T0 + 30 * DAY);
    const g2 = engine.state!.outs.keys[0].prefix;
    expect(keyInSecret()?.prefix).toBe(g2); // it landed: consumers read g2 until the next write
    await engine.newProcess();
    await engine.up(T0 + 31 * DAY + 12 * HOUR); // g3 replaces g2 in the secret at day 31.5
    expect(keyInSecret()?.prefix).toBe(engine.state!.outs.prefix);
    await engine.newProcess();
    await engine.up(T0 + 32 * DAY + HOUR); // 13h after g2 left the secret
    expect({ g2Live: live().includes(g2) }).toEqual({ g2Live: true });
  });

  it("OV-3: a settle during a carried overlap keeps a key taken in (mayBeDelivered, the secret held it) a whole overlap from the settle's write", async () => {
    const engine = await delivering();
    const stale = structuredClone(engine.state);
    await engine.up(T0 + 30 * DAY); // g2 written, g1 through day 32
    // A second `up` from stale state (a lost run): takes in g2, mints g3 and writes it into the secret.
    const lost = new Engine(await configured(), DELIVERING);
    lost.state = stale;
    await lost.up(T0 + 30 * DAY + 60_000);
    const g3 = lost.state!.outs.prefix;
    expect(keyInSecret()?.prefix).toBe(g3);
    // The real state takes g3 in at refresh (mayBeDelivered) and settles at day 31.5: g3 leaves the secret then.
    await engine.newProcess();
    await engine.refresh(T0 + 31 * DAY + 12 * HOUR);
    expect(engine.state!.outs.keys.find((k) => k.prefix === g3)).toMatchObject({ mayBeDelivered: true });
    await engine.up(T0 + 31 * DAY + 12 * HOUR);
    expect(keyInSecret()?.prefix).toBe(engine.state!.outs.prefix);
    await engine.newProcess();
    await engine.up(T0 + 32 * DAY + HOUR);
    expect({ g3Live: live().includes(g3) }).toEqual({ g3Live: true });
  });
});

describe("RotatingApiKey deliverTo overlap: a late commit", () => {
  it("OV-4: the key a late commit left in the secret is not revoked by the settle whose write replaced it: it runs one more overlap, then goes with no further settle", async () => {
    const engine = new Engine(await configured(), DELIVERING);
    await engine.up(T0);
    engine.provider = await configuredWithShortTimeout();
    emu.injectFault({ route: SECRET_ROUTES.upsertTeamSecret, kind: "lateCommit", afterRequests: 1000 });
    await engine.upKeepingFailure(T0 + 30 * DAY);
    const g2 = engine.state!.outs.keys[0].prefix;
    await engine.newProcess();
    await engine.up(T0 + 30 * DAY + HOUR);
    expect(emu.runLateCommits()).toBe(1);
    expect(keyInSecret()?.prefix).toBe(g2); // consumers starting from now on read g2
    await engine.newProcess();
    await engine.up(T0 + 33 * DAY); // the settle writes g4: g2 leaves the secret only now
    expect(keyInSecret()?.prefix).toBe(engine.state!.outs.prefix);
    expect({ g2Live: live().includes(g2) }).toEqual({ g2Live: true });
    // Settled by that write: after its overlap, g2 and g3 go, and nothing more is minted.
    await engine.newProcess();
    emu.clearLog();
    await engine.up(T0 + 35 * DAY + HOUR);
    const mints = emu.requestLog().filter((r) => r.method === "POST" && r.rawPath === "/v1/api_keys").length;
    expect({ mints, live: live() }).toEqual({ mints: 0, live: [engine.state!.outs.prefix] });
    expect(await engine.preview(T0 + 35 * DAY + 2 * HOUR)).toMatchObject({ op: "same" });
  });
});

describe("RotatingApiKey deliverTo overlap: top-level overlapEndsAt vs check's carried input", () => {
  it("OV-5: after the newest key is revoked outside Pulumi and replaced with no key to keep, the stored overlap's end is what check carries: no run plans an update until the next rotation", async () => {
    const engine = await delivering();
    emu.revokeOutOfBand(engine.state!.outs.prefix);
    await engine.newProcess();
    await engine.refresh(T0 + 10 * DAY);
    expect(await engine.up(T0 + 10 * DAY + HOUR)).toBe("update");
    const g2 = engine.state!.outs.prefix;
    expect(keyInSecret()?.prefix).toBe(g2);
    const ops: string[] = [];
    const requestsOfUpdate: number[] = [];
    for (const h of [2, 3, 4]) {
      await engine.newProcess();
      emu.clearLog();
      ops.push(await engine.up(T0 + 10 * DAY + h * HOUR));
      requestsOfUpdate.push(emu.requestLog().filter((r) => r.method === "POST" || r.method === "DELETE").length);
    }
    expect({ ops, requestsOfUpdate, output: engine.state!.outs.overlapEndsAt }).toEqual({
      ops: ["same", "same", "same"],
      requestsOfUpdate: [0, 0, 0],
      output: engine.state!.inputs.overlapEndsAt,
    });
  });
});

describe('RotatingApiKey deliverTo overlap: overlap "0s"', () => {
  it('OV-6: with overlap "0s", a key taken in (mayBeDelivered) is settled by the first fresh write: no second off-schedule mint and write', async () => {
    const program = { ...DELIVERING, rotation: { every: "30d", overlap: "0s" } };
    const engine = await delivering(program);
    const stale = structuredClone(engine.state);
    await engine.up(T0 + 30 * DAY);
    const lost = new Engine(await configured(), program);
    lost.state = stale;
    await lost.up(T0 + 30 * DAY + 60_000); // mints g3 and writes it; no state records it
    await engine.newProcess();
    await engine.refresh(T0 + 31 * DAY);
    emu.clearLog();
    await engine.up(T0 + 31 * DAY); // the settle: a fresh key is written after g3's write
    const mintsAtSettle = emu.requestLog().filter((r) => r.method === "POST" && r.rawPath === "/v1/api_keys").length;
    await engine.newProcess();
    emu.clearLog();
    await engine.up(T0 + 31 * DAY + HOUR);
    const mintsAfter = emu.requestLog().filter((r) => r.method === "POST" && r.rawPath === "/v1/api_keys").length;
    expect({ mintsAtSettle, mintsAfter }).toEqual({ mintsAtSettle: 1, mintsAfter: 0 });
  });
});

const mints = () => emu.requestLog().filter((r) => r.method === "POST" && r.rawPath === "/v1/api_keys").length;

describe("settled keys taken in (leftBehind)", () => {
  it("OV2-1: a key taken in at refresh (leftBehind, mayBeDelivered) is kept one more overlap after the write that settles it, and a preview right after that up plans nothing", async () => {
    const engine = new Engine(await configured(), DELIVERING);
    await engine.up(T0);
    const stale = structuredClone(engine.state);
    await engine.up(T0 + 30 * DAY); // g2 written, g1 through day 32
    const lost = new Engine(await configured(), DELIVERING);
    lost.state = stale;
    await lost.up(T0 + 30 * DAY + 60_000); // a lost run: g3 minted and written, no state records it
    const g3 = lost.state!.outs.prefix;
    await engine.newProcess();
    await engine.refresh(T0 + 31 * DAY);
    expect(engine.state!.outs.keys.find((k) => k.prefix === g3)).toMatchObject({ leftBehind: true, mayBeDelivered: true });
    await engine.up(T0 + 31 * DAY); // first fresh write: g3's overlap starts (to day 33)
    expect(live()).toContain(g3);
    await engine.newProcess();
    await engine.up(T0 + 33 * DAY + HOUR); // g3's overlap is over: the settle writes a fresh key; g3 must stay to day 35+1h
    const settled = engine.state!.outs.keys.find((k) => k.prefix === g3);
    expect(settled?.overlapEndsAt).toBe(new Date(T0 + 35 * DAY + HOUR).toISOString());
    // Rule (c): a preview right after that up plans nothing while the overlap runs.
    await engine.newProcess();
    const preview = await engine.preview(T0 + 33 * DAY + 2 * HOUR);
    // Rule (b): kept one more overlap: still live at day 34.
    await engine.up(T0 + 34 * DAY);
    expect({ preview: preview.op, g3Live: live().includes(g3) }).toEqual({ preview: "same", g3Live: true });
  });
});

describe("settled keys found at a mint (leftBehind)", () => {
  it("OV2-4: a lost run's key found by the next rotation's mint (no refresh) is kept one more overlap after the settle", async () => {
    const engine = new Engine(await configured(), DELIVERING);
    await engine.up(T0);
    const stale = structuredClone(engine.state);
    const lost = new Engine(await configured(), DELIVERING);
    lost.state = stale;
    await lost.up(T0 + 30 * DAY); // a lost run: g2 minted and written, no state records it
    const g2 = lost.state!.outs.prefix;
    await engine.newProcess();
    await engine.up(T0 + 30 * DAY + HOUR); // the mint finds g2 (mayBeDelivered, leftBehind), skips its name, writes g3
    await engine.newProcess();
    await engine.up(T0 + 32 * DAY + 2 * HOUR); // the settle: writes g4; g2 is kept to day 34+2h
    await engine.newProcess();
    await engine.up(T0 + 33 * DAY);
    expect({ g2Live: live().includes(g2) }).toEqual({ g2Live: true });
  });
});

describe("a secret deleted outside Pulumi after a lost run wrote into it", () => {
  it("OV2-2: the key the lost run wrote into the secret (read by consumers until the deletion) is not revoked by the next up without refresh, as it is not with refresh", async () => {
    const engine = new Engine(await configured(), DELIVERING);
    await engine.up(T0);
    const stale = structuredClone(engine.state);
    const lost = new Engine(await configured(), DELIVERING);
    lost.state = stale;
    await lost.up(T0 + 30 * DAY); // a lost run: g2 minted and written into the secret, no state records it
    const g2 = lost.state!.outs.prefix;
    expect(keyInSecret()?.prefix).toBe(g2); // consumers starting now read g2
    emu.deleteSecretOutOfBand("team-default", SECRET); // a colleague deletes the secret at day 30+1h
    await engine.newProcess();
    await engine.up(T0 + 30 * DAY + 2 * HOUR); // no refresh: the stale state rotates into a new secret
    const g2State = engine.state!.outs.keys.find((k) => k.prefix === g2);
    expect({ g2Live: live().includes(g2), g2State }).toMatchObject({ g2Live: true, g2State: { mayBeDelivered: true } });
  });
});

describe("check and update read the clock at different times", () => {
  it("OV2-3: a rotation whose update runs a minute after its check: the up right after the planned overlap end converges in one run", async () => {
    const engine = new Engine(await configured(), DELIVERING);
    await engine.up(T0);
    // The rotation: check at day 30, the update a minute later (a real up's check precedes its update).
    const { inputs } = await engine.preview(T0 + 30 * DAY);
    process.env[CLOCK_VARIABLE] = at(T0 + 30 * DAY + 60_000);
    const updated = await engine.provider.update!(engine.state!.id, engine.state!.outs as never, inputs as never);
    engine.state = { id: engine.state!.id, inputs, outs: updated.outs as RotatingApiKeyOutputs };
    const g1 = engine.state.outs.keys[1].prefix;
    // The daily job runs 30s after the planned overlap end.
    await engine.newProcess();
    expect(await engine.up(T0 + 32 * DAY + 30_000)).toBe("update");
    emu.clearLog();
    // Next day's job: nothing left to do if the previous up converged.
    await engine.newProcess();
    const next = await engine.preview(T0 + 32 * DAY + 5 * 60_000);
    expect({ next: next.op, g1Live: live().includes(g1), mints: mints() }).toEqual({ next: "same", g1Live: false, mints: 0 });
  });
});
