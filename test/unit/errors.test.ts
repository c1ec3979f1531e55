import { basetenMessageOf, errorFromResponse, isBasetenError, notFoundAdvice, redact } from "../../provider/client/errors";
import { HttpTransport } from "../../provider/client/http";

const KEY = "fake-management-key-0123456789";
const target = { method: "DELETE", path: "/v1/api_keys/abc" };

describe("errors", () => {
  it.each([
    ['{"error":"bad type"}', "bad type"],
    ['{"message":"nope"}', "nope"],
    ['{"detail":"missing"}', "missing"],
    ['{"detail":[{"loc":["body","type"],"msg":"field required"}]}', 'field "type" (body): field required'],
    [
      '{"detail":[{"loc":["body","name"],"msg":"bad name","type":"value_error"},{"loc":["body","model_ids",0],"msg":"not a string","type":"string_type"}]}',
      'field "name" (body): bad name; field "model_ids.0" (body): not a string',
    ],
    ['{"error":"key AbCdEfGh.0123456789abcdefghijXYZ is bad"}', "key AbCdEfGh.[REDACTED] is bad"],
    ["<html><title>502 Bad Gateway</title><body>...</body></html>", "502 Bad Gateway"],
    ["plain text", "plain text"],
    ["", undefined],
  ])("extracts Baseten's message from %j", (body, expected) => {
    expect(basetenMessageOf(body)).toBe(expected);
  });
  it.each([
    [401, "authentication", /baseten:apiKey.*BASETEN_API_KEY/],
    [403, "authentication", /lacks permission/],
    [404, "not-found", /404/],
    [429, "rate-limited", /rate limit/],
    [400, "request", /Fix the input/],
    [503, "server", /rerun/],
  ])("maps HTTP %d to %s with advice", (status, kind, advice) => {
    const e = errorFromResponse(status, target, '{"error":"x"}', [KEY]);
    expect(isBasetenError(e)).toBe(true);
    expect(e.kind).toBe(kind);
    expect(e.status).toBe(status);
    expect(e.message).toMatch(advice);
    expect(e.message).toContain("DELETE /v1/api_keys/abc");
  });
  it.each([
    ["GET", "/v1/users/me", /^Baseten serves this path, so baseten:apiUrl \/ BASETEN_API_URL does not lead to its API/],
    ["GET", "/v1/api_keys", /^Baseten serves this path/],
    ["GET", "/v1/teams?name=ml", /^Baseten serves this path/],
    ["GET", "/v1/audit_logs?page=1", /^Baseten serves this path/],
    ["DELETE", "/v1/api_keys/abc", /^No key has this prefix at this URL, or baseten:apiUrl/],
    ["POST", "/v1/teams/team-ml/api_keys", /^No team has this id, or baseten:apiUrl/],
    ["GET", "/v1/teams/team-ml/secrets", /^No team has this id, or baseten:apiUrl/],
    ["DELETE", "/v1/teams/team-ml/secrets/tok", /^No secret of this name in this team, or baseten:apiUrl/],
  ])("a 404 of %s %s names only what applies to that request", (method, path, advice) => {
    expect(notFoundAdvice(path)).toMatch(advice);
    const message = errorFromResponse(404, { method, path }, '{"detail":"Not Found"}', [KEY]).message;
    expect(message).toContain(`(${method} ${path}). ${notFoundAdvice(path)}`);
    if (!path.includes("api_keys/")) expect(message).not.toMatch(/prefix/);
    if (!path.startsWith("/v1/teams/")) expect(message).not.toMatch(/team id|no team/i);
  });
  it("shows the path as sent, with baseten:apiUrl's path prefix, and keeps the API's own path in `path`", async () => {
    const fetch = async () => ({
      status: 404,
      text: async () => '{"detail":"Not Found"}',
      headers: { get: () => "application/json" },
    });
    const http = new HttpTransport({ baseUrl: "http://127.0.0.1:8787/bt", apiKey: KEY, fetch: fetch as never });
    const e = await http.request("GET", "/v1/users/me").then(
      () => undefined,
      (err: unknown) => err as { message: string; path: string },
    );
    expect(e?.message).toBe(
      "Baseten answered HTTP 404: Not Found (GET /bt/v1/users/me). Baseten serves this path, so baseten:apiUrl / BASETEN_API_URL does not lead to its API: set the API root, e.g. https://api.baseten.co.",
    );
    expect(e?.path).toBe("/v1/users/me");
  });
  it("never repeats the management key, even when Baseten echoes it", () => {
    const e = errorFromResponse(401, target, `{"error":"key ${KEY} is invalid"}`, [KEY]);
    expect(e.message).not.toContain(KEY);
    expect(e.message).toContain("[REDACTED]");
    expect(redact(`a ${KEY} b ${KEY}`, [KEY])).toBe("a [REDACTED] b [REDACTED]");
  });
});

describe("a secret echoed JSON-escaped (a value with quotes, backslashes or newlines) is masked too", () => {
  // A PEM key or a JSON credential as a Secret's value: an error body that echoes the request
  // holds it escaped, and parsing the body would unescape it into the message.
  const value = 'line1\nline"2\\fake-value-supersecret';
  const target = { method: "POST", path: "/v1/teams/t/secrets" };
  const escaped = JSON.stringify(value).slice(1, -1);
  it.each([
    ["a JSON detail", JSON.stringify({ detail: `cannot store ${value}` })],
    ["a FastAPI 422 list", JSON.stringify({ detail: [{ loc: ["body", "value"], msg: `bad value ${value}`, type: "x" }] })],
    ["a text body quoting the request", `bad request: {"name":"n","value":"${escaped}"}`],
  ])("in %s", (_label, body) => {
    const e = errorFromResponse(400, target, body, [value]);
    expect(e.message).not.toContain("supersecret");
    expect(e.message).toContain("[REDACTED]");
  });
});
