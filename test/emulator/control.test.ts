import { BasetenEmulator, DEFAULT_MODES, EmulatorApiError, EmulatorControl } from "./index";
import { parseCliArgs } from "./main";
import { api, createKey } from "./test-helpers";

let emu: BasetenEmulator;
let control: EmulatorControl;

beforeAll(async () => {
  emu = await BasetenEmulator.start({ rateLimitPerSecond: null });
  control = new EmulatorControl(emu.url + "/");
});
afterAll(() => emu.stop());
beforeEach(() => {
  emu.reset();
  emu.setLatency(0);
  emu.setRateLimit(null);
});

describe("control routes through EmulatorControl", () => {
  it("lists live and revoked keys without plaintext by default", async () => {
    const a = await createKey(emu, { type: "PERSONAL", name: "a" });
    const b = await createKey(emu, { type: "WORKSPACE_INVOKE", model_ids: ["m1"] }, "team-ml");
    emu.revokeOutOfBand(a);
    const keys = await control.keys();
    expect(keys.map((k) => [k.prefix, k.revoked])).toEqual([
      [a, true],
      [b, false],
    ]);
    expect(keys[1]).toMatchObject({ type: "WORKSPACE_INVOKE", modelIds: ["m1"], teamId: "team-ml", teamName: "ml-platform" });
    expect(keys.every((k) => !("apiKey" in k))).toBe(true);
  });

  it("preloads other keys for a crowded workspace, and refuses a malformed request", async () => {
    expect(await control.preloadKeys({ count: 20, teamId: "team-ml", namePrefix: "tenant" })).toBe(20);
    const keys = await control.liveKeys();
    expect(keys).toHaveLength(20);
    expect(keys[19]).toMatchObject({ name: "tenant-20", type: "WORKSPACE_INVOKE", teamName: "ml-platform" });
    await expect(control.preloadKeys({ count: 0 })).rejects.toThrow(/400: count must be 1\.\.1000000/);
    await expect(control.preloadKeys({} as { count: number })).rejects.toThrow(/400: body must be an object \{count/);
  });

  it("includes plaintext keys only when asked", async () => {
    await createKey(emu, { type: "PERSONAL" });
    const [key] = await control.keys({ plaintext: true });
    expect(key.apiKey).toBe(emu.liveKeys()[0].apiKey);
  });

  it("lists only live keys with liveKeys", async () => {
    const a = await createKey(emu, { type: "PERSONAL" });
    const b = await createKey(emu, { type: "PERSONAL" });
    await control.revoke(a);
    expect((await control.liveKeys()).map((k) => k.prefix)).toEqual([b]);
  });

  it("creates a key out of band and returns it with its plaintext", async () => {
    const key = await control.createKey({
      type: "WORKSPACE_EXPORT_METRICS",
      name: "from-ui",
      modelIds: ["m9"],
      teamId: "team-ml",
    });
    expect(key).toMatchObject({
      name: "from-ui",
      type: "WORKSPACE_EXPORT_METRICS",
      modelIds: ["m9"],
      teamId: "team-ml",
      revoked: false,
    });
    expect(key.apiKey.startsWith(key.prefix + ".")).toBe(true);
    const listed = await api(emu, "GET", "/v1/api_keys");
    expect(listed.json.keys).toHaveLength(1);
    expect(emu.requestLog().map((r) => r.route)).toEqual(["GET /v1/api_keys"]); // control calls are not logged
  });

  it("reports the API's rule violations when creating out of band", async () => {
    await control.createKey({ type: "PERSONAL", name: "taken" });
    await expect(control.createKey({ type: "PERSONAL", name: "taken" })).rejects.toThrow(
      /409: An API key with this name already exists/,
    );
    await expect(control.createKey({ type: "PERSONAL", teamId: "team-ml" })).rejects.toThrow(
      /400: PERSONAL keys cannot be team-scoped/,
    );
    await expect(control.createKey({ type: "PERSONAL", teamId: "nope" })).rejects.toThrow(/404: Team not found/);
  });

  it("revokes out of band and reports whether anything was revoked", async () => {
    const prefix = await createKey(emu, { type: "PERSONAL" });
    expect(await control.revoke(prefix)).toBe(true);
    expect(await control.revoke(prefix)).toBe(false);
    expect(await control.revoke("a/b")).toBe(false);
    expect((await api(emu, "DELETE", `/v1/api_keys/${prefix}`)).status).toBe(404);
  });

  it("injects a fault", async () => {
    await control.fault({ kind: "serverError", route: "GET /v1/teams", times: 2 });
    expect((await api(emu, "GET", "/v1/teams")).status).toBe(500);
    expect((await api(emu, "GET", "/v1/teams")).status).toBe(500);
    expect((await api(emu, "GET", "/v1/teams")).status).toBe(200);
  });

  it("rejects an invalid fault with a readable error", async () => {
    await expect(control.fault({ kind: "latency" } as never)).rejects.toThrow(/400: ms must be a non-negative number/);
  });

  it("clears faults", async () => {
    await control.fault({ kind: "serverError", times: 3 });
    await control.clearFaults();
    expect((await api(emu, "GET", "/v1/teams")).status).toBe(200);
  });

  it("sets and clears seeded random faults", async () => {
    await control.randomFaults({ rate: 1, seed: 5, kinds: ["badGatewayHtml"] });
    expect((await api(emu, "GET", "/v1/teams")).status).toBe(502);
    await control.randomFaults(null);
    expect((await api(emu, "GET", "/v1/teams")).status).toBe(200);
  });

  it("changes latency and rate limit and returns the current settings", async () => {
    expect(await control.settings({ latencyMs: 80 })).toEqual({ ...DEFAULT_MODES, latencyMs: 80, rateLimitPerSecond: null });
    expect(await control.settings({ rateLimitPerSecond: 1 })).toEqual({ ...DEFAULT_MODES, latencyMs: 80, rateLimitPerSecond: 1 });
    const started = Date.now();
    expect((await api(emu, "GET", "/v1/teams")).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(75);
    expect((await api(emu, "GET", "/v1/teams")).status).toBe(429);
    expect(await control.settings({ latencyMs: 0, rateLimitPerSecond: null })).toEqual({
      ...DEFAULT_MODES,
      latencyMs: 0,
      rateLimitPerSecond: null,
    });
  });

  it("rejects invalid settings without applying any of them", async () => {
    await expect(control.settings({ latencyMs: 10, rateLimitPerSecond: -3 })).rejects.toThrow(/400/);
    expect(emu.settings()).toEqual({ ...DEFAULT_MODES, latencyMs: 0, rateLimitPerSecond: null });
  });

  it("returns the request log with route counts", async () => {
    await api(emu, "GET", "/v1/teams?name=dup");
    const log = await control.log();
    expect(log.requests).toEqual([
      expect.objectContaining({ seq: 1, rawPath: "/v1/teams?name=dup", route: "GET /v1/teams", status: 200 }),
    ]);
    expect(log.counts["GET /v1/teams"]).toBe(1);
    expect(log.counts.unmatched).toBe(0);
  });

  it("clears the log", async () => {
    await api(emu, "GET", "/v1/teams");
    await control.clearLog();
    expect((await control.log()).requests).toEqual([]);
  });

  it("resets keys, faults and the log", async () => {
    await createKey(emu, { type: "PERSONAL" });
    await control.fault({ kind: "serverError" });
    await control.reset();
    expect(await control.keys()).toEqual([]);
    expect((await control.log()).requests).toEqual([]);
    expect((await api(emu, "GET", "/v1/teams")).status).toBe(200);
  });

  it("answers unknown control routes with 404", async () => {
    const res = await fetch(`${emu.url}/_emulator/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: "Not found" });
  });

  it("needs no credentials and ignores API faults, latency and rate limits", async () => {
    emu.setLatency(2000);
    emu.setRateLimit(1);
    emu.injectFault({ kind: "reset", times: 10 });
    const started = Date.now();
    for (let i = 0; i < 3; i++) expect(await control.keys()).toEqual([]);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe("in-process control API", () => {
  it("returns copies, so callers cannot change the emulator's state", async () => {
    await createKey(emu, { type: "WORKSPACE_INVOKE", model_ids: ["m1"] });
    const [key] = emu.liveKeys();
    key.revoked = true;
    key.modelIds!.push("m2");
    expect(emu.liveKeys()[0]).toMatchObject({ revoked: false, modelIds: ["m1"] });
  });

  it("creates out-of-band keys of types Baseten may add later", () => {
    const key = emu.createKeyOutOfBand({ type: "WORKSPACE_FUTURE_TYPE", modelIds: ["m1"] });
    expect(key.type).toBe("WORKSPACE_FUTURE_TYPE");
    expect(emu.liveKeys()).toHaveLength(1);
  });

  it("enforces the UI's name rules on out-of-band keys", () => {
    expect(() => emu.createKeyOutOfBand({ type: "PERSONAL", name: "Not Valid" })).toThrow(EmulatorApiError);
    emu.createKeyOutOfBand({ type: "PERSONAL", name: "dupe" });
    expect(() => emu.createKeyOutOfBand({ type: "PERSONAL", name: "dupe" })).toThrow(/already exists/);
  });

  it("revokes out of band, once", () => {
    const key = emu.createKeyOutOfBand({ type: "PERSONAL" });
    expect(emu.revokeOutOfBand(key.prefix)).toBe(true);
    expect(emu.revokeOutOfBand(key.prefix)).toBe(false);
    expect(emu.allKeys()[0]).toMatchObject({ revoked: true });
  });
});

describe("command line", () => {
  it("defaults to an ephemeral port, no latency and Baseten's rate limit", () => {
    expect(parseCliArgs([])).toEqual({ port: 0, latencyMs: 0, rateLimitPerSecond: 100, preloadKeys: 0 });
  });

  it("reads --port, --latency and --no-rate-limit", () => {
    expect(parseCliArgs(["--port", "8787", "--latency=25", "--no-rate-limit"])).toEqual({
      port: 8787,
      latencyMs: 25,
      rateLimitPerSecond: null,
      preloadKeys: 0,
    });
  });

  it("reads --rate-limit", () => {
    expect(parseCliArgs(["--rate-limit", "5"]).rateLimitPerSecond).toBe(5);
  });

  it("reads --preload-keys", () => {
    expect(parseCliArgs(["--preload-keys", "50000"]).preloadKeys).toBe(50000);
  });

  it("refuses unknown or malformed arguments", () => {
    expect(() => parseCliArgs(["--prot", "1"])).toThrow(/unknown argument/);
    expect(() => parseCliArgs(["--port"])).toThrow(/non-negative number/);
    expect(() => parseCliArgs(["--latency", "soon"])).toThrow(/non-negative number/);
  });
});
