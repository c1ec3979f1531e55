/**
 * Emulator behaviours that model Baseten as its sources describe it, each test naming its
 * source: the spec (../shared/baseten/openapi.json, trimmed copy in test/contract/) or the
 * facts in ../shared/baseten/README.md ("README" below). Where a source leaves room, each
 * plausible answer is a mode, and each mode is tested here.
 */
import { BasetenEmulator, EMULATOR_USER, WORKSPACE_NAME } from "./index";
import { api, createKey } from "./test-helpers";
import * as fs from "fs";
import * as path from "path";
import { performance } from "perf_hooks";
import { validateResponseBody } from "../contract/schemas";

let emu: BasetenEmulator;

beforeAll(async () => {
  emu = await BasetenEmulator.start({ rateLimitPerSecond: null });
});
afterAll(() => emu.stop());
beforeEach(() => emu.reset());

const as = (apiKey: string) => ({ auth: `Api-Key ${apiKey}` });
const prefixes = (res: { json: { keys: Array<{ prefix: string }> } }) => res.json.keys.map((k) => k.prefix).sort();

describe("FastAPI's answers (README: 'Baseten is a FastAPI service')", () => {
  it.each([
    ["GET", "/v1/api_keys/abc"],
    ["GET", "/api/v1/api_keys"],
    ["DELETE", "/wrong/v1/api_keys/abcdefgh"],
  ])("answers an unknown route %s %s with 404 {detail: 'Not Found'}, before authentication", async (method, path) => {
    const res = await api(emu, method, path, { auth: null });
    expect([res.status, res.json]).toEqual([404, { detail: "Not Found" }]);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
  });

  it("answers a validation error with 422 and a detail list of {loc, msg, type}", async () => {
    const res = await api(emu, "POST", "/v1/api_keys", { body: { type: "NOPE", name: 7 } });
    expect(res.status).toBe(422);
    expect(res.json.detail[0]).toEqual({ loc: ["body", "type"], msg: expect.any(String), type: "value_error" });
  });
});

describe("users (spec UserInfoV1; README 'Who sees what')", () => {
  it("answers GET /v1/users/me with the caller's UserInfoV1, and no role", async () => {
    const member = emu.addUser({ userId: "user-member", email: "member@example.com", name: "Member" });
    const admin = await api(emu, "GET", "/v1/users/me");
    expect(admin.json).toEqual({ ...EMULATOR_USER, workspace_name: WORKSPACE_NAME });
    const res = await api(emu, "GET", "/v1/users/me", as(member.apiKey));
    expect(res.json).toEqual({
      user_id: "user-member",
      email: "member@example.com",
      name: "Member",
      workspace_name: WORKSPACE_NAME,
    });
    expect(validateResponseBody("usersMe", res.json)).toEqual([]);
  });

  it("authenticates each user's own management key and no other", async () => {
    const member = emu.addUser({});
    expect((await api(emu, "GET", "/v1/api_keys", as(member.apiKey))).status).toBe(200);
    expect((await api(emu, "GET", "/v1/api_keys", as(`${member.apiKey}x`))).status).toBe(401);
  });
});

describe("who sees which key (spec: GET /v1/api_keys description)", () => {
  it("lists a member's own personal keys and the keys of teams they manage, but not others' personal keys", async () => {
    const member = emu.addUser({ userId: "user-m", manages: ["team-ml"] });
    const mine = await createKey(emu, { type: "PERSONAL", name: "mine" });
    const theirs = emu.createKeyOutOfBand({ type: "PERSONAL", name: "theirs", userId: "user-m" });
    const team = await createKey(emu, { type: "WORKSPACE_INVOKE" }, "team-ml");
    const otherTeam = await createKey(emu, { type: "WORKSPACE_INVOKE" }, "team-default");
    const listed = await api(emu, "GET", "/v1/api_keys", as(member.apiKey));
    expect(prefixes(listed)).toEqual([theirs.prefix, team].sort());
    expect(prefixes(listed)).not.toContain(mine);
    expect(prefixes(listed)).not.toContain(otherTeam);
  });

  it("gives organization admins every member's personal keys, each with its owner", async () => {
    emu.addUser({ userId: "user-m", email: "m@example.com", name: "M" });
    const theirs = emu.createKeyOutOfBand({ type: "PERSONAL", name: "ci", userId: "user-m" });
    const res = await api(emu, "GET", "/v1/api_keys");
    const entry = res.json.keys.find((k: { prefix: string }) => k.prefix === theirs.prefix);
    expect(entry.owner).toEqual({ user_id: "user-m", email: "m@example.com", name: "M" });
    expect(validateResponseBody("listKeys", res.json)).toEqual([]);
  });

  it("lets two users each have a live personal key of the same name (uniqueness is per owner)", async () => {
    emu.addUser({ userId: "user-m" });
    emu.createKeyOutOfBand({ type: "PERSONAL", name: "ci", userId: "user-m" });
    expect((await api(emu, "POST", "/v1/api_keys", { body: { type: "PERSONAL", name: "ci" } })).status).toBe(200);
  });
});

describe("deleting a key one may list but not manage (issue 9: 'can answer 403 (or 404)')", () => {
  it.each([403, 404] as const)("answers %s to an admin deleting a member's personal key, and revokes nothing", async (status) => {
    emu.setModes({ unmanageableDeleteStatus: status });
    emu.addUser({ userId: "user-m" });
    const theirs = emu.createKeyOutOfBand({ type: "PERSONAL", name: "ci", userId: "user-m" });
    const res = await api(emu, "DELETE", `/v1/api_keys/${theirs.prefix}`);
    expect(res.status).toBe(status);
    expect(emu.liveKeys().map((k) => k.prefix)).toEqual([theirs.prefix]);
  });

  it("answers 404 to a member deleting a key they cannot even see", async () => {
    const member = emu.addUser({ manages: [] });
    const prefix = await createKey(emu, { type: "WORKSPACE_MANAGE_ALL" });
    expect((await api(emu, "DELETE", `/v1/api_keys/${prefix}`, as(member.apiKey))).status).toBe(404);
    expect(emu.liveKeys()).toHaveLength(1);
  });
});

describe("DELETE of an unknown or revoked prefix (README: undocumented; 'the sibling gateway API answers 404')", () => {
  it.each([
    ["error", { error: "API key not found" }],
    ["detail", { detail: "API key not found" }],
    ["fastapi-not-found", { detail: "Not Found" }],
  ] as const)("answers 404 with body mode %s", async (mode, body) => {
    emu.setModes({ deleteNotFoundBody: mode });
    const res = await api(emu, "DELETE", "/v1/api_keys/abcdefgh");
    expect([res.status, res.json]).toEqual([404, body]);
  });
});

describe("teamless keys in a workspace with teams (README: 'belongs to the default team, and team_name may name it')", () => {
  it("names the default team in team_name by default, and can list it as null", async () => {
    const prefix = await createKey(emu, { type: "WORKSPACE_MANAGE_ALL", name: "ws" });
    const teamName = async () => (await api(emu, "GET", "/v1/api_keys")).json.keys[0].team_name;
    expect(await teamName()).toBe("default");
    emu.setModes({ teamlessTeamName: "null" });
    expect(await teamName()).toBeNull();
    expect(prefix).toBeTruthy();
  });

  it("treats a teamless key and a default-team key of one name as one scope", async () => {
    await createKey(emu, { type: "WORKSPACE_MANAGE_ALL", name: "ws" });
    const res = await api(emu, "POST", "/v1/teams/team-default/api_keys", { body: { type: "WORKSPACE_INVOKE", name: "ws" } });
    expect(res.status).toBe(409);
  });
});

describe("teamless keys and the default team's keys as rights (spec: 'the workspace and team API keys you can manage'; not documented further)", () => {
  it.each([
    ["separate", false],
    ["default-team", true],
  ] as const)(
    "under teamlessRights %s, a member managing the default team lists and revokes a teamless key: %s",
    async (mode, may) => {
      emu.setModes({ teamlessRights: mode });
      const member = emu.addUser({ userId: "user-default-team", manages: ["team-default"] });
      const prefix = await createKey(emu, { type: "WORKSPACE_MANAGE_ALL", name: "teamless" });
      const listed = await api(emu, "GET", "/v1/api_keys", as(member.apiKey));
      expect(prefixes(listed).includes(prefix)).toBe(may);
      expect((await api(emu, "DELETE", `/v1/api_keys/${prefix}`, as(member.apiKey))).status).toBe(may ? 200 : 404);
    },
  );
});

describe("identity (README 'Identity': a team is its id, its name can be changed; workspace_name is nullable in UserInfoV1)", () => {
  it("lists a renamed team's keys under its new name, and a new team under the old one", async () => {
    const prefix = await createKey(emu, { type: "WORKSPACE_INVOKE", name: "svc" }, "team-ml");
    emu.putTeam("team-ml", "ml-renamed");
    emu.putTeam("team-new", "ml-platform");
    const keys = (await api(emu, "GET", "/v1/api_keys")).json.keys;
    expect(keys.find((k: { prefix: string }) => k.prefix === prefix).team_name).toBe("ml-renamed");
    const teams = (await api(emu, "GET", "/v1/teams?name=ml-platform")).json.teams;
    expect(teams.map((t: { id: string }) => t.id)).toEqual(["team-new"]);
  });

  it("answers workspace_name as the workspace is named, or null", async () => {
    emu.renameWorkspace("renamed");
    expect((await api(emu, "GET", "/v1/users/me")).json.workspace_name).toBe("renamed");
    emu.renameWorkspace(null);
    const me = await api(emu, "GET", "/v1/users/me");
    expect(me.json.workspace_name).toBeNull();
    expect(validateResponseBody("usersMe", me.json)).toEqual([]);
  });
});

describe("duplicate names (README: 'a second POST of a live name gets a 4xx')", () => {
  it.each([400, 409, 422] as const)("answers %s in that mode and mints nothing", async (status) => {
    emu.setModes({ duplicateNameStatus: status });
    await createKey(emu, { type: "WORKSPACE_MANAGE_ALL", name: "dup-name" });
    const res = await api(emu, "POST", "/v1/api_keys", { body: { type: "WORKSPACE_MANAGE_ALL", name: "dup-name" } });
    expect(res.status).toBe(status);
    if (status === 422) expect(res.json.detail[0].loc).toEqual(["body", "name"]);
    expect(emu.liveKeys()).toHaveLength(1);
  });
});

describe("the audit log (README 'Audit log'; spec ListAuditLogsResponseV1)", () => {
  it("records API_KEY_CREATED and API_KEY_DELETED with the prefix, newest first", async () => {
    const prefix = await createKey(emu, { type: "WORKSPACE_MANAGE_ALL", name: "audited" });
    await api(emu, "DELETE", `/v1/api_keys/${prefix}`);
    const res = await api(emu, "GET", "/v1/audit_logs?event_type_groups=API_KEYS");
    expect(res.status).toBe(200);
    expect(res.json.items.map((i: { event_type: string }) => i.event_type)).toEqual(["API_KEY_DELETED", "API_KEY_CREATED"]);
    expect(res.json.items[0].event_data).toMatchObject({
      event_type: "API_KEY_DELETED",
      prefix,
      api_key_type: "CREATOR_SERVICE_ACCOUNT",
    });
    expect(res.json.pagination).toEqual({ has_more: false, cursor: null });
    expect(validateResponseBody("auditLogs", res.json)).toEqual([]);
  });

  // Spec AuditLogSourceV1: where the action came from (UI, API, MCP, SYSTEM, OTHER).
  it("records out-of-band revocations (as in Baseten's UI) too, with the user as actor and UI as source", async () => {
    const prefix = await createKey(emu, { type: "PERSONAL", name: "ui-revoked" });
    emu.revokeOutOfBand(prefix);
    const res = await api(emu, "GET", "/v1/audit_logs?event_type_groups=API_KEYS");
    expect(res.json.items[0]).toMatchObject({
      event_type: "API_KEY_DELETED",
      event_data: { prefix },
      actor: { type: "USER", email: EMULATOR_USER.email },
      source: "UI",
    });
  });

  // Spec AuditLogActorV1: "Prefix of the acting API key, when the actor is an API key".
  it("names the acting management key's prefix as actor of what is done through the API", async () => {
    const member = emu.addUser({ userId: "user-dotted", apiKey: "mgmtpfx1.fakesecretfakesecretfakesecret" });
    const res0 = await api(emu, "POST", "/v1/api_keys", { body: { type: "PERSONAL", name: "by-api" }, ...as(member.apiKey) });
    const prefix = (res0.json.api_key as string).split(".")[0];
    const res = await api(emu, "GET", "/v1/audit_logs?event_type_groups=API_KEYS");
    expect(res.json.items[0]).toMatchObject({
      event_type: "API_KEY_CREATED",
      event_data: { prefix },
      actor: { type: "API_KEY", api_key_prefix: "mgmtpfx1", api_key_name: null },
      source: "API", // spec AuditLogSourceV1 (UI, API, MCP, SYSTEM, OTHER; nullable)
    });
    expect(JSON.stringify(res.json)).not.toContain("fakesecret");
    expect(validateResponseBody("auditLogs", res.json)).toEqual([]);
  });

  // Spec `search`: "Case-insensitive substring matched against resource names and IDs in the
  // entry"; README: whether that is a key's name, its api_key_id, its prefix or several is not
  // documented, and API_KEY_* entries carry no name (spec AuditLogEventApiKeyCreatedV1).
  it.each([
    ["names-and-ids", { keyId: 1, prefix: 0, secretName: 1 }],
    ["names", { keyId: 0, prefix: 0, secretName: 1 }],
    ["ids", { keyId: 1, prefix: 0, secretName: 0 }],
    ["ids-and-prefix", { keyId: 1, prefix: 1, secretName: 0 }],
  ] as const)("matches `search` under the reading %s", async (auditSearch, found) => {
    emu.setModes({ auditSearch });
    const prefix = await createKey(emu, { type: "PERSONAL", name: "findme" });
    emu.upsertSecretOutOfBand({ name: "findme-secret", value: "v" });
    const all = await api(emu, "GET", "/v1/audit_logs?event_type_groups=API_KEYS");
    const { api_key_id: keyId } = all.json.items[0].event_data;
    expect(keyId).not.toContain(prefix);
    const count = async (search: string) =>
      (await api(emu, "GET", `/v1/audit_logs?search=${encodeURIComponent(search)}`)).json.items.length;
    expect(await count(keyId.slice(2, 12).toUpperCase())).toBe(found.keyId);
    expect(await count(prefix)).toBe(found.prefix);
    expect(await count("FINDME-SEC")).toBe(found.secretName);
    expect(await count("findme")).toBe(found.secretName); // a key's own name is in no entry
    expect(await count("nothing-like-it")).toBe(0);
  });

  // Spec: start_epoch_millis / end_epoch_millis, "Epoch milliseconds for the start [end] of the window".
  it("bounds entries by start_epoch_millis and end_epoch_millis", async () => {
    await createKey(emu, { type: "PERSONAL", name: "early" });
    const all = await api(emu, "GET", "/v1/audit_logs");
    const at = Date.parse(all.json.items[0].created);
    const after = await api(emu, "GET", `/v1/audit_logs?start_epoch_millis=${at + 1}`);
    expect(after.json.items).toEqual([]);
    expect((await api(emu, "GET", `/v1/audit_logs?start_epoch_millis=${at}&end_epoch_millis=${at}`)).json.items).toHaveLength(1);
    expect((await api(emu, "GET", `/v1/audit_logs?end_epoch_millis=${at - 1}`)).json.items).toEqual([]);
    expect((await api(emu, "GET", "/v1/audit_logs?start_epoch_millis=soon")).status).toBe(422);
  });

  it("pages with a cursor, up to 200 entries a page", async () => {
    for (let i = 0; i < 3; i++) await createKey(emu, { type: "PERSONAL" });
    const first = await api(emu, "GET", "/v1/audit_logs?limit=2");
    expect(first.json.items).toHaveLength(2);
    expect(first.json.pagination.has_more).toBe(true);
    const second = await api(emu, "GET", `/v1/audit_logs?limit=2&cursor=${first.json.pagination.cursor}`);
    expect(second.json.items).toHaveLength(1);
    expect((await api(emu, "GET", "/v1/audit_logs?limit=201")).status).toBe(422);
  });

  it("answers 403 to a member of a workspace with several teams", async () => {
    const member = emu.addUser({});
    const res = await api(emu, "GET", "/v1/audit_logs", as(member.apiKey));
    expect(res.status).toBe(403);
  });
});

describe("late commits (README: 'A create can time out on our side and still commit at Baseten later')", () => {
  it("holds a create without an answer and commits it before the n-th next request", async () => {
    emu.injectFault({ kind: "lateCommit", afterRequests: 2, method: "POST" });
    const controller = new AbortController();
    const held = api(emu, "POST", "/v1/api_keys", { body: { type: "PERSONAL", name: "late" }, signal: controller.signal });
    const firstList = await api(emu, "GET", "/v1/api_keys"); // 1st request after: nothing yet
    expect(firstList.json.keys).toEqual([]);
    controller.abort(); // the client gives up
    await expect(held).rejects.toThrow();
    const secondList = await api(emu, "GET", "/v1/api_keys"); // 2nd: the create commits first
    expect(secondList.json.keys.map((k: { name: string }) => k.name)).toEqual(["late"]);
  });

  it("commits held creates on demand through the control API", async () => {
    emu.injectFault({ kind: "lateCommit", afterRequests: 100, method: "POST" });
    const controller = new AbortController();
    const held = api(emu, "POST", "/v1/api_keys", { body: { type: "PERSONAL", name: "later" }, signal: controller.signal });
    // Wait (bounded) until the server holds the request, then release it.
    let committed = 0;
    for (let i = 0; i < 500 && committed === 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
      committed = emu.runLateCommits();
    }
    expect(committed).toBe(1);
    expect((await held).status).toBe(200);
    expect(emu.liveKeys().map((k) => k.name)).toEqual(["later"]);
  });
});

describe("held requests (README: 'A create can time out on our side and still commit at Baseten later': can, so also may not)", () => {
  async function heldCreate(name: string) {
    emu.injectFault({ kind: "lateCommit", afterRequests: 1000, method: "POST" });
    const controller = new AbortController();
    const held = api(emu, "POST", "/v1/api_keys", { body: { type: "PERSONAL", name }, signal: controller.signal });
    for (let i = 0; i < 500 && emu.heldRequests() === 0; i++) await new Promise((r) => setTimeout(r, 10));
    return { held, controller };
  }

  it("tells how many requests it holds, so a test can act while a chosen request is in flight", async () => {
    expect(emu.heldRequests()).toBe(0);
    const { held, controller } = await heldCreate("held");
    expect(emu.heldRequests()).toBe(1);
    expect(emu.liveKeys()).toEqual([]); // held: nothing committed yet
    controller.abort();
    await expect(held).rejects.toThrow();
    expect(emu.runLateCommits()).toBe(1); // a held request commits on release, client or not
    expect(emu.liveKeys().map((k) => k.name)).toEqual(["held"]);
  });

  it("drops held requests without committing them: the connection closes, no key is minted", async () => {
    const { held } = await heldCreate("dropped");
    expect(emu.dropLateCommits()).toBe(1);
    await expect(held).rejects.toThrow();
    expect(emu.heldRequests()).toBe(0);
    expect(emu.allKeys()).toEqual([]);
  });
});

describe("a 200 whose body is not JSON (README: 'A 200 can carry a body that is not JSON')", () => {
  it("mints the key and answers text/plain holding the plaintext (the worst plausible case)", async () => {
    emu.injectFault({ kind: "nonJson", afterCommit: true, method: "POST" });
    const res = await api(emu, "POST", "/v1/api_keys", { body: { type: "PERSONAL" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/plain/);
    const [key] = emu.liveKeys();
    expect(res.text).toBe(`api_key=${key.apiKey}`);
  });
});

describe("a crowded workspace (spec: GET /v1/api_keys takes no paging parameter; APIKeysV1 has only `keys`)", () => {
  it("answers every live key in one body, however many: 50,000 preloaded keys and the caller's own", async () => {
    const spec = JSON.parse(fs.readFileSync(path.join(__dirname, "../contract/baseten-openapi.json"), "utf8"));
    expect(spec.paths["/v1/api_keys"].get.parameters ?? []).toEqual([]);
    expect(Object.keys(spec.components.schemas.APIKeysV1.properties)).toEqual(["keys"]);

    const started = performance.now();
    expect(emu.preloadKeys({ count: 50_000 })).toBe(50_000);
    const preloadMs = performance.now() - started;
    const mine = await createKey(emu, { type: "WORKSPACE_INVOKE", name: "mine" });
    const res = await api(emu, "GET", "/v1/api_keys");
    expect(res.status).toBe(200);
    expect(Object.keys(res.json)).toEqual(["keys"]);
    expect(res.json.keys).toHaveLength(50_001);
    expect(res.json.keys.map((k: { prefix: string }) => k.prefix)).toContain(mine);
    // A scoped invoke key per customer, in the default team's scope, each named and unique.
    expect(res.json.keys[0]).toEqual({
      prefix: expect.stringMatching(/^[A-Za-z]{8}$/),
      name: "preloaded-1",
      type: "WORKSPACE_INVOKE",
      model_ids: ["customer-model"],
      team_name: "default",
    });
    expect(new Set(res.json.keys.map((k: { prefix: string }) => k.prefix)).size).toBe(50_001);
    expect(validateResponseBody("listKeys", { keys: res.json.keys.slice(0, 100) })).toEqual([]);
    // Cheap enough for a benchmark to set up: reported, not asserted (machine speed varies).
    console.log(`preloading 50,000 keys took ${preloadMs.toFixed(0)} ms; the listing is ${res.text.length} bytes`);
  });

  it("keeps Baseten's rules for preloaded keys: their names stay taken in their scope, and a clash adds none", async () => {
    emu.preloadKeys({ count: 3, namePrefix: "customer" });
    const dup = await api(emu, "POST", "/v1/api_keys", { body: { type: "WORKSPACE_INVOKE", name: "customer-2" } });
    expect(dup.status).toBe(409);
    expect(() => emu.preloadKeys({ count: 5, namePrefix: "customer" })).toThrow(/already exists/);
    expect(emu.liveKeys()).toHaveLength(3);
    expect(() => emu.preloadKeys({ count: 2, type: "PERSONAL", teamId: "team-ml" })).toThrow(/cannot be team-scoped/);
  });

  it("preloads again after a reset when started with preloadKeys", async () => {
    const crowded = await BasetenEmulator.start({ rateLimitPerSecond: null, preloadKeys: 1000 });
    try {
      expect(crowded.liveKeys()).toHaveLength(1000);
      crowded.reset();
      expect(crowded.liveKeys()).toHaveLength(1000);
    } finally {
      await crowded.stop();
    }
  });
});
