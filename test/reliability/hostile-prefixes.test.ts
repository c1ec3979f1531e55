/**
 * Crafted key prefixes: `../teams`, `a/b`, `%2F`, `..`, 10,000 characters, unicode, an empty
 * string, `?` and `#`, and a few more of the same family. A prefix reaches a request path when
 * a key is revoked (DELETE /v1/api_keys/<prefix>); no request may ever leave
 * `/v1/api_keys/<one encoded segment>`, and a value that cannot be one segment must send
 * nothing at all. Proven at the provider (every entry point, against the emulator's raw
 * request log) and through the real engine: a state whose resource ids were edited to these
 * values (as `pulumi stack import` of a tampered file does) is refreshed and destroyed, and
 * programs ask to adopt them.
 */
import type * as pulumi from "@pulumi/pulumi";
import { createApiKeyProvider } from "../../provider/apiKey/provider";
import { BasetenEmulator, type LoggedRequest } from "../emulator";
import { checkpoint } from "./support/agreement";
import { suiteFigures } from "./support/figures";
import { DELETE, isAllowedPath, LIST, mark, since } from "./support/requests";

const ME = "GET /v1/users/me";
const AUDIT = "GET /v1/audit_logs";
import { SecretScan } from "./support/secrets";
import { API_KEY_TYPE, manyKeys, ReliabilityStack, type StateExport } from "./support/stack";
import * as fs from "fs";
import * as path from "path";

jest.setTimeout(10 * 60 * 1000);

const SUITE = "hostile-prefixes";

/** Label and value of each crafted prefix. */
const HOSTILE: Array<[string, string]> = [
  ["../teams", "../teams"],
  ["a/b", "a/b"],
  ["%2F", "%2F"],
  ["..", ".."],
  [".", "."],
  ["10,000 characters", "k".repeat(10_000)],
  ["unicode", "ключ-🔑-鍵"],
  ["empty", ""],
  ["with ?", "abc?type=PERSONAL"],
  ["with #", "abc#frag"],
  ["backslash", "..\\..\\teams"],
  ["encoded traversal", "%2e%2e%2fteams"],
  ["CRLF", "abc\r\nX-Injected: 1"],
  ["space", "abc def"],
  ["NUL", "abc\u0000"],
];

const NON_EMPTY = HOSTILE.map(([, v]) => v).filter((v) => v !== "");

const fig = suiteFigures(SUITE);
const scan = new SecretScan(SUITE);
let emu: BasetenEmulator;

beforeAll(async () => {
  emu = await BasetenEmulator.start();
});

afterAll(async () => {
  if (emu) fig.accountEmulator(emu);
  fig.write();
  await emu?.stop();
});

/** Every request after `from` stayed on an allowed path; each DELETE named exactly one of `prefixes`. */
function expectOnlySafeRequests(log: LoggedRequest[], prefixes: string[]) {
  expect(log.filter((r) => !isAllowedPath(r.rawPath)).map((r) => `${r.method} ${r.rawPath.slice(0, 120)}`)).toEqual([]);
  for (const r of log.filter((x) => x.route === DELETE)) {
    const segment = r.rawPath.slice("/v1/api_keys/".length);
    expect(prefixes).toContain(decodeURIComponent(segment));
    expect(segment).toBe(encodeURIComponent(decodeURIComponent(segment)));
  }
}

describe("at the provider, for each crafted prefix", () => {
  async function provider() {
    const p = createApiKeyProvider();
    const values: Record<string, string> = { "baseten:apiKey": emu.managementKey, "baseten:apiUrl": emu.url };
    await p.configure!({ config: { get: (k: string) => values[k] } } as unknown as pulumi.dynamic.ConfigureRequest);
    return p;
  }

  it.each(HOSTILE)("%s: delete, read and adopt send nothing off /v1/api_keys/<one segment>", async (_label, prefix) => {
    const p = await provider();
    const from = mark(emu);
    const outcomes: string[] = [];
    const attempt = async (what: string, f: () => Promise<unknown>) => {
      try {
        await f();
        outcomes.push(`${what}: ok`);
      } catch (e) {
        scan.add(`provider ${what} error`, (e as Error).message);
        outcomes.push(`${what}: ${(e as Error).message}`);
      }
    };
    await attempt("delete", () => p.delete!(prefix, {} as never));
    await attempt("read", () => p.read!(prefix, {} as never));
    const checked = await p.check!(
      {} as never,
      { type: "PERSONAL", adoptPrefix: prefix, resourceName: "adopt", providerVersion: "0" } as never,
    );
    const failures = checked.failures ?? [];
    if (failures.length === 0) await attempt("adopt", () => p.create(checked.inputs as never));
    else expect(failures.map((f) => f.property)).toEqual(["adoptPrefix"]);

    const log = since(emu, from);
    expectOnlySafeRequests(log, [prefix]);
    // A prefix that cannot be one segment sends nothing at all: no DELETE, and a read or an
    // adoption of it fails before listing.
    const deletes = log.filter((r) => r.route === DELETE);
    if (deletes.length === 0) expect(outcomes[0]).toMatch(/^delete: .*not a key prefix/);
    else expect(deletes).toHaveLength(1);
    // Beyond DELETE and listings: only the caller's identity, and the audit log (after the
    // DELETE's 404, looking for evidence that the key is gone), which carries the prefix only
    // as its one URL-encoded `search` parameter (isAllowedPath checked the shape).
    for (const r of log.filter((x) => x.route !== DELETE && x.route !== LIST && x.route !== ME)) {
      expect(r.route).toBe(AUDIT);
      const query = new URLSearchParams(r.rawPath.slice(r.rawPath.indexOf("?") + 1));
      expect([...query.keys()].sort()).toEqual(["event_type_groups", "limit", ...(query.has("search") ? ["search"] : [])].sort());
      if (query.has("search")) expect(query.get("search")).toBe(prefix);
    }
    if (deletes.length === 0) expect(log.filter((r) => r.route === AUDIT)).toEqual([]);
  });
});

describe("through the real engine", () => {
  let stack: ReliabilityStack;
  let original: StateExport;
  /** The crafted values the engine accepts as resource ids. */
  const accepted: string[] = [];

  beforeAll(async () => {
    stack = await ReliabilityStack.create({ apiUrl: emu.url, managementKey: emu.managementKey, label: SUITE });
  });
  afterAll(async () => {
    if (stack) {
      await scan.addStack(stack, "stack");
      fig.add("pulumiCommands", stack.commandCount);
    }
    await stack?.remove();
  });

  /** Imports `state` with the ApiKey ids (and prefixes) replaced by `ids`, in order. */
  async function importWithIds(ids: string[]) {
    const state = JSON.parse(JSON.stringify(original)) as StateExport;
    const keys = (state.deployment.resources ?? []).filter((r) => r.type === API_KEY_TYPE);
    if (keys.length !== ids.length) throw new Error(`importWithIds: ${ids.length} ids for ${keys.length} keys`);
    keys.forEach((r, i) => {
      r.id = ids[i];
      if (r.outputs) r.outputs.prefix = ids[i];
    });
    const file = path.join(stack.dir, "tampered.json");
    fs.writeFileSync(file, JSON.stringify(state));
    return stack.cli(["stack", "import", "--file", file]);
  }

  it("pulumi stack import accepts a state tampered to hold each crafted id", async () => {
    // One key per crafted value that is not empty, so each value is one resource's id.
    stack.keys = manyKeys("tampered", NON_EMPTY.length, "PERSONAL");
    const up = await stack.up();
    expect({ ok: up.ok, error: up.error?.message.slice(-2000) }).toEqual({ ok: true, error: undefined });
    original = await stack.exportState();

    const refused: string[] = [];
    for (const [label, value] of HOSTILE) {
      const imported = await importWithIds(NON_EMPTY.map(() => value));
      if (imported.ok) accepted.push(value);
      else refused.push(label);
    }
    expect(refused).toEqual([]);
  });

  it("refresh of the tampered state sends nothing off /v1/api_keys/<one segment>", async () => {
    const ids = accepted.filter((v) => v !== "");
    const imported = await importWithIds(ids);
    expect({ ok: imported.ok, error: imported.error?.message.slice(-1500) }).toEqual({ ok: true, error: undefined });
    const from = mark(emu);
    const refresh = await stack.refresh();
    // Ids that cannot be a prefix are reported, each by name; none is taken as "gone".
    expect(refresh.ok).toBe(false);
    expect(refresh.error?.message).toMatch(
      /Cannot refresh: the resource id ".*" is not a key prefix \(the prefix contains a slash\); no request was sent/,
    );
    const log = since(emu, from);
    expectOnlySafeRequests(log, ids);
    // Ids that cannot be a prefix are refused before any request; the others are looked up in
    // the listing (with the caller's identity), and the audit log searched for each.
    expect(log.filter((r) => ![LIST, ME, AUDIT].includes(r.route))).toEqual([]);
  });

  it("destroy of the tampered state sends nothing off /v1/api_keys/<one segment>, and no DELETE for an id that cannot be one", async () => {
    const ids = accepted.filter((v) => v !== "");
    const imported = await importWithIds(ids);
    expect({ ok: imported.ok, error: imported.error?.message.slice(-1500) }).toEqual({ ok: true, error: undefined });
    const from = mark(emu);
    // Every resource is attempted, not only those before the first failure.
    const destroy = await stack.destroy({ continueOnError: true });
    expect(destroy.ok).toBe(false);
    expect(destroy.error?.message).toMatch(/Cannot revoke: the resource id ".*" is not a key prefix \(.*\); no request was sent/);
    const log = since(emu, from);
    expectOnlySafeRequests(log, ids);
    const sent = log.filter((r) => r.route === DELETE).map((r) => decodeURIComponent(r.rawPath.slice("/v1/api_keys/".length)));
    // Only the values that fit one segment were sent, each once (answered 404: no such key).
    expect(sent.sort()).toEqual(["%2F", "%2e%2e%2fteams", "abc#frag", "abc?type=PERSONAL", "ключ-🔑-鍵"].sort());
  });

  it("an empty id: refresh and destroy send nothing (Pulumi's engine stops before the provider)", async () => {
    const imported = await importWithIds(NON_EMPTY.map(() => ""));
    expect({ ok: imported.ok, error: imported.error?.message.slice(-1500) }).toEqual({ ok: true, error: undefined });
    const from = mark(emu);
    const refresh = await stack.refresh();
    expect(refresh.ok).toBe(false);
    // Pulumi v3.248 asserts on it ("Read ID was empty") and exits, leaving its lock behind.
    await stack.cli(["cancel", "--yes"]);
    const destroy = await stack.destroy();
    expect(destroy.ok).toBe(false);
    await stack.cli(["cancel", "--yes"]);
    const log = since(emu, from);
    expectOnlySafeRequests(log, []);
    expect(log.filter((r) => r.route !== LIST)).toEqual([]);
    console.log(
      `[${SUITE}] empty id: refresh says ${JSON.stringify(firstLine(refresh.error, /Read ID|error|panic/))}, ` +
        `destroy says ${JSON.stringify(firstLine(destroy.error, /error|panic|prefix/))}`,
    );
  });

  it("a program adopting each crafted prefix fails in check or in the lookup, sending only reads (the listing, the caller's identity)", async () => {
    const restored = await stack.cli(["stack", "import", "--file", writeState(stack, original)]);
    expect(restored.ok).toBe(true);
    const saved = stack.keys;
    stack.keys = [
      ...saved,
      ...HOSTILE.map(([, value], i) => ({ name: `adopt-${i}`, args: { type: "PERSONAL" as const, adoptPrefix: value } })),
    ];
    const from = mark(emu);
    const up = await stack.up();
    expect(up.ok).toBe(false);
    expect(up.error?.message).toMatch(/adoptPrefix/);
    const log = since(emu, from);
    expectOnlySafeRequests(log, []);
    // Reads only: the listing, and the caller's identity (`GET /v1/users/me`), which a PERSONAL
    // key's lookup reads to decide ownership by id; whether a lookup got that far before check
    // failed the others depends on the engine's scheduling, so it is allowed, not required.
    expect(log.filter((r) => ![LIST, ME].includes(r.route))).toEqual([]);
    stack.keys = saved;
  });

  it("with the original state back, destroy revokes every key: nothing live, nothing in state", async () => {
    const restored = await stack.cli(["stack", "import", "--file", writeState(stack, original)]);
    expect(restored.ok).toBe(true);
    const destroy = await stack.destroy();
    expect({ ok: destroy.ok, error: destroy.error?.message.slice(-2000) }).toEqual({ ok: true, error: undefined });
    const a = await checkpoint(fig, emu, [stack]);
    expect(a.live).toEqual([]);
    expect(a.inState).toEqual([]);
  });
});

describe("afterwards", () => {
  it("no secret appears in any artifact", () => {
    scan.addEmulatorLog(emu, "emulator");
    expect(scan.run([emu], fig)).toEqual([]);
  });
});

/** The first line of an error's message that matches `pattern`, for the report. */
function firstLine(error: Error | undefined, pattern: RegExp): string | undefined {
  return error?.message
    .split("\n")
    .find((l) => pattern.test(l) && !l.includes("Command failed"))
    ?.trim()
    .slice(0, 200);
}

function writeState(stack: ReliabilityStack, state: StateExport): string {
  const file = path.join(stack.dir, "original.json");
  fs.writeFileSync(file, JSON.stringify(state));
  return file;
}
