/**
 * Crash safety of `RotatingApiKey` (issue 19): SIGKILL of `pulumi` at each request of a rotation
 * that Baseten may complete with no one to read the answer, then the next `up` (or `destroy`)
 * must converge. The emulator holds the chosen request (a `lateCommit` fault: README's facts, "A
 * create can time out on our side and still commit at Baseten later"), the kill lands while it
 * is held, then the request is committed (Baseten did the work) or dropped (it never ran). Four
 * moments:
 *   1. create, at the mint POST of `<base>-g1`;
 *   2. a rotation's update, at the mint POST of generation 2 (the clock past the due date);
 *   3. the update after the overlap, at the DELETE of the previous key;
 *   4. destroy during an overlap, at the first DELETE (the oldest key).
 * Each moment is killed three ways: the CLI alone, its provider host let finish, the request
 * committed, then README's recovery first; the CLI and the host together (a machine crash), the
 * request committed, then `pulumi cancel` and the next command first (the recovery after it);
 * the CLI and the host together, the request dropped, README's recovery first.
 *
 * Converged means: every live key named `<base>-g<n>` is one the state's `keys` hold, every key
 * the state holds is live, the newest key (and the previous one while its overlap runs) is live,
 * no pending operation is left, and a further preview shows no change. The time is moved only
 * through BASETEN_PROVIDER_NOW in the CLI's environment (provider/core/clock.ts).
 *
 * README's recovery runs as written, but its `baseten-recover` reads only `ApiKey` resources and
 * interrupted `ApiKey` creates (provider/recover/stackState.ts): for a RotatingApiKey it reports
 * "0 interrupted ApiKey create(s)" and revokes nothing. What converges here is the provider's
 * own rule: a live key of one of the resource's names that the audit log shows this management
 * key minted is taken in as `leftBehind` (by `create`, by an update's mint, or by `refresh`) and
 * revoked by the next `up` or destroy.
 */
import { CLOCK_VARIABLE } from "../../provider/core/clock";
import { crash, recoverAsReadmeSays, type CrashResult, type KillTarget } from "./support/crash";
import { installedPackage } from "./support/installedPackage";
import {
  DAY,
  expectNoChanges,
  HOUR,
  iso,
  keysOf,
  ROTATING_TYPE,
  ROTATION,
  rotatingOf,
  rotatingSuite,
  T0,
  T_OVERLAP_OVER,
  T_ROTATE,
  type StoredKey,
} from "./support/rotating";
import { DELETE, POST } from "./support/requests";
import type { Outcome, ReliabilityStack } from "./support/stack";
import { expectOk } from "./support/suite";

// Each case runs 8 to 12 Pulumi commands on a loaded 2-core machine.
jest.setTimeout(15 * 60 * 1000);

const SUITE = "crash-rotating";
const suite = rotatingSuite(SUITE);

/** The program: one RotatingApiKey, its outputs exported as a user's program does. */
async function rotatingStack(label: string, resourceName: string): Promise<ReliabilityStack> {
  const stack = await suite.newStack({ label });
  const { RotatingApiKey } = installedPackage();
  // The suite's stacks declare ApiKeys from `stack.keys`; this file's program is its own.
  stack.stack.workspace.program = async () => {
    const key = new RotatingApiKey(resourceName, { type: "WORKSPACE_INVOKE", modelIds: ["model-a"], rotation: ROTATION });
    return { prefix: key.prefix, previousPrefix: key.previousPrefix, apiKey: key.apiKey };
  };
  return stack;
}

/** Every later command of the stack runs with the provider's clock at `ms`. */
const clock = (stack: ReliabilityStack, ms: number) => stack.setEnv(CLOCK_VARIABLE, iso(ms));

/** The stack's rotating key as state holds it, and its base name. */
async function stored(stack: ReliabilityStack) {
  const state = await stack.exportState();
  const r = rotatingOf(state);
  return { state, r, keys: keysOf(r), base: r?.inputs?.baseName as string | undefined };
}

/** Live keys of this resource's names (`<base>-g<n>`), by prefix. */
const liveOf = (base: string) =>
  suite.emu
    .liveKeys()
    .filter((k) => k.name?.startsWith(`${base}-g`))
    .map((k) => ({ prefix: k.prefix, name: k.name as string }));

const isLive = (prefix: string) => suite.emu.liveKeys().some((k) => k.prefix === prefix);

/**
 * The agreement for a rotating key: no live key of its names outside its `keys` (a key kept as
 * `unconfirmed`, with no prefix, tracks the live keys of its name), no key in `keys` revoked, no
 * pending operation. Counted in the figures as divergences either way.
 */
async function agree(stack: ReliabilityStack, base: string) {
  const { state, r, keys } = await stored(stack);
  const tracked = new Set(keys.map((k) => k.prefix).filter(Boolean));
  const unconfirmed = new Set(keys.filter((k) => !k.prefix).map((k) => k.name));
  const live = liveOf(base);
  const untracked = live.filter((k) => !tracked.has(k.prefix) && !unconfirmed.has(k.name)).map((k) => `${k.prefix} (${k.name})`);
  const stale = keys.filter((k) => k.prefix && !isLive(k.prefix)).map((k) => `${k.prefix} (${k.name})`);
  suite.fig.add("divergences", untracked.length + stale.length);
  expect({ untracked, stale, pending: state.deployment.pending_operations ?? [] }).toEqual({
    untracked: [],
    stale: [],
    pending: [],
  });
  return { r, keys, live };
}

/** What a user sees of the stack now (prefixes and names only: no secret). */
function describeNow(base: string, keys: StoredKey[]): string {
  const inState = keys.map((k) => `${k.name}${k.leftBehind ? " (left behind)" : ""}${k.overlapEndsAt ? " (overlap)" : ""}`);
  return `state: [${inState.join(", ")}]; live: [${liveOf(base)
    .map((k) => k.name)
    .join(", ")}]`;
}

/** How each moment is killed, and what comes next. */
interface Variant {
  title: string;
  kill: KillTarget;
  held: "commit" | "drop";
  /** README's recovery before the next command; else `pulumi cancel`, the next command, then the recovery. */
  recoverFirst: boolean;
}

const VARIANTS: Variant[] = [
  {
    title: "SIGKILL of the CLI, the host let finish, the request committed: recover first",
    kill: "cli",
    held: "commit",
    recoverFirst: true,
  },
  {
    title: "SIGKILL of the CLI and the host (a machine crash), the request committed: the next command first",
    kill: "cliAndHost",
    held: "commit",
    recoverFirst: false,
  },
  {
    title: "SIGKILL of the CLI and the host, the request dropped (never ran): recover first",
    kill: "cliAndHost",
    held: "drop",
    recoverFirst: true,
  },
];

/** Runs the crash and logs what it left. */
async function crashAt(
  stack: ReliabilityStack,
  label: string,
  base: string | undefined,
  command: "up" | "destroy",
  route: string,
  v: Variant,
): Promise<CrashResult> {
  const crashed = await crash(suite.emu, stack, { command, at: { route, nth: 1, held: v.held }, kill: v.kill });
  const ops = (crashed.state.deployment.pending_operations ?? []).map((o) => o.type);
  const b = base ?? (crashed.state.deployment.pending_operations?.[0]?.resource.inputs?.baseName as string);
  console.log(
    `[${SUITE}] ${label}, ${v.kill === "cli" ? "SIGKILL of the CLI" : "SIGKILL of the CLI and host"}, held request ${v.held === "commit" ? "committed" : "dropped"}: ` +
      `pending [${ops.join(", ")}]; ${describeNow(b, keysOf(rotatingOf(crashed.state)))}; ` +
      `processes still running after the kill: ${crashed.survivors.length}; cut metadata files: ${crashed.cutSidecars.length}`,
  );
  return crashed;
}

/**
 * The next `up` (or `destroy`) in the variant's order: README's recovery first, or `pulumi
 * cancel` (the lock) and the command first, then the recovery if pending operations are left.
 * Every key state tracked before the recovery that must stay live does.
 */
async function next(stack: ReliabilityStack, v: Variant, command: "up" | "destroy", mustStayLive: string[]): Promise<Outcome> {
  const snippet = command === "up" ? "recover-interrupted-up" : "recover-interrupted-destroy";
  const recover = async () => {
    const run = await recoverAsReadmeSays(suite.emu, stack, snippet);
    console.log(`[${SUITE}] ${snippet}: ${run.stdout.trim().split("\n").join(" | ")}`);
    for (const p of mustStayLive) expect({ revokedByRecovery: p, live: isLive(p) }).toEqual({ revokedByRecovery: p, live: true });
  };
  if (v.recoverFirst) await recover();
  else expect((await stack.cli(["cancel", "--yes"])).ok).toBe(true);
  const outcome = command === "up" ? await stack.up() : await stack.destroy();
  expectOk(outcome);
  if (!v.recoverFirst && ((await stack.exportState()).deployment.pending_operations ?? []).length > 0) await recover();
  return outcome;
}

/** Ends the case: destroy revokes every key of the resource and leaves nothing in state. */
async function cleanUp(stack: ReliabilityStack, base: string) {
  expectOk(await stack.destroy());
  expect(liveOf(base)).toEqual([]);
  expect(rotatingOf(await stack.exportState())).toBeUndefined();
}

describe("1. create, killed while Baseten holds the mint POST of <base>-g1", () => {
  it.each(VARIANTS.map((v, i) => [v.title, v, i] as const))("%s", async (_title, v, i) => {
    const stack = await rotatingStack(`c1${i}`, `crash-create-${i}`);
    clock(stack, T0);
    const crashed = await crashAt(stack, "1. create", undefined, "up", POST, v);
    const pending = crashed.pending("creating");
    expect(pending.map((o) => o.resource.type)).toEqual([ROTATING_TYPE]);
    const base = pending[0].resource.inputs?.baseName as string;
    expect(liveOf(base).map((k) => k.name)).toEqual(v.held === "commit" ? [`${base}-g1`] : []);
    const orphan = liveOf(base)[0]?.prefix;

    const up = await next(stack, v, "up", []);
    const { r, keys } = await agree(stack, base);
    console.log(`[${SUITE}] 1. create, after the next up: ${describeNow(base, keys)}`);
    // The newest key is the plan's, live, and what the stack's outputs give.
    expect(r!.outputs!.prefix).toBe(keys[0].prefix);
    expect(keys[0].leftBehind).toBeUndefined();
    expect(isLive(keys[0].prefix)).toBe(true);
    if (orphan !== undefined) {
      // The crashed create's key is still live (no recovery step knows RotatingApiKey's names):
      // the create found it under the resource's first name, the audit log showing this
      // management key minted it, tracks it and minted g2.
      expect(keys.find((k) => k.prefix === orphan)).toMatchObject({ name: `${base}-g1`, leftBehind: true });
      expect(keys[0].name).toBe(`${base}-g2`);
      expect(up.stdout).toContain(`Baseten API key "${orphan}" named "${base}-g1" holds a name of rotating key`);
      // The next up retires it (its plaintext is lost to everyone), with no schedule change.
      const retire = await stack.up();
      expectOk(retire);
      expect(isLive(orphan)).toBe(false);
      expect((await agree(stack, base)).keys.map((k) => k.name)).toEqual([`${base}-g2`]);
    } else expect(keys.map((k) => k.name)).toEqual([`${base}-g1`]);
    expectNoChanges(await stack.preview());
    await cleanUp(stack, base);
  });
});

/** A stack whose rotating key was created at T0 (and, with `rotated`, rotated at T_ROTATE). */
async function established(label: string, resourceName: string, rotated: boolean) {
  const stack = await rotatingStack(label, resourceName);
  clock(stack, T0);
  expectOk(await stack.up());
  if (rotated) {
    clock(stack, T_ROTATE);
    expectOk(await stack.up());
  }
  const { keys, base } = await stored(stack);
  expect(keys.map((k) => k.generation)).toEqual(rotated ? [2, 1] : [1]);
  return { stack, base: base!, keys };
}

describe("2. a rotation's update, killed while Baseten holds the mint POST of generation 2", () => {
  it.each(VARIANTS.map((v, i) => [v.title, v, i] as const))("%s", async (_title, v, i) => {
    const { stack, base, keys: before } = await established(`r2${i}`, `crash-rotate-${i}`, false);
    const g1 = before[0].prefix;
    clock(stack, T_ROTATE);
    const crashed = await crashAt(stack, "2. rotation's mint", base, "up", POST, v);
    expect(crashed.pending("updating")).toHaveLength(1);
    // Nothing is revoked at a rotation's mint; g2 is live only if the POST committed.
    expect(liveOf(base).map((k) => k.name)).toEqual(v.held === "commit" ? [`${base}-g1`, `${base}-g2`] : [`${base}-g1`]);
    const orphan = liveOf(base).find((k) => k.name === `${base}-g2`)?.prefix;

    const up = await next(stack, v, "up", [g1]);
    const { r, keys } = await agree(stack, base);
    console.log(`[${SUITE}] 2. rotation's mint, after the next up: ${describeNow(base, keys)}`);
    const outs = r!.outputs!;
    // The rotation happened: a newer generation, minted for the current plan, is the newest, live.
    expect(keys[0].generation).toBeGreaterThanOrEqual(2);
    expect(keys[0].plannedAt).toBe(r!.inputs!.rotatedAt);
    expect(outs.prefix).toBe(keys[0].prefix);
    expect(isLive(keys[0].prefix)).toBe(true);
    // g1, the key consumers hold, stays live through the overlap, which ends `overlap` after the rotation.
    expect(outs.previousPrefix).toBe(g1);
    expect(isLive(g1)).toBe(true);
    expect(r!.inputs!.overlapEndsAt).toBe(iso(Date.parse(r!.inputs!.rotatedAt as string) + 2 * DAY));
    // Only those two: a g2 the crash left (plaintext lost to everyone) is revoked, not kept.
    expect(keys.map((k) => k.prefix).sort()).toEqual([keys[0].prefix, g1].sort());
    if (orphan !== undefined) {
      expect(isLive(orphan)).toBe(false);
      // Up first, the update's mint found g2's name held and took the key in; recovered first, refresh did.
      if (!v.recoverFirst)
        expect(up.stdout).toContain(`Baseten API key "${orphan}" named "${base}-g2" holds a name of rotating key`);
    }
    expectNoChanges(await stack.preview());
    await cleanUp(stack, base);
  });
});

describe("3. the update after the overlap, killed while Baseten holds the DELETE of the previous key", () => {
  it.each(VARIANTS.map((v, i) => [v.title, v, i] as const))("%s", async (_title, v, i) => {
    const { stack, base, keys: before } = await established(`o3${i}`, `crash-overlap-${i}`, true);
    const [g2, g1] = before.map((k) => k.prefix);
    clock(stack, T_OVERLAP_OVER);
    const crashed = await crashAt(stack, "3. overlap's DELETE", base, "up", DELETE, v);
    expect(crashed.pending("updating")).toHaveLength(1);
    // The held DELETE is g1's; the newest key is untouched.
    expect(isLive(g1)).toBe(v.held === "drop");
    expect(isLive(g2)).toBe(true);

    await next(stack, v, "up", [g2]);
    const { r, keys } = await agree(stack, base);
    console.log(`[${SUITE}] 3. overlap's DELETE, after the next up: ${describeNow(base, keys)}`);
    // g2 is still the newest and live; the overlap is over, so g1 is revoked and nothing else is owned.
    expect(keys.map((k) => k.prefix)).toEqual([g2]);
    expect(r!.outputs!.prefix).toBe(g2);
    expect(r!.outputs!.previousPrefix).toBeUndefined();
    expect(isLive(g1)).toBe(false);
    expect(liveOf(base).map((k) => k.prefix)).toEqual([g2]);
    expectNoChanges(await stack.preview());
    await cleanUp(stack, base);
  });
});

describe("4. destroy during an overlap, killed while Baseten holds the first DELETE", () => {
  it.each(VARIANTS.map((v, i) => [v.title, v, i] as const))("%s", async (_title, v, i) => {
    const { stack, base, keys: before } = await established(`d4${i}`, `crash-destroy-${i}`, true);
    const [g2, g1] = before.map((k) => k.prefix);
    clock(stack, T_ROTATE + HOUR);
    const crashed = await crashAt(stack, "4. destroy's first DELETE", base, "destroy", DELETE, v);
    expect(crashed.pending("deleting")).toHaveLength(1);
    // Oldest first: the held DELETE is g1's. A host let finish goes on to revoke g2.
    expect(isLive(g1)).toBe(v.held === "drop");
    if (v.kill === "cliAndHost") expect(isLive(g2)).toBe(true);

    await next(stack, v, "destroy", []);
    await agree(stack, base);
    console.log(`[${SUITE}] 4. destroy's first DELETE, after the next destroy: ${describeNow(base, [])}`);
    expect(liveOf(base)).toEqual([]);
    expect(rotatingOf(await stack.exportState())).toBeUndefined();
  });
});

describe("artifacts", () => {
  it("no key is left live, and no secret appears in any artifact, the killed runs' output included", async () => {
    expect(suite.emu.liveKeys().map((k) => k.name)).toEqual([]);
    await suite.scanArtifacts();
  });
});
