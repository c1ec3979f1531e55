import {
  DEFAULT_RETRY_OPTIONS,
  isRetryable,
  retryDelayMs,
  serverRequestedDelayMs,
  type AttemptFailure,
} from "../../provider/client/retry";

describe("isRetryable", () => {
  const cases: Array<[string, AttemptFailure, boolean]> = [
    ["GET", { type: "status", status: 500 }, true],
    ["GET", { type: "status", status: 502 }, true],
    ["GET", { type: "status", status: 408 }, true],
    ["GET", { type: "status", status: 429 }, true],
    ["GET", { type: "status", status: 400 }, false],
    ["GET", { type: "status", status: 401 }, false],
    ["GET", { type: "status", status: 403 }, false],
    ["GET", { type: "status", status: 404 }, false],
    ["GET", { type: "timeout" }, true],
    ["GET", { type: "network", code: "ECONNRESET" }, true],
    ["DELETE", { type: "status", status: 503 }, true],
    ["DELETE", { type: "timeout" }, true],
    ["DELETE", { type: "network", code: "ECONNRESET" }, true],
    ["DELETE", { type: "fatal" }, false],
    // POST mints a key: only failures that prove nothing was minted are retried.
    ["POST", { type: "status", status: 429 }, true],
    ["POST", { type: "network", code: "ECONNREFUSED" }, true],
    ["POST", { type: "network", code: "ENOTFOUND" }, true],
    ["POST", { type: "status", status: 500 }, false],
    ["POST", { type: "status", status: 502 }, false],
    ["POST", { type: "status", status: 408 }, false],
    ["POST", { type: "timeout" }, false],
    ["POST", { type: "network", code: "ECONNRESET" }, false],
    ["POST", { type: "network" }, false],
  ];
  it.each(cases)("%s after %j is retried: %s", (method, failure, expected) => {
    expect(isRetryable(method, failure)).toBe(expected);
  });
});

describe("retryDelayMs", () => {
  const opts = { ...DEFAULT_RETRY_OPTIONS, baseDelayMs: 100, maxDelayMs: 1000 };
  it("grows exponentially between half and all of each step", () => {
    expect(retryDelayMs(1, opts, undefined, () => 0)).toBe(50);
    expect(retryDelayMs(1, opts, undefined, () => 1)).toBe(100);
    expect(retryDelayMs(2, opts, undefined, () => 1)).toBe(200);
    expect(retryDelayMs(3, opts, undefined, () => 0)).toBe(200);
  });
  it("caps the backoff", () => {
    expect(retryDelayMs(10, opts, undefined, () => 1)).toBe(1000);
  });
  it("honours a server-requested wait in full, with a little jitter (the time budget decides whether to wait)", () => {
    expect(retryDelayMs(1, opts, 2000, () => 0)).toBe(2000);
    expect(retryDelayMs(1, opts, 2000, () => 0.5)).toBe(2050);
    expect(retryDelayMs(1, opts, 37000, () => 0)).toBe(37000);
  });
});

describe("serverRequestedDelayMs", () => {
  it("reads Retry-After in seconds", () => expect(serverRequestedDelayMs("3", "")).toBe(3000));
  it("reads Retry-After as an HTTP date", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(serverRequestedDelayMs("Thu, 01 Jan 2026 00:00:05 GMT", "", now)).toBe(5000);
  });
  it("falls back to the 429 body's retry_after", () => {
    expect(serverRequestedDelayMs(null, '{"error":"Rate limit exceeded. Please try again later.","retry_after":37}')).toBe(37000);
  });
  it("prefers the header over the body", () => expect(serverRequestedDelayMs("1", '{"retry_after":37}')).toBe(1000));
  it("is undefined without a hint", () => {
    expect(serverRequestedDelayMs(null, "<html>busy</html>")).toBeUndefined();
    expect(serverRequestedDelayMs("soon", '{"retry_after":"x"}')).toBeUndefined();
  });
});
