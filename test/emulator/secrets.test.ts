/**
 * The emulator's secret routes. Each test names its source: the spec's schemas and route
 * descriptions (openapi.json), or the shared README's "Secrets" section. Fake values only.
 */
import { BasetenEmulator, EmulatorControl, SECRET_ROUTES } from "./index";
import { api, rawRequest } from "./test-helpers";

let emu: BasetenEmulator;

beforeAll(async () => {
  emu = await BasetenEmulator.start({ rateLimitPerSecond: null });
});
afterAll(() => emu.stop());
beforeEach(() => emu.reset());

const FAKE = "fake-secret-value-1";
const upsert = (teamId: string, name: string, value = FAKE) =>
  api(emu, "POST", `/v1/teams/${teamId}/secrets`, { body: { name, value } });

describe("upsert (spec UpsertSecretRequestV1 -> SecretV1; README: POST is an upsert by name)", () => {
  it("creates a secret and answers {id, created_at, name, team_name} without the value", async () => {
    const res = await upsert("team-ml", "hf_access_token");
    expect(res.status).toBe(200);
    expect(Object.keys(res.json).sort()).toEqual(["created_at", "id", "name", "team_name"]);
    expect(res.json).toMatchObject({ name: "hf_access_token", team_name: "ml-platform" });
    expect(new Date(res.json.created_at).toISOString()).toBe(res.json.created_at);
    expect(res.text).not.toContain(FAKE);
  });

  it("keeps id and created_at when the value changes (README: id stable across value changes)", async () => {
    const first = await upsert("team-ml", "token", "fake-one");
    const second = await upsert("team-ml", "token", "fake-two");
    expect(second.json).toEqual(first.json);
    expect(emu.secrets().map((s) => s.value)).toEqual(["fake-two"]);
  });

  it("treats names equal after replacing non-alphanumerics with _ as one secret (README: hf_access_token is hf-access-token)", async () => {
    const first = await upsert("team-ml", "hf_access_token", "fake-one");
    const second = await upsert("team-ml", "hf-access-token", "fake-two");
    expect(second.json.id).toBe(first.json.id);
    expect(second.json.name).toBe("hf_access_token"); // the stored name stays
    expect(emu.secrets()).toHaveLength(1);
  });

  it("keeps names of different teams apart (spec: the team-scoped variant targets a specific team)", async () => {
    const a = await upsert("team-ml", "token");
    const b = await upsert("team-default", "token");
    expect(a.json.id).not.toBe(b.json.id);
    expect(b.json.team_name).toBe("default");
  });

  it("answers 404 for an unknown team", async () => {
    expect((await upsert("team-nope", "token")).status).toBe(404);
  });

  it.each([
    ["a missing value (spec: value required)", { name: "x" }, 422],
    ["a numeric value (spec: value is a string)", { name: "x", value: 1 }, 422],
    ["a missing name (spec: name required)", { value: FAKE }, 422],
    ["an empty name (guess: Baseten documents no alphabet; empty cannot be a name)", { name: "", value: FAKE }, 400],
    ["a name with a slash (guess: it could never be deleted by path)", { name: "a/b", value: FAKE }, 400],
  ])(
    "refuses %s with a FastAPI-style error (schema: 422 with loc; other: HTTPException detail)",
    async (_label, body, status) => {
      const res = await api(emu, "POST", "/v1/teams/team-ml/secrets", { body });
      expect(res.status).toBe(status);
      if (status === 422) expect(res.json.detail[0].loc[0]).toBe("body");
      else expect(typeof res.json.detail).toBe("string");
      expect(res.text).not.toContain(FAKE);
      expect(emu.secrets()).toEqual([]);
    },
  );

  it("never logs the value: the request log keeps the body's shape only", async () => {
    await upsert("team-ml", "token", "fake-logged-value");
    const [entry] = emu.requestLog();
    expect(entry.route).toBe(SECRET_ROUTES.upsertTeamSecret);
    expect(entry.requestBody).toEqual({ name: "token", value: "[value]" });
    expect(JSON.stringify(emu.requestLog())).not.toContain("fake-logged-value");
  });
});

describe("the teamless routes (spec: POST to the caller's primary team, DELETE to the organization default team)", () => {
  it("writes a teamless POST to the primary team, which by default differs from the default team", async () => {
    const res = await api(emu, "POST", "/v1/secrets", { body: { name: "token", value: FAKE } });
    expect(res.json.team_name).toBe("ml-platform");
    expect(emu.secrets()[0].teamId).toBe("team-ml");
  });

  it("deletes with a teamless DELETE in the default team only, missing a secret of the primary team", async () => {
    await api(emu, "POST", "/v1/secrets", { body: { name: "token", value: FAKE } });
    expect((await api(emu, "DELETE", "/v1/secrets/token")).status).toBe(404);
    expect(emu.secrets()).toHaveLength(1);
    await upsert("team-default", "token");
    expect((await api(emu, "DELETE", "/v1/secrets/token")).json).toEqual({ name: "token" });
    expect(emu.secrets().map((s) => s.teamId)).toEqual(["team-ml"]);
  });

  it("takes the primary team from the options", async () => {
    const other = await BasetenEmulator.start({ rateLimitPerSecond: null, primaryTeamId: "team-default" });
    try {
      const res = await api(other, "POST", "/v1/secrets", { body: { name: "token", value: FAKE } });
      expect(res.json.team_name).toBe("default");
    } finally {
      await other.stop();
    }
  });
});

describe("listing (spec SecretsV1: metadata only, no plain text)", () => {
  it("lists one team's secrets on the team route and every team's on /v1/secrets, never with values", async () => {
    await upsert("team-ml", "a");
    await upsert("team-default", "b");
    const team = await api(emu, "GET", "/v1/teams/team-ml/secrets");
    expect(team.json.secrets.map((s: { name: string }) => s.name)).toEqual(["a"]);
    const all = await api(emu, "GET", "/v1/secrets");
    expect(all.json.secrets.map((s: { name: string }) => s.name)).toEqual(["a", "b"]);
    expect(all.text).not.toContain(FAKE);
  });

  it("answers 404 for an unknown team's listing", async () => {
    expect((await api(emu, "GET", "/v1/teams/team-nope/secrets")).status).toBe(404);
  });
});

describe("delete (spec SecretTombstoneV1 {name})", () => {
  it("deletes by name and answers a tombstone naming the stored secret, also for an equivalent name", async () => {
    await upsert("team-ml", "hf_access_token");
    const res = await api(emu, "DELETE", "/v1/teams/team-ml/secrets/hf-access-token");
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ name: "hf_access_token" });
    expect(emu.secrets()).toEqual([]);
  });

  it("answers a JSON 404 for a name the team does not hold", async () => {
    const res = await api(emu, "DELETE", "/v1/teams/team-ml/secrets/nothing");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/json");
  });

  it("decodes one percent-encoded segment: %2F stays inside the name, and cannot reach another route", async () => {
    await upsert("team-ml", "a b");
    expect((await rawRequest(emu, "DELETE", "/v1/teams/team-ml/secrets/a%20b")).json).toEqual({ name: "a b" });
    expect((await rawRequest(emu, "DELETE", "/v1/teams/team-ml/secrets/x%2F..%2Fy")).status).toBe(404);
  });
});

describe("users/me (spec UserInfoV1)", () => {
  it("answers the emulated user", async () => {
    const res = await api(emu, "GET", "/v1/users/me");
    expect(res.status).toBe(200);
    expect(typeof res.json.user_id).toBe("string");
  });
});

describe('the audit log (README "Audit log": secrets get SECRET_UPDATED / SECRET_DELETED; spec AuditLogEventSecretDeletedV1)', () => {
  it("records every upsert and delete, API or out of band, with the secret's id and name", async () => {
    const created = await upsert("team-ml", "token");
    await api(emu, "DELETE", "/v1/teams/team-ml/secrets/token");
    const res = await api(emu, "GET", "/v1/audit_logs?event_type_groups=SECRETS&search=token");
    expect(res.json.items.map((i: { event_data: unknown }) => i.event_data)).toEqual([
      { event_type: "SECRET_DELETED", secret_id: created.json.id, secret_name: "token" },
      { event_type: "SECRET_UPDATED", secret_id: created.json.id, secret_name: "token" },
    ]);
    const oob = emu.upsertSecretOutOfBand({ teamId: "team-ml", name: "oob", value: FAKE });
    emu.deleteSecretOutOfBand("team-ml", "oob");
    const again = await api(emu, "GET", "/v1/audit_logs?event_type_groups=SECRETS&search=oob");
    expect(again.json.items.map((i: { event_type: string }) => i.event_type)).toEqual(["SECRET_DELETED", "SECRET_UPDATED"]);
    expect(again.json.items[0].event_data.secret_id).toBe(oob.id);
    expect(again.text).not.toContain(FAKE);
  });
});

describe("faults reused from the key routes", () => {
  it("wrongTombstone on a secret DELETE answers another name and deletes nothing", async () => {
    await upsert("team-ml", "token");
    emu.injectFault({ kind: "wrongTombstone", name: "other" });
    const res = await api(emu, "DELETE", "/v1/teams/team-ml/secrets/token");
    expect(res.json).toEqual({ name: "other" });
    expect(emu.secrets()).toHaveLength(1);
  });

  it("serverError, nonJson and an afterCommit reset hit the secret routes too", async () => {
    emu.injectFault({ kind: "serverError", route: SECRET_ROUTES.upsertTeamSecret });
    expect((await upsert("team-ml", "token")).status).toBe(500);
    expect(emu.secrets()).toEqual([]);
    emu.injectFault({ kind: "nonJson", route: SECRET_ROUTES.listTeamSecrets });
    expect((await api(emu, "GET", "/v1/teams/team-ml/secrets")).text).toBe("OK");
    emu.injectFault({ kind: "reset", afterCommit: true, route: SECRET_ROUTES.upsertTeamSecret });
    await expect(upsert("team-ml", "token")).rejects.toThrow();
    expect(emu.secrets()).toHaveLength(1); // the upsert happened; its answer was lost
  });
});

describe("control routes", () => {
  it("upsert, list (values only on request) and delete secrets out of band", async () => {
    const control = new EmulatorControl(emu.url);
    const created = await control.upsertSecret({ name: "oob", value: FAKE, teamId: "team-ml", createdAt: Date.UTC(2020, 0, 1) });
    expect(created).not.toHaveProperty("value");
    expect(created.createdAt).toBe(Date.UTC(2020, 0, 1));
    expect((await control.secrets())[0]).not.toHaveProperty("value");
    expect((await control.secrets({ values: true }))[0].value).toBe(FAKE);
    expect(await control.deleteSecret("team-ml", "oob")).toBe(true);
    expect(await control.deleteSecret("team-ml", "oob")).toBe(false);
  });
});

describe("a secret replaced out of band (README: `id` is stable across value changes, so only a delete and a new write change it; equivalent names are one secret)", () => {
  it("deletes the secret and writes another of an equivalent name: a new id; the audit log records both, each with its id", async () => {
    const ours = await upsert("team-ml", "hf_access_token", "fake-ours");
    const replaced = emu.replaceSecretOutOfBand({
      teamId: "team-ml",
      name: "hf_access_token",
      newName: "hf-access-token",
      value: "fake-theirs",
    });
    expect(replaced?.before.id).toBe(ours.json.id);
    expect(replaced?.after.id).not.toBe(ours.json.id);
    expect(emu.secrets().map((s) => [s.name, s.id, s.value])).toEqual([["hf-access-token", replaced?.after.id, "fake-theirs"]]);
    const log = await api(emu, "GET", "/v1/audit_logs?event_type_groups=SECRETS");
    expect(log.json.items.slice(0, 2).map((i: { event_data: unknown }) => i.event_data)).toEqual([
      { event_type: "SECRET_UPDATED", secret_id: replaced?.after.id, secret_name: "hf-access-token" },
      { event_type: "SECRET_DELETED", secret_id: ours.json.id, secret_name: "hf_access_token" },
    ]);
    expect(emu.replaceSecretOutOfBand({ teamId: "team-ml", name: "nope", value: "fake" })).toBeUndefined();
  });

  it("is reachable through the control API, which never answers the value", async () => {
    await upsert("team-ml", "token", "fake-ours");
    const control = new EmulatorControl(emu.url);
    const { before, after } = await control.replaceSecret({ teamId: "team-ml", name: "token", value: "fake-theirs" });
    expect([before.name, after.name]).toEqual(["token", "token"]);
    expect(after.id).not.toBe(before.id);
    expect(JSON.stringify({ before, after })).not.toMatch(/fake-/);
  });
});

describe('text error bodies that echo the request (README: error bodies "vary ... else the raw text")', () => {
  it("echoRequest answers text/plain quoting the body and the Authorization header, and writes nothing", async () => {
    emu.injectFault({ kind: "echoRequest", route: SECRET_ROUTES.upsertTeamSecret, status: 422, lead: "bad: " });
    const res = await upsert("team-ml", "token", "fake-echoed-value");
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toMatch(/text\/plain/);
    expect(res.text.startsWith('bad: {"name":"token","value":"fake-echoed-value"}')).toBe(true);
    expect(res.text).toContain(`Authorization: Api-Key ${emu.managementKey}`);
    expect(emu.secrets()).toEqual([]);
  });
});
