/**
 * Creates that never claim another's key or strand their own (issue 10), through the
 * provider's lifecycle methods against the emulator. Sources for the emulator's behaviours:
 * ../shared/baseten/README.md ("names are unique among live keys of a scope; a second POST of
 * a live name gets a 4xx", "a create can time out on our side and still commit at Baseten
 * later", "a 200 can carry a body that is not JSON", admins' listings hold members' personal
 * keys with `owner`).
 */
import { BasetenClient } from "../../provider/client/baseten";
import type { FetchLike } from "../../provider/client/http";
import { createKey } from "../../provider/core/keys/create";
import { ProviderRuntime } from "../../provider/core/runtime";
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
const up = upKey;

const counts = () => emu.routeCounts();
const liveNamed = (name: string) => emu.liveKeys().filter((k) => k.name === name);
/** A client timeout short enough for a held (lateCommit) request to fail on the client. */
const SHORT_TIMEOUT = { "baseten:timeoutSeconds": "0.5", "baseten:maxRetries": "0" };

describe("request counts", () => {
  it("costs one POST per key plus one listing and one /v1/users/me per process", async () => {
    const p = await providerAs(emu.managementKey);
    for (let i = 0; i < 5; i++) await up(p, { type: "WORKSPACE_MANAGE_ALL" });
    expect(counts()).toMatchObject({ "POST /v1/api_keys": 5, "GET /v1/api_keys": 1, "GET /v1/users/me": 1 });
  });
});

describe("never claim or revoke a key that is not ours (10.1)", () => {
  it("refuses, before any POST, a name already live in the create's scope, naming the key and the fixes", async () => {
    const p = await providerAs(emu.managementKey);
    const existing = emu.createKeyOutOfBand({ type: "WORKSPACE_MANAGE_ALL", name: "deployer" });
    const e = await failureOf(up(p, { type: "WORKSPACE_INVOKE", name: "deployer" }));
    expect(e.message).toMatch(
      new RegExp(
        `name: a live key named "deployer" already exists in the workspace .*prefix ${existing.prefix}.*adoptPrefix.*Nothing was sent`,
      ),
    );
    expect(counts()["POST /v1/api_keys"]).toBe(0);
  });

  it("creates a personal key of a name another member's personal key has (other owner, other scope)", async () => {
    emu.addUser({ userId: "user-member" });
    const theirs = emu.createKeyOutOfBand({ type: "PERSONAL", name: "ci", userId: "user-member" });
    const p = await providerAs(emu.managementKey); // an admin: its listing holds the member's key
    const { id } = await up(p, { type: "PERSONAL", name: "ci" });
    expect(
      liveNamed("ci")
        .map((k) => k.prefix)
        .sort(),
    ).toEqual([id, theirs.prefix].sort());
  });

  it("after a 5xx, finds its own key by name and never the member's same-named personal key", async () => {
    emu.addUser({ userId: "user-member" });
    const theirs = emu.createKeyOutOfBand({ type: "PERSONAL", name: "ci", userId: "user-member" });
    const p = await providerAs(emu.managementKey);
    emu.injectFault({ kind: "serverError", method: "POST" });
    const { id } = await up(p, { type: "PERSONAL", name: "ci" });
    expect(counts()["POST /v1/api_keys"]).toBe(2);
    expect(
      emu
        .liveKeys()
        .map((k) => k.prefix)
        .sort(),
    ).toEqual([id, theirs.prefix].sort());
  });

  it("resolves an unconfirmed/<name> id to its own scope's key, not a same-named key in another team", async () => {
    emu.createKeyOutOfBand({ type: "WORKSPACE_INVOKE", name: "svc-key", teamId: "team-ml" });
    const p = await providerAs(emu.managementKey);
    const stored = {
      type: "WORKSPACE_INVOKE",
      name: "svc-key",
      autoName: false,
      providerVersion: PROVIDER_VERSION,
      prefix: "",
      apiKey: "",
      seenBy: "user-emulator",
      seenInWorkspace: WORKSPACE_NAME,
    } as ApiKeyOutputs;
    // Nothing of that name in the workspace scope: the same user's listing proves none was minted.
    const { result, lines } = await printed(() => p.read!("unconfirmed/svc-key", stored));
    expect(result).toEqual({});
    expect(lines).toBe('Refresh dropped Baseten API key "unconfirmed/svc-key": no key of its name was ever listed (verified).\n');
    await expect(p.delete!("unconfirmed/svc-key", stored)).resolves.toBeUndefined();
    expect(liveNamed("svc-key")).toHaveLength(1);
  });
});

describe("generated names", () => {
  it("takes the first free <name>-r<n> when its derived name is still held in its scope (pulumi up --replace)", async () => {
    const p = await providerAs(emu.managementKey);
    const first = await up(p, { type: "WORKSPACE_MANAGE_ALL", nameScope: "proj/dev" });
    // The same inputs again, as a forced replacement re-creates them before revoking the old key.
    const again = await up(await providerAs(emu.managementKey), { type: "WORKSPACE_MANAGE_ALL", nameScope: "proj/dev" });
    expect(again.outs.name).toBe(`${first.outs.name}-r1`);
    const third = await up(await providerAs(emu.managementKey), { type: "WORKSPACE_MANAGE_ALL", nameScope: "proj/dev" });
    expect(third.outs.name).toBe(`${first.outs.name}-r2`);
  });

  it("reports no change when the stored name carries -r<n> and the inputs are the same", async () => {
    const p = await providerAs(emu.managementKey);
    const news = { type: "WORKSPACE_MANAGE_ALL", nameScope: "proj/dev", resourceName: "svc", providerVersion: PROVIDER_VERSION };
    await up(p, news);
    const replaced = await up(await providerAs(emu.managementKey), news);
    const checked = await p.check!(
      { ...news, name: replaced.outs.name.replace(/-r1$/, ""), autoName: true } as never,
      news as never,
    );
    expect(await p.diff!(replaced.id, replaced.outs, checked.inputs as never)).toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
  });
});

describe("keys holding a resource's derived name are named, never revoked (issue 16)", () => {
  const news = { type: "WORKSPACE_MANAGE_ALL", nameScope: "proj/dev" };
  /** What the provider printed on standard output during `run` (the engine shows it). */
  async function printed<T>(run: () => Promise<T>): Promise<{ result: T; lines: string[] }> {
    const spy = jest.spyOn(process.stdout, "write").mockImplementation(() => true);
    try {
      const result = await run();
      const lines = spy.mock.calls.map((c) => String(c[0])).filter((l) => l.includes("Baseten API key"));
      return { result, lines };
    } finally {
      spy.mockRestore();
    }
  }

  it("a create that takes <name>-r1 prints one line naming the holder, that it is not this resource's key, and the recovery", async () => {
    // The key an interrupted create minted under the derived name: live, tracked nowhere.
    const first = await up(await providerAs(emu.managementKey), news);
    const { result, lines } = await printed(async () => up(await providerAs(emu.managementKey), news));
    expect(result.outs.name).toBe(`${first.outs.name}-r1`);
    expect(lines).toEqual([
      `Baseten API key ${JSON.stringify(first.id)} named ${JSON.stringify(first.outs.name)} ` +
        // The emulator's management key has no `<prefix>.` part, so its audit entries name no prefix.
        `(minted by an API key whose prefix the log does not give, as Baseten's audit log records) holds this resource's derived name ` +
        `and is not this resource's key, so this key is named ${JSON.stringify(result.outs.name)}. If no resource of any stack ` +
        `has id ${JSON.stringify(first.id)} (pulumi stack export), it is left from an interrupted create: ` +
        '`npx baseten-recover --stack dev` shows such keys and revokes them (README: "Recovering from a crash").\n',
    ]);
    expect(
      emu
        .liveKeys()
        .map((k) => k.prefix)
        .sort(),
    ).toEqual([first.id, result.id].sort()); // nothing revoked
  });

  it("a refresh of a resource whose derived name is held by another live key says the same; without one it says nothing", async () => {
    const first = await up(await providerAs(emu.managementKey), news);
    const second = await up(await providerAs(emu.managementKey), news); // takes -r1
    const refreshed = await printed(async () => (await providerAs(emu.managementKey)).read!(second.id, second.outs));
    expect(refreshed.result).toMatchObject({ id: second.id });
    expect(refreshed.lines).toHaveLength(1);
    expect(refreshed.lines[0]).toMatch(
      new RegExp(`^Baseten API key "${first.id}" named "${first.outs.name}" .*is not this resource's key\\. .*--stack dev`),
    );
    // The first resource's refresh names the -r1 key: it holds one of the first's names too.
    const ofFirst = await printed(async () => (await providerAs(emu.managementKey)).read!(first.id, first.outs));
    expect(ofFirst.lines).toHaveLength(1);
    expect(ofFirst.lines[0]).toMatch(
      new RegExp(`^Baseten API key "${second.id}" named "${second.outs.name}" \\(minted by .*\\) holds`),
    );
    emu.revokeOutOfBand(second.id);
    const alone = await printed(async () => (await providerAs(emu.managementKey)).read!(first.id, first.outs));
    expect(alone.lines).toEqual([]);
    expect(emu.liveKeys().map((k) => k.prefix)).toEqual([first.id]);
  });
});

describe("late commits end tracked (10.2)", () => {
  it("a generated name: the timed-out POST commits later; the next POST collides; the listing finds ours; mint again", async () => {
    const p = await providerAs(emu.managementKey, SHORT_TIMEOUT);
    // The held POST commits just before the 2nd request after it: after the listing, before the re-POST.
    emu.injectFault({ kind: "lateCommit", afterRequests: 2, method: "POST" });
    const { id, outs } = await up(p, { type: "WORKSPACE_MANAGE_ALL" });
    const named = emu.allKeys().filter((k) => k.name === outs.name);
    expect(named.filter((k) => !k.revoked).map((k) => k.prefix)).toEqual([id]);
    expect(named.filter((k) => k.revoked)).toHaveLength(1); // the late commit, revoked with its tombstone verified
    expect(outs.apiKey).toBe(named.find((k) => k.prefix === id)!.apiKey);
  });

  it("an explicit name: the late commit is ours and is kept in state with its prefix, never left untracked", async () => {
    const p = await providerAs(emu.managementKey, SHORT_TIMEOUT);
    emu.injectFault({ kind: "lateCommit", afterRequests: 2, method: "POST" });
    const e = await failureOf(up(p, { type: "WORKSPACE_MANAGE_ALL", name: "fixed" }));
    const [key] = liveNamed("fixed");
    expect(e.id).toBe(key.prefix);
    expect(e.properties).toMatchObject({ prefix: key.prefix, apiKey: "", name: "fixed" });
    expect(e.message).toMatch(/Baseten did mint key .* the next `pulumi up` replaces it/);
  });

  it.each([400, 409, 422] as const)(
    "takes a %s duplicate-name answer after an uncertain POST as our late commit",
    async (status) => {
      emu.setModes({ duplicateNameStatus: status });
      const p = await providerAs(emu.managementKey, SHORT_TIMEOUT);
      emu.injectFault({ kind: "lateCommit", afterRequests: 2, method: "POST" });
      const e = await failureOf(up(p, { type: "WORKSPACE_MANAGE_ALL", name: "dupe" }));
      expect(e.id).toBe(liveNamed("dupe")[0].prefix);
    },
  );

  it.each([
    ["a 429 whose wait passes the budget", { kind: "rateLimited", retryAfterSeconds: 3600 }],
    ["a 401", { kind: "respond", status: 401, body: '{"error":"Invalid API key"}' }],
    ["a 404", { kind: "respond", status: 404, body: '{"detail":"Not Found"}' }],
  ] as const)("keeps the create as unconfirmed/<name> when the POST after an uncertain one gets %s", async (_what, second) => {
    const p = await providerAs(emu.managementKey, SHORT_TIMEOUT);
    emu.injectFault({ kind: "lateCommit", afterRequests: 1000, method: "POST" });
    emu.injectFault({ ...second, method: "POST" });
    const e = await failureOf(up(p, { type: "WORKSPACE_MANAGE_ALL", name: "second-fails" }));
    expect(e.id).toBe("unconfirmed/second-fails");
    expect(emu.runLateCommits()).toBe(1); // the first POST commits later: still tracked by name
    const read = await (
      await providerAs(emu.managementKey)
    ).read!("unconfirmed/second-fails", e.properties as unknown as ApiKeyOutputs);
    expect(read.id).toBe(liveNamed("second-fails")[0].prefix);
  });

  it("keeps our late-committed key with its prefix when revoking it (to mint again) fails", async () => {
    const p = await providerAs(emu.managementKey, { ...SHORT_TIMEOUT, "baseten:maxRetries": "0" });
    emu.injectFault({ kind: "lateCommit", afterRequests: 2, method: "POST" });
    emu.injectFault({ kind: "serverError", method: "DELETE" });
    const e = await failureOf(up(p, { type: "WORKSPACE_MANAGE_ALL" }));
    const [key] = emu.liveKeys();
    expect(e.id).toBe(key.prefix);
    expect(e.message).toMatch(/Revoking it to mint again failed \(500\)/);
  });

  it("replaces an unconfirmed/<name> entry delete-first, so revoking by name never finds its replacement", async () => {
    // A teamless key listed with no team (the workspace lists teamless keys so): the caller's
    // listing covers the scope.
    emu.setModes({ teamlessTeamName: "null" });
    const p = await providerAs(emu.managementKey, SHORT_TIMEOUT);
    emu.createKeyOutOfBand({ type: "WORKSPACE_MANAGE_ALL", name: "neighbour" });
    emu.injectFault({ kind: "lateCommit", afterRequests: 1000, method: "POST", times: 3 });
    const news = { type: "WORKSPACE_MANAGE_ALL", nameScope: "proj/dev", resourceName: "svc", providerVersion: PROVIDER_VERSION };
    const e = await failureOf(up(p, news));
    expect(e.id).toMatch(/^unconfirmed\/svc-[a-z0-9]{7}$/);
    const stored = e.properties as unknown as ApiKeyOutputs;
    const checked = await p.check!(stored as never, news as never);
    expect(await p.diff!(e.id!, stored, checked.inputs as never)).toMatchObject({
      replaces: ["apiKey"],
      deleteBeforeReplace: true,
    });
    // As the engine then runs it: the old entry goes first (nothing of its name is live), then
    // the replacement takes the same derived name.
    await expect(p.delete!(e.id!, stored)).resolves.toBeUndefined();
    const replacement = await up(await providerAs(emu.managementKey), news);
    expect(replacement.outs.name).toBe(stored.name);
    expect(
      emu
        .liveKeys()
        .filter((k) => k.name !== "neighbour")
        .map((k) => k.prefix),
    ).toEqual([replacement.id]);
  });

  it("never concludes 'none was minted': a POST whose outcome stays unknown is kept as unconfirmed/<name>", async () => {
    const p = await providerAs(emu.managementKey, SHORT_TIMEOUT);
    emu.injectFault({ kind: "lateCommit", afterRequests: 1000, method: "POST", times: 3 });
    const e = await failureOf(up(p, { type: "WORKSPACE_MANAGE_ALL", name: "pending" }));
    expect(e.id).toBe("unconfirmed/pending");
    expect(e.message).toMatch(/may still commit it/);
    // Later the first POST commits; refresh finds it by name and tracks its prefix.
    expect(emu.runLateCommits()).toBe(3);
    const [key] = liveNamed("pending");
    const read = await (
      await providerAs(emu.managementKey)
    ).read!("unconfirmed/pending", e.properties as unknown as ApiKeyOutputs);
    expect(read.id).toBe(key.prefix);
  });
});

describe("certain failures are not uncertain (10.3)", () => {
  // A refused connection cannot be produced by a live server, so the POST alone goes through a
  // fetch that fails as Node does; every other request reaches the emulator.
  const refusingPosts = (code: string) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const realFetch = require("node-fetch") as FetchLike;
    const fetch: FetchLike = async (url, init) => {
      if (init.method === "POST") throw Object.assign(new Error(`connect ${code} 127.0.0.1`), { code });
      return realFetch(url, init);
    };
    const client = new BasetenClient({ baseUrl: emu.url, apiKey: emu.managementKey, fetch, retry: { maxRetries: 0 } });
    return new ProviderRuntime(
      { apiKey: emu.managementKey, apiUrl: emu.url, timeoutMs: 2000, maxRetries: 0, retryBudgetMs: 0 },
      client,
    );
  };

  it.each(["ECONNREFUSED", "ENOTFOUND"])("fails plainly after %s, keeping nothing in state", async (code) => {
    const inputs = { type: "PERSONAL", name: "refused", autoName: false, providerVersion: PROVIDER_VERSION } as const;
    const e = await failureOf(createKey(refusingPosts(code), inputs, "provider-text"));
    expect(e.id).toBeUndefined();
    expect(e.message).toMatch(new RegExp(`POST /v1/api_keys was never sent: ${code}`));
    expect(counts()["GET /v1/api_keys"]).toBe(1); // the listing before the POST, and no recovery listing
  });

  it("but a connection reset after sending is uncertain, and recovered by listing", async () => {
    const p = await providerAs(emu.managementKey);
    emu.injectFault({ kind: "reset", afterCommit: true, method: "POST" });
    const e = await failureOf(up(p, { type: "PERSONAL", name: "reset-after" }));
    expect(e.id).toBe(liveNamed("reset-after")[0].prefix);
  });
});

describe("errors carry no plaintext (10.4)", () => {
  it("never quotes a non-JSON 200 that holds the minted key, and keeps that key tracked", async () => {
    const p = await providerAs(emu.managementKey);
    emu.injectFault({ kind: "nonJson", afterCommit: true, method: "POST" });
    const e = await failureOf(up(p, { type: "WORKSPACE_MANAGE_ALL", name: "garbled" }));
    const [key] = liveNamed("garbled");
    expect(e.message).not.toContain(key.apiKey.split(".")[1]);
    expect(JSON.stringify(e.properties)).not.toContain(key.apiKey.split(".")[1]);
    expect(e.message).toMatch(/not JSON .*not shown/);
    expect(e.id).toBe(key.prefix);
  });

  it("masks anything shaped <prefix>.<secret> in a quoted error body", async () => {
    const p = await providerAs(emu.managementKey);
    emu.injectFault({
      kind: "respond",
      status: 400,
      method: "POST",
      body: JSON.stringify({ error: "key AbCdEfGh.abcdefghijklmnopqrstuvwxyz0123 rejected" }),
    });
    const e = await failureOf(up(p, { type: "PERSONAL", name: "masked" }));
    expect(e.message).toContain("AbCdEfGh.[REDACTED]");
    expect(e.message).not.toContain("abcdefghijklmnopqrstuvwxyz0123");
  });
});

describe("a 422's detail list (10.6)", () => {
  it("names each field and Baseten's words", async () => {
    const p = await providerAs(emu.managementKey);
    emu.injectFault({
      kind: "respond",
      status: 422,
      method: "POST",
      body: JSON.stringify({
        detail: [
          { loc: ["body", "name"], msg: "String should match pattern '^[a-z0-9-]+$'", type: "string_pattern_mismatch" },
          { loc: ["body", "model_ids", 0], msg: "Input should be a valid string", type: "string_type" },
        ],
      }),
    });
    const e = await failureOf(up(p, { type: "WORKSPACE_INVOKE", name: "fine", modelIds: ["m1"] }));
    expect(e.message).toMatch(
      /HTTP 422: field "name" \(body\): String should match pattern .*; field "model_ids\.0" \(body\): Input should be a valid string/,
    );
  });
});
