/**
 * Broken and hostile answers from "Baseten": truncated JSON, an HTML error page with status
 * 200, an empty body, a wrong content type, a 50 MB body, `{"prefix": null}`, a tombstone for
 * another key, and an HTML 404 page (what a wrong apiUrl or a proxy answers). Each must give
 * a clear error, in bounded memory, and leave the resource in state: a destroy must not forget
 * a key it could not confirm revoked, a refresh must not drop a key it could not read, and a
 * create must not lose a key Baseten minted. Driven through the real engine, except the
 * memory measurement, which runs the built client in a fresh process.
 */
import { BasetenEmulator, type FaultKindSpec } from "../emulator";
import { checkpoint } from "./support/agreement";
import { probeClientCall } from "./support/memoryProbe";
import { DELETE, LIST, mark, POST, since } from "./support/requests";
import { keyResourcesOf, ReliabilityStack } from "./support/stack";
import { expectOk, reliabilitySuite } from "./support/suite";

jest.setTimeout(15 * 60 * 1000);

const SUITE = "hostile-responses";
const MB = 1024 * 1024;
const HTML_200 = "<!DOCTYPE html><html><head><title>Service unavailable</title></head><body><h1>Oops</h1></body></html>";
const HTML_404 = "<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1><hr>nginx</body></html>";

/** The prefix of the stack's one key, the target of every destroy and refresh below. */
let target: string;

const suite = reliabilitySuite(SUITE, { stack: { keys: [{ name: "target", args: { type: "WORKSPACE_MANAGE_ALL" } }] } });
const { fig, scan } = suite;
let emu: BasetenEmulator;
let stack: ReliabilityStack;
beforeAll(async () => {
  ({ emu, stack } = suite);
  const up = await stack.up();
  if (!up.ok) throw up.error;
  target = emu.liveKeys()[0].prefix;
});

type Answer = (prefix: string) => FaultKindSpec;
const respond = (body: string, contentType = "application/json", status = 200): FaultKindSpec => ({
  kind: "respond",
  status,
  body,
  contentType,
});

/** Answers to DELETE, and what the error must say (`PREFIX` stands for the key's prefix). */
const DELETE_ANSWERS: Array<[string, Answer, RegExp]> = [
  ["truncated JSON", () => respond('{"prefix": "tru'), /tombstone for no prefix \(the body is not JSON\), expected "PREFIX"/],
  ["an HTML error page with status 200", () => respond(HTML_200, "text/html"), /no prefix \(the body is not JSON\)/],
  ["an empty body", () => respond(""), /no prefix \(the body is not JSON\)/],
  ['a wrong content type (text/plain "OK")', () => ({ kind: "nonJson" }), /no prefix \(the body is not JSON\)/],
  [
    "a wrong content type (the right tombstone, served as text/html)",
    (p) => respond(JSON.stringify({ prefix: p }), "text/html"),
    /served as "text\/html", not JSON/,
  ],
  ["a 50 MB body", () => ({ kind: "respond", status: 200, bodyBytes: 50 * MB }), /the body exceeds 1048576 bytes/],
  [
    '{"prefix": null}',
    () => respond('{"prefix": null}'),
    /no prefix \(the tombstone has no string `prefix`\), expected "PREFIX"/,
  ],
  [
    "a tombstone for another key",
    () => ({ kind: "wrongTombstone", prefix: "otherkey" }),
    /tombstone for "otherkey", expected "PREFIX"/,
  ],
  ["an HTML 404 page (a wrong apiUrl, a proxy)", () => respond(HTML_404, "text/html", 404), /HTTP 404.*not JSON/],
];

/** Answers to the listing a refresh reads. */
const LIST_ANSWERS: Array<[string, FaultKindSpec, RegExp]> = [
  ["truncated JSON", respond('{"keys": [{"prefix": "ab'), /the body is not JSON/],
  ["an HTML error page with status 200", respond(HTML_200, "text/html"), /the body is not JSON \(content type "text\/html"/],
  ["an empty body", respond(""), /the body is empty/],
  ['a wrong content type (text/plain "OK")', { kind: "nonJson" }, /the body is not JSON \(content type "text\/plain"/],
  ["a wrong content type (a valid listing, served as text/html)", respond('{"keys": []}', "text/html"), /served as "text\/html"/],
  [
    "a 50 MB body",
    { kind: "respond", status: 200, bodyBytes: 50 * MB },
    /the API-key listing exceeds 33554432 bytes \(32 MiB\), .*no paging.*check apiUrl/,
  ],
  ['{"keys": null}', respond('{"keys": null}'), /no `keys` array/],
  ["an HTML 404 page", respond(HTML_404, "text/html", 404), /HTTP 404/],
];

/**
 * Each case of the destroy, refresh and up groups starts from one tracked, live key and no
 * queued fault, even when the case before failed (a destroy that wrongly succeeded would
 * otherwise leave the next cases nothing to test).
 */
async function freshTarget() {
  emu.clearFaults();
  if (!(await stack.prefixesInState()).includes(target)) {
    const up = await stack.up();
    if (!up.ok) throw up.error;
    const state = await stack.prefixesInState();
    target = emu.liveKeys().find((k) => state.includes(k.prefix))!.prefix;
  }
}

async function expectKeptAndAgreeing() {
  expect((await stack.prefixesInState()).includes(target)).toBe(true);
  expect(emu.liveKeys().map((k) => k.prefix)).toContain(target);
  const a = await checkpoint(fig, emu, [stack]);
  expect(a.untracked).toEqual([]);
  expect(a.stale).toEqual([]);
}

describe("destroy, when Baseten's answer to DELETE is broken", () => {
  beforeEach(freshTarget);

  it.each(DELETE_ANSWERS)("%s: a clear error; the key stays in state and live", async (_label, answer, why) => {
    const from = mark(emu);
    emu.injectFault({ ...answer(target), route: DELETE });
    const destroy = await stack.destroy();
    expect(destroy.ok).toBe(false);
    expect(destroy.error?.message).toMatch(new RegExp(why.source.replace("PREFIX", target)));
    expect(destroy.error?.message).toContain(`Revoking Baseten API key "${target}"`);
    // One attempt: none of these answers is worth repeating the DELETE for.
    expect(since(emu, from).filter((r) => r.route === DELETE)).toHaveLength(1);
    await expectKeptAndAgreeing();
  });
});

describe("refresh, when Baseten's listing is broken", () => {
  beforeEach(freshTarget);

  it.each(LIST_ANSWERS)("%s: a clear error; the key is not dropped from state", async (_label, answer, why) => {
    emu.injectFault({ ...answer, route: LIST });
    const refresh = await stack.refresh();
    expect(refresh.ok).toBe(false);
    expect(refresh.error?.message).toMatch(why);
    expect(refresh.error?.message).toContain(`Refreshing Baseten API key "${target}"`);
    await expectKeptAndAgreeing();
  });
});

describe("up, when Baseten's answer to a create is broken", () => {
  beforeEach(freshTarget);

  it("truncated JSON after Baseten minted the key (explicit name): a clear error; the key is kept in state, then replaced", async () => {
    // Baseten minted "rel-garbled" and the answer was cut on its way back.
    emu.injectFault({ kind: "respond", status: 200, body: '{"api_key": "', route: POST, afterCommit: true });
    stack.keys = [...stack.keys, { name: "garbled", args: { type: "WORKSPACE_MANAGE_ALL", name: "rel-garbled" } }];
    const up = await stack.up();
    expect(up.ok).toBe(false);
    const minted = emu.liveKeys().find((k) => k.name === "rel-garbled")!;
    expect(up.error?.message).toMatch(/Baseten's answer to POST \/v1\/api_keys is not valid: the body is not JSON/);
    expect(up.error?.message).toContain(`Baseten did mint key ${minted.prefix} named "rel-garbled"`);
    const resource = keyResourcesOf(await stack.exportState()).find((r) => r.urn.endsWith("::garbled"));
    expect(resource?.id).toBe(minted.prefix);
    await expectKeptAndAgreeing();

    const again = await stack.up();
    expectOk(again);
    expect(emu.allKeys().find((k) => k.prefix === minted.prefix)?.revoked).toBe(true);
    await expectKeptAndAgreeing();
  });

  it("a 50 MB body to a create (nothing minted): a clear error naming the key to look for; nothing untracked", async () => {
    // The cleanup below may drop the entry only where the listing is sure to cover a teamless
    // key's scope: a key of its type listed with no team (issue 15 item 2: one listed under the
    // default team's name may be that team's own, a right apart). So this workspace lists
    // teamless keys with no team.
    emu.setModes({ teamlessTeamName: "null" });
    emu.injectFault({ kind: "respond", status: 200, bodyBytes: 50 * MB, route: POST });
    stack.keys = [...stack.keys, { name: "flooded", args: { type: "WORKSPACE_MANAGE_ALL" } }];
    const up = await stack.up();
    expect(up.ok).toBe(false);
    // Whether Baseten minted it is unknown and no listing shows it: kept, never forgotten.
    expect(up.error?.message).toMatch(
      /the body exceeds 1048576 bytes\. A key named "flooded-[a-z0-9]{7}" may have been minted: .* kept in state as "unconfirmed\/flooded-[a-z0-9]{7}"/,
    );
    const pending = keyResourcesOf(await stack.exportState()).find((r) => r.urn.endsWith("::flooded"));
    expect(pending?.id).toMatch(/^unconfirmed\/flooded-[a-z0-9]{7}$/);
    await expectKeptAndAgreeing();
    // Removing it from the program: the same user's listing proves none was minted.
    stack.keys = stack.keys.filter((k) => k.name !== "flooded");
    const cleanup = await stack.up();
    expectOk(cleanup);
    expect(keyResourcesOf(await stack.exportState()).find((r) => r.urn.endsWith("::flooded"))).toBeUndefined();
    emu.setModes({ teamlessTeamName: "default" });
  });
});

describe("memory, for a 50 MB answer", () => {
  beforeEach(() => emu.clearFaults());

  // Listings have no paging, so they are read up to 32 MiB (50,000 keys take about 8 MB);
  // every other answer up to 1 MiB.
  it.each([
    ["DELETE", "revokeKey", DELETE, "abcdefgh", /the body exceeds 1048576 bytes/, 16],
    ["the listing", "listKeys", LIST, undefined, /the API-key listing exceeds 33554432 bytes/, 48],
    ["a create", "createKey", POST, { type: "PERSONAL", name: "rel-memory" }, /the body exceeds 1048576 bytes/, 16],
  ])(
    "to %s: the client stops reading at its bound; its peak memory stays bounded",
    async (_label, op, route, arg, why, maxMb) => {
      const baseline = await probeClientCall(emu.url, emu.managementKey, "listKeys");
      expect(baseline.error).toBeUndefined();
      emu.injectFault({ kind: "respond", status: 200, bodyBytes: 50 * MB, route });
      const flooded = await probeClientCall(emu.url, emu.managementKey, op, arg);
      scan.add(`memory probe ${op}`, JSON.stringify(flooded));
      expect(flooded.error?.kind).toBe("invalid-response");
      expect(flooded.error?.message).toMatch(why);
      // Reading the body whole would cost at least 50 MB more.
      const grownMb = (flooded.maxRssBytes - baseline.maxRssBytes) / MB;
      console.log(
        `[${SUITE}] 50 MB answer to ${op}: peak RSS ${(flooded.maxRssBytes / MB).toFixed(1)} MB (+${grownMb.toFixed(1)} MB)`,
      );
      fig.figures.memoryGrowthMb = Math.max(fig.figures.memoryGrowthMb ?? 0, Number(grownMb.toFixed(1)));
      expect(grownMb).toBeLessThan(maxMb);
    },
  );
});

describe("the memory probe itself", () => {
  beforeEach(() => emu.clearFaults());

  it("sees a client that reads the whole 50 MB (its limit raised to 100 MB) grow by 50 MB or more", async () => {
    const baseline = await probeClientCall(emu.url, emu.managementKey, "listKeys");
    emu.injectFault({ kind: "respond", status: 200, bodyBytes: 50 * MB, route: LIST });
    const reader = await probeClientCall(emu.url, emu.managementKey, "listKeys", undefined, 100 * MB);
    scan.add("memory probe calibration", JSON.stringify(reader));
    expect(reader.error?.message).toMatch(/the body is not JSON/); // read in full, then rejected
    const grownMb = (reader.maxRssBytes - baseline.maxRssBytes) / MB;
    fig.figures.readAllMemoryGrowthMb = Number(grownMb.toFixed(1));
    expect(grownMb).toBeGreaterThan(50);
  });
});

describe("afterwards", () => {
  beforeEach(() => emu.clearFaults());

  it("destroy with sound answers leaves no key live and nothing in state", async () => {
    const destroy = await stack.destroy();
    expectOk(destroy);
    const a = await checkpoint(fig, emu, [stack]);
    expect(a.live).toEqual([]);
    expect(a.inState).toEqual([]);
  });

  it("no secret appears in any artifact", async () => {
    await suite.scanArtifacts();
  });
});
