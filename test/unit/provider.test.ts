/**
 * The dynamic provider's lifecycle methods, called as the engine's provider host calls them,
 * against the real emulator over loopback HTTP.
 */
import { createApiKeyProvider } from "../../provider/apiKey/provider";
import { PROVIDER_VERSION } from "../../provider/version";
import { failureOf } from "../support/failureOf";
import { configuredProvider, upKey } from "./providerHarness";
import { BasetenEmulator } from "../emulator";

let emu: BasetenEmulator;
beforeAll(async () => {
  emu = await BasetenEmulator.start();
});
afterAll(() => emu.stop());
beforeEach(() => emu.reset());

const VERSION = PROVIDER_VERSION;

const configured = (extra: Record<string, string> = {}) => configuredProvider(emu, extra);
const up = upKey;
const counts = () => emu.routeCounts();

describe("create", () => {
  it("mints a personal key with one POST; the id is the prefix", async () => {
    const p = await configured();
    const { id, outs } = await up(p, { type: "PERSONAL" });
    expect(counts()["POST /v1/api_keys"]).toBe(1);
    const live = emu.liveKeys();
    expect(live).toHaveLength(1);
    expect(id).toBe(live[0].prefix);
    expect(outs).toMatchObject({ prefix: id, apiKey: live[0].apiKey, type: "PERSONAL", autoName: true });
    expect(outs.name).toBe(live[0].name);
    expect(outs.name).toMatch(/^svc-[a-z0-9]{7}$/);
  });
  it("scopes an invoke key to models", async () => {
    const p = await configured();
    const { outs } = await up(p, { type: "WORKSPACE_INVOKE", modelIds: ["m1", "m2"], name: "invoke-two" });
    expect(emu.liveKeys()[0]).toMatchObject({ name: "invoke-two", modelIds: ["m1", "m2"] });
    expect(outs.modelIds).toEqual(["m1", "m2"]);
  });
  it("resolves teamName with GET /v1/teams?name= and creates on the team route", async () => {
    const p = await configured();
    const { outs } = await up(p, { type: "WORKSPACE_INVOKE", teamName: "ml-platform" });
    expect(outs).toMatchObject({ teamId: "team-ml", teamName: "ml-platform", teamSelector: "teamName" });
    expect(counts()["GET /v1/teams"]).toBe(1);
    expect(counts()["POST /v1/teams/{team_id}/api_keys"]).toBe(1);
    expect(emu.liveKeys()[0].teamId).toBe("team-ml");
  });
  it("fails clearly when no team has the name, sending no POST", async () => {
    const p = await configured();
    const e = await failureOf(up(p, { type: "WORKSPACE_INVOKE", teamName: "nope" }));
    expect(e.message).toMatch(/teamName: no Baseten team is named "nope"/);
    expect(emu.allKeys()).toEqual([]);
  });
  it("fails clearly when several teams have the name", async () => {
    const p = await configured();
    const e = await failureOf(up(p, { type: "WORKSPACE_INVOKE", teamName: "dup" }));
    expect(e.message).toMatch(/2 Baseten teams are named "dup" \(ids team-dup-1, team-dup-2\); set teamId/);
  });
  it("names both ways to set a missing management key", async () => {
    const p = createApiKeyProvider();
    const saved = process.env.BASETEN_API_KEY;
    delete process.env.BASETEN_API_KEY;
    try {
      const e = await failureOf(p.create({ type: "PERSONAL", name: "x", autoName: false, providerVersion: VERSION }));
      expect(e.message).toMatch(/baseten:apiKey.*BASETEN_API_KEY/);
    } finally {
      if (saved !== undefined) process.env.BASETEN_API_KEY = saved;
    }
  });
  it("recovers a generated-name create that timed out after Baseten minted: revokes the orphan, mints again", async () => {
    const p = await configured({ "baseten:timeoutSeconds": "0.3" });
    emu.injectFault({ kind: "latency", ms: 1500, afterCommit: true, method: "POST" });
    const { id, outs } = await up(p, { type: "PERSONAL" });
    const live = emu.liveKeys();
    expect(live).toHaveLength(1);
    expect(live[0].prefix).toBe(id);
    expect(outs.apiKey).toBe(live[0].apiKey);
    expect(emu.allKeys().filter((k) => k.revoked)).toHaveLength(1);
  });
  it("keeps an explicitly named key minted by a timed-out create in state instead of forgetting it", async () => {
    const p = await configured({ "baseten:timeoutSeconds": "0.3" });
    emu.injectFault({ kind: "latency", ms: 1500, afterCommit: true, method: "POST" });
    const e = (await failureOf(up(p, { type: "PERSONAL", name: "fixed-name" }))) as Error & {
      id?: string;
      properties?: Record<string, unknown>;
    };
    const live = emu.liveKeys();
    expect(live).toHaveLength(1);
    expect(e.id).toBe(live[0].prefix);
    expect(e.properties).toMatchObject({ prefix: live[0].prefix, apiKey: "", __provider: "serialized-provider-text" });
    expect(e.message).toMatch(/kept in state/);
  });
  it("sends the POST again when a 5xx left no key behind", async () => {
    const p = await configured();
    emu.injectFault({ kind: "serverError", method: "POST" });
    await up(p, { type: "PERSONAL" });
    expect(counts()["POST /v1/api_keys"]).toBe(2);
    expect(emu.liveKeys()).toHaveLength(1);
  });
  it("keeps a key whose 200 answer had no readable prefix as unconfirmed/<name>, never forgetting it", async () => {
    const p = await configured();
    emu.injectFault({ kind: "respond", status: 200, body: '{"api_key":"nodot"}', method: "POST" });
    const e = (await failureOf(up(p, { type: "PERSONAL", name: "named-key" }))) as Error & { id?: string };
    expect(e.id).toBe("unconfirmed/named-key");
    expect(e.message).toMatch(/may have been minted.*kept in state as "unconfirmed\/named-key"/);
  });
});

describe("read", () => {
  it("refreshes fields, keeps the plaintext from state and returns the inputs", async () => {
    const p = await configured();
    const { id, outs, inputs } = await up(p, { type: "WORKSPACE_INVOKE", modelIds: ["m2", "m1"], teamName: "ml-platform" });
    const read = await p.read!(id, outs);
    expect(read.id).toBe(id);
    expect(read.props).toMatchObject({ apiKey: outs.apiKey, name: outs.name, modelIds: ["m2", "m1"], teamName: "ml-platform" });
    const { __provider, ...expectedInputs } = inputs;
    expect(__provider).toBeDefined();
    expect(read.inputs).toEqual(expectedInputs);
  });
  it("returns no id when the key was revoked behind Pulumi's back", async () => {
    const p = await configured();
    const { id, outs } = await up(p, { type: "PERSONAL" });
    emu.revokeOutOfBand(id);
    expect(await p.read!(id, outs)).toEqual({});
  });
  it("shares one listing among many concurrent reads", async () => {
    const p = await configured();
    const made = [];
    for (let i = 0; i < 20; i++) made.push(await up(p, { type: "PERSONAL" }));
    emu.clearLog();
    const fresh = await configured();
    await Promise.all(made.map(({ id, outs }) => fresh.read!(id, outs)));
    expect(counts()["GET /v1/api_keys"]).toBe(1);
  });
});

describe("delete", () => {
  it("revokes with one DELETE and a verified tombstone", async () => {
    const p = await configured();
    const { id } = await up(p, { type: "PERSONAL" });
    emu.clearLog();
    await p.delete!(id, {} as never);
    expect(counts()["DELETE /v1/api_keys/{prefix}"]).toBe(1);
    expect(emu.liveKeys()).toEqual([]);
  });
  it("takes a 404 as revoked when the user who last saw the key no longer lists it", async () => {
    const p = await configured();
    const { id, outs } = await up(p, { type: "PERSONAL" });
    emu.revokeOutOfBand(id);
    await expect(p.delete!(id, outs)).resolves.toBeUndefined();
  });
  it.each([
    [{ kind: "wrongTombstone", prefix: "otherkey" } as const, /"otherkey", expected "ID"/],
    [{ kind: "nonJson" } as const, /not JSON\), expected "ID"/],
  ])("fails on %j, naming both prefixes, and the key stays live", async (fault, why) => {
    const p = await configured();
    const { id } = await up(p, { type: "PERSONAL" });
    emu.injectFault({ ...fault, method: "DELETE" });
    const e = await failureOf(p.delete!(id, {} as never));
    expect(e.message).toMatch(new RegExp(why.source.replace("ID", id)));
    expect(e.message).toMatch(/^Revoking Baseten API key/);
    expect(emu.liveKeys().map((k) => k.prefix)).toEqual([id]);
  });
  it("fails on 401, never counting it as revoked", async () => {
    const p = await configured({ "baseten:apiKey": "fake-wrong-management-key-abcdef" });
    const k = emu.createKeyOutOfBand({ type: "PERSONAL", name: "k" });
    const e = await failureOf(p.delete!(k.prefix, {} as never));
    expect(e.message).toMatch(/401.*baseten:apiKey/);
    expect(e.message).not.toContain("fake-wrong-management-key-abcdef");
    expect(emu.liveKeys()).toHaveLength(1);
  });
  it.each(["a/../b", "../teams", "..", ""])("sends nothing for the id %j", async (id) => {
    const p = await configured();
    await expect(p.delete!(id, {} as never)).rejects.toThrow(/no request was sent/);
    expect(emu.requestLog()).toEqual([]);
  });
});

describe("check and diff through the provider", () => {
  it("reports a plain-http apiUrl during check (so preview fails, not only up), sending nothing", async () => {
    const p = await configured({ "baseten:apiUrl": "http://api.baseten.co" });
    const checked = await p.check!({} as never, { type: "PERSONAL", resourceName: "svc", providerVersion: VERSION } as never);
    expect(checked.failures).toEqual([
      { property: "", reason: expect.stringMatching(/baseten:apiUrl uses plain http:\/\/ for api\.baseten\.co/) },
    ]);
    expect(emu.requestLog()).toEqual([]);
  });
  it("reports a missing management key during check (so a pull request's preview fails as its up would), sending nothing", async () => {
    const saved = process.env.BASETEN_API_KEY;
    delete process.env.BASETEN_API_KEY;
    try {
      const p = createApiKeyProvider();
      await p.configure!({ config: { get: (k: string) => ({ "baseten:apiUrl": emu.url })[k] } } as never);
      const checked = await p.check!({} as never, { type: "PERSONAL", resourceName: "svc", providerVersion: VERSION } as never);
      expect(checked.failures).toEqual([
        {
          property: "",
          reason: expect.stringMatching(/^No Baseten management key is set\. Set it with `pulumi config set --secret/),
        },
      ]);
      process.env.BASETEN_API_KEY = emu.managementKey;
      expect(
        (await p.check!({} as never, { type: "PERSONAL", resourceName: "svc", providerVersion: VERSION } as never)).failures,
      ).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.BASETEN_API_KEY;
      else process.env.BASETEN_API_KEY = saved;
    }
    expect(emu.requestLog()).toEqual([]);
  });
  it("keeps a generated name across checks and reports no change", async () => {
    const p = await configured();
    const { inputs, outs, id } = await up(p, { type: "PERSONAL" });
    emu.clearLog();
    const again = await p.check!(inputs as never, { type: "PERSONAL", resourceName: "svc", providerVersion: VERSION } as never);
    expect(again.inputs?.name).toBe(outs.name);
    expect(await p.diff!(id, outs, again.inputs as never)).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
    expect(emu.requestLog()).toEqual([]);
  });
  it("updates in place with no API call when only the provider version changes", async () => {
    const p = await configured();
    const { id, outs, inputs } = await up(p, { type: "PERSONAL" });
    emu.clearLog();
    const news = { ...inputs, providerVersion: "9.9.9" };
    expect(await p.diff!(id, outs, news as never)).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    const updated = await p.update!(id, outs, news as never);
    expect(updated.outs).toMatchObject({ prefix: id, apiKey: outs.apiKey, providerVersion: "9.9.9" });
    expect(emu.requestLog()).toEqual([]);
  });
});
