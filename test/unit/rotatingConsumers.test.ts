/**
 * RotatingApiKey and the consumers of its `apiKey` (found by a skeptic review, written first as
 * failing reproductions): each test states the behaviour the rules promise (README, "Rotation";
 * Baseten's facts quoted inline). The engine is the small one of rotatingApiKey.test.ts,
 * plus `upKeepingFailure`, which stores an update's {id, properties} as the engine does when a
 * step fails with them (../shared/notes/pulumi-dynamic-providers.md). Fake keys only.
 */
import type * as pulumi from "@pulumi/pulumi";
import { CLOCK_VARIABLE } from "../../provider/core/clock";
import { createRotatingApiKeyProvider, type RotatingApiKeyProvider } from "../../provider/rotatingApiKey/provider";
import type { RotatingApiKeyOutputs } from "../../provider/rotatingApiKey/types";
import { BasetenEmulator, dottedManagementKey, ROUTES } from "../emulator";
import { failureOf } from "../support/failureOf";

let emu: BasetenEmulator;
beforeAll(async () => {
  // A management key of the documented `<prefix>.<secret>` form, so the audit log names it.
  emu = await BasetenEmulator.start({ managementKey: dottedManagementKey() });
});
afterAll(() => emu.stop());
beforeEach(() => emu.reset());
afterEach(() => {
  delete process.env[CLOCK_VARIABLE];
});

const T0 = Date.parse("2026-01-01T00:00:00Z");
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const at = (ms: number) => new Date(ms).toISOString();

async function configured(): Promise<RotatingApiKeyProvider> {
  return configuredAs(emu.managementKey);
}

async function configuredAs(managementKey: string): Promise<RotatingApiKeyProvider> {
  const provider = createRotatingApiKeyProvider();
  const values: Record<string, string> = { "baseten:apiKey": managementKey, "baseten:apiUrl": emu.url };
  await provider.configure!({ config: { get: (k: string) => values[k] } } as unknown as pulumi.dynamic.ConfigureRequest);
  return provider;
}

interface Stored {
  id: string;
  inputs: Record<string, unknown>;
  outs: RotatingApiKeyOutputs;
}

const PROGRAM = {
  type: "WORKSPACE_INVOKE",
  rotation: { every: "30d", overlap: "2d" },
  resourceName: "caller",
  nameScope: "proj/dev",
  providerVersion: "0.4.0",
  __provider: "serialized-provider-text",
};

/** A small engine: one resource's `pulumi up` at time `now`, as the engine's step generator runs it. */
class Engine {
  state?: Stored;
  lastDiff?: { changes: boolean | undefined; replaces: string[] };
  constructor(
    public provider: RotatingApiKeyProvider,
    public program: Record<string, unknown> = PROGRAM,
  ) {}

  /** A new `pulumi` command: a fresh provider process, whose listings are its own. */
  async newProcess() {
    this.provider = await configured();
  }

  async check(now: number) {
    process.env[CLOCK_VARIABLE] = at(now);
    const checked = await this.provider.check!((this.state?.inputs ?? {}) as never, this.program as never);
    return checked as unknown as { inputs: Record<string, unknown>; failures: Array<{ property: string; reason: string }> };
  }

  /** `pulumi preview`: the planned inputs and the diff; sends nothing. */
  async preview(now: number) {
    const checked = await this.check(now);
    expect(checked.failures).toEqual([]);
    if (!this.state) return { inputs: checked.inputs, op: "create" as const };
    const d = await this.provider.diff!(this.state.id, this.state.outs as never, checked.inputs as never);
    this.lastDiff = { changes: d.changes, replaces: d.replaces ?? [] };
    return {
      inputs: checked.inputs,
      op: d.replaces?.length ? ("replace" as const) : d.changes ? ("update" as const) : ("same" as const),
    };
  }

  async up(now: number) {
    const { inputs, op } = await this.preview(now);
    if (op === "create" || op === "replace") {
      const old = this.state;
      const created = await this.provider.create(inputs as never);
      this.state = { id: created.id, inputs, outs: created.outs as RotatingApiKeyOutputs };
      if (old) await this.provider.delete!(old.id, old.outs as never);
    } else if (op === "update") {
      const updated = await this.provider.update!(this.state!.id, this.state!.outs as never, inputs as never);
      this.state = { id: this.state!.id, inputs, outs: updated.outs as RotatingApiKeyOutputs };
    } else this.state = { ...this.state!, inputs };
    return op;
  }

  async refresh(now: number) {
    process.env[CLOCK_VARIABLE] = at(now);
    const r = await this.provider.read!(this.state!.id, this.state!.outs as never);
    if (!r.id) this.state = undefined;
    else
      this.state = { id: r.id, inputs: r.inputs as unknown as Record<string, unknown>, outs: r.props as RotatingApiKeyOutputs };
  }

  /** `pulumi up` whose update fails with {id, properties}: the engine stores the new inputs and those properties; dependents do not run. */
  async upKeepingFailure(now: number): Promise<Error> {
    const { inputs, op } = await this.preview(now);
    expect(op).toBe("update");
    const error = await failureOf(this.provider.update!(this.state!.id, this.state!.outs as never, inputs as never));
    const kept = error as unknown as { id?: string; properties?: RotatingApiKeyOutputs };
    expect(kept.properties).toBeDefined();
    this.state = { id: kept.id!, inputs, outs: kept.properties! };
    return error;
  }

  async destroy(now: number) {
    process.env[CLOCK_VARIABLE] = at(now);
    await this.provider.delete!(this.state!.id, this.state!.outs as never);
    this.state = undefined;
  }
}

const liveNames = () =>
  emu
    .liveKeys()
    .map((k) => k.name)
    .sort();

/** Consumers fed by `apiKey` (a Secret): updated only after a key's update that succeeded, as the engine orders dependents. */
class Consumers {
  holds?: string;
  deliveredBy(engine: Engine) {
    this.holds = engine.state!.outs.prefix;
  }
  stillWork(): boolean {
    return emu.liveKeys().some((k) => k.prefix === this.holds);
  }
}

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
