/**
 * A small engine for RotatingApiKey's unit tests: one resource's `pulumi up`, `refresh` and
 * `destroy` driven as the engine's step generator drives them (check with the stored inputs, diff
 * against the stored outputs, then create, update, read or delete), against the emulator over
 * loopback HTTP, with time moved through BASETEN_PROVIDER_NOW (never slept through). The emulator
 * uses a management key of Baseten's documented `<prefix>.<secret>` form, so its audit log names
 * the key that minted each key. Fake keys only.
 */
import type * as pulumi from "@pulumi/pulumi";
import { CLOCK_VARIABLE } from "../../provider/core/clock";
import { createRotatingApiKeyProvider, type RotatingApiKeyProvider } from "../../provider/rotatingApiKey/provider";
import type { RotatingApiKeyOutputs } from "../../provider/rotatingApiKey/types";
import { BasetenEmulator, dottedManagementKey, ROUTES } from "../emulator";
import { failureOf } from "./failureOf";

let emu: BasetenEmulator;

/** Starts one emulator for the file, resets it before each test, and clears the clock after each. */
export function useRotatingEmulator(): void {
  beforeAll(async () => {
    emu = await BasetenEmulator.start({ managementKey: dottedManagementKey() });
  });
  afterAll(() => emu.stop());
  beforeEach(() => emu.reset());
  afterEach(() => {
    delete process.env[CLOCK_VARIABLE];
  });
}

/** The file's emulator (inside a test or hook). */
export function rotatingEmulator(): BasetenEmulator {
  return emu;
}

export const T0 = Date.parse("2026-01-01T00:00:00Z");
export const HOUR = 3600_000;
export const DAY = 24 * HOUR;
export const at = (ms: number) => new Date(ms).toISOString();

/** A provider configured as a fresh `pulumi` command configures it. */
export async function configured(): Promise<RotatingApiKeyProvider> {
  return configuredAs(emu.managementKey);
}

export async function configuredAs(
  managementKey: string,
  settings: Record<string, string> = {},
): Promise<RotatingApiKeyProvider> {
  const provider = createRotatingApiKeyProvider();
  const values: Record<string, string> = { "baseten:apiKey": managementKey, "baseten:apiUrl": emu.url, ...settings };
  await provider.configure!({ config: { get: (k: string) => values[k] } } as unknown as pulumi.dynamic.ConfigureRequest);
  return provider;
}

/** A provider whose requests time out after half a second, with no retries: a held (lateCommit) request fails on the client. */
export async function configuredWithShortTimeout(): Promise<RotatingApiKeyProvider> {
  return configuredAs(emu.managementKey, { "baseten:timeoutSeconds": "0.5", "baseten:maxRetries": "0" });
}

export interface Stored {
  id: string;
  inputs: Record<string, unknown>;
  outs: RotatingApiKeyOutputs;
}

/** What the class registers for `new RotatingApiKey("caller", { type: "WORKSPACE_INVOKE", rotation })`. */
export const PROGRAM = {
  type: "WORKSPACE_INVOKE",
  rotation: { every: "30d", overlap: "2d" },
  resourceName: "caller",
  nameScope: "proj/dev",
  providerVersion: "0.4.0",
  __provider: "serialized-provider-text",
};

/** A small engine: one resource's `pulumi up` at time `now`, as the engine's step generator runs it. */
export class Engine {
  state?: Stored;
  lastDiff?: { changes: boolean | undefined; replaces: string[]; deleteBeforeReplace: boolean };
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
    this.lastDiff = { changes: d.changes, replaces: d.replaces ?? [], deleteBeforeReplace: d.deleteBeforeReplace === true };
    return {
      inputs: checked.inputs,
      op: d.replaces?.length ? ("replace" as const) : d.changes ? ("update" as const) : ("same" as const),
    };
  }

  async up(now: number) {
    const { inputs, op } = await this.preview(now);
    if (op === "create" || op === "replace") {
      const old = this.state;
      // A replacement the diff orders delete-first: the old resource goes before the new one is created.
      const deleteFirst = op === "replace" && this.lastDiff?.deleteBeforeReplace === true;
      if (old && deleteFirst) {
        await this.provider.delete!(old.id, old.outs as never);
        this.state = undefined;
      }
      const created = await this.provider.create(inputs as never);
      this.state = { id: created.id, inputs, outs: created.outs as RotatingApiKeyOutputs };
      if (old && !deleteFirst) await this.provider.delete!(old.id, old.outs as never);
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

/** Requests other than the caller's identity lookup. */
export const requests = () => emu.requestLog().filter((r) => r.route !== ROUTES.usersMe);
/** Mints and revocations. */
export const writes = () => emu.requestLog().filter((r) => r.method === "POST" || r.method === "DELETE");
/** The names of every live key, sorted. */
export const liveNames = () =>
  emu
    .liveKeys()
    .map((k) => k.name)
    .sort();

/** Consumers fed by `apiKey` (a Secret): updated only after a key's update that succeeded, as the engine orders dependents. */
export class Consumers {
  holds?: string;
  deliveredBy(engine: Engine) {
    this.holds = engine.state!.outs.prefix;
  }
  stillWork(): boolean {
    return emu.liveKeys().some((k) => k.prefix === this.holds);
  }
}
