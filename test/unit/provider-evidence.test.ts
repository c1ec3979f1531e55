/**
 * "A key leaves state only on positive evidence" (issue 9), through the provider's lifecycle
 * methods against the emulator in each of the modes Baseten's sources leave open. Evidence is
 * (a) a tombstone naming the key, (b) an API_KEY_DELETED audit entry for exactly its prefix,
 * or (c) a listing by the user who last saw it (`seenBy`) that lacks it (for a personal key,
 * that user must own it). Nothing else drops a key: not a 404, not another user's listing.
 */
import type { ApiKeyOutputs } from "../../provider/core/keys/types";
import { PROVIDER_VERSION } from "../../provider/version";
import { failureOf } from "../support/failureOf";
import { printed } from "../support/printed";
import { configuredProvider, upKey } from "./providerHarness";
import { BasetenEmulator, EMULATOR_USER } from "../emulator";

let emu: BasetenEmulator;
beforeAll(async () => {
  emu = await BasetenEmulator.start({ rateLimitPerSecond: null });
});
afterAll(() => emu.stop());
beforeEach(() => emu.reset());

const providerAs = (apiKey: string, extra: Record<string, string> = {}) => configuredProvider(emu, extra, apiKey);
const up = upKey;

/** State as 0.1.0 wrote it: no seenBy, no ownerId (nor what 0.3.0 adds: seenInWorkspace, mintedAfter). */
function asWrittenBy010(outs: ApiKeyOutputs): ApiKeyOutputs {
  const { seenBy: _s, ownerId: _o, seenInWorkspace: _w, mintedAfter: _m, ...rest } = outs;
  void [_s, _o, _w, _m];
  return { ...rest, providerVersion: "0.1.0" };
}

const live = () => emu.liveKeys().map((k) => k.prefix);
const auditReads = () => emu.routeCounts()["GET /v1/audit_logs"];

describe("what the provider records", () => {
  it("records the creator as seenBy only where its listing is sure to show the key (one /v1/users/me per process)", async () => {
    const p = await providerAs(emu.managementKey);
    // A personal key is always in its owner's listing.
    const personal = await up(p, { type: "PERSONAL" });
    expect(personal.outs).toMatchObject({ seenBy: EMULATOR_USER.user_id, ownerId: EMULATOR_USER.user_id });
    // A team key: only when the listing before the create already held a key of that team.
    const first = await up(p, { type: "WORKSPACE_INVOKE", teamName: "ml-platform" });
    expect(first.outs.seenBy).toBeUndefined();
    const second = await up(await providerAs(emu.managementKey), { type: "WORKSPACE_INVOKE", teamName: "ml-platform" });
    expect(second.outs.seenBy).toBe(EMULATOR_USER.user_id);
    expect(second.outs.ownerId).toBeUndefined();
    expect(emu.routeCounts()["GET /v1/users/me"]).toBe(2); // one per provider process
  });

  it("does not record as seenBy a creator who cannot list the key (a create in a team it does not manage)", async () => {
    const member = emu.addUser({ userId: "user-member", manages: ["team-ml"] });
    emu.createKeyOutOfBand({ type: "WORKSPACE_INVOKE", teamId: "team-default" }); // a key the member cannot see
    const { id, outs } = await up(await providerAs(member.apiKey), { type: "WORKSPACE_INVOKE", teamName: "default" });
    expect(outs.seenBy).toBeUndefined();
    // So the member's listing, which never holds the key, cannot drop it.
    const e = await failureOf((await providerAs(member.apiKey)).read!(id, outs));
    expect(e.message).toMatch(/no Baseten user's listing is known to have held it/);
    expect(live()).toContain(id);
  });

  it("records the reader as seenBy on refresh, so 0.1.0 state gains it on its first read", async () => {
    const p = await providerAs(emu.managementKey);
    const { id, outs } = await up(p, { type: "WORKSPACE_MANAGE_ALL" });
    const read = await (await providerAs(emu.managementKey)).read!(id, asWrittenBy010(outs));
    expect(read.props).toMatchObject({ seenBy: EMULATOR_USER.user_id });
  });
});

describe("delete", () => {
  it.each(["error", "detail", "fastapi-not-found"] as const)(
    "(c) takes a 404 (body mode %s) as revoked when the same user's listing lacks the key",
    async (mode) => {
      emu.setModes({ deleteNotFoundBody: mode });
      const p = await providerAs(emu.managementKey);
      const { id, outs } = await up(p, { type: "WORKSPACE_MANAGE_ALL" });
      const seen = (await p.read!(id, outs)).props as ApiKeyOutputs; // a listing held it: seenBy
      emu.revokeOutOfBand(id);
      emu.clearLog();
      await expect(p.delete!(id, seen)).resolves.toBeUndefined();
      expect(auditReads()).toBe(0); // the listing alone was the evidence
    },
  );

  // Spec: `search` is "matched against resource names and IDs in the entry"; API_KEY_* entries
  // carry no name, and whether a prefix counts as an id is not said (README "Audit log").
  it.each([
    ["ids-and-prefix", 1],
    ["names-and-ids", 2],
    ["names", 2],
    ["ids", 2],
  ] as const)(
    "(b) takes a 404 as revoked when the audit log records API_KEY_DELETED for exactly this prefix (search reads %s: %d reads)",
    async (auditSearch, reads) => {
      emu.setModes({ auditSearch });
      const p = await providerAs(emu.managementKey);
      const { id, outs } = await up(p, { type: "WORKSPACE_MANAGE_ALL" });
      emu.revokeOutOfBand(id);
      for (const stored of [outs, asWrittenBy010(outs)]) {
        emu.clearLog();
        await expect(
          (await providerAs(emu.managementKey)).delete!(id, { ...stored, seenBy: undefined }),
        ).resolves.toBeUndefined();
        expect(auditReads()).toBe(reads);
      }
    },
  );

  it("(b) reads the audit log from the key's mint time, searched by its prefix, never by its name", async () => {
    const p = await providerAs(emu.managementKey);
    const { id, outs } = await up(p, { type: "WORKSPACE_MANAGE_ALL", name: "windowed" });
    expect(outs.mintedAfter).toEqual(expect.any(Number));
    emu.revokeOutOfBand(id);
    emu.clearLog();
    await (
      await providerAs(emu.managementKey)
    ).delete!(id, { ...outs, seenBy: undefined });
    const reads = emu.requestLog().filter((r) => r.route === "GET /v1/audit_logs");
    const queries = reads.map((r) => new URLSearchParams(r.rawPath.split("?")[1]));
    expect(queries.map((q) => q.get("search"))).toEqual([id, null]);
    for (const q of queries) expect(Number(q.get("start_epoch_millis"))).toBeLessThanOrEqual(outs.mintedAfter!);
    for (const q of queries) expect(Number(q.get("start_epoch_millis"))).toBeGreaterThan(outs.mintedAfter! - 3_600_000);
  });

  it("takes only an entry for exactly this prefix: another key of the same name revoked before is no evidence", async () => {
    const p = await providerAs(emu.managementKey);
    const { id, outs } = await up(p, { type: "WORKSPACE_MANAGE_ALL", name: "same-name" });
    emu.revokeOutOfBand(id); // the log now holds API_KEY_DELETED for this name, and this prefix
    // A key of the same name whose prefix merely contains the other's, or differs in case.
    for (const other of [`${id}x`, id.toLowerCase() === id ? id.toUpperCase() : id.toLowerCase()]) {
      const stored = { ...asWrittenBy010(outs), prefix: other };
      const e = await failureOf((await providerAs(emu.managementKey)).delete!(other, stored));
      expect(e.message).toMatch(/nothing proves the key revoked.*audit log .* records no deletion/);
    }
  });

  it("fails without evidence: a 404 for a key seen by another user, with the audit log closed to members", async () => {
    const member = emu.addUser({ userId: "user-member", manages: ["workspace", "team-default"] });
    const adminP = await providerAs(emu.managementKey);
    const created = await up(adminP, { type: "WORKSPACE_MANAGE_ALL" });
    const { id } = created;
    const outs = (await adminP.read!(id, created.outs)).props as ApiKeyOutputs; // seen by the admin
    emu.revokeOutOfBand(id);
    const e = await failureOf((await providerAs(member.apiKey)).delete!(id, outs));
    expect(e.message).toMatch(/^Revoking Baseten API key ".+": Baseten answered HTTP 404/);
    expect(e.message).toMatch(/only user user-emulator's listing can show it gone/);
    expect(e.message).toMatch(/readable only by organization admins \(GET \/v1\/audit_logs answered HTTP 403\)/);
    expect(e.message).toMatch(/management key of Baseten user user-emulator.*pulumi state delete/);
  });

  it.each([403, 404] as const)(
    "keeps a member's personal key that an admin may list but not revoke (DELETE answers %s)",
    async (status) => {
      emu.setModes({ unmanageableDeleteStatus: status });
      const member = emu.addUser({ userId: "user-member" });
      const memberP = await providerAs(member.apiKey);
      const { id, outs } = await up(memberP, { type: "PERSONAL" });
      const e = await failureOf((await providerAs(emu.managementKey)).delete!(id, outs));
      expect(e.message).toMatch(status === 403 ? /refused to revoke.*HTTP 403/ : /still in this management key's listing/);
      expect(e.message).toMatch(/kept in state/);
      expect(live()).toEqual([id]);
    },
  );

  it("names baseten:apiUrl when a wrong path answers FastAPI's 404 to the DELETE and to the listing", async () => {
    const p = await providerAs(emu.managementKey);
    const { id, outs } = await up(p, { type: "PERSONAL" });
    const wrong = await providerAs(emu.managementKey, { "baseten:apiUrl": `${emu.url}/not-the-api` });
    const e = await failureOf(wrong.delete!(id, outs));
    expect(e.message).toMatch(/Baseten answered HTTP 404 \("Not Found"\) to DELETE/);
    expect(e.message).toMatch(/baseten:apiUrl .*points at the wrong place/);
    expect(live()).toEqual([id]);
  });
});

describe("refresh", () => {
  it("(c) drops a key the same user's listing no longer holds", async () => {
    const p = await providerAs(emu.managementKey);
    const { id, outs } = await up(p, { type: "WORKSPACE_MANAGE_ALL" });
    emu.revokeOutOfBand(id);
    const { result, lines } = await printed(async () => (await providerAs(emu.managementKey)).read!(id, outs));
    expect(result).toEqual({});
    // Refresh says what proved it, in destroy's words (issue 17 item 7); which proof counts is the evidence rule's.
    expect(lines).toMatch(new RegExp(`^Refresh dropped Baseten API key ${JSON.stringify(id)}: .+ \\(verified\\)\\.\\n$`));
  });

  it("keeps and fails on a member's personal key that another member cannot see", async () => {
    const owner = emu.addUser({ userId: "user-owner" });
    const other = emu.addUser({ userId: "user-other" });
    const { id, outs } = await up(await providerAs(owner.apiKey), { type: "PERSONAL" });
    const e = await failureOf((await providerAs(other.apiKey)).read!(id, outs));
    expect(e.message).toMatch(/^Refreshing Baseten API key ".+": Key ".+" is not in this management key's listing/);
    expect(e.message).toMatch(/Refresh keeps it rather than forget a key that may be live/);
    expect(live()).toEqual([id]);
  });

  it("(b) drops a 0.1.0 key (no seenBy) revoked out of band, on the audit log's word", async () => {
    const p = await providerAs(emu.managementKey);
    const { id, outs } = await up(p, { type: "WORKSPACE_INVOKE" });
    emu.revokeOutOfBand(id);
    const { result, lines } = await printed(async () => (await providerAs(emu.managementKey)).read!(id, asWrittenBy010(outs)));
    expect(result).toEqual({});
    expect(lines).toBe(
      `Refresh dropped Baseten API key ${JSON.stringify(id)}: Baseten's audit log records its revocation (verified).\n`,
    );
  });

  it("takes only the owner's listing as proof for a personal key, even after an admin last saw it", async () => {
    const member = emu.addUser({ userId: "user-member" });
    const theirs = emu.createKeyOutOfBand({ type: "PERSONAL", name: "laptop", userId: "user-member" });
    const adminP = await providerAs(emu.managementKey);
    const adopted = await up(adminP, { type: "PERSONAL", adoptPrefix: theirs.prefix });
    expect(adopted.outs).toMatchObject({ seenBy: EMULATOR_USER.user_id, ownerId: "user-member" });
    // Revoked where the audit log does not reach (a prefix the log never saw): the admin's
    // listing lacking it proves nothing...
    const hidden = { ...adopted.outs, prefix: "Gonezzzz" };
    const e = await failureOf((await providerAs(emu.managementKey)).read!("Gonezzzz", hidden));
    expect(e.message).toMatch(/only user user-member's listing can show it gone/);
    // ...but the owner's listing does.
    expect(await (await providerAs(member.apiKey)).read!("Gonezzzz", hidden)).toEqual({});
  });

  it("shares one /v1/users/me and one listing among many reads", async () => {
    const p = await providerAs(emu.managementKey);
    const made = [];
    for (let i = 0; i < 10; i++) made.push(await up(p, { type: "WORKSPACE_MANAGE_ALL" }));
    emu.clearLog();
    const fresh = await providerAs(emu.managementKey);
    await Promise.all(made.map(({ id, outs }) => fresh.read!(id, outs)));
    expect(emu.routeCounts()).toMatchObject({ "GET /v1/api_keys": 1, "GET /v1/users/me": 1, "GET /v1/audit_logs": 0 });
  });

  it("copies a shared failure per key instead of stacking every key's context on one message", async () => {
    const p = await providerAs(emu.managementKey);
    const a = await up(p, { type: "WORKSPACE_MANAGE_ALL" });
    const b = await up(p, { type: "WORKSPACE_MANAGE_ALL" });
    const wrong = await providerAs("fake-wrong-management-key-0123456789");
    const [ea, eb] = await Promise.all([failureOf(wrong.read!(a.id, a.outs)), failureOf(wrong.read!(b.id, b.outs))]);
    expect(ea.message).toMatch(new RegExp(`^Refreshing Baseten API key "${a.id}": Baseten answered HTTP 401`));
    expect(eb.message).toMatch(new RegExp(`^Refreshing Baseten API key "${b.id}": Baseten answered HTTP 401`));
    expect(ea.message).not.toContain(b.id);
    expect(ea.message).toMatch(/use the management key stored with the stack's last `pulumi up`.*--run-program/);
  });
});

describe("no replacement churn for the default team (issue 9.4)", () => {
  it("a teamless key listed under the default team refreshes to inputs that plan no change", async () => {
    const p = await providerAs(emu.managementKey);
    const news = { type: "WORKSPACE_INVOKE", modelIds: ["m1"], resourceName: "svc", providerVersion: PROVIDER_VERSION };
    const checked = await p.check!({} as never, news as never);
    const created = await p.create(checked.inputs as never);
    const read = await (await providerAs(emu.managementKey)).read!(created.id, created.outs as ApiKeyOutputs);
    expect(read.props).toMatchObject({ teamName: "default" });
    const again = await p.check!(read.inputs as never, news as never);
    expect(await p.diff!(created.id, read.props as ApiKeyOutputs, again.inputs as never)).toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
  });
});
