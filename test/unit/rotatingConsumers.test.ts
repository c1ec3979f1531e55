/**
 * RotatingApiKey and the consumers of its `apiKey` (found by a skeptic review, written first as
 * failing reproductions): each test states the behaviour the rules promise (README, "Rotation";
 * Baseten's facts quoted inline). The engine is the small one of rotatingApiKey.test.ts,
 * plus `upKeepingFailure`, which stores an update's {id, properties} as the engine does when a
 * step fails with them (../shared/notes/pulumi-dynamic-providers.md). Fake keys only.
 */
import type { RotatingApiKeyOutputs } from "../../provider/rotatingApiKey/types";
import { ROUTES, type BasetenEmulator } from "../emulator";
import {
  configured,
  Consumers,
  DAY,
  Engine,
  liveNames,
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

describe("two resources of one name in one stack", () => {
  // Pulumi URNs carry the parent's type: two components of different types may each hold a child
  // named "invoke". The class registers the URN as the name scope (rotatingIdentity.test.ts), so
  // the two derive different bases; the audit log, which shows both minted by the stack's one
  // management key, cannot tell them apart, and need not.
  const urn = (parentType: string) =>
    `organization/urn:pulumi:dev::proj::${parentType}$pulumi-nodejs:dynamic/baseten:RotatingApiKey::invoke`;

  it("derive different base names from their URNs, and never take in or revoke each other's keys", async () => {
    const a = new Engine(await configured(), { ...PROGRAM, resourceName: "invoke", nameScope: urn("acme:serving:Reranker") });
    const b = new Engine(await configured(), { ...PROGRAM, resourceName: "invoke", nameScope: urn("acme:serving:Embedder") });
    await a.up(T0);
    const consumersOfA = new Consumers();
    consumersOfA.deliveredBy(a);
    await b.up(T0);
    expect(b.state!.inputs.baseName).not.toBe(a.state!.inputs.baseName);
    await b.up(T0 + 30 * DAY);
    await b.refresh(T0 + 31 * DAY);
    await b.up(T0 + 33 * DAY);
    await b.destroy(T0 + 34 * DAY);
    expect(consumersOfA.stillWork()).toBe(true);
    expect(emu.liveKeys().map((k) => k.prefix)).toEqual([a.state!.outs.prefix]);
  });
});

describe("the key consumers hold outlives every run until its successor is delivered", () => {
  it("a rotation whose update fails on a retiring key does not deliver the new key, so the next run keeps the old one until it succeeds", async () => {
    const engine = new Engine(await configured());
    await engine.up(T0);
    const consumers = new Consumers();
    consumers.deliveredBy(engine);
    const base = engine.state!.inputs.baseName as string;
    // A rotation interrupted after its mint (taken in by refresh), found at the due date.
    const orphan = emu.createKeyOutOfBand({ type: "WORKSPACE_INVOKE", name: `${base}-g2`, teamId: "team-default", via: "api" });
    await engine.refresh(T0 + 30 * DAY);
    expect(engine.state!.outs.keys.find((k) => k.prefix === orphan.prefix)?.leftBehind).toBe(true);
    // The orphan's DELETE fails once (a 403, or any transient failure): the update throws after the mint.
    emu.injectFault({
      kind: "respond",
      status: 403,
      method: "DELETE",
      pathPrefix: `/v1/api_keys/${orphan.prefix}`,
      body: '{"error":"forbidden"}',
    });
    await engine.upKeepingFailure(T0 + 30 * DAY);
    // The run failed: dependents did not run, consumers still hold g1.
    expect(consumers.stillWork()).toBe(true);
    // The next run, after the planned overlap: the key's update runs before the consumers' update.
    await engine.up(T0 + 33 * DAY);
    expect(consumers.stillWork()).toBe(true);
  });
});

describe("an unconfirmed entry no listing can prove absent", () => {
  it("does not fail every later up: it stays tracked, the rotation is delivered, and the delivered key is never revoked early", async () => {
    // "In workspaces with teams, a key created without a team belongs to the default team, and
    // `team_name` may name it" (../shared/baseten/README.md): mode "default", so no listing proves
    // the unconfirmed name was never minted.
    emu.setModes({ teamlessTeamName: "default" });
    const engine = new Engine(await configured());
    await engine.up(T0);
    const consumers = new Consumers();
    consumers.deliveredBy(engine);
    engine.provider = await configured();
    emu.injectFault({ kind: "reset", method: "POST" });
    emu.injectFault({ kind: "respond", status: 400, route: ROUTES.listKeys, skip: 1, times: 5, body: '{"error":"bad"}' });
    const first = await engine.upKeepingFailure(T0 + 30 * DAY);
    expect(String(first.message)).toContain("Nothing was revoked");
    emu.clearFaults();
    await engine.newProcess();
    const errors: string[] = [];
    for (const day of [31, 33, 40]) {
      // `pulumi up`: on failure the engine keeps the error's {id, properties}; dependents do not run.
      const { inputs, op } = await engine.preview(T0 + day * DAY);
      if (op === "update") {
        try {
          const updated = await engine.provider.update!(engine.state!.id, engine.state!.outs as never, inputs as never);
          engine.state = { id: engine.state!.id, inputs, outs: updated.outs as RotatingApiKeyOutputs };
          consumers.deliveredBy(engine);
        } catch (e) {
          const kept = e as { id?: string; properties?: RotatingApiKeyOutputs; message: string };
          errors.push(`day ${day}: ${kept.message}`);
          if (kept.properties) engine.state = { id: kept.id!, inputs, outs: kept.properties };
        }
      }
      await engine.newProcess();
    }
    // Expected: a way out that converges (the stack's other resources get the new key), and the
    // key consumers hold never revoked while no run has delivered its successor.
    const base = engine.state!.inputs.baseName as string;
    expect({ errors, consumersWork: consumers.stillWork(), live: liveNames() }).toEqual({
      errors: [],
      consumersWork: true,
      live: [`${base}-g3`],
    });
    // The unconfirmed g2 is still tracked, waiting for the next rotation or destroy, and plans nothing meanwhile.
    expect(
      engine.state!.outs.keys.map((k) => `${k.prefix || `unconfirmed/${k.name}`}${k.unproven ? " (unproven)" : ""}`),
    ).toEqual([engine.state!.outs.prefix, `unconfirmed/${base}-g2 (unproven)`]);
    expect((await engine.preview(T0 + 41 * DAY)).op).toBe("same");
  });
});
