/**
 * RotatingApiKey `deliverTo` where Baseten's documented behaviour leaves room: the findings of a
 * skeptic review (R20-1..R20-4), each first written as a failing reproduction, then fixed. Each
 * test states the behaviour the issue asks for. Driven as the engine drives the
 * provider (test/support/rotatingEngine.ts), against the emulator; time moved through
 * BASETEN_PROVIDER_NOW. Fake keys only.
 */
import type * as pulumi from "@pulumi/pulumi";
import { createRotatingApiKeyProvider, type RotatingApiKeyProvider } from "../../provider/rotatingApiKey/provider";
import type { RotatingApiKeyOutputs } from "../../provider/rotatingApiKey/types";
import { ROUTES, SECRET_ROUTES, type BasetenEmulator } from "../emulator";
import { keyInSecret as keyHeldBy, secretIn as secretInTeam } from "../support/delivery";
import { failureOf } from "../support/failureOf";
import { configured, DAY, Engine, HOUR, PROGRAM, rotatingEmulator, T0, useRotatingEmulator } from "../support/rotatingEngine";

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

/** A provider whose requests time out after half a second, with no retries: a held (lateCommit) write fails on the client. */
async function configuredWithShortTimeout(): Promise<RotatingApiKeyProvider> {
  const provider = createRotatingApiKeyProvider();
  const values: Record<string, string> = {
    "baseten:apiKey": emu.managementKey,
    "baseten:apiUrl": emu.url,
    "baseten:timeoutSeconds": "0.5",
    "baseten:maxRetries": "0",
  };
  await provider.configure!({ config: { get: (k: string) => values[k] } } as unknown as pulumi.dynamic.ConfigureRequest);
  return provider;
}

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
