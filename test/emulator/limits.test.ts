import * as net from "net";
import { BasetenEmulator, ROUTES } from "./index";
import { SlidingWindowLimiter } from "./rate-limit";
import { api } from "./test-helpers";

let emu: BasetenEmulator;

beforeAll(async () => {
  emu = await BasetenEmulator.start({ managementKey: "emu_fixedkeyfortests" });
});
afterAll(() => emu.stop());
beforeEach(() => {
  emu.reset();
  emu.setLatency(0);
  emu.setRateLimit(null);
});

const list = () => api(emu, "GET", "/v1/api_keys");

describe("rate limiting", () => {
  it("defaults to Baseten's 100 requests per second", async () => {
    const fresh = await BasetenEmulator.start();
    try {
      expect(fresh.settings().rateLimitPerSecond).toBe(100);
    } finally {
      await fresh.stop();
    }
  });

  it("admits exactly the limit within any 1 s window (clock-controlled, no HTTP timing)", () => {
    const limiter = new SlidingWindowLimiter(100);
    for (let t = 0; t < 100; t++) expect(limiter.tryAcquire("k", t)).toBe(true);
    expect(limiter.tryAcquire("k", 500)).toBe(false);
    expect(limiter.tryAcquire("other-key", 500)).toBe(true); // per credential
    expect(limiter.tryAcquire("k", 999.9)).toBe(false);
    expect(limiter.tryAcquire("k", 1000)).toBe(true); // the request at t=0 left the window
    expect(limiter.tryAcquire("k", 1000.5)).toBe(false);
  });

  it("answers 429 with the documented body and Retry-After: 1 once the window is full", async () => {
    emu.setRateLimit(3);
    const statuses = (await Promise.all([list(), list(), list()])).map((r) => r.status);
    expect(statuses).toEqual([200, 200, 200]);
    const limited = await list();
    expect(limited.status).toBe(429);
    expect(limited.json).toEqual({ error: "Rate limit exceeded. Please try again later.", retry_after: 1 });
    expect(limited.headers.get("retry-after")).toBe("1");
  });

  it("logs rate-limited requests with status 429", async () => {
    emu.setRateLimit(1);
    await list();
    await list();
    expect(emu.requestLog().map((r) => r.status)).toEqual([200, 429]);
    expect(emu.requestLog()[1].fault).toBeUndefined();
  });

  it("does not count unauthenticated requests against the key's budget", async () => {
    emu.setRateLimit(1);
    expect((await api(emu, "GET", "/v1/api_keys", { auth: "Bearer wrong" })).status).toBe(401);
    expect((await list()).status).toBe(200);
  });

  it("is disabled by null", async () => {
    emu.setRateLimit(null);
    const statuses = (await Promise.all(Array.from({ length: 20 }, () => list()))).map((r) => r.status);
    expect(new Set(statuses)).toEqual(new Set([200]));
  });

  it("rejects a limit that is not a positive integer", () => {
    expect(() => emu.setRateLimit(0)).toThrow();
    expect(() => emu.setRateLimit(1.5)).toThrow();
  });
});

describe("latency", () => {
  it("delays every API request by the configured latency", async () => {
    emu.setLatency(120);
    const started = Date.now();
    expect((await list()).status).toBe(200);
    expect((await api(emu, "GET", "/v1/api_keys", { auth: null })).status).toBe(401);
    expect(Date.now() - started).toBeGreaterThanOrEqual(230);
  });

  it("applies the latency given at start", async () => {
    const slow = await BasetenEmulator.start({ latencyMs: 100 });
    try {
      const started = Date.now();
      await api(slow, "GET", "/v1/teams");
      expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    } finally {
      await slow.stop();
    }
  });

  it("does not run the operation when the client left during the latency", async () => {
    emu.setLatency(300);
    await expect(
      api(emu, "POST", "/v1/api_keys", { body: { type: "PERSONAL" }, signal: AbortSignal.timeout(50) }),
    ).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 350));
    expect(emu.allKeys()).toHaveLength(0);
    expect(emu.requestLog()[0]).toMatchObject({ status: 0, clientClosed: true });
  });

  it("rejects a negative latency", () => {
    expect(() => emu.setLatency(-1)).toThrow();
  });
});

/** Polls `done` on the event loop (the emulator runs on it too) until it holds; fails after 5 s. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(done()).toBe(true);
}

describe("requests in flight and open connections (what a test waits on instead of sleeping)", () => {
  it("counts a request from its arrival until it is answered, with its route", async () => {
    emu.setLatency(200);
    expect(emu.requestsInFlight()).toEqual([]);
    const answered = list();
    // Its route is known once its body is read, before the latency.
    await until(() => emu.requestsInFlight()[0]?.route === ROUTES.listKeys);
    expect(emu.requestsInFlight()).toEqual([{ seq: 1, method: "GET", rawPath: "/v1/api_keys", route: ROUTES.listKeys }]);
    expect(emu.requestLog()).toEqual([]); // logged only when it ends
    expect((await answered).status).toBe(200);
    expect(emu.requestsInFlight()).toEqual([]);
  });

  it("keeps a held request in flight until it is run or dropped; a reset forgets it", async () => {
    emu.injectFault({ kind: "lateCommit", afterRequests: 1000, method: "POST" });
    const held = api(emu, "POST", "/v1/api_keys", { body: { type: "PERSONAL", name: "held" } });
    await until(() => emu.heldRequests() === 1);
    expect(emu.requestsInFlight().map((r) => r.route)).toEqual([ROUTES.createKey]);
    expect(emu.runLateCommits()).toBe(1);
    expect(emu.requestsInFlight()).toEqual([]);
    expect((await held).status).toBe(200);

    emu.injectFault({ kind: "lateCommit", afterRequests: 1000, method: "POST" });
    const forgotten = api(emu, "POST", "/v1/api_keys", { body: { type: "PERSONAL", name: "forgotten" } });
    forgotten.catch(() => undefined); // never answered: the client gives up when the emulator stops
    await until(() => emu.heldRequests() === 1);
    emu.reset();
    expect(emu.requestsInFlight()).toEqual([]);
  });

  it("counts a connection from its acceptance until it closes, a request in it or not", async () => {
    const { port } = new URL(emu.url);
    const before = emu.openConnections();
    const socket = net.connect(Number(port), "127.0.0.1");
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    // Half a request: no request yet, but bytes that may still become one.
    socket.write("GET /v1/api_keys HTTP/1.1\r\nHost: x\r\n");
    await until(() => emu.openConnections() === before + 1);
    expect(emu.requestsInFlight()).toEqual([]);
    socket.destroy();
    await until(() => emu.openConnections() === before);
  });
});

describe("request size", () => {
  it("answers 413 to a request body over 1 MB and mints nothing", async () => {
    const body = JSON.stringify({ type: "PERSONAL", name: "big", pad: "x".repeat(1024 * 1024) });
    const res = await api(emu, "POST", "/v1/api_keys", { body });
    expect(res.status).toBe(413);
    expect(emu.allKeys()).toHaveLength(0);
    expect(emu.requestLog()[0]).toMatchObject({ route: "POST /v1/api_keys", status: 413 });
  });

  it("accepts a body just under 1 MB", async () => {
    const body = JSON.stringify({ type: "PERSONAL", pad: "x".repeat(1000 * 1000) });
    expect((await api(emu, "POST", "/v1/api_keys", { body })).status).toBe(200);
  });
});

describe("request log", () => {
  it("records method, raw path, route, status, timing and the create body", async () => {
    const before = Date.now();
    await api(emu, "POST", "/v1/api_keys?trace=a%20b", { body: { type: "PERSONAL", name: "logged" } });
    const [entry] = emu.requestLog();
    expect(entry).toMatchObject({
      seq: 1,
      method: "POST",
      rawPath: "/v1/api_keys?trace=a%20b",
      route: "POST /v1/api_keys",
      status: 200,
      requestBody: { type: "PERSONAL", name: "logged" },
    });
    expect(entry.startedAt).toBeGreaterThanOrEqual(before);
    expect(entry.durationMs).toBeGreaterThanOrEqual(0);
    expect(entry.fault).toBeUndefined();
  });

  it("does not record bodies of non-create requests", async () => {
    await api(emu, "DELETE", "/v1/api_keys/abc", { body: { ignored: true } });
    expect(emu.requestLog()[0].requestBody).toBeUndefined();
  });

  it("keeps the raw path undecoded", async () => {
    await api(emu, "DELETE", "/v1/api_keys/a%2Fb%20c");
    expect(emu.requestLog()[0].rawPath).toBe("/v1/api_keys/a%2Fb%20c");
  });

  it("counts requests per route, including failures and unmatched ones", async () => {
    await api(emu, "POST", "/v1/api_keys", { body: { type: "PERSONAL" } });
    await api(emu, "POST", "/v1/teams/team-ml/api_keys", { body: { type: "WORKSPACE_INVOKE" } });
    await list();
    await list();
    await api(emu, "DELETE", "/v1/api_keys/nothere");
    await api(emu, "GET", "/v1/teams", { auth: null });
    await api(emu, "GET", "/nope");
    // Every route has a count (zero when unused); the used ones counted exactly.
    expect(Object.keys(emu.routeCounts()).sort()).toEqual(Object.values(ROUTES).sort());
    expect(Object.fromEntries(Object.entries(emu.routeCounts()).filter(([, n]) => n > 0))).toEqual({
      "POST /v1/api_keys": 1,
      "POST /v1/teams/{team_id}/api_keys": 1,
      "GET /v1/api_keys": 2,
      "DELETE /v1/api_keys/{prefix}": 1,
      "GET /v1/teams": 1,
      unmatched: 1,
    });
    expect(emu.requestLog().map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it("does not log control routes", async () => {
    await fetch(`${emu.url}/_emulator/keys`);
    expect(emu.requestLog()).toHaveLength(0);
  });

  it("empties the log and counts on clearLog", async () => {
    await list();
    emu.clearLog();
    expect(emu.requestLog()).toEqual([]);
    expect(emu.routeCounts()["GET /v1/api_keys"]).toBe(0);
  });

  it("uses the given management key", async () => {
    expect(emu.managementKey).toBe("emu_fixedkeyfortests");
    expect((await api(emu, "GET", "/v1/teams", { auth: "Bearer emu_fixedkeyfortests" })).status).toBe(200);
  });
});

describe("stopping", () => {
  it("closes keep-alive sockets and pending delays so nothing hangs", async () => {
    const short = await BasetenEmulator.start({ latencyMs: 5000 });
    const outcome = api(short, "GET", "/v1/teams").then(
      () => "answered",
      () => "failed",
    );
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await short.stop();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await outcome).toBe("failed");
    await short.stop(); // idempotent
  });
});
