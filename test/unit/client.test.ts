/**
 * The Baseten client against the real emulator over loopback HTTP: retries and their counts,
 * server-requested waits, timeouts, error mapping, redaction, and tombstone checks.
 */
import { BasetenClient } from "../../provider/client/baseten";
import type { BasetenError } from "../../provider/client/errors";
import type { HttpOptions } from "../../provider/client/http";
import { BasetenEmulator } from "../emulator";
import { validateRequestBody } from "../contract/schemas";

let emu: BasetenEmulator;
let delays: number[];

beforeAll(async () => {
  emu = await BasetenEmulator.start();
});
afterAll(() => emu.stop());
beforeEach(() => {
  emu.reset();
  delays = [];
});

function client(overrides: Partial<HttpOptions> = {}): BasetenClient {
  return new BasetenClient({
    baseUrl: emu.url,
    apiKey: emu.managementKey,
    timeoutMs: 2000,
    // Record the waits instead of sleeping them: exact and fast.
    sleep: async (ms) => void delays.push(ms),
    random: () => 0,
    ...overrides,
  });
}

/**
 * Large answers are about size, not time: how long a loaded machine takes to move 32 MB over
 * loopback must not decide them (a 2 s attempt timed out on CI, and the retry read the listing).
 */
const transferTime = { timeoutMs: 600_000 };

const countOf = (route: string) => emu.routeCounts()[route] ?? 0;

/** The emulator logs a request when it has answered; a timed-out one is logged a little later. */
async function settledCountOf(route: string, expected: number, withinMs = 3000): Promise<number> {
  const until = Date.now() + withinMs;
  while (countOf(route) < expected && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 50)); // and no more than expected arrive
  return countOf(route);
}

async function failureOf(p: Promise<unknown>): Promise<BasetenError> {
  try {
    await p;
  } catch (e) {
    return e as BasetenError;
  }
  throw new Error("expected a failure");
}

describe("create", () => {
  it("mints a key with one POST whose body follows Baseten's schema", async () => {
    const created = await client().createKey({ type: "WORKSPACE_INVOKE", name: "svc-a", modelIds: ["m1", "m2"] });
    expect(created.apiKey.startsWith(`${created.prefix}.`)).toBe(true);
    expect(countOf("POST /v1/api_keys")).toBe(1);
    const sent = emu.requestLog()[0].requestBody;
    expect(validateRequestBody("createKey", sent)).toEqual([]);
    expect(sent).toEqual({ type: "WORKSPACE_INVOKE", name: "svc-a", model_ids: ["m1", "m2"] });
  });
  it("creates team keys through the team route", async () => {
    await client().createKey({ type: "WORKSPACE_INVOKE", name: "team-k", teamId: "team-ml" });
    expect(countOf("POST /v1/teams/{team_id}/api_keys")).toBe(1);
    expect(validateRequestBody("createTeamKey", emu.requestLog()[0].requestBody)).toEqual([]);
    expect(emu.liveKeys()[0].teamName).toBe("ml-platform");
  });
  it("retries a POST turned away with 429, waiting what the body asks", async () => {
    emu.injectFault({ kind: "rateLimited", retryAfterSeconds: 3, method: "POST" });
    await client().createKey({ type: "PERSONAL", name: "rl" });
    expect(countOf("POST /v1/api_keys")).toBe(2);
    expect(delays).toEqual([3000]);
    expect(emu.liveKeys()).toHaveLength(1);
  });
  it.each([
    [{ kind: "serverError" } as const, "server", 500],
    [{ kind: "badGatewayHtml" } as const, "server", 502],
  ])("never retries a POST after %j (a key may have been minted)", async (fault, kind, status) => {
    emu.injectFault({ ...fault, method: "POST" });
    const e = await failureOf(client().createKey({ type: "PERSONAL", name: "x" }));
    expect(e.kind).toBe(kind);
    expect(e.status).toBe(status);
    expect(countOf("POST /v1/api_keys")).toBe(1);
  });
  it("never retries a POST after a timeout", async () => {
    emu.injectFault({ kind: "latency", ms: 1000, afterCommit: true, method: "POST" });
    const e = await failureOf(client({ timeoutMs: 200 }).createKey({ type: "PERSONAL", name: "slow" }));
    expect(e.kind).toBe("timeout");
    expect(e.message).toMatch(/POST \/v1\/api_keys timed out/);
    expect(await settledCountOf("POST /v1/api_keys", 1)).toBe(1);
    expect(emu.liveKeys()).toHaveLength(1); // minted, though the client never heard: see provider recovery
  });
  it("retries a POST when the connection is refused (nothing can have been minted)", async () => {
    const refused = await failureOf(client({ baseUrl: "http://127.0.0.1:1" }).createKey({ type: "PERSONAL" }));
    expect(refused.kind).toBe("network");
    expect(delays).toHaveLength(4); // the default budget: 4 retries
  });
  it("rejects a minted value without a prefix", async () => {
    emu.injectFault({ kind: "respond", status: 200, body: '{"api_key":"nodot"}', method: "POST" });
    const e = await failureOf(client().createKey({ type: "PERSONAL", name: "x" }));
    expect(e.kind).toBe("invalid-response");
    expect(e.message).toMatch(/<prefix>\.<secret>/);
  });
});

describe("list", () => {
  it("retries GET on 500, 502 and resets, counting attempts", async () => {
    emu.injectFault({ kind: "serverError", method: "GET" });
    emu.injectFault({ kind: "badGatewayHtml", method: "GET" });
    emu.injectFault({ kind: "reset", method: "GET" });
    await expect(client().listKeys()).resolves.toEqual([]);
    expect(countOf("GET /v1/api_keys")).toBe(4);
    expect(delays).toEqual([250, 500, 1000]);
  });
  it("honours Retry-After on a 429", async () => {
    emu.injectFault({ kind: "rateLimited", retryAfterSeconds: 2, method: "GET" });
    await client().listKeys();
    expect(delays).toEqual([2000]);
  });
  it("honours a long Retry-After in full while it fits the time budget", async () => {
    emu.injectFault({ kind: "rateLimited", retryAfterSeconds: 37, method: "GET" });
    await client().listKeys();
    expect(delays).toEqual([37000]);
  });
  it("times out each attempt and retries", async () => {
    emu.injectFault({ kind: "latency", ms: 800, method: "GET" });
    await client({ timeoutMs: 200 }).listKeys();
    expect(await settledCountOf("GET /v1/api_keys", 2)).toBe(2);
  });
  it("gives up on a 5xx without Retry-After after maxRetries, saying which limit ended it", async () => {
    emu.injectFault({ kind: "serverError", method: "GET", times: 10 });
    const e = await failureOf(client({ retry: { maxRetries: 2 } }).listKeys());
    expect(e.kind).toBe("server");
    expect(countOf("GET /v1/api_keys")).toBe(3);
    expect(e.message).toMatch(/Gave up after 3 attempts in .* s: all 2 retries \(baseten:maxRetries\) were used\./);
  });
});

describe("retries are bounded by time, not by count", () => {
  /** A clock that advances only when the client sleeps: exact and instant. */
  function fakeTime() {
    let now = 0;
    return { now: () => now, sleep: async (ms: number) => void (delays.push(ms), (now += ms)) };
  }

  it("retries a crowded rate limit past maxRetries while its waits fit the budget", async () => {
    emu.injectFault({ kind: "rateLimited", retryAfterSeconds: 1, method: "GET", times: 12 });
    await expect(client({ ...fakeTime(), retry: { maxRetries: 2, budgetMs: 120000 } }).listKeys()).resolves.toEqual([]);
    expect(countOf("GET /v1/api_keys")).toBe(13);
    expect(delays).toEqual(Array(12).fill(1000));
  });

  it("stops when Baseten's Retry-After would pass the budget, and says what limited it", async () => {
    emu.injectFault({ kind: "rateLimited", retryAfterSeconds: 37, method: "GET", times: 3 });
    const e = await failureOf(client({ ...fakeTime(), retry: { budgetMs: 60000 } }).listKeys());
    expect(e.kind).toBe("rate-limited");
    expect(delays).toEqual([37000]);
    expect(e.message).toMatch(
      /Gave up after 2 attempts in 37 s: Baseten asked to wait 37 s, which would pass the retry budget of 60 s \(baseten:retryBudgetSeconds\)\./,
    );
  });

  it("gives one operation one budget: a later request of it stops where the operation's deadline passes", async () => {
    const time = fakeTime();
    const operation = client({ ...time, retry: { budgetMs: 60000 } }).withDeadline(time.now() + 60000);
    emu.injectFault({ kind: "rateLimited", retryAfterSeconds: 40, method: "GET", times: 1 });
    await expect(operation.listKeys()).resolves.toEqual([]); // 40 s of the operation's 60 s spent
    emu.injectFault({ kind: "rateLimited", retryAfterSeconds: 30, method: "GET", times: 1 });
    // Alone, this request would have its own 60 s; as part of the operation, 20 s remain.
    const e = await failureOf(operation.listKeys());
    expect(e.kind).toBe("rate-limited");
    expect(delays).toEqual([40000]);
    expect(e.message).toMatch(/Baseten asked to wait 30 s, which would pass the retry budget/);
    // The same request on a client without the operation's deadline waits and succeeds.
    emu.injectFault({ kind: "rateLimited", retryAfterSeconds: 30, method: "GET", times: 1 });
    await expect(client({ ...time, retry: { budgetMs: 60000 } }).listKeys()).resolves.toEqual([]);
    expect(delays).toEqual([40000, 30000]);
  });

  it("honours a 503's Retry-After within the budget, beyond maxRetries", async () => {
    emu.injectFault({ kind: "respond", status: 503, method: "GET", times: 3, headers: { "retry-after": "2" }, body: "{}" });
    await expect(client({ ...fakeTime(), retry: { maxRetries: 1 } }).listKeys()).resolves.toEqual([]);
    expect(delays).toEqual([2000, 2000, 2000]);
  });
  it(
    "bounds memory on a 50 MB listing: the error names the listing, its bound, and what to do",
    async () => {
      emu.injectFault({
        kind: "respond",
        status: 200,
        bodyBytes: 50 * 1024 * 1024,
        contentType: "application/json",
        method: "GET",
        times: 5, // a retry, had there been one, would meet the same answer and be counted below
      });
      const e = await failureOf(client(transferTime).listKeys());
      expect(e.kind).toBe("invalid-response");
      expect(e.message).toMatch(
        /^Baseten's answer to GET \/v1\/api_keys is not valid: the API-key listing exceeds 33554432 bytes \(32 MiB\), .*no paging.*revoke or delete what nothing uses.*check apiUrl/,
      );
      expect(await settledCountOf("GET /v1/api_keys", 1)).toBe(1); // not worth repeating
    },
    transferTime.timeoutMs,
  );

  it(
    "reads a listing of 50,000 keys (about 6 MB, past the 1 MiB that bounds other answers)",
    async () => {
      emu.preloadKeys({ count: 50_000 });
      const listed = await client(transferTime).listKeys();
      expect(listed).toHaveLength(50_000);
      expect(listed[49_999]).toEqual({
        prefix: expect.any(String),
        type: "WORKSPACE_INVOKE",
        name: "preloaded-50000",
        modelIds: ["customer-model"],
        teamName: "default",
        ownerId: undefined,
      });
    },
    transferTime.timeoutMs,
  );

  it(
    "reads a secrets listing past 1 MiB",
    async () => {
      // 20,000 secrets, about 1.9 MB: served whole, as Baseten's unpaged listing would.
      const secrets = Array.from({ length: 20_000 }, (_, i) => ({
        id: `secret-${i}`,
        created_at: "2026-01-01T00:00:00Z",
        name: `customer_${i}_invoke_key`,
        team_name: "default",
      }));
      const body = JSON.stringify({ secrets });
      expect(body.length).toBeGreaterThan(1024 * 1024);
      emu.injectFault({ kind: "respond", status: 200, body, method: "GET", pathPrefix: "/v1/teams/team-default/secrets" });
      const client = new BasetenClient({ baseUrl: emu.url, apiKey: emu.managementKey, ...transferTime });
      expect(await client.listSecrets("team-default")).toHaveLength(20_000);
    },
    transferTime.timeoutMs,
  );

  it("keeps the 1 MiB bound for answers that are not listings (a create)", async () => {
    emu.injectFault({
      kind: "respond",
      status: 200,
      bodyBytes: 2 * 1024 * 1024,
      contentType: "application/json",
      method: "POST",
    });
    const e = await failureOf(client().createKey({ type: "PERSONAL", name: "k" }));
    expect(e.kind).toBe("invalid-response");
    expect(e.message).toMatch(/POST \/v1\/api_keys is not valid: the body exceeds 1048576 bytes/);
  });
  it.each([
    ['{"keys": [', /not JSON/],
    ["", /empty/],
    ["<html><body>Oops</body></html>", /not JSON/],
    ['{"items": []}', /no `keys` array/],
    ['{"keys": [{"prefix": 1}]}', /lacks its string `prefix`/],
  ])("rejects the 200 body %j", async (body, why) => {
    emu.injectFault({ kind: "respond", status: 200, body, method: "GET" });
    const e = await failureOf(client().listKeys());
    expect(e.kind).toBe("invalid-response");
    expect(e.message).toMatch(why);
  });
});

describe("revoke", () => {
  it("accepts the tombstone that names the key", async () => {
    const k = emu.createKeyOutOfBand({ type: "PERSONAL", name: "k" });
    await expect(client().revokeKey(k.prefix)).resolves.toEqual({ outcome: "revoked" });
    expect(emu.liveKeys()).toEqual([]);
  });
  it("reports a JSON 404 as not-found with Baseten's words, for the caller to back with evidence", async () => {
    await expect(client().revokeKey("gonegone")).resolves.toEqual({ outcome: "not-found", basetenMessage: "API key not found" });
  });
  it("retries a DELETE whose answer was lost, then reports the 404", async () => {
    const k = emu.createKeyOutOfBand({ type: "PERSONAL", name: "k" });
    emu.injectFault({ kind: "reset", afterCommit: true, method: "DELETE" });
    await expect(client().revokeKey(k.prefix)).resolves.toMatchObject({ outcome: "not-found" });
    expect(countOf("DELETE /v1/api_keys/{prefix}")).toBe(2);
  });
  it.each([
    [{ kind: "wrongTombstone", prefix: "otherkey" } as const, /tombstone for "otherkey", expected "PREFIX"/],
    [{ kind: "nonJson" } as const, /no prefix \(the body is not JSON\), expected "PREFIX"/],
    [{ kind: "respond", status: 200, body: '{"prefix": null}' } as const, /no prefix \(the tombstone has no string `prefix`\)/],
    [{ kind: "respond", status: 200, body: "" } as const, /the body is not JSON/],
    [{ kind: "respond", status: 200, body: '{"prefix": "trunc' } as const, /the body is not JSON/],
  ])("fails on %j, naming the expected and received prefix", async (fault, why) => {
    const k = emu.createKeyOutOfBand({ type: "PERSONAL", name: "k" });
    emu.injectFault({ ...fault, method: "DELETE" });
    const e = await failureOf(client().revokeKey(k.prefix));
    expect(e.kind).toBe("tombstone-mismatch");
    expect(e.message).toMatch(new RegExp(why.source.replace("PREFIX", k.prefix)));
  });
  it.each([401, 403])("never takes %d as revoked", async (status) => {
    const k = emu.createKeyOutOfBand({ type: "PERSONAL", name: "k" });
    emu.injectFault({ kind: "respond", status, body: '{"error":"denied"}', method: "DELETE" });
    const e = await failureOf(client().revokeKey(k.prefix));
    expect(e.kind).toBe("authentication");
    expect(emu.liveKeys()).toHaveLength(1);
  });
  it("sends nothing for a prefix that would leave its path segment", async () => {
    await expect(client().revokeKey("a/../b")).rejects.toThrow(/slash/);
    expect(emu.requestLog()).toEqual([]);
  });
  it("encodes the prefix into one segment", async () => {
    await client().revokeKey("%2F?x#y");
    expect(emu.requestLog()[0].rawPath).toBe("/v1/api_keys/%252F%3Fx%23y");
  });
});

describe("authentication and redaction", () => {
  const wrongKey = "fake-wrong-management-key-abcdef";
  it("maps 401 to an error that names the setting and not the key", async () => {
    const e = await failureOf(client({ apiKey: wrongKey }).listKeys());
    expect(e.kind).toBe("authentication");
    expect(e.message).toMatch(/baseten:apiKey/);
    expect(e.message).toMatch(/BASETEN_API_KEY/);
    expect(JSON.stringify({ ...e, message: e.message, stack: e.stack })).not.toContain(wrongKey);
    expect(countOf("GET /v1/api_keys")).toBe(1); // 401 is not retried
  });
  it("redacts the key when a server echoes it", async () => {
    emu.injectFault({
      kind: "respond",
      status: 400,
      body: JSON.stringify({ error: `bad key ${emu.managementKey}` }),
      method: "GET",
    });
    const e = await failureOf(client().listKeys());
    expect(e.message).not.toContain(emu.managementKey);
    expect(e.basetenMessage).toBe("bad key [REDACTED]");
  });
});

describe("teams", () => {
  it("finds teams by exact name", async () => {
    expect(await client().teamsNamed("ml-platform")).toEqual([{ id: "team-ml", name: "ml-platform" }]);
    expect(emu.requestLog()[0].rawPath).toBe("/v1/teams?name=ml-platform");
    expect(await client().teamsNamed("dup")).toHaveLength(2);
  });
});
