/**
 * The emulator is only useful if it speaks Baseten's published contract: every 200 body it
 * produces must validate against the spec snapshot, and so must the bodies it accepts.
 */
import { BasetenEmulator } from "../emulator";
import { api, ApiResponse } from "../emulator/test-helpers";
import spec from "./baseten-openapi.json";
import {
  CONTRACT_OPERATIONS,
  ContractOperation,
  operationFor,
  SECRET_CONTRACT_OPERATIONS,
  validateRequestBody,
  validateResponseBody,
} from "./schemas";

/** The key and team operations; the secret ones are exercised by secret-contract.test.ts. */
const KEY_OPERATIONS = (Object.keys(CONTRACT_OPERATIONS) as ContractOperation[]).filter(
  (o) => !(SECRET_CONTRACT_OPERATIONS as readonly string[]).includes(o),
);

let emu: BasetenEmulator;
/** Every response seen, with the operation it maps to. */
const seen: Array<{ operation: ContractOperation | undefined; method: string; path: string; res: ApiResponse }> = [];

async function call(method: string, path: string, body?: unknown): Promise<ApiResponse> {
  const res = await api(emu, method, path, { body });
  seen.push({ operation: operationFor(method, path), method, path, res });
  return res;
}

beforeAll(async () => {
  emu = await BasetenEmulator.start({ rateLimitPerSecond: null });
  // A workload touching every operation and every response shape the emulator can produce.
  const prefixes: string[] = [];
  const creates: Array<[string, Record<string, unknown>]> = [
    ["/v1/api_keys", { type: "PERSONAL", name: "me" }],
    ["/v1/api_keys", { type: "PERSONAL" }],
    ["/v1/api_keys", { type: "WORKSPACE_MANAGE_ALL", name: null, model_ids: null }],
    ["/v1/api_keys", { type: "WORKSPACE_MANAGE_API_KEYS", name: "keys-admin" }],
    ["/v1/api_keys", { type: "WORKSPACE_INVOKE", name: "invoke", model_ids: ["m1", "m2"] }],
    ["/v1/api_keys", { type: "WORKSPACE_EXPORT_METRICS", model_ids: [] }],
    ["/v1/teams/team-ml/api_keys", { type: "WORKSPACE_INVOKE", name: "team-invoke", model_ids: ["m3"] }],
    ["/v1/teams/team-dup-2/api_keys", { type: "WORKSPACE_MANAGE_ALL" }],
  ];
  for (const [path, body] of creates) {
    const res = await call("POST", path, body);
    expect(res.status).toBe(200);
    prefixes.push(String(res.json.api_key).split(".")[0]);
  }
  await call("GET", "/v1/api_keys");
  await call("DELETE", `/v1/api_keys/${prefixes[0]}`);
  await call("DELETE", `/v1/api_keys/${encodeURIComponent(prefixes[1])}`);
  await call("GET", "/v1/api_keys");
  await call("GET", "/v1/teams");
  await call("GET", "/v1/teams?name=dup");
  await call("GET", "/v1/teams?name=nobody");
  for (const p of prefixes.slice(2)) await call("DELETE", `/v1/api_keys/${p}`);
  await call("GET", "/v1/api_keys"); // the empty list
  await call("GET", "/v1/users/me");
  await call("GET", "/v1/audit_logs?event_type_groups=API_KEYS&limit=200"); // every key type, created and deleted
  await call("GET", "/v1/audit_logs?limit=1"); // a page with more after it
  await call("GET", "/v1/audit_logs?search=nothing-matches"); // an empty page
});
afterAll(() => emu.stop());

describe("emulator responses against Baseten's OpenAPI spec", () => {
  it("exercises every key and team operation with a 200", () => {
    const covered = new Set(seen.filter((s) => s.res.status === 200).map((s) => s.operation));
    expect([...covered].sort()).toEqual([...KEY_OPERATIONS].sort());
  });

  it("maps every request the workload made to a contract operation", () => {
    expect(seen.filter((s) => s.operation === undefined)).toEqual([]);
  });

  it.each(KEY_OPERATIONS)("produces only spec-valid 200 bodies for %s", (operation) => {
    const bodies = seen.filter((s) => s.operation === operation && s.res.status === 200).map((s) => s.res.json);
    expect(bodies.length).toBeGreaterThan(0);
    for (const body of bodies) expect(validateResponseBody(operation, body)).toEqual([]);
  });

  it("answers JSON for every 200", () => {
    for (const s of seen.filter((x) => x.res.status === 200)) expect(s.res.headers.get("content-type")).toBe("application/json");
  });

  it("logged only spec-valid create bodies", () => {
    const creates = emu.requestLog().filter((r) => r.method === "POST");
    expect(creates).toHaveLength(8);
    for (const r of creates) expect(validateRequestBody(operationFor(r.method, r.rawPath)!, r.requestBody)).toEqual([]);
  });
});

describe("the validator can fail", () => {
  it("rejects a tombstone whose prefix is null", () => {
    expect(validateResponseBody("deleteKey", { prefix: null })).toEqual(["/prefix must be string"]);
  });

  it("rejects a key list entry without a type", () => {
    expect(validateResponseBody("listKeys", { keys: [{ prefix: "x" }] })).toEqual(["/keys/0 must have required property 'type'"]);
  });

  it("rejects a create response without api_key", () => {
    expect(validateResponseBody("createKey", { key: "abc.def" })).toEqual(["(body) must have required property 'api_key'"]);
  });

  it("rejects an owner without user_id", () => {
    const errors = validateResponseBody("listKeys", { keys: [{ prefix: "x", type: "PERSONAL", owner: { email: "a@b.c" } }] });
    expect(errors.join("\n")).toMatch(/user_id/);
  });

  it("rejects a team whose created_at is not a date-time", () => {
    const errors = validateResponseBody("listTeams", {
      teams: [{ id: "t", name: "n", default: false, created_at: "yesterday" }],
    });
    expect(errors).toEqual(['/teams/0/created_at must match format "date-time"']);
  });

  it("rejects a key type outside the spec's enum, naming the allowed values", () => {
    const [error] = validateRequestBody("createKey", { type: "ADMIN" });
    expect(error).toMatch(/^\/type must be equal to one of the allowed values \(PERSONAL, .*WORKSPACE_MANAGE_API_KEYS\)$/);
  });

  it("reports a body sent to an operation that takes none", () => {
    expect(validateRequestBody("deleteKey", {})).toEqual(["deleteKey takes no request body"]);
    expect(validateRequestBody("deleteKey", undefined)).toEqual([]);
  });
});

describe("the emulator refuses what the spec refuses", () => {
  it.each([
    ["a missing type", { name: "x" }],
    ["an unknown type", { type: "ADMIN" }],
    ["a numeric name", { type: "PERSONAL", name: 1 }],
    ["model_ids of numbers", { type: "WORKSPACE_INVOKE", model_ids: [1] }],
    ["a non-object body", ["PERSONAL"]],
  ])("answers 422 to %s, which the spec also rejects", async (_label, body) => {
    expect(validateRequestBody("createKey", body)).not.toEqual([]);
    expect((await api(emu, "POST", "/v1/api_keys", { body })).status).toBe(422);
  });
});

describe("operationFor", () => {
  it.each([
    ["POST", "/v1/api_keys", "createKey"],
    ["post", "/v1/teams/team-ml/api_keys", "createTeamKey"],
    ["GET", "/v1/api_keys", "listKeys"],
    ["GET", "/v1/api_keys?limit=5", "listKeys"],
    ["DELETE", "/v1/api_keys/abcdefgh", "deleteKey"],
    ["DELETE", "/v1/api_keys/a%2Fb", "deleteKey"],
    ["GET", "/v1/teams?name=dup", "listTeams"],
  ])("maps %s %s to %s", (method, path, operation) => {
    expect(operationFor(method, path)).toBe(operation);
  });

  it.each([
    ["DELETE", "/v1/api_keys/"],
    ["DELETE", "/v1/api_keys/a/b"],
    ["GET", "/v1/api_keys/abc"],
    ["PUT", "/v1/api_keys"],
    ["POST", "/v1/teams//api_keys"],
    ["GET", "/_emulator/keys"],
  ])("maps %s %s to no operation", (method, path) => {
    expect(operationFor(method, path)).toBeUndefined();
  });

  it("uses method and path templates that exist in the spec", () => {
    for (const { method, path } of Object.values(CONTRACT_OPERATIONS)) {
      const item = (spec.paths as Record<string, Record<string, unknown>>)[path];
      expect(item?.[method.toLowerCase()]).toBeDefined();
    }
  });
});

describe("the trimmed spec snapshot", () => {
  it("records where it came from", () => {
    expect(spec["x-source"]).toBe(
      "https://api.baseten.co/v1/spec, snapshot of 2026-08-22, trimmed to the API-key, team, user, audit-log and secret operations",
    );
  });

  it("keeps only the API-key, team, user, audit-log and secret paths", () => {
    expect(Object.keys(spec.paths).sort()).toEqual([
      "/v1/api_keys",
      "/v1/api_keys/{api_key_prefix}",
      "/v1/audit_logs",
      "/v1/secrets",
      "/v1/secrets/{secret_name}",
      "/v1/teams",
      "/v1/teams/{team_id}/api_keys",
      "/v1/teams/{team_id}/secrets",
      "/v1/teams/{team_id}/secrets/{secret_name}",
      "/v1/users/me",
    ]);
  });

  it("carries no documentation prose", () => {
    const text = JSON.stringify(spec);
    for (const key of ['"description":"[^"]', '"examples"', '"x-codeSamples"', '"summary"'])
      expect(text).not.toMatch(new RegExp(key));
  });
});
