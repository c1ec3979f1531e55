/**
 * The Secret provider's lifecycle methods, called as the engine's provider host calls them,
 * against the real emulator over loopback HTTP. Fake values only.
 */
import type * as pulumi from "@pulumi/pulumi";
import { createSecretProvider, type SecretProvider } from "../../provider/secret/provider";
import type { SecretOutputs } from "../../provider/core/secrets/types";
import { isSecretError } from "../../provider/core/secrets/errors";
import { BasetenEmulator, EMULATOR_USER, ROUTES, SECRET_ROUTES, WORKSPACE_NAME } from "../emulator";
import { failureOf } from "../support/failureOf";
import { printed } from "../support/printed";
import { validateRequestBody } from "../contract/schemas";

let emu: BasetenEmulator;
beforeAll(async () => {
  emu = await BasetenEmulator.start();
});
afterAll(() => emu.stop());
beforeEach(() => emu.reset());

const VERSION = "0.1.0";
const VALUE = "fake-value-aaaa1111";
const LIST = SECRET_ROUTES.listTeamSecrets;
const POST = SECRET_ROUTES.upsertTeamSecret;
const DELETE = SECRET_ROUTES.deleteTeamSecret;

/** A provider as the engine's host configures it, with the emulator's first user's key unless given another. */
async function configured(managementKey = emu.managementKey): Promise<SecretProvider> {
  const provider = createSecretProvider();
  const values: Record<string, string> = {
    "baseten:apiKey": managementKey,
    "baseten:apiUrl": emu.url,
    "baseten:timeoutSeconds": "2",
  };
  await provider.configure!({ config: { get: (k: string) => values[k] } } as unknown as pulumi.dynamic.ConfigureRequest);
  return provider;
}

/** check then create, as `pulumi up` does for a new resource. */
async function up(provider: SecretProvider, args: Record<string, unknown>) {
  const news = { resourceName: "svc", providerVersion: VERSION, __provider: "serialized-provider-text", value: VALUE, ...args };
  const checked = await provider.check!({} as never, news as never);
  expect(checked.failures).toEqual([]);
  const created = await provider.create(checked.inputs as never);
  return { inputs: checked.inputs as unknown as Record<string, unknown>, id: created.id, outs: created.outs as SecretOutputs };
}

const count = (route: string) => emu.routeCounts()[route] ?? 0;
const teamlessRequests = () =>
  emu
    .requestLog()
    .filter((r) =>
      [SECRET_ROUTES.listSecrets, SECRET_ROUTES.upsertSecret, SECRET_ROUTES.deleteSecret].includes(r.route as never),
    );

describe("check", () => {
  it("reports a missing management key and a bad setting with the inputs' failures, sending nothing", async () => {
    const saved = process.env.BASETEN_API_KEY;
    delete process.env.BASETEN_API_KEY;
    try {
      const p = createSecretProvider();
      const values: Record<string, string> = { "baseten:apiUrl": "http://api.baseten.co" };
      await p.configure!({ config: { get: (k: string) => values[k] } } as unknown as pulumi.dynamic.ConfigureRequest);
      const checked = await p.check!({} as never, { resourceName: "svc", providerVersion: VERSION, value: VALUE } as never);
      expect(checked.failures).toEqual([
        {
          property: "",
          reason: expect.stringMatching(/^No Baseten management key is set\. Set it with `pulumi config set --secret/),
        },
        { property: "", reason: expect.stringMatching(/baseten:apiUrl uses plain http:\/\/ for api\.baseten\.co/) },
      ]);
    } finally {
      if (saved === undefined) delete process.env.BASETEN_API_KEY;
      else process.env.BASETEN_API_KEY = saved;
    }
    expect(emu.requestLog()).toEqual([]);
  });
});

describe("create", () => {
  it("lists the default team, then writes with one team-scoped POST; id is <teamId>/<name>", async () => {
    const p = await configured();
    const { id, outs } = await up(p, { name: "hf_access_token" });
    expect(id).toBe("team-default/hf_access_token");
    expect(count(LIST)).toBe(1);
    expect(count(POST)).toBe(1);
    expect(teamlessRequests()).toEqual([]); // never the teamless routes (primary vs default team)
    const [secret] = emu.secrets();
    expect(secret).toMatchObject({ name: "hf_access_token", teamId: "team-default", value: VALUE });
    expect(outs).toMatchObject({
      secretId: secret.id,
      name: "hf_access_token",
      teamId: "team-default",
      teamName: "default",
      createdAt: new Date(secret.createdAt).toISOString(),
      value: VALUE,
      seenBy: EMULATOR_USER.user_id,
    });
    expect(outs).not.toHaveProperty("teamSelector");
    expect(outs).not.toHaveProperty("__provider");
  });

  it("generates a name from the resource name and keeps it across checks", async () => {
    const p = await configured();
    const { inputs, outs } = await up(p, {});
    expect(outs.name).toMatch(/^svc-[a-z0-9]{7}$/);
    const again = await p.check!(inputs as never, { resourceName: "svc", providerVersion: VERSION, value: VALUE } as never);
    expect((again.inputs as unknown as SecretOutputs).name).toBe(outs.name);
  });

  it("resolves teamName and writes into that team", async () => {
    const p = await configured();
    const { id, outs } = await up(p, { name: "tok", teamName: "ml-platform" });
    expect(id).toBe("team-ml/tok");
    expect(outs).toMatchObject({ teamId: "team-ml", teamName: "ml-platform", teamSelector: "teamName" });
    expect(emu.secrets()[0].teamId).toBe("team-ml");
  });

  it("refuses an equivalent existing name without writing, naming it and the fix", async () => {
    emu.upsertSecretOutOfBand({ teamId: "team-default", name: "hf-access-token", value: "fake-theirs" });
    const p = await configured();
    const e = await failureOf(up(p, { name: "hf_access_token" }));
    expect(isSecretError(e, "exists")).toBe(true);
    expect(e.message).toMatch(/already has a secret named "hf-access-token"/);
    expect(e.message).toMatch(/adoptExisting: true/);
    expect(e.message).toMatch(/README: "After a crash during up of a Secret"/);
    // The advice quotes the name Baseten holds, not the program's spelling (issue 17 item 6).
    expect(e.message).toContain('delete "hf-access-token" in Baseten first');
    expect(e.message).not.toContain('delete "hf_access_token"');
    expect(count(POST)).toBe(0);
    expect(emu.secrets()[0].value).toBe("fake-theirs");
  });

  it("takes an existing secret over with adoptExisting, overwriting its value and keeping its id", async () => {
    const theirs = emu.upsertSecretOutOfBand({
      teamId: "team-default",
      name: "tok",
      value: "fake-theirs",
      createdAt: Date.UTC(2020, 0, 1),
    });
    const p = await configured();
    const { outs } = await up(p, { name: "tok", adoptExisting: true });
    expect(outs.secretId).toBe(theirs.id);
    expect(emu.secrets()[0].value).toBe(VALUE);
  });

  it("serializes creates of equivalent names in one process: the second sees the first and refuses", async () => {
    const p = await configured();
    const results = await Promise.allSettled([up(p, { name: "a-b" }), up(p, { name: "a_b" })]);
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    const rejected = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(isSecretError(rejected.reason, "exists")).toBe(true);
    expect(count(POST)).toBe(1);
    expect(emu.secrets()).toHaveLength(1);
  });

  it("fails loudly when the upsert reports a created_at before its listing (another writer's secret)", async () => {
    emu.upsertSecretOutOfBand({ teamId: "team-default", name: "tok", value: "fake-theirs", createdAt: Date.UTC(2020, 0, 1) });
    // A listing that did not show it (a caller who cannot see it, or a stale replica).
    emu.injectFault({ kind: "respond", status: 200, route: LIST, body: JSON.stringify({ secrets: [] }) });
    const p = await configured();
    const e = await failureOf(up(p, { name: "tok" }));
    expect(isSecretError(e, "other-writer")).toBe(true);
    expect(e.message).toMatch(/existed before this create/);
    expect(e.message).not.toContain(VALUE);
  });

  it("points to the recovery when the write may have reached Baseten", async () => {
    emu.injectFault({ kind: "reset", afterCommit: true, route: POST });
    const p = await configured();
    const e = await failureOf(up(p, { name: "tok" }));
    expect(e.message).toMatch(/may have reached Baseten/);
    expect(e.message).toMatch(/adoptExisting: true/);
    // The next up refuses the stack's own secret, pointing to the same recovery.
    const again = await failureOf(up(p, { name: "tok" }));
    expect(isSecretError(again, "exists")).toBe(true);
  });

  it("never puts the value in an error, even when Baseten echoes it", async () => {
    emu.injectFault({ kind: "respond", status: 422, route: POST, body: `value ${VALUE} is not allowed` });
    const p = await configured();
    const e = await failureOf(up(p, { name: "tok" }));
    expect(e.message).toMatch(/HTTP 422/);
    expect(e.message).not.toContain(VALUE);
    expect(e.message).toMatch(/refused secret name "tok"/);
  });

  it.each([
    // Where Baseten's raw text is cut (300 characters), so the value straddles the cut.
    ["straddles the 300-character cut of a text body", 300 - 8],
    ["and the management key fit whole in the quoted text", 0],
  ])("masks the value and the management key of an echoed request before any cut: the value %s", async (_label, valueAt) => {
    // A minted key delivered into a Secret is the value here: key-shaped, with a unique head.
    const minted = "mintedab.fakeMintedKeySecretPart0123456789";
    const opening = '{"name":"tok","value":"';
    const lead = valueAt === 0 ? "refused: " : "x".repeat(valueAt - opening.length);
    emu.injectFault({ kind: "echoRequest", route: POST, status: 422, lead });
    const p = await configured();
    const e = await failureOf(up(p, { name: "tok", value: minted }));
    expect(e.message).toMatch(/HTTP 422/);
    expect(e.message).not.toContain(minted.slice(0, 8));
    expect(e.message).not.toContain(emu.managementKey.slice(0, 8));
    // Only the mask may be cut, never the value.
    expect(e.message).toContain(valueAt === 0 ? '"value":"[REDACTED]"' : '"value":"[REDACT');
    if (valueAt === 0) expect(e.message).toContain("Authorization: Api-Key [REDACTED]");
  });

  it("sends spec-valid upsert bodies (UpsertSecretRequestV1) on the team route only", async () => {
    const p = await configured();
    await up(p, { name: "a" });
    await up(p, { name: "b", teamId: "team-ml" });
    const upserts = emu.requestLog().filter((r) => r.method === "POST");
    expect(upserts.map((r) => r.route)).toEqual([POST, POST]);
    for (const r of upserts) expect(validateRequestBody("upsertTeamSecret", r.requestBody)).toEqual([]);
  });

  it("writes once after Baseten's rate limit turned the POST away (a 429 proves nothing was written)", async () => {
    emu.injectFault({ kind: "rateLimited", retryAfterSeconds: 0, route: POST });
    const p = await configured();
    const { outs } = await up(p, { name: "tok" });
    expect(
      emu
        .requestLog()
        .filter((r) => r.route === POST)
        .map((r) => r.status),
    ).toEqual([429, 200]);
    expect(emu.secrets().map((s) => s.id)).toEqual([outs.secretId]);
  });

  it("fails clearly when no team has the given name, sending no secret request", async () => {
    const p = await configured();
    const e = await failureOf(up(p, { name: "tok", teamName: "nope" }));
    expect(e.message).toMatch(/teamName: no Baseten team is named "nope"/);
    expect(count(LIST) + count(POST)).toBe(0);
  });
});

describe("update", () => {
  it("writes a new value in place with one listing (the stored id under the name) and one POST; the secretId stays", async () => {
    const p = await configured();
    const { id, outs, inputs } = await up(p, { name: "tok" });
    emu.clearLog();
    const news = { ...inputs, value: "fake-value-bbbb2222" };
    expect(await p.diff!(id, outs, news as never)).toEqual({ changes: undefined, replaces: [], deleteBeforeReplace: false });
    const updated = await p.update!(id, outs, news as never);
    // The caller's identity is fetched once per process, so only the listing and the POST.
    expect(emu.requestLog().map((r) => r.route)).toEqual([LIST, POST]);
    expect((updated.outs as SecretOutputs).secretId).toBe(outs.secretId);
    expect(emu.secrets()[0].value).toBe("fake-value-bbbb2222");
  });

  it("fails when Baseten's id changed (replaced outside Pulumi)", async () => {
    const p = await configured();
    const { id, outs, inputs } = await up(p, { name: "tok" });
    emu.deleteSecretOutOfBand("team-default", "tok");
    emu.upsertSecretOutOfBand({ teamId: "team-default", name: "tok", value: "fake-theirs" });
    const e = await failureOf(p.update!(id, outs, { ...inputs, value: "fake-value-bbbb2222" } as never));
    expect(isSecretError(e, "replaced-outside")).toBe(true);
    expect(e.message).not.toContain("fake-value-bbbb2222");
  });

  it("sends nothing when only the provider version changed", async () => {
    const p = await configured();
    const { id, outs, inputs } = await up(p, { name: "tok" });
    emu.clearLog();
    const updated = await p.update!(id, outs, { ...inputs, providerVersion: "0.2.0" } as never);
    expect(emu.requestLog()).toEqual([]);
    expect((updated.outs as SecretOutputs).providerVersion).toBe("0.2.0");
  });
});

describe("delete", () => {
  it("lists the team, deletes with one percent-encoded DELETE, accepts a tombstone naming an equivalent name and confirms the id in the audit log", async () => {
    emu.upsertSecretOutOfBand({ teamId: "team-ml", name: "a_b c", value: "fake-x" });
    const p = await configured();
    const { id, outs } = await up(p, { name: "a-b c", teamId: "team-ml", adoptExisting: true });
    emu.clearLog();
    await p.delete!(id, outs);
    expect(emu.requestLog().map((r) => [r.route, r.rawPath, r.status])).toEqual([
      [LIST, "/v1/teams/team-ml/secrets", 200],
      [DELETE, "/v1/teams/team-ml/secrets/a-b%20c", 200],
      // Searched by the name the tombstone gave (the entry's secret_name), since the DELETE was
      // sent less the clock skew allowed, compared by secret_id.
      [
        ROUTES.auditLogs,
        expect.stringMatching(/^\/v1\/audit_logs\?event_type_groups=SECRETS&limit=200&search=a_b\+c&start_epoch_millis=\d+$/),
        200,
      ],
    ]);
    expect(emu.secrets()).toEqual([]);
  });

  it.each([
    [
      "a tombstone for another name",
      { kind: "wrongTombstone", name: "other" } as const,
      /tombstone for "other", expected "tok".*check it in Baseten \(GET \/v1\/teams\/team-default\/secrets\)/,
    ],
    ["a non-JSON 200", { kind: "nonJson" } as const, /the body is not JSON/],
    ["a tombstone without name", { kind: "respond", status: 200, body: "{}" } as const, /no string `name`/],
  ])("fails on %s and keeps the secret", async (_label, fault, message) => {
    const p = await configured();
    const { id, outs } = await up(p, { name: "tok" });
    emu.injectFault({ ...fault, route: DELETE });
    const e = await failureOf(p.delete!(id, outs));
    expect(e.message).toMatch(message);
    expect(e.message).toMatch(/kept in state/);
    expect(emu.secrets()).toHaveLength(1);
  });

  it("accepts a 404 when a listing by the user who last saw the secret lacks it", async () => {
    const p = await configured();
    const { id, outs } = await up(p, { name: "tok" });
    emu.deleteSecretOutOfBand("team-default", "tok");
    await expect(p.delete!(id, outs)).resolves.toBeUndefined();
  });

  it("refuses a 404 when the listing was made by another user who cannot read the audit log, naming the ways out", async () => {
    const p = await configured();
    const { id, outs } = await up(p, { name: "tok" });
    emu.deleteSecretOutOfBand("team-default", "tok");
    const member = emu.addUser({ admin: false });
    const e = await failureOf((await configured(member.apiKey)).delete!(id, outs));
    expect(isSecretError(e, "removal-unproven")).toBe(true);
    expect(e.message).toMatch(/only user user-emulator's listing can show it gone/);
    expect(e.message).toMatch(/HTTP 403/);
    expect(e.message).toMatch(/rerun `pulumi destroy` with the management key of Baseten user user-emulator/);
    expect(e.message).toMatch(/pulumi state delete/);
  });

  it("accepts a 404 when the audit log, read by an admin who never saw the secret, records its deletion", async () => {
    const p = await configured();
    const { id, outs } = await up(p, { name: "tok" });
    emu.deleteSecretOutOfBand("team-default", "tok");
    const admin = emu.addUser({ admin: true });
    await expect((await configured(admin.apiKey)).delete!(id, outs)).resolves.toBeUndefined();
    expect(count(ROUTES.auditLogs)).toBeGreaterThanOrEqual(1);
  });

  it("refuses an HTML 404 (a wrong apiUrl) when the listing still holds the secret", async () => {
    const p = await configured();
    const { id, outs } = await up(p, { name: "tok" });
    emu.injectFault({ kind: "respond", status: 404, route: DELETE, body: "<html>nope</html>", contentType: "text/html" });
    const e = await failureOf(p.delete!(id, outs));
    expect(e.message).toMatch(/not JSON/);
    expect(e.message).toMatch(/listing still holds it/);
    expect(emu.secrets()).toHaveLength(1);
  });
});

describe("read (refresh)", () => {
  it("shares one listing per team among all reads and keeps the value from state", async () => {
    const p = await configured();
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await up(p, { name: `s${i}` }));
    const fresh = await configured();
    emu.clearLog();
    const reads = await Promise.all(made.map((m) => fresh.read!(m.id, m.outs)));
    expect(count(LIST)).toBe(1);
    for (const [i, r] of reads.entries()) {
      expect(r.id).toBe(made[i].id);
      expect((r.props as SecretOutputs).value).toBe(VALUE);
      expect(r.inputs).toEqual({ name: `s${i}`, autoName: false, value: VALUE, providerVersion: VERSION, resourceName: "svc" });
    }
  });

  it("gives back the team input only when the program gave one (no default-team churn)", async () => {
    const p = await configured();
    const byName = await up(p, { name: "a", teamName: "ml-platform" });
    const byDefault = await up(p, { name: "b" });
    expect((await p.read!(byName.id, byName.outs)).inputs).toMatchObject({ teamName: "ml-platform" });
    const r = await p.read!(byDefault.id, byDefault.outs);
    expect(r.inputs).not.toHaveProperty("teamId");
    expect(r.inputs).not.toHaveProperty("teamName");
    expect(await p.diff!(byDefault.id, r.props as SecretOutputs, byDefault.inputs as never)).toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
  });

  it("drops a secret deleted out of band when the same user's listing lacks it", async () => {
    const p = await configured();
    const { id, outs } = await up(p, { name: "tok" });
    emu.deleteSecretOutOfBand("team-default", "tok");
    const { result, lines } = await printed(async () => (await configured()).read!(id, outs));
    expect(result).toEqual({});
    // Refresh says what proved it, in destroy's words (issue 17 item 7).
    expect(lines).toBe(
      'Refresh dropped Baseten secret "team-default/tok": no longer in the listing of the user who last saw it (verified).\n',
    );
  });

  it("keeps a secret another user's listing lacks when the audit log is unreadable, failing with the ways out", async () => {
    const p = await configured();
    const { id, outs } = await up(p, { name: "tok" });
    emu.deleteSecretOutOfBand("team-default", "tok");
    const member = emu.addUser({ admin: false });
    const e = await failureOf((await configured(member.apiKey)).read!(id, outs));
    expect(isSecretError(e, "removal-unproven")).toBe(true);
    expect(e.message).toMatch(/Refresh keeps it/);
    expect(e.message).toMatch(/pulumi state delete/);
  });

  it("records the witness's workspace, and keeps a secret when the caller's workspace is another (the listing proves nothing)", async () => {
    // Issue 15 item 2, as for keys: a user id identifies a listing only within its workspace
    // (shared/baseten README, identities: `workspace_name` from GET /v1/users/me).
    const p = await configured();
    const { id, outs } = await up(p, { name: "tok" });
    expect((outs as SecretOutputs).seenInWorkspace).toBe(WORKSPACE_NAME);
    emu.deleteSecretOutOfBand("team-default", "tok");
    emu.renameWorkspace("renamed-workspace");
    emu.setModes({ auditSearch: "names" });
    const e = await failureOf((await configured()).read!(id, { ...outs, name: "tok-not-searchable" } as never));
    expect(isSecretError(e, "removal-unproven")).toBe(true);
    expect(e.message).toMatch(/workspace is "renamed-workspace", but it was seen in workspace "emulated-workspace"/);
  });

  it.each(["names-and-ids", "names", "ids", "ids-and-prefix"] as const)(
    "drops a secret another user's listing lacks when the audit log records its deletion (search reads %s)",
    async (auditSearch) => {
      // shared/baseten README: `search` matches "resource names and IDs in the entry", which
      // may mean either or both: the entry of exactly this id must be found under each reading.
      emu.setModes({ auditSearch });
      const p = await configured();
      const { id, outs } = await up(p, { name: "tok" });
      emu.deleteSecretOutOfBand("team-default", "tok");
      const admin = emu.addUser({ admin: true });
      expect(await (await configured(admin.apiKey)).read!(id, outs)).toEqual({});
    },
  );

  it("fails on an unreadable listing instead of dropping the secret", async () => {
    const p = await configured();
    const { id, outs } = await up(p, { name: "tok" });
    emu.injectFault({ kind: "respond", status: 404, route: LIST, body: JSON.stringify({ detail: "Not Found" }) });
    const fresh = await configured();
    const e = await failureOf(fresh.read!(id, outs));
    expect(e.message).toMatch(/HTTP 404/);
  });
});

describe("a secret replaced outside Pulumi (issue 15 item 4: ownership by secretId, never by name)", () => {
  const THEIRS = "fake-colleague-value-0001";

  /** Ours is created, then a colleague deletes it by hand and writes theirs under an equivalent name. */
  async function replacedByColleague() {
    const p = await configured();
    const made = await up(p, { name: "hf_access_token" });
    const replaced = emu.replaceSecretOutOfBand({
      teamId: "team-default",
      name: "hf_access_token",
      newName: "hf-access-token",
      value: THEIRS,
    })!;
    emu.clearLog();
    return { ...made, theirs: replaced.after, fresh: await configured() };
  }

  it("update writes nothing and leaves the other secret alone, saying so", async () => {
    const { id, outs, inputs, theirs, fresh } = await replacedByColleague();
    const e = await failureOf(fresh.update!(id, outs, { ...inputs, value: "fake-value-bbbb2222" } as never));
    expect(isSecretError(e, "replaced-outside")).toBe(true);
    expect(count(POST)).toBe(0);
    expect(emu.secrets().map((s) => [s.id, s.value])).toEqual([[theirs.id, THEIRS]]);
    expect(e.message).toContain(`secret "hf-access-token" (id ${theirs.id}`);
    expect(e.message).toContain(`state holds id ${outs.secretId}`);
    expect(e.message).toMatch(/Nothing was written: the other secret is left alone/);
    expect(e.message).not.toContain("fake-value-bbbb2222");
  });

  it("update of a secret the listing lacks writes nothing (an upsert would create a new one)", async () => {
    const p = await configured();
    const { id, outs, inputs } = await up(p, { name: "tok" });
    emu.deleteSecretOutOfBand("team-default", "tok");
    emu.clearLog();
    const e = await failureOf((await configured()).update!(id, outs, { ...inputs, value: "fake-value-bbbb2222" } as never));
    expect(isSecretError(e, "not-listed")).toBe(true);
    expect(count(POST)).toBe(0);
    expect(emu.secrets()).toEqual([]);
  });

  it("refresh drops ours (the other id's presence proves it gone) and prints why", async () => {
    const { id, outs, theirs, fresh } = await replacedByColleague();
    const { result, lines } = await printed(() => fresh.read!(id, outs));
    expect(result).toEqual({});
    expect(lines).toBe(
      `Refresh dropped Baseten secret "team-default/hf_access_token": replaced outside Pulumi: the team's listing holds ` +
        `secret "hf-access-token" (id ${theirs.id}, created ${new Date(theirs.createdAt).toISOString()}) under its name, ` +
        `not id ${outs.secretId}, so this stack's secret was deleted; that other secret is left alone (verified).\n`,
    );
    expect(emu.secrets().map((s) => s.id)).toEqual([theirs.id]);
  });

  it("destroy sends no DELETE, leaves the other secret alone and says so", async () => {
    const { id, outs, theirs, fresh } = await replacedByColleague();
    const { lines } = await printed(() => fresh.delete!(id, outs));
    expect(count(DELETE)).toBe(0);
    expect(emu.secrets().map((s) => [s.id, s.value])).toEqual([[theirs.id, THEIRS]]);
    expect(lines).toMatch(
      /^Deleted Baseten secret "team-default\/hf_access_token": replaced outside Pulumi: .*that other secret is left alone \(verified\)\.\n$/,
    );
  });

  it("destroy confirms the SECRET_DELETED entry's secret_id in the audit log, and says so", async () => {
    const p = await configured();
    const { id, outs } = await up(p, { name: "tok" });
    const { lines } = await printed(() => p.delete!(id, outs));
    expect(lines).toBe(
      `Deleted Baseten secret "team-default/tok": Baseten's tombstone names it and its audit log records the deletion of its id (verified).\n`,
    );
  });

  it("destroy fails loudly when the audit log shows the DELETE removed another id (replaced between listing and DELETE)", async () => {
    const p = await configured();
    const { id, outs } = await up(p, { name: "tok" });
    const fresh = await configured();
    // The listing this process's delete reuses is made before the colleague's replacement lands.
    await fresh.read!(id, outs);
    const { after } = emu.replaceSecretOutOfBand({ teamId: "team-default", name: "tok", value: THEIRS })!;
    const e = await failureOf(fresh.delete!(id, outs));
    expect(isSecretError(e, "replaced-outside")).toBe(true);
    expect(e.message).toContain(`had id ${after.id}, not this stack's ${outs.secretId}`);
  });

  it("destroy keeps the tombstone as proof when the audit log is unreadable (HTTP 403 for a member)", async () => {
    const member = emu.addUser({ admin: false });
    const p = await configured(member.apiKey);
    const { id, outs } = await up(p, { name: "tok" });
    const { lines } = await printed(() => p.delete!(id, outs));
    expect(lines).toBe(`Deleted Baseten secret "team-default/tok": Baseten's tombstone names it (verified).\n`);
    expect(emu.secrets()).toEqual([]);
  });
});

describe("a rejected management key on refresh and destroy (one adapter: issue 18)", () => {
  it("says, for a Secret as for a key, that refresh and destroy use the key stored with the stack, and deletes nothing", async () => {
    const made = await up(await configured(), { name: "stored_config_hint" });
    const rejected = await configured("fake-rejected-management-key-0123456789");
    const onRefresh = await failureOf(rejected.read!(made.id, made.outs));
    const onDestroy = await failureOf(rejected.delete!(made.id, made.outs));
    for (const [verb, e] of [
      ["Refreshing", onRefresh],
      ["Deleting", onDestroy],
    ] as const) {
      expect(e.message).toMatch(new RegExp(`^${verb} Baseten secret "${made.id}": Baseten answered HTTP 401`));
      expect(e.message).toMatch(/use the management key stored with the stack's last `pulumi up`.*--run-program/);
    }
    expect(count(DELETE)).toBe(0);
  });
});
