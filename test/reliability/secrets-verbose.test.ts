/**
 * Secrets in Pulumi's own verbose log (`--logtostderr -v=9`). The engine logs every gRPC
 * property it marshals, secrets included, and the Node SDK forwards its RegisterResource
 * debug lines: at -v=9 Pulumi itself prints the management key (it is stack config handed to
 * the provider's CheckConfig/Configure) and each minted key (it is a create output before
 * the engine wraps it as a secret). That is Pulumi's behaviour, not this provider's, and the
 * README says so. What this file proves is the rest: every hit sits on one of those known
 * engine/SDK log sites, none on a line the provider produced (its errors and messages), and
 * the same runs without verbose logging print no secret at all.
 *
 * The runs exercise the provider's chatty paths: a create whose answer is lost (recovery by
 * listing and revoking), and a destroy refused for a wrong tombstone (an error message).
 */
import { BasetenEmulator } from "../emulator";
import { checkpoint } from "./support/agreement";
import { DELETE, POST } from "./support/requests";
import type { Needle } from "./support/secrets";
import { manyKeys, ReliabilityStack, type CommandFlags, type Outcome } from "./support/stack";
import { reliabilitySuite } from "./support/suite";

jest.setTimeout(10 * 60 * 1000);

const SUITE = "secrets-verbose";
const VERBOSE: CommandFlags = { logToStdErr: true, logVerbosity: 9 };

/** The log sites where Pulumi itself prints secret values at high verbosity. */
const PULUMI_SITES: Array<[string, RegExp]> = [
  ["engine: gRPC property (un)marshaling, -v=9", /^(Un)?[Mm]arshaling property for RPC\[/],
  ["engine: step planning with inputs, -v=7", /^Planner decided to /],
  ["Node SDK: RegisterResource RPC debug line, forwarded to the engine log", /RegisterResource(Outputs)? RPC finished/],
];

const verboseRuns: Array<[string, Outcome]> = [];

const suite = reliabilitySuite(SUITE, {
  stack: { settings: { timeoutSeconds: "1" }, keys: manyKeys("verbose", 3, "WORKSPACE_MANAGE_ALL") },
});
const { fig, scan } = suite;
let emu: BasetenEmulator;
let stack: ReliabilityStack;
beforeAll(() => ({ emu, stack } = suite));

/** The message of a log line (the engine writes JSON lines at -v), else the line itself. */
function messageOf(line: string): string {
  try {
    const parsed = JSON.parse(line) as { msg?: unknown };
    if (typeof parsed.msg === "string") return parsed.msg;
  } catch {
    // not a JSON log line
  }
  return line;
}

interface VerboseHit {
  run: string;
  secret: string;
  site: string | undefined;
  /** The line with every secret masked, for the report. */
  masked: string;
}

function verboseHits(needles: Needle[]): VerboseHit[] {
  const hits: VerboseHit[] = [];
  for (const [run, outcome] of verboseRuns) {
    for (const line of `${outcome.stderr}\n${outcome.error?.message ?? ""}`.split("\n")) {
      const found = needles.filter((n) => line.includes(n.value));
      if (found.length === 0) continue;
      const msg = messageOf(line);
      const site = PULUMI_SITES.find(([, re]) => re.test(msg.replace(/^eventSink::Debug\(<\{%reset%\}>/, "")))?.[0];
      let masked = msg;
      for (const n of needles) masked = masked.split(n.value).join("<secret>");
      for (const n of found) hits.push({ run, secret: n.label.replace(/ [A-Za-z]{8}$/, ""), site, masked: masked.slice(0, 160) });
    }
  }
  return hits;
}

describe("runs at --logtostderr -v=9", () => {
  it("up, with one create whose answer is lost after the mint, converges", async () => {
    emu.injectFault({ kind: "latency", ms: 2000, afterCommit: true, route: POST });
    const up = await stack.up(VERBOSE);
    verboseRuns.push(["up", up]);
    expect({ ok: up.ok, error: up.error?.message.slice(-1500) }).toEqual({ ok: true, error: undefined });
    const a = await checkpoint(fig, emu, [stack]);
    expect(a.inState).toHaveLength(3);
    expect(a.untracked).toEqual([]);
  });

  it("destroy refused for a tombstone of another key fails with the provider's message; destroy again succeeds", async () => {
    emu.injectFault({ kind: "wrongTombstone", prefix: "otherkey", route: DELETE });
    const refused = await stack.destroy(VERBOSE);
    verboseRuns.push(["destroy (refused)", refused]);
    expect(refused.ok).toBe(false);
    expect(refused.error?.message).toMatch(/tombstone for "otherkey"/);
    const destroy = await stack.destroy(VERBOSE);
    verboseRuns.push(["destroy", destroy]);
    expect({ ok: destroy.ok, error: destroy.error?.message.slice(-1500) }).toEqual({ ok: true, error: undefined });
    const a = await checkpoint(fig, emu, [stack]);
    expect(a.live).toEqual([]);
    expect(a.inState).toEqual([]);
  });

  it("every secret in the verbose log sits on a known Pulumi log site; none on a line from the provider", () => {
    const needles = scan.needles([emu]);
    const hits = verboseHits(needles);
    const unexplained = hits.filter((h) => h.site === undefined);
    expect(unexplained).toEqual([]);
    // The log really is verbose, and really does hold Pulumi's own secret lines: were it
    // clean, this scoping would be stale and the README's warning wrong.
    expect(hits.length).toBeGreaterThan(0);
    const bySite: Record<string, Record<string, number>> = {};
    for (const h of hits) {
      const site = (bySite[h.site!] ??= {});
      site[h.secret] = (site[h.secret] ?? 0) + 1;
    }
    fig.figures.pulumiVerboseLogHits = hits.length;
    console.log(`[${SUITE}] secret occurrences in Pulumi's -v=9 log, by site: ${JSON.stringify(bySite, null, 1)}`);
  });

  it("stdout of the verbose runs, errors, state and every other artifact hold no secret", async () => {
    // The verbose stderr is judged above; everything else is scanned as in every other file.
    await scan.addStack(stack, "stack");
    const scanned = scan.withoutSources((source) => /stderr$/.test(source) || /error$/.test(source));
    for (const [run, outcome] of verboseRuns) {
      scanned.add(`${run}: provider error lines`, providerLines(outcome));
    }
    scanned.addEmulatorLog(emu, "emulator");
    expect(scanned.run([emu], fig)).toEqual([]);
  });
});

/** The lines of a failed run's message that the provider wrote (its errors), not the engine's log. */
function providerLines(outcome: Outcome): string {
  return (outcome.error?.message ?? "")
    .split("\n")
    .filter((l) => /Baseten|Revoking|Creating|Refreshing/.test(l) && !l.trimStart().startsWith("{"))
    .join("\n");
}
