/**
 * Crash safety of a `RotatingApiKey` with `deliverTo` (issue 20): SIGKILL of `pulumi` at each
 * request of a delivering key's life that Baseten may complete with no one to read the answer,
 * then the next `up` (or `destroy`), after what its messages tell the user to do, must converge.
 * The emulator holds the chosen request (a `lateCommit` fault; `heldRequests()` says when), the
 * kill lands while it is held, then the request is committed (Baseten did the work) or dropped
 * (it never ran). Seven moments:
 *   - the create's mint POST, and the create's secret write (POST /v1/teams/{team}/secrets);
 *   - a rotation's mint POST, and its secret write (the clock past the due date);
 *   - the DELETE of the previous key once the overlap is over;
 *   - destroy's secret DELETE, and destroy's first key DELETE (during an overlap).
 * Killed the ways crash-rotating kills: the CLI alone, its provider host let finish (its work
 * after the released request waited for by the emulator's counts, never by time), the request
 * committed, README's recovery first; the CLI and the host together (a machine crash), committed,
 * then the next command first (it names `pulumi cancel`); and where a request that never ran
 * leaves what no committed one leaves, the CLI and host together with the request dropped,
 * README's recovery first: destroy's secret DELETE (the secret and every key left, a delete
 * pending). A dropped write leaves what the machine crash at its mint leaves (a key minted,
 * nothing written), and a dropped key DELETE nothing delivery adds to crash-rotating's cases.
 *
 * One stack follows a key through several moments, each converged state the start of the next
 * moment (as a scheduled job meets them): A = create's mint, rotation's mint, the overlap's
 * DELETE, destroy's secret DELETE; B = create's write, rotation's write, destroy's first key
 * DELETE; A and B once per way of killing that commits; C = a key created by a plain `up`,
 * destroy's secret DELETE dropped. Fifteen crashes on five stacks.
 *
 * Converged means, besides crash-rotating's agreement (every live key named `<base>-g<n>` is in
 * the state's `keys`, every key there is live, no pending operation): the secret (its value
 * read on the emulator's control side, `emu.secrets()`) holds the newest key of the state's
 * `keys`, which the state's `secretId` names; every key the secret held before and right after
 * the crash is still live after the next `up` (a consumer may have read it); the secret never
 * holds a revoked key while the resource exists (checked after the crash, after each recovery
 * step and run); a key left behind or past its overlap is revoked by one more `up`, as README
 * says; a further preview shows no change; after destroy, no key of the resource is live and the
 * secret is gone. State between commands is read from the backend's file (`stateOnDisk`, checked
 * equal to `pulumi stack export` at every crash), so the checks add no Pulumi command.
 */
import { CLOCK_VARIABLE } from "../../provider/core/clock";
import type { EmulatedKey } from "../emulator";
import { crash, recoverAsReadmeSays, type KillTarget } from "./support/crash";
import { installedPackage } from "./support/installedPackage";
import {
  expectNoChanges,
  HOUR,
  iso,
  keysOf,
  ROTATION,
  rotatingOf,
  rotatingSuite,
  T0,
  T_OVERLAP_OVER,
  T_ROTATE,
  type StoredKey,
} from "./support/rotating";
import { DELETE, mark, POST, SECRET_DELETE, SECRET_WRITE, since } from "./support/requests";
import type { Outcome, ReliabilityStack } from "./support/stack";
import { expectOk } from "./support/suite";

// Each case runs 5 to 10 Pulumi commands on a loaded 2-core machine.
jest.setTimeout(15 * 60 * 1000);

const SUITE = "crash-delivery";
const suite = rotatingSuite(SUITE);

/** One stack's delivering key, followed through several crashes. */
interface Life {
  stack: ReliabilityStack;
  secretName: string;
  /** The program's `deliverTo.adoptExisting`: set only once an error says to. */
  adopt: boolean;
  /** The keys' base name, known from the first crash on. */
  base?: string;
  /** The state's `keys` when the last run converged (none before the first create). */
  keys: StoredKey[];
}

/** The program: one RotatingApiKey delivering into `secretName`, its outputs exported. */
async function deliveringStack(label: string): Promise<Life> {
  const stack = await suite.newStack({ label: `${SUITE}-${label}` });
  // Each stack its own resource name (hence base) and secret: they share one emulator.
  const life: Life = { stack, secretName: `crash_delivery_${label}`, adopt: false, keys: [] };
  const { RotatingApiKey } = installedPackage();
  stack.stack.workspace.program = async () => {
    const key = new RotatingApiKey(`delivering-${label}`, {
      type: "WORKSPACE_INVOKE",
      modelIds: ["model-a"],
      rotation: ROTATION,
      deliverTo: { secretName: life.secretName, ...(life.adopt ? { adoptExisting: true } : {}) },
    });
    return { prefix: key.prefix, previousPrefix: key.previousPrefix, secretName: key.secretName, secretId: key.secretId };
  };
  return life;
}

/** Every later command of the stack runs with the provider's clock at `ms`. */
const clock = (life: Life, ms: number) => life.stack.setEnv(CLOCK_VARIABLE, iso(ms));

/** The state as the last command left it (read from the backend: no command per check). */
async function stored(life: Life) {
  const state = life.stack.stateOnDisk();
  const r = rotatingOf(state);
  return { state, r, keys: keysOf(r) };
}

/** Live keys of this resource's names (`<base>-g<n>`). */
const liveOf = (base: string) => suite.emu.liveKeys().filter((k) => k.name?.startsWith(`${base}-g`));
const isLive = (prefix: string) => suite.emu.liveKeys().some((k) => k.prefix === prefix);

/** The life's secret as the emulator holds it, value included (the control side; the API never shows it). */
function secretOf(life: Life) {
  const found = suite.emu.secrets().filter((s) => s.name === life.secretName);
  expect(found.length).toBeLessThanOrEqual(1);
  return found[0];
}

/** The key whose plaintext the secret holds, revoked or not; undefined when there is no secret. */
function holderOf(life: Life): EmulatedKey | undefined {
  const secret = secretOf(life);
  if (!secret) return undefined;
  const key = suite.emu.allKeys().find((k) => k.apiKey === secret.value);
  // Only this resource writes the secret, and only a key's plaintext.
  expect({ secret: secret.name, holdsAKeyOf: key?.name?.startsWith(`${life.base}-g`) }).toEqual({
    secret: secret.name,
    holdsAKeyOf: true,
  });
  return key;
}

/** The invariant at every moment: the secret never holds a revoked key. */
function expectSecretSafe(life: Life, when: string): void {
  const holder = holderOf(life);
  expect({ when, secretHoldsRevoked: holder?.revoked === true }).toEqual({ when, secretHoldsRevoked: false });
}

/**
 * crash-rotating's agreement (no live key of the resource's names outside its `keys`, no key in
 * `keys` revoked, no pending operation: counted in the figures either way) and the secret's
 * invariant. `pendingAllowed` for a check between the steps a message asks for.
 */
async function agree(life: Life, when: string, pendingAllowed = false) {
  const { state, r, keys } = await stored(life);
  const tracked = new Set(keys.map((k) => k.prefix).filter(Boolean));
  const unconfirmed = new Set(keys.filter((k) => !k.prefix).map((k) => k.name));
  const untracked = liveOf(life.base!)
    .filter((k) => !tracked.has(k.prefix) && !unconfirmed.has(k.name as string))
    .map((k) => `${k.prefix} (${k.name})`);
  const stale = keys.filter((k) => k.prefix && !isLive(k.prefix)).map((k) => `${k.prefix} (${k.name})`);
  suite.fig.add("divergences", untracked.length + stale.length);
  const pending = pendingAllowed ? [] : (state.deployment.pending_operations ?? []).map((o) => o.type);
  expect({ when, untracked, stale, pending }).toEqual({ when, untracked: [], stale: [], pending: [] });
  expectSecretSafe(life, when);
  return { r, keys };
}

/** After an `up`: the agreement, and the secret holds the newest key, which state names with the secret's id. */
async function delivered(life: Life, when: string) {
  const { r, keys } = await agree(life, when);
  const secret = secretOf(life);
  const outs = r?.outputs ?? {};
  expect({
    when,
    secretHolds: holderOf(life)?.prefix,
    newest: outs.prefix,
    newestDelivered: keys[0]?.delivered,
    secretId: outs.secretId,
    deliveryId: (outs.delivery as { secretId?: string } | undefined)?.secretId,
    apiKeyOutput: "apiKey" in outs,
  }).toEqual({
    when,
    secretHolds: keys[0]?.prefix,
    newest: keys[0]?.prefix,
    newestDelivered: true,
    secretId: secret?.id,
    deliveryId: secret?.id,
    apiKeyOutput: false,
  });
  return { r, keys };
}

/** What a user sees of the stack now (prefixes, names, flags; no secret). */
function describeNow(life: Life, keys: StoredKey[]): string {
  const flags = (k: StoredKey) =>
    [k.leftBehind && "left behind", k.mayBeDelivered && "may be delivered", k.overlapEndsAt && "overlap"].filter(Boolean);
  const inState = keys.map((k) => `${k.name}${flags(k).length ? ` (${flags(k).join(", ")})` : ""}`);
  const holder = holderOf(life);
  return (
    `state: [${inState.join(", ")}]; live: [${liveOf(life.base!)
      .map((k) => k.name)
      .join(", ")}]; ` + `secret: ${holder ? `holds ${holder.name}${holder.revoked ? " (REVOKED)" : ""}` : "none"}`
  );
}

/** What a failed command said: its error (the CLI's output) and its stdout. */
const said = (o: Outcome) => `${o.error?.message ?? ""}\n${o.stdout}`;

/** How a moment is killed, and what comes next. */
interface Variant {
  key: string;
  title: string;
  kill: KillTarget;
  held: "commit" | "drop";
  /** README's recovery before the next command; else the next command first (it names `pulumi cancel`). */
  recoverFirst: boolean;
}

const CLI: Variant = {
  key: "cli",
  title: "SIGKILL of the CLI, the host let finish, the request committed: README's recovery first",
  kill: "cli",
  held: "commit",
  recoverFirst: true,
};
const MACHINE: Variant = {
  key: "machine",
  title: "SIGKILL of the CLI and the host (a machine crash), the request committed: the next command first",
  kill: "cliAndHost",
  held: "commit",
  recoverFirst: false,
};
const DROPPED: Variant = {
  key: "dropped",
  title: "SIGKILL of the CLI and the host, the request dropped (never ran): README's recovery first",
  kill: "cliAndHost",
  held: "drop",
  recoverFirst: true,
};

/** Answers of one route (2xx) since a mark: what a surviving host has done. */
const answered = (from: number, route: string) =>
  since(suite.emu, from).filter((r) => r.route === route && r.status >= 200 && r.status < 300).length;

/** One moment: the command, the request held, the clock, and a surviving host's work after it. */
interface Moment {
  title: string;
  command: "up" | "destroy";
  route: string;
  at: number;
  /** The raw path the held request must start with (one key's DELETE). */
  pathPrefix?: (keys: StoredKey[]) => string;
  /** With the host let finish: done when these counts are reached (crash.ts `hostDone`). */
  hostWork?: (from: number, keys: StoredKey[]) => () => boolean;
  /** Asserted right after the crash, against the state and secret holder before it. */
  left: (c: { life: Life; v: Variant; before: StoredKey[]; holderBefore?: EmulatedKey; held: string; from: number }) => void;
}

const names = (keys: Array<{ name: string | null }>) => keys.map((k) => k.name).sort();

/**
 * The keys besides the newest that a run at `at` revokes (README): one merely left behind, and
 * one whose overlap is over, unless the secret may have held it (`mayBeDelivered`): that one is
 * first settled by a fresh write, then kept a whole overlap from it.
 */
const retiredByARunAt = (keys: StoredKey[], at: number) =>
  keys
    .slice(1)
    .filter((k) => !k.mayBeDelivered && (k.leftBehind || (k.overlapEndsAt !== undefined && Date.parse(k.overlapEndsAt) <= at)));

/**
 * What a rotation killed at its mint or write left: the keys it keeps live; those it retires
 * revoked only by a host let finish, and only after the secret's write was answered.
 */
function rotationLeft(v: Variant, before: StoredKey[], from: number): void {
  const retired = retiredByARunAt(before, T_ROTATE);
  const revokedByHost = v.kill === "cli" && v.held === "commit";
  for (const k of before)
    expect({ key: k.name, live: isLive(k.prefix) }).toEqual({ key: k.name, live: !(revokedByHost && retired.includes(k)) });
  const log = since(suite.emu, from);
  const firstDelete = log.findIndex((r) => r.route === DELETE);
  const firstWrite = log.findIndex((r) => r.route === SECRET_WRITE && r.status >= 200 && r.status < 300);
  if (firstDelete >= 0)
    expect({ writeBeforeRevoke: firstWrite >= 0 && firstWrite < firstDelete }).toEqual({ writeBeforeRevoke: true });
}

const CREATE_MINT: Moment = {
  title: "the create's mint POST",
  command: "up",
  route: POST,
  at: T0,
  // The host goes on: the secret write.
  hostWork: (from) => () => answered(from, SECRET_WRITE) >= 1,
  left: ({ life, v }) => {
    expect(names(liveOf(life.base!))).toEqual(v.held === "commit" ? [`${life.base}-g1`] : []);
    // Written only by a host let finish.
    expect(holderOf(life)?.name).toBe(v.kill === "cli" ? `${life.base}-g1` : undefined);
  },
};
const CREATE_WRITE: Moment = {
  title: "the create's secret write",
  command: "up",
  route: SECRET_WRITE,
  at: T0,
  left: ({ life, v }) => {
    expect(names(liveOf(life.base!))).toEqual([`${life.base}-g1`]);
    expect(holderOf(life)?.name).toBe(v.held === "commit" ? `${life.base}-g1` : undefined);
  },
};
const ROTATION_MINT: Moment = {
  title: "a rotation's mint POST",
  command: "up",
  route: POST,
  at: T_ROTATE,
  // The host goes on: the secret write, then the revocations of the keys it retires.
  hostWork: (from, keys) => () =>
    answered(from, SECRET_WRITE) >= 1 && answered(from, DELETE) >= retiredByARunAt(keys, T_ROTATE).length,
  left: ({ life, v, before, holderBefore, from }) => {
    rotationLeft(v, before, from);
    const minted = liveOf(life.base!).filter((k) => !before.some((b) => b.prefix === k.prefix));
    expect(minted).toHaveLength(v.held === "commit" ? 1 : 0);
    expect(holderOf(life)?.prefix).toBe(v.kill === "cli" ? minted[0].prefix : holderBefore?.prefix);
  },
};
const ROTATION_WRITE: Moment = {
  title: "a rotation's secret write",
  command: "up",
  route: SECRET_WRITE,
  at: T_ROTATE,
  // The host goes on: the revocations of the keys it retires.
  hostWork: (from, keys) => () => answered(from, DELETE) >= retiredByARunAt(keys, T_ROTATE).length,
  left: ({ life, v, before, holderBefore, from }) => {
    rotationLeft(v, before, from);
    const minted = liveOf(life.base!).filter((k) => !before.some((b) => b.prefix === k.prefix));
    expect(minted).toHaveLength(1);
    expect(holderOf(life)?.prefix).toBe(v.held === "commit" ? minted[0].prefix : holderBefore?.prefix);
  },
};
const OVERLAP_DELETE: Moment = {
  title: "the DELETE of the previous key once the overlap is over",
  command: "up",
  route: DELETE,
  at: T_OVERLAP_OVER,
  // The previous key: the one the secret held before the rotation, in its overlap.
  pathPrefix: (keys) => `/v1/api_keys/${keys.find((k) => k.overlapEndsAt && k.delivered)!.prefix}`,
  // The host goes on: every key past its overlap is revoked (after a settle's write, if any).
  hostWork: (from, keys) => () => answered(from, DELETE) >= retiredByARunAt(keys, T_OVERLAP_OVER).length,
  left: ({ life, v, before, holderBefore, held }) => {
    expect(held).toBe(before.find((k) => k.overlapEndsAt && k.delivered)!.prefix);
    expect(isLive(held)).toBe(v.held === "drop");
    // The newest key, which the secret held, is untouched.
    expect(isLive(before[0].prefix)).toBe(true);
    // A key whose write may yet land (`mayBeDelivered`), its overlap over, is revoked only after a
    // fresh key is written (README): then the secret holds a key this run minted, live.
    const freshFirst = before
      .slice(1)
      .some((k) => k.mayBeDelivered && (k.overlapEndsAt === undefined || Date.parse(k.overlapEndsAt) <= T_OVERLAP_OVER));
    const holder = holderOf(life);
    if (freshFirst)
      expect({ fresh: !before.some((k) => k.prefix === holder?.prefix), live: isLive(holder!.prefix) }).toEqual({
        fresh: true,
        live: true,
      });
    else expect(holder?.prefix).toBe(holderBefore?.prefix);
  },
};
const DESTROY_SECRET: Moment = {
  title: "destroy's secret DELETE",
  command: "destroy",
  route: SECRET_DELETE,
  at: T_ROTATE + HOUR,
  // The host goes on: every key is revoked once the secret is proven deleted.
  hostWork: (from, keys) => () => answered(from, DELETE) >= keys.length,
  left: ({ life, v, before }) => {
    expect(secretOf(life) === undefined).toBe(v.held === "commit");
    // No key is revoked before the secret's deletion is proven; a host let finish revokes them all.
    for (const k of before) expect(isLive(k.prefix)).toBe(v.kill !== "cli");
  },
};
const DESTROY_FIRST_KEY: Moment = {
  title: "destroy's first key DELETE, during an overlap",
  command: "destroy",
  route: DELETE,
  at: T_ROTATE + HOUR,
  hostWork: (from, keys) => () => answered(from, DELETE) >= keys.length,
  left: ({ life, v, before, held }) => {
    // The secret went first.
    expect(secretOf(life)).toBeUndefined();
    expect(before.length).toBeGreaterThanOrEqual(2);
    expect(isLive(held)).toBe(v.held === "drop");
    if (v.kill === "cli") expect(liveOf(life.base!)).toEqual([]);
    else for (const k of before) if (k.prefix !== held) expect(isLive(k.prefix)).toBe(true);
  },
};

/**
 * Runs one moment on the life's stack: the crash, what it left, then the next command the way
 * the variant says, and convergence.
 */
async function crashAndConverge(life: Life, m: Moment, v: Variant): Promise<void> {
  clock(life, m.at);
  const before = life.keys;
  const holderBefore = life.base ? holderOf(life) : undefined;
  const from = mark(suite.emu);
  const pathPrefix = m.pathPrefix?.(before);
  const crashed = await crash(suite.emu, life.stack, {
    command: m.command,
    at: { route: m.route, nth: 1, held: v.held, ...(pathPrefix ? { pathPrefix } : {}) },
    kill: v.kill,
    // A surviving host's work is waited for by counts: no time is given to anything.
    ...(v.kill === "cli" && m.hostWork ? { hostDone: m.hostWork(from, before) } : {}),
    settleMs: 0,
  });
  const pending = crashed.state.deployment.pending_operations ?? [];
  // The backend's file, read by the checks between commands, is what `pulumi stack export` shows.
  expect(life.stack.stateOnDisk().deployment).toEqual(crashed.state.deployment);
  expect(pending.map((o) => o.type)).toEqual([m.command === "destroy" ? "deleting" : before.length ? "updating" : "creating"]);
  life.base ??= pending[0].resource.inputs?.baseName as string;
  // The held request is logged when it is committed or dropped; others on its route may come first.
  const heldRequest = since(suite.emu, from).find((r) => r.route === m.route && r.rawPath.startsWith(pathPrefix ?? ""));
  const held = decodeURIComponent(heldRequest?.rawPath.split("/").pop() ?? "");
  expectSecretSafe(life, "after the crash");
  const holderAfter = holderOf(life);
  console.log(
    `[${SUITE}] ${v.key}: ${m.title} ${v.held === "commit" ? "committed" : "dropped"}: pending [${pending.map((o) => o.type).join(", ")}]; ` +
      `${describeNow(life, keysOf(rotatingOf(crashed.state)))}; processes still running after the kill: ${crashed.survivors.length}`,
  );
  m.left({ life, v, before, holderBefore, held, from });

  await next(life, v, m.command);
  if (m.command === "destroy") {
    await destroyed(life);
    return;
  }
  let { keys } = await delivered(life, `after the next up (${m.title})`);
  // Every key the secret held before and right after the crash stays live: a consumer may have read it.
  for (const k of [holderBefore, holderAfter])
    if (k) expect({ heldBySecret: k.name, live: isLive(k.prefix) }).toEqual({ heldBySecret: k.name, live: true });
  console.log(`[${SUITE}] ${v.key}: ${m.title}, after the next up: ${describeNow(life, keys)}`);
  // README: a key left behind, or whose overlap has ended (with that run: "until the next run"),
  // is revoked by the next `up`. Such a key is retired by one more, which must revoke it.
  const due = keys.slice(1).filter((k) => k.overlapEndsAt === undefined || Date.parse(k.overlapEndsAt) <= m.at);
  if (due.length > 0) {
    expectOk(await life.stack.up());
    for (const k of due) expect({ retired: k.name, live: isLive(k.prefix) }).toEqual({ retired: k.name, live: false });
    keys = (await delivered(life, `after the up that retires (${m.title})`)).keys;
    console.log(`[${SUITE}] ${v.key}: ${m.title}, after one more up: ${describeNow(life, keys)}`);
  }
  expectNoChanges(await life.stack.preview());
  life.keys = keys;
}

/**
 * The next `up` or `destroy` in the variant's order: README's recovery first, or the command
 * first, which meets the killed run's lock and names `pulumi cancel`; then, if the `up` refuses
 * a secret it cannot prove its own and says to set `deliverTo.adoptExisting: true`, that, and
 * `up` again; README's recovery last if pending operations are left.
 */
async function next(life: Life, v: Variant, command: "up" | "destroy"): Promise<void> {
  const run = () => (command === "up" ? life.stack.up() : life.stack.destroy());
  const snippet = command === "up" ? "recover-interrupted-up" : "recover-interrupted-destroy";
  const recover = async () => {
    const r = await recoverAsReadmeSays(suite.emu, life.stack, snippet);
    console.log(`[${SUITE}] ${snippet}: ${r.stdout.trim().split("\n").join(" | ")}`);
    expectSecretSafe(life, `after ${snippet}`);
  };
  if (v.recoverFirst) await recover();
  else {
    const locked = await run();
    expect(locked.ok).toBe(false);
    expect(said(locked)).toContain("pulumi cancel");
    expectOk(await life.stack.cli(["cancel", "--yes"]));
  }
  let outcome = await run();
  if (!outcome.ok && command === "up" && said(outcome).includes("deliverTo.adoptExisting")) {
    // The secret exists and nothing proves it this resource's: the message says what to do.
    const message = said(outcome);
    console.log(
      `[${SUITE}] ${v.key}: the up refused: ${message.match(/Rotating key [^\n]*minted no key[^\n]*/)?.[0] ?? message}`,
    );
    expect(message).toMatch(/set `deliverTo\.adoptExisting: true`[^\n]* and run `pulumi up`/);
    expect(message).toContain("minted no key");
    // The refusal keeps in state the key the killed run left (the secret may hold it).
    const { keys } = await agree(life, "after the refused up", true);
    expect(keys.find((k) => k.prefix === holderOf(life)?.prefix)).toMatchObject({ leftBehind: true, mayBeDelivered: true });
    life.adopt = true;
    outcome = await run();
  }
  expectOk(outcome);
  if (!v.recoverFirst && (life.stack.stateOnDisk().deployment.pending_operations ?? []).length > 0) await recover();
}

/** After destroy: nothing left, at Baseten or in state. */
async function destroyed(life: Life) {
  const { state, r } = await stored(life);
  expect({
    resource: r?.urn,
    pending: state.deployment.pending_operations ?? [],
    live: liveOf(life.base!).map((k) => k.name),
    secret: secretOf(life)?.name,
  }).toEqual({ resource: undefined, pending: [], live: [], secret: undefined });
  console.log(`[${SUITE}] after the next destroy: nothing of ${life.base} is live, no secret ${life.secretName}`);
}

/** The moments of each life, in order; `created`: the life starts with a plain `up` at T0. */
const LIVES: Array<{ label: string; v: Variant; moments: Moment[]; created?: boolean }> = [
  {
    label: "a-cli",
    v: CLI,
    moments: [CREATE_MINT, ROTATION_MINT, OVERLAP_DELETE, { ...DESTROY_SECRET, at: T_OVERLAP_OVER + HOUR }],
  },
  { label: "b-cli", v: CLI, moments: [CREATE_WRITE, ROTATION_WRITE, DESTROY_FIRST_KEY] },
  {
    label: "a-machine",
    v: MACHINE,
    moments: [CREATE_MINT, ROTATION_MINT, OVERLAP_DELETE, { ...DESTROY_SECRET, at: T_OVERLAP_OVER + HOUR }],
  },
  { label: "b-machine", v: MACHINE, moments: [CREATE_WRITE, ROTATION_WRITE, DESTROY_FIRST_KEY] },
  { label: "c-dropped", v: DROPPED, created: true, moments: [{ ...DESTROY_SECRET, at: T0 + HOUR }] },
];

for (const { label, v, moments, created } of LIVES) {
  describe(`${label}: ${v.title}`, () => {
    let life: Life;
    beforeAll(async () => {
      life = await deliveringStack(label);
      if (created) {
        clock(life, T0);
        expectOk(await life.stack.up());
        const { r } = await stored(life);
        life.base = r?.inputs?.baseName as string;
        life.keys = (await delivered(life, "after the create")).keys;
      }
    });
    // Each moment starts from the state the one before converged to: after a failure, the rest cannot run.
    let failed: string | undefined;
    for (const m of moments)
      it(`${m.title}: the next ${m.command} converges`, async () => {
        if (failed) throw new Error(`skipped: the moment before (${failed}) failed, and this one starts where it converged`);
        try {
          await crashAndConverge(life, m, v);
        } catch (e) {
          failed = m.title;
          // Leave no fault or held request for the other stacks' moments.
          suite.emu.clearFaults();
          suite.emu.dropLateCommits();
          throw e;
        }
      });
  });
}

describe("artifacts", () => {
  it("no key is left live, no secret is left, and no secret appears in any artifact, the killed runs' output included", async () => {
    expect(suite.emu.liveKeys().map((k) => k.name)).toEqual([]);
    expect(suite.emu.secrets().map((s) => s.name)).toEqual([]);
    await suite.scanArtifacts();
  });
});
