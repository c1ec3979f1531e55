/**
 * The management key: missing, empty or wrong must each give a clear error naming the
 * setting (`baseten:apiKey` / `BASETEN_API_KEY`) and never the key; and a 401 or 403 must
 * never be taken as "already gone": destroy and refresh keep every key in state. Through the
 * real engine, with the key given both ways a user can give it: stack config, and the
 * environment.
 *
 * Note (Pulumi's behaviour, measured here): `destroy` and `refresh` configure the provider
 * from the configuration stored in state by the last `up` (the default provider's inputs,
 * where `baseten:apiKey` sits encrypted), not from the current stack config. A key given in
 * the environment is read when the command runs.
 */
import { BasetenEmulator } from "../emulator";
import { checkpoint } from "./support/agreement";
import { DELETE, LIST, mark, since } from "./support/requests";
import { manyKeys, type ReliabilityStack } from "./support/stack";
import { reliabilitySuite } from "./support/suite";

jest.setTimeout(10 * 60 * 1000);

const SUITE = "auth";
/** A wrong management key: fake, and still a secret that must appear nowhere. */
const WRONG_KEY = "emu_WrongManagementKey0123456789abcdefXYZ";
const NAMES_THE_SETTING = /baseten:apiKey.*BASETEN_API_KEY/s;
const KEYS = 3;

const suite = reliabilitySuite(SUITE);
const { fig, scan } = suite;
let emu: BasetenEmulator;
/** Credentials in stack config (`baseten:apiKey`), as the README recommends. */
let configStack: ReliabilityStack;
/** Credentials in the environment (`BASETEN_API_KEY`). */
let envStack: ReliabilityStack;
const savedEnvKey = process.env.BASETEN_API_KEY;

beforeAll(async () => {
  // Commands inherit this process's environment: the "missing" cases need it unset.
  delete process.env.BASETEN_API_KEY;
  scan.addSecret("wrong management key", WRONG_KEY);
  emu = suite.emu;
  configStack = await suite.newStack({
    managementKey: null, // no key yet
    keys: manyKeys("auth-config", KEYS, "WORKSPACE_MANAGE_ALL"),
    label: `${SUITE}-config`,
  });
  envStack = await suite.newStack({
    managementKey: null,
    env: { BASETEN_API_KEY: emu.managementKey },
    keys: manyKeys("auth-env", KEYS, "WORKSPACE_MANAGE_ALL"),
    label: `${SUITE}-env`,
  });
});

afterAll(() => {
  if (savedEnvKey !== undefined) process.env.BASETEN_API_KEY = savedEnvKey;
});

/** Both stacks' states agree with Baseten; the given stack still holds all its keys. */
async function expectKeysKept(stack: ReliabilityStack) {
  const a = await checkpoint(fig, emu, [configStack, envStack]);
  expect(a.untracked).toEqual([]);
  expect(a.stale).toEqual([]);
  expect(await stack.prefixesInState()).toHaveLength(KEYS);
}

describe("up without a usable management key in stack config", () => {
  it("missing: a clear error naming both ways to set it; nothing is sent", async () => {
    const from = mark(emu);
    const up = await configStack.up();
    expect(up.ok).toBe(false);
    expect(up.error?.message).toMatch(/No Baseten management key is set/);
    expect(up.error?.message).toMatch(NAMES_THE_SETTING);
    expect(since(emu, from)).toEqual([]);
  });

  it.each([
    ["empty", ""],
    ["blank", "   "],
  ])("%s: a clear error naming the setting; nothing is sent", async (_label, value) => {
    await configStack.setSetting("apiKey", value);
    const from = mark(emu);
    const up = await configStack.up();
    expect(up.ok).toBe(false);
    expect(up.error?.message).toMatch(/The Baseten management key is empty/);
    expect(up.error?.message).toMatch(NAMES_THE_SETTING);
    expect(since(emu, from)).toEqual([]);
  });

  it("wrong: Baseten's 401 becomes an error naming the setting, not the key; no POST is repeated", async () => {
    await configStack.setSetting("apiKey", WRONG_KEY);
    const from = mark(emu);
    const up = await configStack.up();
    expect(up.ok).toBe(false);
    // The first request of a create asks who the caller is; its 401 ends the create before any POST.
    expect(up.error?.message).toMatch(/Baseten answered HTTP 401: Invalid API key \(GET \/v1\/users\/me\)/);
    expect(up.error?.message).toMatch(/The management key was rejected: set a valid one .*baseten:apiKey.*BASETEN_API_KEY/);
    const log = since(emu, from);
    expect(log.map((r) => `${r.route} ${r.status}`)).toEqual(log.map(() => "GET /v1/users/me 401"));
    expect(log.length).toBeLessThanOrEqual(KEYS); // at most one per key, none repeated
    expect(emu.allKeys()).toEqual([]);
  });
});

describe("with the key in the environment, a wrong, empty or missing key at destroy or refresh keeps every key", () => {
  beforeAll(async () => {
    const up = await envStack.up();
    if (!up.ok) throw up.error;
  });

  it("wrong: destroy fails on 401 naming the setting; every key stays in state and live", async () => {
    envStack.setEnv("BASETEN_API_KEY", WRONG_KEY);
    const from = mark(emu);
    const destroy = await envStack.destroy();
    expect(destroy.ok).toBe(false);
    expect(destroy.error?.message).toMatch(/HTTP 401: Invalid API key \(DELETE \/v1\/api_keys\//);
    expect(destroy.error?.message).toMatch(NAMES_THE_SETTING);
    const log = since(emu, from);
    expect(log.length).toBeGreaterThan(0);
    expect(log.every((r) => r.route === DELETE && r.status === 401)).toBe(true);
    await expectKeysKept(envStack);
  });

  it("wrong: refresh fails on 401; no key is dropped from state", async () => {
    const refresh = await envStack.refresh();
    expect(refresh.ok).toBe(false);
    expect(refresh.error?.message).toMatch(/HTTP 401: Invalid API key \(GET \/v1\/api_keys\)/);
    await expectKeysKept(envStack);
  });

  it.each([
    ["empty", "", /The Baseten management key is empty/],
    ["missing", undefined, /No Baseten management key is set/],
  ])("%s: destroy fails naming the setting, sends nothing, and keeps every key", async (_label, value, why) => {
    envStack.setEnv("BASETEN_API_KEY", value);
    const from = mark(emu);
    const destroy = await envStack.destroy();
    expect(destroy.ok).toBe(false);
    expect(destroy.error?.message).toMatch(why);
    expect(destroy.error?.message).toMatch(NAMES_THE_SETTING);
    expect(since(emu, from)).toEqual([]);
    await expectKeysKept(envStack);
  });

  it("with the right key back, destroy revokes every key", async () => {
    envStack.setEnv("BASETEN_API_KEY", emu.managementKey);
    const destroy = await envStack.destroy();
    expect({ ok: destroy.ok, error: destroy.error?.message.slice(-2000) }).toEqual({ ok: true, error: undefined });
    expect(await envStack.prefixesInState()).toEqual([]);
  });
});

describe("with the key in stack config, a wrong key or a 401/403 at destroy or refresh keeps every key", () => {
  beforeAll(async () => {
    await configStack.setSetting("apiKey", emu.managementKey);
    const up = await configStack.up();
    if (!up.ok) throw up.error;
  });
  beforeEach(() => emu.clearFaults());

  it("a wrong key set in config after up: destroy without --run-program uses the key stored by that up (Pulumi's behaviour)", async () => {
    await configStack.setSetting("apiKey", WRONG_KEY);
    const destroy = await configStack.destroy();
    expect({ ok: destroy.ok, error: destroy.error?.message.slice(-2000) }).toEqual({ ok: true, error: undefined });
    expect(await configStack.prefixesInState()).toEqual([]);
    await configStack.setSetting("apiKey", emu.managementKey);
    const up = await configStack.up();
    expect(up.ok).toBe(true);
    await expectKeysKept(configStack);
  });

  it("a wrong key set in config: destroy and refresh with --run-program use it, fail on 401 and keep every key", async () => {
    await configStack.setSetting("apiKey", WRONG_KEY);
    const destroy = await configStack.destroy({ runProgram: true });
    expect(destroy.ok).toBe(false);
    expect(destroy.error?.message).toMatch(/HTTP 401: Invalid API key \(DELETE \/v1\/api_keys\//);
    expect(destroy.error?.message).toMatch(NAMES_THE_SETTING);
    await expectKeysKept(configStack);
    const refresh = await configStack.refresh({ runProgram: true });
    expect(refresh.ok).toBe(false);
    expect(refresh.error?.message).toMatch(/HTTP 401: Invalid API key \(GET \/v1\/api_keys\)/);
    await expectKeysKept(configStack);
    // Refresh with the program stored the wrong key as the provider's configuration: an up
    // with the right key stores it back for the cases below.
    await configStack.setSetting("apiKey", emu.managementKey);
    const up = await configStack.up();
    expect(up.ok).toBe(true);
  });

  it.each([
    [401, "Invalid API key", /The management key was rejected/],
    [403, "Permission denied", /lacks permission for this operation.*baseten:apiKey or BASETEN_API_KEY/],
  ])("DELETE answered %d: destroy fails naming the setting; every key stays in state and live", async (status, said, advice) => {
    emu.injectFault({ kind: "respond", status, body: JSON.stringify({ error: said }), route: DELETE, times: KEYS });
    const destroy = await configStack.destroy({ continueOnError: true });
    expect(destroy.ok).toBe(false);
    expect(destroy.error?.message).toMatch(new RegExp(`HTTP ${status}: ${said}`));
    expect(destroy.error?.message).toMatch(advice);
    await expectKeysKept(configStack);
  });

  it.each([401, 403])("listing answered %d: refresh fails; no key is dropped", async (status) => {
    emu.injectFault({ kind: "respond", status, body: '{"error":"denied"}', route: LIST });
    const refresh = await configStack.refresh();
    expect(refresh.ok).toBe(false);
    expect(refresh.error?.message).toMatch(new RegExp(`HTTP ${status}: denied`));
    await expectKeysKept(configStack);
  });

  it("with sound answers, destroy revokes every key: nothing live, nothing in either state", async () => {
    const destroy = await configStack.destroy();
    expect({ ok: destroy.ok, error: destroy.error?.message.slice(-2000) }).toEqual({ ok: true, error: undefined });
    const a = await checkpoint(fig, emu, [configStack, envStack]);
    expect(a.live).toEqual([]);
    expect(a.inState).toEqual([]);
  });
});

describe("afterwards", () => {
  it("no management key, right or wrong, and no minted key appears in any artifact", async () => {
    await suite.scanArtifacts([
      ["config stack", configStack],
      ["env stack", envStack],
    ]);
  });
});
