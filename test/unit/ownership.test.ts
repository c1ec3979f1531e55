/**
 * "Ownership proven by identity, never by name" (issue 15): a key is recognised by its owner's
 * user id, its team's id, the workspace of the user who saw it and the management key that
 * minted it, never by a name alone. Through the provider's lifecycle methods against the
 * emulator; each test fails on the provider of 0.2.0 (commit 7b5e49e).
 */
import type { ApiKeyOutputs } from "../../provider/core/keys/types";
import { PROVIDER_VERSION } from "../../provider/version";
import { failureOf } from "../support/failureOf";
import { printed } from "../support/printed";
import { configuredProvider, upKey } from "./providerHarness";
import { BasetenEmulator, WORKSPACE_NAME } from "../emulator";

let emu: BasetenEmulator;
beforeAll(async () => {
  emu = await BasetenEmulator.start({ rateLimitPerSecond: null });
});
afterAll(() => emu.stop());
beforeEach(() => emu.reset());

const providerAs = (apiKey: string, extra: Record<string, string> = {}) => configuredProvider(emu, extra, apiKey);
const live = () => emu.liveKeys().map((k) => k.prefix);

/** What destroy printed (the engine shows a dynamic provider's standard output). */
const printedBy = async (run: () => Promise<unknown>): Promise<string> => (await printed(run)).lines;

/** An `unconfirmed/<name>` entry as a create whose outcome stayed unknown stores it. */
function unconfirmedEntry(fields: Partial<ApiKeyOutputs> & { type: ApiKeyOutputs["type"]; name: string }): ApiKeyOutputs {
  return { autoName: false, providerVersion: PROVIDER_VERSION, prefix: "", apiKey: "", ...fields } as ApiKeyOutputs;
}

describe("item 1: a personal unconfirmed/<name> entry belongs to its recorded owner", () => {
  // README "Who sees what": "your personal API keys"; a name is unique per owner.
  it("another member's refresh and destroy keep the entry, fail naming the owner, and touch neither key", async () => {
    const a = emu.addUser({ userId: "user-a" });
    const b = emu.addUser({ userId: "user-b" });
    const minted = emu.createKeyOutOfBand({ type: "PERSONAL", name: "laptop", userId: "user-a" }); // A's late commit
    const bOwn = emu.createKeyOutOfBand({ type: "PERSONAL", name: "laptop", userId: "user-b" });
    const entry = unconfirmedEntry({
      type: "PERSONAL",
      name: "laptop",
      ownerId: "user-a",
      seenBy: "user-a",
      seenInWorkspace: WORKSPACE_NAME,
    });
    const asB = await providerAs(b.apiKey);
    const read = await failureOf(asB.read!("unconfirmed/laptop", entry));
    expect(read.message).toMatch(/personal key of Baseten user user-a.*belongs to user user-b.*kept in state/);
    const destroy = await failureOf(asB.delete!("unconfirmed/laptop", entry));
    expect(destroy.message).toMatch(/personal key of Baseten user user-a/);
    expect(live()).toEqual(expect.arrayContaining([minted.prefix, bOwn.prefix]));
    // The owner resolves it to the key A minted, and destroy names that prefix.
    const asA = await providerAs(a.apiKey);
    expect((await asA.read!("unconfirmed/laptop", entry)).id).toBe(minted.prefix);
    const lines = await printedBy(() => asA.delete!("unconfirmed/laptop", entry));
    expect(lines).toBe(
      `Revoked Baseten API key "${minted.prefix}" (state entry "unconfirmed/laptop"): Baseten's tombstone names it (verified).\n`,
    );
    expect(live()).toEqual([bOwn.prefix]);
  });

  it("an organization admin, who lists every member's personal keys, does not resolve a member's entry either", async () => {
    emu.addUser({ userId: "user-a" });
    emu.createKeyOutOfBand({ type: "PERSONAL", name: "laptop", userId: "user-a" });
    const entry = unconfirmedEntry({ type: "PERSONAL", name: "laptop", ownerId: "user-a" });
    const e = await failureOf((await providerAs(emu.managementKey)).read!("unconfirmed/laptop", entry));
    expect(e.message).toMatch(/only that user's management key can find or revoke it/);
  });

  it("a personal entry whose owner 0.1.0 did not record is kept, and the error says why", async () => {
    const mine = emu.createKeyOutOfBand({ type: "PERSONAL", name: "laptop" });
    const entry = unconfirmedEntry({ type: "PERSONAL", name: "laptop" });
    const e = await failureOf((await providerAs(emu.managementKey)).delete!("unconfirmed/laptop", entry));
    expect(e.message).toMatch(/owner was not recorded \(state written before 0.2.0\).*kept in state/);
    expect(live()).toEqual([mine.prefix]);
  });

  it("destroy prints no prefix for an entry proven never minted, and the prefix for a key revoked by its id", async () => {
    emu.setModes({ teamlessTeamName: "null" });
    const p = await providerAs(emu.managementKey);
    const { id, outs } = await upKey(p, { type: "WORKSPACE_MANAGE_ALL", name: "plain" });
    expect(await printedBy(() => p.delete!(id, outs))).toBe(
      `Revoked Baseten API key "${id}": Baseten's tombstone names it (verified).\n`,
    );
    emu.createKeyOutOfBand({ type: "WORKSPACE_MANAGE_ALL", name: "neighbour" }); // the listing covers the scope
    const entry = unconfirmedEntry({ type: "WORKSPACE_MANAGE_ALL", name: "never" });
    expect(await printedBy(() => p.delete!("unconfirmed/never", entry))).toBe(
      `No Baseten API key to revoke for "unconfirmed/never": no key of its name was ever listed (verified).\n`,
    );
  });
});

describe("item 2: a listing proves coverage and absence only by identity", () => {
  // Mode teamlessRights "separate" (default): managing teamless keys and managing the default
  // team's keys are different rights (spec: "the workspace and team API keys you can manage").
  it("records no witness for a teamless key from keys listed under the default team's name", async () => {
    const member = emu.addUser({ userId: "user-member", manages: ["team-default"] });
    emu.createKeyOutOfBand({ type: "WORKSPACE_MANAGE_ALL", name: "team-own", teamId: "team-default" });
    const { id, outs } = await upKey(await providerAs(member.apiKey), { type: "WORKSPACE_MANAGE_ALL", name: "teamless" });
    expect(outs.seenBy).toBeUndefined();
    // The member's listing never shows the live teamless key: its refresh must not drop it.
    const e = await failureOf((await providerAs(member.apiKey)).read!(id, outs));
    expect(e.message).toMatch(/no Baseten user's listing is known to have held it/);
    expect(live()).toContain(id);
  });

  it("records a witness only from a listed key of the same type in the same team (by id)", async () => {
    const p = await providerAs(emu.managementKey);
    emu.createKeyOutOfBand({ type: "WORKSPACE_EXPORT_METRICS", name: "other-type", teamId: "team-ml" });
    const first = await upKey(p, { type: "WORKSPACE_INVOKE", teamName: "ml-platform" });
    expect(first.outs.seenBy).toBeUndefined();
    const second = await upKey(await providerAs(emu.managementKey), { type: "WORKSPACE_INVOKE", teamId: "team-ml" });
    expect(second.outs).toMatchObject({ seenBy: "user-emulator", seenInWorkspace: WORKSPACE_NAME });
  });

  it.each([
    ["renamed", "renamed-workspace", /workspace is "renamed-workspace", but it was seen in workspace "emulated-workspace"/],
    ["named by none", null, /names no workspace for this management key/],
  ] as const)("keeps a key when the caller's workspace is %s (the listing proves nothing)", async (_what, workspace, why) => {
    const p = await providerAs(emu.managementKey);
    const { id, outs } = await upKey(p, { type: "PERSONAL", name: "mine" });
    expect(outs.seenInWorkspace).toBe(WORKSPACE_NAME);
    emu.revokeOutOfBand(id);
    emu.renameWorkspace(workspace);
    emu.setModes({ auditSearch: "names" }); // only the listing could prove it: the audit log has no match by search
    const e = await failureOf((await providerAs(emu.managementKey)).read!(id, { ...outs, mintedAfter: Date.now() + 3_600_000 }));
    expect(e.message).toMatch(why);
  });
});

describe("item 3: an unconfirmed/<name> entry's team is its id", () => {
  // README "Identity": "A team is its id; its name can be changed in the UI"; the listing names
  // teams only by team_name.
  it("follows a renamed team, and never takes a same-named key of another team now bearing the old name", async () => {
    const ours = emu.createKeyOutOfBand({ type: "WORKSPACE_INVOKE", name: "svc", teamId: "team-ml" });
    emu.putTeam("team-ml", "ml-renamed");
    emu.putTeam("team-new", "ml-platform");
    const theirs = emu.createKeyOutOfBand({ type: "WORKSPACE_INVOKE", name: "svc", teamId: "team-new" });
    const entry = unconfirmedEntry({ type: "WORKSPACE_INVOKE", name: "svc", teamId: "team-ml", teamName: "ml-platform" });
    const p = await providerAs(emu.managementKey);
    expect((await p.read!("unconfirmed/svc", entry)).id).toBe(ours.prefix);
    await p.delete!("unconfirmed/svc", entry);
    expect(live()).toEqual([theirs.prefix]);
  });

  it("keeps the entry and says why when the key's team name is shared by several teams", async () => {
    const key = emu.createKeyOutOfBand({ type: "WORKSPACE_INVOKE", name: "svc", teamId: "team-dup-2" });
    const entry = unconfirmedEntry({ type: "WORKSPACE_INVOKE", name: "svc", teamId: "team-dup-1", teamName: "dup" });
    const p = await providerAs(emu.managementKey);
    const e = await failureOf(p.delete!("unconfirmed/svc", entry));
    expect(e.message).toMatch(/listed under team "dup", a name 2 teams share/);
    expect(live()).toEqual([key.prefix]);
  });
});

/** What the program gave: the checked inputs without what check generated. */
function programOf(inputs: Record<string, unknown>): Record<string, unknown> {
  const program = { ...inputs };
  if (program.autoName === true) delete program.name;
  delete program.autoName;
  return program;
}

describe("item 5: naming the same team by id instead of by name", () => {
  it("is an in-place update that records the new selector and writes nothing", async () => {
    const p = await providerAs(emu.managementKey);
    const { id, inputs, outs } = await upKey(p, { type: "WORKSPACE_INVOKE", teamName: "ml-platform", nameScope: "proj/dev" });
    const news = { ...programOf(inputs), teamName: undefined, teamId: "team-ml" };
    const checked = await p.check!(inputs as never, news as never);
    expect((checked.inputs as unknown as ApiKeyOutputs).name).toBe(outs.name); // the generated name is kept
    const decision = await p.diff!(id, outs, checked.inputs as never);
    expect(decision).toMatchObject({ changes: true, replaces: [] });
    emu.clearLog();
    const updated = await p.update!(id, outs, checked.inputs as never);
    expect(updated.outs).toMatchObject({ teamSelector: "teamId", teamId: "team-ml", teamName: "ml-platform" });
    expect(emu.requestLog().filter((r) => r.method !== "GET")).toEqual([]);
    expect(live()).toEqual([id]);
  });

  it("holds for an adopted key too: adoption records the team's id, and adopts by id, never by a team name", async () => {
    const key = emu.createKeyOutOfBand({ type: "WORKSPACE_INVOKE", name: "adopted", teamId: "team-ml" });
    const p = await providerAs(emu.managementKey);
    const { id, inputs, outs } = await upKey(p, { type: "WORKSPACE_INVOKE", teamName: "ml-platform", adoptPrefix: key.prefix });
    expect(outs).toMatchObject({ teamId: "team-ml", teamSelector: "teamName" });
    const news = { ...programOf(inputs), teamName: undefined, teamId: "team-ml" };
    const checked = await p.check!(inputs as never, news as never);
    expect(await p.diff!(id, outs, checked.inputs as never)).toMatchObject({ replaces: [] });
    // A key of a team renamed to the name the program gives is not that team's key.
    emu.putTeam("team-ml", "ml-renamed");
    emu.putTeam("team-new", "ml-platform");
    const other = emu.createKeyOutOfBand({ type: "WORKSPACE_INVOKE", name: "other", teamId: "team-ml" });
    const e = await failureOf(
      upKey(await providerAs(emu.managementKey), {
        type: "WORKSPACE_INVOKE",
        teamName: "ml-platform",
        adoptPrefix: other.prefix,
      }),
    );
    expect(e.message).toMatch(/team is "ml-renamed" \(id team-ml\), the program says team team-new/);
  });

  it("refuses the switch when the name now names another team than the key's", async () => {
    const p = await providerAs(emu.managementKey);
    const { id, inputs, outs } = await upKey(p, { type: "WORKSPACE_INVOKE", teamId: "team-ml", name: "fixed" });
    emu.putTeam("team-ml", "ml-renamed");
    emu.putTeam("team-new", "ml-platform");
    const news = { ...programOf(inputs), teamId: undefined, teamName: "ml-platform" };
    const checked = await p.check!(inputs as never, news as never);
    expect((await p.diff!(id, outs, checked.inputs as never)).replaces).toEqual([]);
    const e = await failureOf((await providerAs(emu.managementKey)).update!(id, outs, checked.inputs as never));
    expect(e.message).toMatch(/names team team-new .* created in team team-ml/);
  });
});

describe("item 8: create recovery asks the audit log who minted the key it finds", () => {
  // Spec AuditLogActorV1: "Prefix of the acting API key, when the actor is an API key".
  it("does not take as its own a key another actor minted under the name since the command's listing", async () => {
    const ours = emu.addUser({ userId: "user-ours", admin: true, apiKey: "ourmgmt1.fakefakefakefakefakefakefake" });
    const p = await providerAs(ours.apiKey, { "baseten:maxRetries": "0" });
    await upKey(p, { type: "WORKSPACE_MANAGE_ALL", name: "first" }); // the command's one listing is made here
    const theirs = emu.createKeyOutOfBand({ type: "WORKSPACE_MANAGE_ALL", name: "second" }); // in Baseten's UI, meanwhile
    emu.injectFault({ kind: "serverError", method: "POST" }); // our POST: outcome unknown, nothing committed
    const e = await failureOf(upKey(p, { type: "WORKSPACE_MANAGE_ALL", name: "second" }));
    expect(e.message).toMatch(/minted by a user in Baseten's UI, not by this management key.*left alone/);
    expect((e as { id?: string }).id).toBeUndefined(); // not kept in state, so no later `up` revokes it
    expect(live()).toContain(theirs.prefix);
  });

  it("takes a key this management key minted after the create began (a late commit) as its own", async () => {
    const ours = emu.addUser({ userId: "user-ours", admin: true, apiKey: "ourmgmt1.fakefakefakefakefakefakefake" });
    const p = await providerAs(ours.apiKey, { "baseten:maxRetries": "0" });
    emu.injectFault({ kind: "respond", status: 500, body: '{"error":"x"}', afterCommit: true, method: "POST" });
    const e = await failureOf(upKey(p, { type: "WORKSPACE_MANAGE_ALL", name: "mine" }));
    const [key] = emu.liveKeys();
    expect((e as { id?: string }).id).toBe(key.prefix);
    expect(e.message).toMatch(/did mint key/);
  });
});

describe("an unconfirmed/<name> entry never resolves to a key the audit log shows another actor minted", () => {
  // Issue 16: nothing may revoke a key on the strength of its name alone. Spec AuditLogSourceV1
  // and AuditLogActorV1: a key made in Baseten's UI has source UI; this provider mints via the API.
  it("refresh and destroy keep the entry and leave a colleague's key of that name alone", async () => {
    const ours = emu.addUser({ userId: "user-ours", admin: true, apiKey: "ourmgmt1.fakefakefakefakefakefakefake" });
    const entry = unconfirmedEntry({ type: "WORKSPACE_MANAGE_ALL", name: "ci", seenBy: "user-ours", mintedAfter: Date.now() });
    const theirs = emu.createKeyOutOfBand({ type: "WORKSPACE_MANAGE_ALL", name: "ci" }); // our POST never committed
    const p = await providerAs(ours.apiKey);
    const refresh = await failureOf(p.read!("unconfirmed/ci", entry));
    expect(refresh.message).toMatch(
      /key \w+ holds the name "ci", but Baseten's audit log shows it minted by a user in Baseten's UI.*kept in state/,
    );
    const destroy = await failureOf((await providerAs(ours.apiKey)).delete!("unconfirmed/ci", entry));
    expect(destroy.message).toMatch(/Cannot revoke "unconfirmed\/ci".*minted by a user in Baseten's UI/);
    expect(live()).toContain(theirs.prefix);
  });
});
