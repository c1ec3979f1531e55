import { BasetenEmulator, mulberry32, RandomFaultSpec } from "./index";
import { api, createKey } from "./test-helpers";

let emu: BasetenEmulator;

beforeAll(async () => {
  emu = await BasetenEmulator.start({ rateLimitPerSecond: null });
});
afterAll(() => emu.stop());
beforeEach(() => emu.reset());

const list = () => api(emu, "GET", "/v1/api_keys");
const create = (name?: string) => api(emu, "POST", "/v1/api_keys", { body: { type: "PERSONAL", ...(name ? { name } : {}) } });

describe("scripted faults", () => {
  it("applies a fault to the next matching request only, by default", async () => {
    emu.injectFault({ kind: "serverError" });
    expect((await list()).status).toBe(500);
    expect((await list()).status).toBe(200);
  });

  it("applies a fault to the next N matching requests with times", async () => {
    emu.injectFault({ kind: "serverError", times: 3 });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await list()).status);
    expect(statuses).toEqual([500, 500, 500, 200]);
  });

  it("lets `skip` matching requests through before applying a fault", async () => {
    emu.injectFault({ kind: "serverError", times: 2, skip: 1 });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await list()).status);
    expect(statuses).toEqual([200, 500, 500, 200]);
  });

  it("matches by method, leaving other methods untouched", async () => {
    emu.injectFault({ kind: "serverError", method: "post" });
    expect((await list()).status).toBe(200);
    expect((await create()).status).toBe(500);
  });

  it("matches by route label", async () => {
    emu.injectFault({ kind: "serverError", route: "GET /v1/teams" });
    expect((await list()).status).toBe(200);
    expect((await api(emu, "GET", "/v1/teams")).status).toBe(500);
  });

  it("matches by raw path prefix", async () => {
    emu.injectFault({ kind: "serverError", pathPrefix: "/v1/teams/team-ml/" });
    expect((await api(emu, "POST", "/v1/teams/team-dup-1/api_keys", { body: { type: "WORKSPACE_INVOKE" } })).status).toBe(200);
    expect((await api(emu, "POST", "/v1/teams/team-ml/api_keys", { body: { type: "WORKSPACE_INVOKE" } })).status).toBe(500);
  });

  it("consumes faults in injection order", async () => {
    emu.injectFault({ kind: "serverError" });
    emu.injectFault({ kind: "badGatewayHtml" });
    expect((await list()).status).toBe(500);
    expect((await list()).status).toBe(502);
  });

  it("does not spend a fault on a request that fails authentication", async () => {
    emu.injectFault({ kind: "serverError" });
    expect((await api(emu, "GET", "/v1/api_keys", { auth: null })).status).toBe(401);
    expect((await list()).status).toBe(500);
  });

  it("forgets queued faults on clearFaults", async () => {
    emu.injectFault({ kind: "serverError", times: 5 });
    emu.clearFaults();
    expect((await list()).status).toBe(200);
  });

  it("rejects a fault of unknown kind or with an unknown route", () => {
    expect(() => emu.injectFault({ kind: "explode" } as never)).toThrow(/fault kind must be one of/);
    expect(() => emu.injectFault({ kind: "serverError", route: "GET /v1/nope" })).toThrow(/route must be one of/);
    expect(() => emu.injectFault({ kind: "echoRequest", status: 200 })).toThrow(/HTTP error status/);
    expect(() => emu.injectFault({ kind: "echoRequest", lead: 7 } as never)).toThrow(/lead must be a string/);
  });

  it("logs the fault kind with the final status", async () => {
    emu.injectFault({ kind: "serverError" });
    await list();
    expect(emu.requestLog()[0]).toMatchObject({ route: "GET /v1/api_keys", status: 500, fault: "serverError" });
  });
});

describe("each fault kind", () => {
  it("respond: answers the given status, body, content type and headers without running the operation", async () => {
    emu.injectFault({ kind: "respond", status: 418, body: '{"detail":"teapot"}', headers: { "x-trace": "t1" } });
    const res = await create("teapot");
    expect(res.status).toBe(418);
    expect(res.json).toEqual({ detail: "teapot" });
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.headers.get("x-trace")).toBe("t1");
    expect(emu.allKeys()).toHaveLength(0);
  });

  it("respond: honours a custom content type", async () => {
    emu.injectFault({ kind: "respond", status: 503, body: "down", contentType: "text/plain" });
    const res = await list();
    expect([res.status, res.text, res.headers.get("content-type")]).toEqual([503, "down", "text/plain"]);
  });

  it("respond: streams bodyBytes of filler for oversized-response tests", async () => {
    const size = 16 * 1024 * 1024;
    emu.injectFault({ kind: "respond", status: 200, bodyBytes: size });
    const res = await fetch(emu.url + "/v1/api_keys", { headers: { authorization: `Api-Key ${emu.managementKey}` } });
    expect(res.headers.get("content-length")).toBe(String(size));
    const body = new Uint8Array(await res.arrayBuffer());
    expect(body.length).toBe(size);
    expect(body[0]).toBe("x".charCodeAt(0));
  });

  it("respond: stops streaming when the client gives up", async () => {
    emu.injectFault({ kind: "respond", status: 200, bodyBytes: 500 * 1024 * 1024 });
    const controller = new AbortController();
    const res = await fetch(emu.url + "/v1/api_keys", {
      headers: { authorization: `Api-Key ${emu.managementKey}` },
      signal: controller.signal,
    });
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    await expect(reader.read()).rejects.toThrow();
    await waitFor(() => emu.requestLog().length === 1);
    expect(emu.requestLog()[0]).toMatchObject({ status: 200, fault: "respond" });
  });

  it("rateLimited: answers 429 with the documented body and a Retry-After header", async () => {
    emu.injectFault({ kind: "rateLimited", retryAfterSeconds: 37 });
    const res = await list();
    expect(res.status).toBe(429);
    expect(res.json).toEqual({ error: "Rate limit exceeded. Please try again later.", retry_after: 37 });
    expect(res.headers.get("retry-after")).toBe("37");
  });

  it("serverError: answers 500 with a JSON error and mints nothing", async () => {
    emu.injectFault({ kind: "serverError" });
    const res = await create();
    expect([res.status, res.json]).toEqual([500, { error: "Internal server error" }]);
    expect(emu.allKeys()).toHaveLength(0);
  });

  it("badGatewayHtml: answers 502 with an HTML page", async () => {
    emu.injectFault({ kind: "badGatewayHtml" });
    const res = await list();
    expect(res.status).toBe(502);
    expect(res.headers.get("content-type")).toBe("text/html");
    expect(res.text).toContain("<h1>502 Bad Gateway</h1>");
    expect(res.json).toBeUndefined();
  });

  it("reset: destroys the socket without minting, and logs status 0", async () => {
    emu.injectFault({ kind: "reset" });
    await expect(create()).rejects.toThrow();
    expect(emu.allKeys()).toHaveLength(0);
    expect(emu.requestLog()[0]).toMatchObject({ status: 0, fault: "reset" });
  });

  it("reset afterCommit: mints the key, then destroys the socket", async () => {
    emu.injectFault({ kind: "reset", afterCommit: true });
    await expect(create("orphan")).rejects.toThrow();
    expect(emu.liveKeys().map((k) => k.name)).toEqual(["orphan"]);
  });

  it("reset afterCommit on DELETE: revokes the key, then destroys the socket", async () => {
    const prefix = await createKey(emu, { type: "PERSONAL" });
    emu.injectFault({ kind: "reset", afterCommit: true, method: "DELETE" });
    await expect(api(emu, "DELETE", `/v1/api_keys/${prefix}`)).rejects.toThrow();
    expect(emu.liveKeys()).toHaveLength(0);
    expect((await api(emu, "DELETE", `/v1/api_keys/${prefix}`)).status).toBe(404);
  });

  it("latency: delays the response and then runs the operation", async () => {
    emu.injectFault({ kind: "latency", ms: 150 });
    const started = Date.now();
    expect((await create()).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(emu.requestLog()[0].durationMs).toBeGreaterThanOrEqual(140);
  });

  it("latency: a client that times out first leaves no key behind", async () => {
    emu.injectFault({ kind: "latency", ms: 300 });
    await expect(
      api(emu, "POST", "/v1/api_keys", { body: { type: "PERSONAL" }, signal: AbortSignal.timeout(50) }),
    ).rejects.toThrow();
    await waitFor(() => emu.requestLog().length === 1);
    expect(emu.allKeys()).toHaveLength(0);
    expect(emu.requestLog()[0]).toMatchObject({ status: 0, clientClosed: true, fault: "latency" });
  });

  it("latency afterCommit: a client that times out leaves a minted key", async () => {
    emu.injectFault({ kind: "latency", ms: 300, afterCommit: true });
    await expect(
      api(emu, "POST", "/v1/api_keys", { body: { type: "PERSONAL", name: "slow" }, signal: AbortSignal.timeout(50) }),
    ).rejects.toThrow();
    expect(emu.liveKeys().map((k) => k.name)).toEqual(["slow"]);
    await waitFor(() => emu.requestLog().length === 1);
    expect(emu.requestLog()[0]).toMatchObject({ status: 0, clientClosed: true, fault: "latency" });
  });

  it("wrongTombstone: answers another prefix and revokes nothing", async () => {
    const prefix = await createKey(emu, { type: "PERSONAL" });
    emu.injectFault({ kind: "wrongTombstone" });
    const res = await api(emu, "DELETE", `/v1/api_keys/${prefix}`);
    expect([res.status, res.json]).toEqual([200, { prefix: "zzzzzzzz" }]);
    expect(emu.liveKeys().map((k) => k.prefix)).toEqual([prefix]);
  });

  it("wrongTombstone: uses the given prefix and only ever hits DELETE requests", async () => {
    const prefix = await createKey(emu, { type: "PERSONAL" });
    emu.injectFault({ kind: "wrongTombstone", prefix: "other123" });
    expect((await list()).status).toBe(200);
    expect((await api(emu, "DELETE", `/v1/api_keys/${prefix}`)).json).toEqual({ prefix: "other123" });
  });

  it("nonJson: answers 200 with a plain-text OK and creates nothing", async () => {
    emu.injectFault({ kind: "nonJson" });
    const res = await create();
    expect([res.status, res.text, res.headers.get("content-type")]).toEqual([200, "OK", "text/plain"]);
    expect(emu.allKeys()).toHaveLength(0);
  });

  it("nonJson on DELETE revokes nothing", async () => {
    const prefix = await createKey(emu, { type: "PERSONAL" });
    emu.injectFault({ kind: "nonJson", method: "DELETE" });
    expect((await api(emu, "DELETE", `/v1/api_keys/${prefix}`)).text).toBe("OK");
    expect(emu.liveKeys()).toHaveLength(1);
  });
});

describe("seeded random faults", () => {
  const spec: RandomFaultSpec = { rate: 0.5, seed: 42, kinds: ["rateLimited", "serverError", "badGatewayHtml"] };

  async function statuses(n: number): Promise<number[]> {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await list()).status);
    return out;
  }

  it("replays exactly the same faults for the same seed", async () => {
    emu.setRandomFaults(spec);
    const first = await statuses(30);
    emu.setRandomFaults(spec);
    const second = await statuses(30);
    expect(second).toEqual(first);
    expect(new Set(first)).toEqual(new Set([200, 429, 500, 502]));
  });

  it("produces a different sequence for another seed", async () => {
    emu.setRandomFaults(spec);
    const first = await statuses(30);
    emu.setRandomFaults({ ...spec, seed: 7 });
    expect(await statuses(30)).not.toEqual(first);
  });

  it("never faults at rate 0 and always faults at rate 1", async () => {
    emu.setRandomFaults({ ...spec, rate: 0 });
    expect(await statuses(5)).toEqual([200, 200, 200, 200, 200]);
    emu.setRandomFaults({ ...spec, rate: 1, kinds: ["serverError"] });
    expect(await statuses(3)).toEqual([500, 500, 500]);
  });

  it("uses the configured Retry-After for random rate limiting", async () => {
    emu.setRandomFaults({ rate: 1, seed: 1, kinds: ["rateLimited"], retryAfterSeconds: 3 });
    const res = await list();
    expect([res.status, res.json.retry_after, res.headers.get("retry-after")]).toEqual([429, 3, "3"]);
  });

  it("never commits the operation when a random reset hits", async () => {
    emu.setRandomFaults({ rate: 1, seed: 1, kinds: ["reset"] });
    await expect(create()).rejects.toThrow();
    expect(emu.allKeys()).toHaveLength(0);
  });

  it("applies random latency after the operation, as a slow server would", async () => {
    emu.setRandomFaults({ rate: 1, seed: 1, kinds: ["latency"], latencyMs: 300 });
    await expect(
      api(emu, "POST", "/v1/api_keys", { body: { type: "PERSONAL" }, signal: AbortSignal.timeout(50) }),
    ).rejects.toThrow();
    expect(emu.liveKeys()).toHaveLength(1);
    await waitFor(() => emu.requestLog().length === 1); // let the delayed request finish before the next test
  });

  it("lets scripted faults take precedence over random ones", async () => {
    emu.setRandomFaults({ rate: 1, seed: 1, kinds: ["serverError"] });
    emu.injectFault({ kind: "badGatewayHtml" });
    expect((await list()).status).toBe(502);
    expect((await list()).status).toBe(500);
  });

  it("stops random faults when set to null", async () => {
    emu.setRandomFaults({ rate: 1, seed: 1, kinds: ["serverError"] });
    emu.setRandomFaults(null);
    expect((await list()).status).toBe(200);
  });

  it("rejects an invalid random spec", () => {
    expect(() => emu.setRandomFaults({ rate: 2, seed: 1, kinds: ["serverError"] })).toThrow(/rate/);
    expect(() => emu.setRandomFaults({ rate: 0.5, seed: 1, kinds: [] })).toThrow(/kinds/);
  });

  it("uses a deterministic mulberry32 generator", () => {
    const a = mulberry32(123);
    const b = mulberry32(123);
    const seqA = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(seqA);
    expect(seqA.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}
