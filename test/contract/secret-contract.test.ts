/**
 * The emulator's secret routes against Baseten's published contract (spec `SecretV1`,
 * `SecretsV1`, `UpsertSecretRequestV1`, `SecretTombstoneV1`): every 200 body it produces and
 * every upsert body it accepts validates against the trimmed spec snapshot.
 */
import { BasetenEmulator } from "../emulator";
import { api, ApiResponse } from "../emulator/test-helpers";
import {
  operationFor,
  SECRET_CONTRACT_OPERATIONS,
  validateRequestBody,
  validateResponseBody,
  type ContractOperation,
} from "./schemas";

let emu: BasetenEmulator;
let auditPage: ApiResponse;
const seen: Array<{ operation: ContractOperation | undefined; res: ApiResponse }> = [];

async function call(method: string, path: string, body?: unknown): Promise<ApiResponse> {
  const res = await api(emu, method, path, { body });
  seen.push({ operation: operationFor(method, path), res });
  return res;
}

beforeAll(async () => {
  emu = await BasetenEmulator.start({ rateLimitPerSecond: null });
  await call("GET", "/v1/secrets"); // the empty list
  await call("POST", "/v1/secrets", { name: "hf_access_token", value: "fake-1" });
  await call("POST", "/v1/teams/team-default/secrets", { name: "hf-access-token", value: "fake-2" });
  await call("POST", "/v1/teams/team-ml/secrets", { name: "a b", value: "" });
  await call("POST", "/v1/teams/team-ml/secrets", { name: "a_b", value: "fake-3" }); // an update
  await call("GET", "/v1/secrets");
  await call("GET", "/v1/teams/team-ml/secrets");
  await call("DELETE", "/v1/secrets/hf_access_token"); // the default team's
  await call("DELETE", `/v1/teams/team-ml/secrets/${encodeURIComponent("a-b")}`);
  await call("DELETE", "/v1/teams/team-ml/secrets/hf_access_token");
  await call("GET", "/v1/teams/team-ml/secrets"); // the empty list
  auditPage = await api(emu, "GET", "/v1/audit_logs?event_type_groups=SECRETS");
});
afterAll(() => emu.stop());

describe("emulator secret routes against Baseten's OpenAPI spec", () => {
  it("exercises every secret operation with a 200", () => {
    const covered = new Set(seen.filter((s) => s.res.status === 200).map((s) => s.operation));
    expect([...covered].sort()).toEqual([...SECRET_CONTRACT_OPERATIONS].sort());
  });

  it.each([...SECRET_CONTRACT_OPERATIONS])("produces only spec-valid 200 bodies for %s", (operation) => {
    const bodies = seen.filter((s) => s.operation === operation && s.res.status === 200).map((s) => s.res.json);
    expect(bodies.length).toBeGreaterThan(0);
    for (const body of bodies) expect(validateResponseBody(operation, body)).toEqual([]);
  });

  it("records spec-valid SECRET_UPDATED and SECRET_DELETED audit-log entries", () => {
    expect(validateResponseBody("auditLogs", auditPage.json)).toEqual([]);
    const types = auditPage.json.items.map((i: { event_type: string }) => i.event_type);
    expect(types).toContain("SECRET_UPDATED");
    expect(types).toContain("SECRET_DELETED");
  });

  it("logged only spec-valid upsert bodies (with the value replaced, still a string)", () => {
    const upserts = emu.requestLog().filter((r) => r.method === "POST");
    expect(upserts).toHaveLength(4);
    for (const r of upserts) expect(validateRequestBody(operationFor(r.method, r.rawPath)!, r.requestBody)).toEqual([]);
  });
});

describe("the secret validators can fail", () => {
  it("rejects a secret without created_at and a tombstone whose name is null", () => {
    expect(validateResponseBody("upsertTeamSecret", { id: "x", name: "n", team_name: "t" })).toEqual([
      "(body) must have required property 'created_at'",
    ]);
    expect(validateResponseBody("deleteTeamSecret", { name: null })).toEqual(["/name must be string"]);
  });

  it("rejects an upsert body without a value, which the emulator refuses too", async () => {
    expect(validateRequestBody("upsertTeamSecret", { name: "x" })).not.toEqual([]);
    expect((await api(emu, "POST", "/v1/teams/team-ml/secrets", { body: { name: "x" } })).status).toBe(422);
  });
});
