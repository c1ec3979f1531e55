/**
 * Turns the figures the reliability suite wrote (`.tmp/reliability/figures/*.json`, one per
 * test file) into the README's table. Prints it; with `--write`, also replaces the block
 * between the figures markers in test/reliability/README.md.
 *
 *   npm run test:reliability && npx ts-node test/reliability/report.ts --write
 *
 * A test file with no figures is listed as "not run", so a partial run cannot pass for a
 * full one.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { FIGURES_DIR, type SuiteFigures } from "./support/figures";

const README = path.join(__dirname, "README.md");
const START = "<!-- figures:start -->";
const END = "<!-- figures:end -->";

const suites = fs
  .readdirSync(__dirname)
  .filter((f) => f.endsWith(".test.ts"))
  .map((f) => f.replace(/\.test\.ts$/, ""))
  .sort();

function load(suite: string): SuiteFigures | undefined {
  const file = path.join(FIGURES_DIR, `${suite}.json`);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as SuiteFigures) : undefined;
}

const rows = suites.map((suite) => ({ suite, f: load(suite) }));
const ran = rows.flatMap((r) => (r.f ? [r.f] : []));
const sum = (field: keyof SuiteFigures) => ran.reduce((s, f) => s + (Number(f[field]) || 0), 0);
const minutes = (ms: number) => `${(ms / 60000).toFixed(1)} min`;

const header =
  "| Test file | Cases | Faults injected | 429s from the 100/s limit | Keys created | Keys revoked | Keys leaked | Divergences | Secret hits | Wall time |\n" +
  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|";
const line = (name: string, f: Partial<SuiteFigures> | undefined) =>
  f
    ? `| ${name} | ${f.cases} | ${f.faultsInjected} | ${f.rateLimited} | ${f.keysCreated} | ${f.keysRevoked} | ${f.keysLeaked} | ${f.divergences} | ${f.secretHits} | ${minutes(f.wallMs ?? 0)} |`
    : `| ${name} | not run | | | | | | | | |`;

const last =
  ran
    .map((f) => f.finishedAt)
    .sort()
    .pop() ?? "never";
const table = [
  header,
  ...rows.map((r) => line(`\`${r.suite}\``, r.f)),
  line("**total**", {
    cases: sum("cases"),
    faultsInjected: sum("faultsInjected"),
    rateLimited: sum("rateLimited"),
    keysCreated: sum("keysCreated"),
    keysRevoked: sum("keysRevoked"),
    keysLeaked: sum("keysLeaked"),
    divergences: sum("divergences"),
    secretHits: sum("secretHits"),
    wallMs: sum("wallMs"),
  }),
].join("\n");

const notes = [
  `Measured ${last.replace(/\.\d+Z$/, "Z")} on ${os.cpus().length} cores, ${os.platform()} ${os.arch()}, Node ${process.version}; ` +
    `${sum("pulumiCommands")} Pulumi commands; the secret scan searched ${sum("artifactsScanned")} artifacts ` +
    `(${(sum("bytesScanned") / 1024 / 1024).toFixed(1)} MB).`,
  `Secret occurrences in Pulumi's own \`-v=9\` log (engine and SDK debug lines, see "Secrets" below; not counted as hits): ${sum("pulumiVerboseLogHits")}.`,
  `Peak memory of the client on a 50 MB answer: +${ran.find((f) => f.memoryGrowthMb !== undefined)?.memoryGrowthMb ?? "?"} MB ` +
    `(most for the listing, which is read up to 32 MiB; the same client with its limits lifted, reading it all: +${ran.find((f) => f.readAllMemoryGrowthMb !== undefined)?.readAllMemoryGrowthMb ?? "?"} MB).`,
  `Reruns used by faults-during-runs (at most one per command is allowed): ${sum("reruns")}.`,
  `Missing test files: ${
    rows.filter((r) => !r.f).length === 0
      ? "none"
      : rows
          .filter((r) => !r.f)
          .map((r) => r.suite)
          .join(", ")
  }.`,
];

const block = `${START}\n${table}\n\n${notes.join("\n")}\n${END}`;
console.log(block);

if (process.argv.includes("--write")) {
  const text = fs.readFileSync(README, "utf8");
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  if (a < 0 || b < a) throw new Error(`${README} has no ${START} ... ${END} block`);
  fs.writeFileSync(README, text.slice(0, a) + block + text.slice(b + END.length));
  console.log(`\nwrote ${path.relative(process.cwd(), README)}`);
}
