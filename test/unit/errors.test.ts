import { basetenMessageOf, errorFromResponse, isBasetenError, redact } from "../../provider/client/errors";

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
  it("never repeats the management key, even when Baseten echoes it", () => {
    const e = errorFromResponse(401, target, `{"error":"key ${KEY} is invalid"}`, [KEY]);
    expect(e.message).not.toContain(KEY);
    expect(e.message).toContain("[REDACTED]");
    expect(redact(`a ${KEY} b ${KEY}`, [KEY])).toBe("a [REDACTED] b [REDACTED]");
  });
});
