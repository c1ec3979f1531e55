/**
 * What a user reads when a preview, a refresh or a destroy fails, as the CLI prints it: the
 * output of each failed command is kept as a fixture (test/e2e/fixtures/failed-*.txt) and
 * compared line for line, with what varies between runs redacted (ids, names, times) or put in
 * a fixed order (rows the display prints again or at varying moments, Diagnostics blocks and
 * their messages; see `redacted`). A change to what users read shows up as a fixture diff;
 * `UPDATE_FIXTURES=1` rewrites them. One resource per refresh and destroy: the engine runs
 * resources in no fixed order.
 */
import * as fs from "fs";
import * as path from "path";
import { BasetenEmulator, ROUTES, SECRET_ROUTES } from "../emulator";
import { failureOf } from "../support/failureOf";
import { leaks, TestStack } from "./harness";

jest.setTimeout(10 * 60 * 1000);

const VALUE = "fake-secret-value-transcript-0001";
const FIXTURES = path.join(__dirname, "fixtures");

let emu: BasetenEmulator;
let ts: TestStack;

beforeAll(async () => {
  emu = await BasetenEmulator.start();
  ts = await TestStack.create({ apiUrl: emu.url, managementKey: emu.managementKey, projectName: "baseten-transcripts" });
});
afterAll(async () => {
  await ts?.remove();
  await emu?.stop();
});

/** What the CLI printed for a failed command (the Automation API's CommandError carries it). */
function outputOf(e: Error): string {
  const { stdout, stderr } = (e as Error & { commandResult?: { stdout?: string; stderr?: string } }).commandResult ?? {};
  if (stdout === undefined) throw e; // not the CLI's failure: show it as it is
  // The Automation API's own first line (the command line it ran, with a port) is not the CLI's.
  return `${stdout}${stderr ?? ""}`.replace(/^Command failed with exit code \d+: .*\n/, "");
}

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * What differs between runs, replaced: key prefixes and names, secret ids, times, spinner lines,
 * rows the progress display printed again.
 * The Diagnostics section's blocks (one per resource) come in no fixed order: they are sorted.
 */
function redacted(text: string): string {
  let out = text;
  for (const k of emu.allKeys()) {
    out = out.split(k.prefix).join("<prefix>");
    if (k.name) out = out.split(k.name).join("<key name>");
  }
  for (const secret of emu.secrets()) out = out.split(`"${secret.id}"`).join('"<secret id>"');
  out = out
    .replace(new RegExp(escaped(emu.url), "g"), "<emulator url>")
    .replace(/\(\d+s\)/g, "(<time>)")
    .replace(/^Duration: .*$/m, "Duration: <time>")
    .replace(/^@ .*\n/gm, "")
    .replace(/[ \t]+$/gm, "");
  const [shown, rest] = out.split("\nDiagnostics:\n");
  // The progress display prints a row again whenever it redraws, at moments that vary: keep
  // each row's first appearance. The host's line (`<Kind>Error (...): ... failed`) reaches the
  // display through the host's stderr, at no fixed place among the rows: it is kept in the
  // Diagnostics section, where the stack lists it.
  const progress = shown
    .split("\n")
    .filter((line, i, lines) => line.trim() === "" || lines.indexOf(line) === i)
    .filter((line) => !/^ {4}pulumi:pulumi:Stack \S+ +(running +)?\w+Error \([\w-]+\): .* failed$/.test(line))
    .join("\n");
  if (rest === undefined) return progress;
  const [diagnostics, ...after] = rest.split(/\n(?=\S)/);
  // Each block: its resource's line, then its messages, which come in no fixed order either.
  const blocks = diagnostics.split(/\n(?= {2}\S)/).map((block) => {
    const [head, ...messages] = block.replace(/\n+$/, "").split(/\n(?= {4}\S)|\n\n/);
    return [head, ...messages.filter((m) => m.trim() !== "").sort()].join("\n");
  });
  return [progress, "Diagnostics:", [...blocks.sort(), ""].join("\n\n").replace(/\n$/, ""), ...after].join("\n");
}

/**
 * A transcript reduced to what does not depend on timing: per resource, only the rows of its
 * final status (`**failed**`, `**refreshing failed**`, ...) or, where it has none, its last row.
 * The display prints intermediate rows (`running`, `refreshing (1s)`, a bare row on a redraw)
 * at moments that vary with the machine's load, and the engine works on the stack and a resource
 * at the same time, so their rows interleave differently from run to run: rows are sorted. The
 * fixture keeps every row of the run that wrote it, in its order, for reading.
 */
function comparable(transcript: string): string {
  return transcript
    .split(/^(?=\$ )/m)
    .map((run) => {
      const [progress, ...rest] = run.split("\nDiagnostics:\n");
      const [command, ...lines] = progress.split("\n");
      const rows = lines.filter((line) => line.trim() !== "");
      const resourceOf = (row: string) => row.slice(4).split(/ +/).slice(0, 2).join(" ");
      const finalRows = rows.filter((row, i) => {
        const mine = rows.filter((other) => resourceOf(other) === resourceOf(row));
        return mine.some((other) => other.includes("**"))
          ? row.includes("**")
          : mine[mine.length - 1] === row && rows.lastIndexOf(row) === i;
      });
      return [[command, ...finalRows.sort()].join("\n"), ...rest].join("\nDiagnostics:\n");
    })
    .join("\n");
}

/** Compares the transcript of `runs` with the fixture `name` (or writes it with UPDATE_FIXTURES=1). */
function expectFixture(name: string, runs: Array<[command: string, output: string]>): void {
  const file = path.join(FIXTURES, name);
  const text = runs.map(([command, output]) => `$ ${command}\n${redacted(output)}`).join("\n");
  if (process.env.UPDATE_FIXTURES === "1") fs.writeFileSync(file, text);
  expect(comparable(text)).toBe(comparable(fs.readFileSync(file, "utf8")));
  const raw = runs.map(([, output]) => output).join("");
  expect(leaks(raw, [VALUE, emu.managementKey, ...emu.allKeys().map((k) => k.apiKey)])).toEqual([]);
}

/** The short line the engine's host prints per failure must come once per failed resource, and never a message or stack frame. */
function expectHostLines(output: string, lines: string[]): void {
  for (const line of lines) expect(output.split(line).length - 1).toBeGreaterThanOrEqual(1);
  expect(output).not.toMatch(/ at \S+ \(|\.js:\d+:\d+|the message is shown with the resource/);
}

describe("the CLI's output of a failed command", () => {
  it("preview with no management key fails at check, for an ApiKey and for a Secret, naming both ways to set it", async () => {
    await ts.stack.removeConfig("baseten:apiKey");
    try {
      ts.keys = [{ name: "deployer", args: { type: "PERSONAL" } }];
      const ofKey = outputOf(await failureOf(ts.preview()));
      ts.keys = [];
      ts.secrets = [{ name: "hf", args: { name: "hf_access_token", value: VALUE } }];
      const ofSecret = outputOf(await failureOf(ts.preview()));
      expect(emu.requestLog()).toEqual([]);
      for (const [text, type, name] of [
        [ofKey, "ApiKey", "deployer"],
        [ofSecret, "Secret", "hf"],
      ]) {
        expect(text).toContain(
          `error: pulumi-nodejs:dynamic/baseten:${type} resource '${name}' has a problem: No Baseten management key is set. Set it with \`pulumi config set --secret baseten:apiKey <key>\` or the BASETEN_API_KEY environment variable.`,
        );
        expect(text).not.toContain("{<nil>}");
      }
      expectFixture("failed-preview.txt", [
        ["pulumi preview   # an ApiKey, no baseten:apiKey, no BASETEN_API_KEY", ofKey],
        ["pulumi preview   # a Secret, no baseten:apiKey, no BASETEN_API_KEY", ofSecret],
      ]);
    } finally {
      await ts.stack.setConfig("baseten:apiKey", { value: emu.managementKey, secret: true });
    }
  });

  // One resource per run: the engine refreshes and deletes resources in no fixed order.
  it("refresh and destroy that fail print, per failed resource, one short host line and the message once", async () => {
    const refreshes: Array<[string, string]> = [];
    const destroys: Array<[string, string]> = [];
    const rejected = { kind: "respond", status: 401, body: '{"error":"key rejected"}', times: 100 } as const;

    ts.keys = [{ name: "deployer", args: { type: "PERSONAL" } }];
    ts.secrets = [];
    await ts.up();
    const prefix = emu.liveKeys()[0].prefix;
    emu.injectFault({ route: ROUTES.listKeys, ...rejected });
    refreshes.push(["pulumi refresh   # an ApiKey; every listing answers 401", outputOf(await failureOf(ts.refresh()))]);
    emu.clearFaults();
    emu.injectFault({ route: ROUTES.deleteKey, kind: "wrongTombstone", prefix: "zzzzzzzz", times: 100 });
    destroys.push(["pulumi destroy   # an ApiKey; the tombstone names another key", outputOf(await failureOf(ts.destroy()))]);
    emu.clearFaults();
    expect(emu.liveKeys().map((k) => k.prefix)).toEqual([prefix]); // kept, as the message says

    ts.keys = [];
    ts.secrets = [{ name: "hf", args: { name: "hf_access_token", value: VALUE } }];
    await ts.up();
    emu.injectFault({ route: SECRET_ROUTES.listTeamSecrets, ...rejected });
    refreshes.push(["pulumi refresh   # a Secret; every listing answers 401", outputOf(await failureOf(ts.refresh()))]);
    emu.clearFaults();
    emu.injectFault({ route: SECRET_ROUTES.deleteTeamSecret, kind: "wrongTombstone", name: "other", times: 100 });
    destroys.push(["pulumi destroy   # a Secret; the tombstone names another secret", outputOf(await failureOf(ts.destroy()))]);
    emu.clearFaults();

    const [ofKey, ofSecret] = refreshes.map(([, text]) => text);
    expectHostLines(ofKey, [`BasetenError (authentication): Refreshing Baseten API key "${prefix}" failed`]);
    expectHostLines(ofSecret, [`BasetenError (authentication): Refreshing Baseten secret "team-default/hf_access_token" failed`]);
    // One adapter for both: a rejected key on refresh says that refresh uses the stored config (Secret too, since 0.3.0).
    for (const text of [ofKey, ofSecret])
      expect(text).toContain("use the management key stored with the stack's last `pulumi up`");
    expectHostLines(destroys[0][1], [`BasetenError (tombstone-mismatch): Revoking Baseten API key "${prefix}" failed`]);
    expectHostLines(destroys[1][1], [
      `BasetenError (tombstone-mismatch): Deleting Baseten secret "team-default/hf_access_token" failed`,
    ]);
    expectFixture("failed-refresh.txt", refreshes);
    expectFixture("failed-destroy.txt", destroys);
    await ts.destroy();
    expect(emu.liveKeys()).toEqual([]);
    expect(emu.secrets()).toEqual([]);
  });
});
