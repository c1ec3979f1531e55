import { BasetenEmulator, EMULATOR_USER } from "./index";
import { api, createKey, rawRequest } from "./test-helpers";

let emu: BasetenEmulator;

beforeAll(async () => {
  // No rate limit here: these tests fire many requests within one second.
  emu = await BasetenEmulator.start({ rateLimitPerSecond: null });
});
afterAll(() => emu.stop());
beforeEach(() => emu.reset());

describe("authentication", () => {
  it("rejects a request without an Authorization header with 401", async () => {
    const res = await api(emu, "GET", "/v1/api_keys", { auth: null });
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ error: "Invalid API key" });
  });

  it("rejects a wrong key with 401 and never echoes the presented key", async () => {
    const res = await api(emu, "GET", "/v1/api_keys", { auth: "Api-Key not-the-key-123" });
    expect(res.status).toBe(401);
    expect(res.text).not.toContain("not-the-key-123");
  });

  it("rejects an unknown scheme carrying the right key", async () => {
    const res = await api(emu, "GET", "/v1/api_keys", { auth: `Basic ${emu.managementKey}` });
    expect(res.status).toBe(401);
  });

  it("accepts the management key with the Api-Key scheme", async () => {
    expect((await api(emu, "GET", "/v1/api_keys", { auth: `Api-Key ${emu.managementKey}` })).status).toBe(200);
  });

  it("accepts the management key with the Bearer scheme", async () => {
    expect((await api(emu, "GET", "/v1/api_keys", { auth: `Bearer ${emu.managementKey}` })).status).toBe(200);
  });

  it("generates a fake emu_ management key when none is given", () => {
    expect(emu.managementKey).toMatch(/^emu_[A-Za-z0-9]{32}$/);
  });

  it("listens on 127.0.0.1 with an ephemeral port", () => {
    expect(emu.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});

describe("creating a key", () => {
  it("returns a plaintext key made of an 8-letter prefix, a dot and a 40-character secret", async () => {
    const res = await api(emu, "POST", "/v1/api_keys", { body: { type: "WORKSPACE_MANAGE_ALL", name: "ci" } });
    expect(res.status).toBe(200);
    expect(Object.keys(res.json)).toEqual(["api_key"]);
    expect(res.json.api_key).toMatch(/^[A-Za-z]{8}\.[A-Za-z0-9]{40}$/);
    const [key] = emu.liveKeys();
    expect(key.apiKey).toBe(res.json.api_key);
    expect(key).toMatchObject({
      name: "ci",
      type: "WORKSPACE_MANAGE_ALL",
      modelIds: null,
      teamId: null,
      teamName: null,
      revoked: false,
    });
  });

  it("gives every key a distinct prefix", async () => {
    const prefixes = await Promise.all(Array.from({ length: 20 }, () => createKey(emu, { type: "PERSONAL" })));
    expect(new Set(prefixes).size).toBe(20);
  });

  it("accepts every documented key type", async () => {
    for (const type of [
      "PERSONAL",
      "WORKSPACE_MANAGE_ALL",
      "WORKSPACE_EXPORT_METRICS",
      "WORKSPACE_INVOKE",
      "WORKSPACE_MANAGE_API_KEYS",
    ]) {
      expect((await api(emu, "POST", "/v1/api_keys", { body: { type } })).status).toBe(200);
    }
  });

  it("accepts a null name as unnamed", async () => {
    await createKey(emu, { type: "PERSONAL", name: null });
    expect(emu.liveKeys()[0].name).toBeNull();
  });

  it("stores model_ids for WORKSPACE_INVOKE and WORKSPACE_EXPORT_METRICS keys", async () => {
    await createKey(emu, { type: "WORKSPACE_INVOKE", model_ids: ["m1", "m2"] });
    await createKey(emu, { type: "WORKSPACE_EXPORT_METRICS", model_ids: ["m3"] });
    expect(emu.liveKeys().map((k) => k.modelIds)).toEqual([["m1", "m2"], ["m3"]]);
  });

  it("treats an empty model_ids list as unscoped", async () => {
    await createKey(emu, { type: "WORKSPACE_INVOKE", model_ids: [] });
    expect(emu.liveKeys()[0].modelIds).toBeNull();
  });

  it("ignores unknown body members, as Baseten's pydantic models do", async () => {
    expect((await api(emu, "POST", "/v1/api_keys", { body: { type: "PERSONAL", colour: "red" } })).status).toBe(200);
  });
});

describe("create body validation", () => {
  const rejected: Array<[string, unknown, RegExp]> = [
    ["a body that is not JSON", "{not json", /JSON decode error/],
    ["an empty body", "", /valid dictionary/],
    ["a JSON array", [], /valid dictionary/],
    ["a JSON string", '"PERSONAL"', /valid dictionary/],
    ["a missing type", { name: "x" }, /type: Field required/],
    ["a type outside the enum", { type: "ADMIN" }, /type: Input should be 'PERSONAL'/],
    ["a lowercase type", { type: "personal" }, /type: Input should be/],
    ["a non-string type", { type: 3 }, /type: Input should be/],
    ["a non-string name", { type: "PERSONAL", name: 42 }, /name: Input should be a valid string/],
    ["an empty name", { type: "PERSONAL", name: "" }, /name: Name must be 1 to 255/],
    ["a name with uppercase letters", { type: "PERSONAL", name: "CI" }, /lowercase letters, digits and hyphens/],
    ["a name with an underscore", { type: "PERSONAL", name: "ci_key" }, /lowercase letters, digits and hyphens/],
    ["a name with a space", { type: "PERSONAL", name: "ci key" }, /lowercase letters, digits and hyphens/],
    ["a name of 256 characters", { type: "PERSONAL", name: "a".repeat(256) }, /1 to 255/],
    ["model_ids that is not an array", { type: "WORKSPACE_INVOKE", model_ids: "m1" }, /valid list of strings/],
    ["model_ids with a non-string", { type: "WORKSPACE_INVOKE", model_ids: ["m1", 2] }, /valid list of strings/],
    [
      "model_ids on a PERSONAL key",
      { type: "PERSONAL", model_ids: ["m1"] },
      /only allowed for WORKSPACE_INVOKE and WORKSPACE_EXPORT_METRICS/,
    ],
    ["model_ids on a WORKSPACE_MANAGE_ALL key", { type: "WORKSPACE_MANAGE_ALL", model_ids: ["m1"] }, /only allowed/],
    [
      "an empty model_ids on a WORKSPACE_MANAGE_API_KEYS key",
      { type: "WORKSPACE_MANAGE_API_KEYS", model_ids: [] },
      /only allowed/,
    ],
  ];

  // Source: ../shared/baseten/README.md, "validation errors `422 {"detail": [{"loc", "msg", "type"}]}`" (FastAPI).
  it.each(rejected)("rejects %s with FastAPI's 422 detail list", async (_label, body, message) => {
    const res = await api(emu, "POST", "/v1/api_keys", { body });
    expect(res.status).toBe(422);
    const details = res.json.detail as Array<{ loc: string[]; msg: string; type: string }>;
    expect(details).toHaveLength(1);
    expect(typeof details[0].type).toBe("string");
    expect(`${details[0].loc.slice(1).join(".")}: ${details[0].msg}`.replace(/^: /, "")).toMatch(message);
    expect(emu.allKeys()).toHaveLength(0);
  });

  it("accepts a name of exactly 255 characters", async () => {
    expect((await api(emu, "POST", "/v1/api_keys", { body: { type: "PERSONAL", name: "a".repeat(255) } })).status).toBe(200);
  });

  it("accepts a name of lowercase letters, digits and hyphens", async () => {
    expect((await api(emu, "POST", "/v1/api_keys", { body: { type: "PERSONAL", name: "prod-2-ci" } })).status).toBe(200);
  });

  it("accepts explicit null model_ids on any type", async () => {
    expect((await api(emu, "POST", "/v1/api_keys", { body: { type: "PERSONAL", model_ids: null } })).status).toBe(200);
  });
});

describe("name uniqueness", () => {
  it("rejects a second live workspace key with the same name with 409", async () => {
    await createKey(emu, { type: "WORKSPACE_MANAGE_ALL", name: "deploy" });
    const res = await api(emu, "POST", "/v1/api_keys", { body: { type: "WORKSPACE_INVOKE", name: "deploy" } });
    expect(res.status).toBe(409);
    expect(res.json).toEqual({ error: "An API key with this name already exists" });
    expect(emu.liveKeys()).toHaveLength(1);
  });

  it("rejects a second live key with the same name in the same team with 409", async () => {
    await createKey(emu, { type: "WORKSPACE_INVOKE", name: "deploy" }, "team-ml");
    const res = await api(emu, "POST", "/v1/teams/team-ml/api_keys", { body: { type: "WORKSPACE_INVOKE", name: "deploy" } });
    expect(res.status).toBe(409);
  });

  it("allows the same name in a team and at workspace level", async () => {
    await createKey(emu, { type: "WORKSPACE_INVOKE", name: "deploy" });
    await createKey(emu, { type: "WORKSPACE_INVOKE", name: "deploy" }, "team-ml");
    expect(emu.liveKeys()).toHaveLength(2);
  });

  it("allows the same name in two teams that share a team name", async () => {
    await createKey(emu, { type: "WORKSPACE_INVOKE", name: "deploy" }, "team-dup-1");
    await createKey(emu, { type: "WORKSPACE_INVOKE", name: "deploy" }, "team-dup-2");
    expect(emu.liveKeys().map((k) => k.teamId)).toEqual(["team-dup-1", "team-dup-2"]);
  });

  it("never makes unnamed keys collide", async () => {
    await createKey(emu, { type: "PERSONAL" });
    await createKey(emu, { type: "PERSONAL", name: null });
    expect(emu.liveKeys()).toHaveLength(2);
  });

  it("frees a name once its key is revoked", async () => {
    const prefix = await createKey(emu, { type: "PERSONAL", name: "rotate-me" });
    expect((await api(emu, "DELETE", `/v1/api_keys/${prefix}`)).status).toBe(200);
    expect((await api(emu, "POST", "/v1/api_keys", { body: { type: "PERSONAL", name: "rotate-me" } })).status).toBe(200);
  });

  it("collides with a key made out of band, as if in the UI", async () => {
    emu.createKeyOutOfBand({ type: "PERSONAL", name: "from-ui" });
    expect((await api(emu, "POST", "/v1/api_keys", { body: { type: "PERSONAL", name: "from-ui" } })).status).toBe(409);
  });
});

describe("team keys", () => {
  it("creates a key scoped to the team in the path", async () => {
    const res = await api(emu, "POST", "/v1/teams/team-ml/api_keys", { body: { type: "WORKSPACE_INVOKE", model_ids: ["m1"] } });
    expect(res.status).toBe(200);
    expect(emu.liveKeys()[0]).toMatchObject({ teamId: "team-ml", teamName: "ml-platform", modelIds: ["m1"] });
  });

  it("answers 404 for an unknown team and mints nothing", async () => {
    const res = await api(emu, "POST", "/v1/teams/team-nope/api_keys", { body: { type: "WORKSPACE_INVOKE" } });
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ detail: "Team not found" });
    expect(emu.allKeys()).toHaveLength(0);
  });

  it("matches team ids exactly, not by team name", async () => {
    expect((await api(emu, "POST", "/v1/teams/ml-platform/api_keys", { body: { type: "WORKSPACE_INVOKE" } })).status).toBe(404);
  });

  it.each(["PERSONAL", "WORKSPACE_MANAGE_API_KEYS"])("refuses to team-scope a %s key with 400", async (type) => {
    const res = await api(emu, "POST", "/v1/teams/team-ml/api_keys", { body: { type } });
    expect(res.status).toBe(400);
    expect(res.json.error).toBe(`${type} keys cannot be team-scoped`);
  });

  it("validates the body on the team route too", async () => {
    expect(
      (await api(emu, "POST", "/v1/teams/team-ml/api_keys", { body: { type: "WORKSPACE_INVOKE", name: "Bad" } })).status,
    ).toBe(422);
  });
});

describe("listing keys", () => {
  // Source: "In workspaces with teams, a key created without a team belongs to the default team, and
  // `team_name` may name it" (../shared/baseten/README.md): mode teamlessTeamName, "default" or "null".
  it.each([
    ["default", "default"],
    ["null", null],
  ] as const)(
    "lists live keys with prefix, name, type, model_ids and team_name only (teamless keys: %s)",
    async (mode, teamless) => {
      emu.setModes({ teamlessTeamName: mode });
      const a = await createKey(emu, { type: "WORKSPACE_INVOKE", name: "inv", model_ids: ["m1"] }, "team-ml");
      const b = await createKey(emu, { type: "WORKSPACE_MANAGE_ALL" });
      const res = await api(emu, "GET", "/v1/api_keys");
      expect(res.status).toBe(200);
      expect(res.json).toEqual({
        keys: [
          { prefix: a, name: "inv", type: "WORKSPACE_INVOKE", model_ids: ["m1"], team_name: "ml-platform" },
          { prefix: b, name: null, type: "WORKSPACE_MANAGE_ALL", model_ids: null, team_name: teamless },
        ],
      });
    },
  );

  it("adds an owner shaped as APIKeyOwnerV1 to PERSONAL keys", async () => {
    await createKey(emu, { type: "PERSONAL", name: "me" });
    const res = await api(emu, "GET", "/v1/api_keys");
    expect(res.json.keys[0].owner).toEqual({
      user_id: EMULATOR_USER.user_id,
      email: EMULATOR_USER.email,
      name: EMULATOR_USER.name,
    });
  });

  it("leaves revoked keys out of the list", async () => {
    const a = await createKey(emu, { type: "PERSONAL" });
    const b = await createKey(emu, { type: "PERSONAL" });
    await api(emu, "DELETE", `/v1/api_keys/${a}`);
    const res = await api(emu, "GET", "/v1/api_keys");
    expect(res.json.keys.map((k: { prefix: string }) => k.prefix)).toEqual([b]);
  });

  it("never exposes plaintext secrets", async () => {
    await createKey(emu, { type: "PERSONAL" });
    const res = await api(emu, "GET", "/v1/api_keys");
    expect(res.text).not.toContain(emu.liveKeys()[0].apiKey);
  });
});

describe("deleting a key", () => {
  it("revokes a live key and answers its prefix as a tombstone", async () => {
    const prefix = await createKey(emu, { type: "PERSONAL" });
    const res = await api(emu, "DELETE", `/v1/api_keys/${prefix}`);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ prefix });
    expect(emu.allKeys()[0]).toMatchObject({ prefix, revoked: true });
    expect(emu.allKeys()[0].revokedAt).toEqual(expect.any(Number));
  });

  it("answers 404 when deleting the same prefix twice", async () => {
    const prefix = await createKey(emu, { type: "PERSONAL" });
    expect((await api(emu, "DELETE", `/v1/api_keys/${prefix}`)).status).toBe(200);
    const again = await api(emu, "DELETE", `/v1/api_keys/${prefix}`);
    expect(again.status).toBe(404);
    expect(again.json).toEqual({ detail: "API key not found" });
  });

  it("answers 404 for a prefix that never existed", async () => {
    expect((await api(emu, "DELETE", "/v1/api_keys/nothere")).status).toBe(404);
  });

  it("decodes a percent-encoded prefix before looking it up", async () => {
    const key = emu.createKeyOutOfBand({ type: "PERSONAL" });
    const encoded = key.prefix.replace(/./g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
    expect((await api(emu, "DELETE", `/v1/api_keys/${encoded}`)).json).toEqual({ prefix: key.prefix });
  });

  it("keeps an encoded slash inside the prefix segment instead of routing on it", async () => {
    await createKey(emu, { type: "PERSONAL" });
    const res = await rawRequest(emu, "DELETE", "/v1/api_keys/abc%2F..%2F..%2Fteams");
    expect(res).toEqual({ status: 404, json: { detail: "API key not found" } });
    expect(emu.liveKeys()).toHaveLength(1);
    expect(emu.requestLog().at(-1)).toMatchObject({
      route: "DELETE /v1/api_keys/{prefix}",
      rawPath: "/v1/api_keys/abc%2F..%2F..%2Fteams",
    });
  });

  it("treats a literal .. prefix as a prefix, never as another route", async () => {
    await createKey(emu, { type: "PERSONAL" });
    expect(await rawRequest(emu, "DELETE", "/v1/api_keys/..")).toEqual({ status: 404, json: { detail: "API key not found" } });
    expect(await rawRequest(emu, "DELETE", "/v1/api_keys/%2E%2E")).toEqual({
      status: 404,
      json: { detail: "API key not found" },
    });
    expect(emu.liveKeys()).toHaveLength(1);
  });

  it("does not route extra segments after the prefix", async () => {
    const prefix = await createKey(emu, { type: "PERSONAL" });
    expect(await rawRequest(emu, "DELETE", `/v1/api_keys/${prefix}/..`)).toEqual({ status: 404, json: { detail: "Not Found" } });
    expect(emu.liveKeys()).toHaveLength(1);
  });

  it("answers 404 for a prefix with broken percent-encoding", async () => {
    expect(await rawRequest(emu, "DELETE", "/v1/api_keys/%E0%A4%A")).toEqual({
      status: 404,
      json: { detail: "API key not found" },
    });
  });
});

describe("listing teams", () => {
  it("lists every team with id, name, default and created_at", async () => {
    const res = await api(emu, "GET", "/v1/teams");
    expect(res.status).toBe(200);
    expect(res.json.teams.map((t: { id: string }) => t.id)).toEqual(["team-default", "team-ml", "team-dup-1", "team-dup-2"]);
    expect(res.json.teams[0]).toEqual({
      id: "team-default",
      name: "default",
      default: true,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(res.json.teams[1].default).toBe(false);
  });

  it("filters by exact name with ?name=", async () => {
    const res = await api(emu, "GET", "/v1/teams?name=ml-platform");
    expect(res.json.teams.map((t: { id: string }) => t.id)).toEqual(["team-ml"]);
  });

  it("returns every team sharing an ambiguous name", async () => {
    const res = await api(emu, "GET", "/v1/teams?name=dup");
    expect(res.json.teams.map((t: { id: string }) => t.id)).toEqual(["team-dup-1", "team-dup-2"]);
  });

  it("returns no team for a name that matches only partially or by case", async () => {
    expect((await api(emu, "GET", "/v1/teams?name=ml")).json).toEqual({ teams: [] });
    expect((await api(emu, "GET", "/v1/teams?name=ML-PLATFORM")).json).toEqual({ teams: [] });
  });

  it("uses the teams given in the options", async () => {
    const other = await BasetenEmulator.start({ teams: [{ id: "t1", name: "only", default: true }], rateLimitPerSecond: null });
    try {
      expect((await api(other, "GET", "/v1/teams")).json.teams).toEqual([
        { id: "t1", name: "only", default: true, created_at: expect.any(String) },
      ]);
    } finally {
      await other.stop();
    }
  });
});

describe("unknown routes", () => {
  it.each([
    ["GET", "/v1/api_keys/abc"],
    ["PUT", "/v1/api_keys"],
    ["GET", "/v1/api_keys/"],
    ["POST", "/v1/teams"],
    ["GET", "/v2/api_keys"],
    ["GET", "/"],
  ])("answers %s %s with 404 and logs it as unmatched", async (method, path) => {
    const res = await api(emu, method, path);
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ detail: "Not Found" });
    expect(emu.routeCounts().unmatched).toBe(1);
  });
});
