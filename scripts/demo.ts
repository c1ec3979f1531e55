/**
 * `npm run demo`: the commands a user types in a project folder, run for real in this
 * repository's root (its Pulumi.yaml runs examples/basic) through the Pulumi CLI, the Node.js
 * language host and the engine, each printed with its output as the CLI prints it:
 *
 *   pulumi stack init demo
 *   pulumi config set --secret baseten:apiKey      (the management key arrives on stdin)
 *   pulumi config set baseten:apiUrl <url>
 *   pulumi preview --diff
 *   pulumi up --yes
 *   pulumi stack output
 *   pulumi destroy --yes
 *   pulumi stack rm --yes demo
 *
 * then the revocation as Baseten saw it. State lives in a temporary file:// backend and
 * PULUMI_HOME, removed at the end with the stack.
 *
 *   ts-node scripts/demo.ts --emulator   against the bundled Baseten emulator on 127.0.0.1
 *   ts-node scripts/demo.ts              against the API in BASETEN_API_URL (default
 *                                        https://api.baseten.co) with BASETEN_API_KEY
 *
 * Neither the management key nor a minted key's plaintext is ever printed: every output line
 * is checked for them (and redacted: the demo then fails), and for the CLI's plugin warnings.
 */
import * as fs from "fs";
import * as path from "path";
import { BasetenEmulator } from "../test/emulator";
import { runCommand, type CommandRun } from "./demoCommand";
import { isolatedPulumiEnv, pulumiBinDir, REPO_ROOT } from "./pulumiCli";

const STACK = "demo";
/** The stack's config file, which `pulumi stack init` writes next to Pulumi.yaml. */
const STACK_CONFIG = path.join(REPO_ROOT, `Pulumi.${STACK}.yaml`);
/** What the CLI prints when a plugin it runs is not the one it expected. */
const PLUGIN_WARNING = /using pulumi-[\w-]+ from \$PATH/;

async function main(): Promise<void> {
  const started = Date.now();
  const useEmulator = process.argv.includes("--emulator");
  let emulator: BasetenEmulator | undefined;
  let apiUrl: string;
  let managementKey: string;
  if (useEmulator) {
    emulator = await BasetenEmulator.start();
    apiUrl = emulator.url;
    managementKey = emulator.managementKey;
    console.log(`Baseten emulator listening on ${apiUrl} (in memory; stops with the demo)`);
  } else {
    const key = process.env.BASETEN_API_KEY;
    if (!key) {
      throw new Error(
        "Set BASETEN_API_KEY to a Baseten management key, or run `npm run demo` (which uses the bundled emulator).",
      );
    }
    managementKey = key;
    apiUrl = process.env.BASETEN_API_URL ?? "https://api.baseten.co";
    console.log(`Using the Baseten API at ${apiUrl}`);
  }
  // Never clobber a user's own stack of that name in this folder.
  if (fs.existsSync(STACK_CONFIG)) {
    throw new Error(`${STACK_CONFIG} exists already (a stack named "${STACK}" of yours?): move it away and rerun.`);
  }

  // State and PULUMI_HOME in a temporary folder: the demo touches no stack of yours.
  fs.mkdirSync(path.join(REPO_ROOT, ".tmp"), { recursive: true });
  const dir = fs.mkdtempSync(path.join(REPO_ROOT, ".tmp", "demo-"));
  for (const sub of ["backend", "home"]) fs.mkdirSync(path.join(dir, sub));
  const runs: CommandRun[] = [];
  try {
    const binDir = pulumiBinDir();
    const env = { ...process.env, ...isolatedPulumiEnv(dir, binDir) };
    console.log(
      `\nIn ${REPO_ROOT} (Pulumi.yaml: main examples/basic), with the Pulumi CLI from ${binDir} first on PATH,\n` +
        `PULUMI_BACKEND_URL=${env.PULUMI_BACKEND_URL}, PULUMI_HOME=${env.PULUMI_HOME} and PULUMI_CONFIG_PASSPHRASE set:`,
    );
    // Checked line by line as the CLI prints them: the plaintexts exist once the key is minted.
    const secrets = () => [managementKey, ...(emulator?.allKeys().map((k) => k.apiKey) ?? [])];
    const pulumi = async (args: string[], opts: { stdin?: string; shown?: string[] } = {}) => {
      const run = await runCommand("pulumi", args, { cwd: REPO_ROOT, env, stdin: opts.stdin, shownArgs: opts.shown, secrets });
      runs.push(run);
      if (run.exitCode !== 0) throw new Error(`\`pulumi ${args.join(" ")}\` exited with ${run.exitCode}`);
      return run;
    };

    await pulumi(["stack", "init", STACK]);
    await pulumi(["config", "set", "--secret", "baseten:apiKey"], {
      stdin: managementKey,
      shown: [
        "config",
        "set",
        "--secret",
        "baseten:apiKey",
        `< ${useEmulator ? "the emulator's" : "your"} management key on stdin`,
      ],
    });
    await pulumi(["config", "set", "baseten:apiUrl", apiUrl]);
    await pulumi(["preview", "--diff"]);
    await pulumi(["up", "--yes"]);
    const prefix = (await pulumi(["stack", "output", "prefix"])).stdout.trim();
    await pulumi(["stack", "output"]);
    await pulumi(["destroy", "--yes"]);
    await pulumi(["stack", "rm", "--yes", STACK]);

    console.log("\n=== What Baseten saw");
    if (emulator) {
      console.log(verifiedRevocation(emulator, prefix));
    } else {
      console.log(`Revoked key ${prefix}: destroy succeeded only because Baseten's tombstone named ${prefix}.`);
    }
    const problems = [
      ...runs.filter((r) => r.redacted > 0).map((r) => `\`${r.shown}\` printed a secret (redacted above)`),
      ...runs.flatMap((r) => r.lines.filter((l) => PLUGIN_WARNING.test(l)).map((l) => `\`${r.shown}\` warned: ${l.trim()}`)),
    ];
    if (problems.length > 0) throw new Error(problems.join("\n"));
    console.log(`No secret and no plugin warning in any output. The demo took ${((Date.now() - started) / 1000).toFixed(0)}s.`);
  } finally {
    // The stack's config file holds only the encrypted management key, but it is the demo's.
    fs.rmSync(STACK_CONFIG, { force: true });
    fs.rmSync(dir, { recursive: true, force: true });
    await emulator?.stop();
  }
}

/**
 * The revocation as the emulator recorded it: one DELETE of the key's prefix, answered 200.
 * The emulator answers a 200 DELETE with the tombstone {"prefix": <the revoked key's prefix>},
 * which the provider compared with the key's prefix before destroy could succeed.
 */
function verifiedRevocation(emulator: BasetenEmulator, prefix: string): string {
  const deletes = emulator.requestLog().filter((r) => r.route === "DELETE /v1/api_keys/{prefix}");
  const revoked = emulator.allKeys().filter((k) => k.revoked);
  const ok =
    deletes.length === 1 &&
    deletes[0].rawPath === `/v1/api_keys/${prefix}` &&
    deletes[0].status === 200 &&
    revoked.length === 1 &&
    revoked[0].prefix === prefix;
  if (!ok) {
    throw new Error(
      `expected one DELETE /v1/api_keys/${prefix} answered 200 revoking that key; the emulator logged ` +
        `${JSON.stringify(deletes.map((d) => [d.rawPath, d.status]))} and revoked ${JSON.stringify(revoked.map((k) => k.prefix))}`,
    );
  }
  return (
    `DELETE ${deletes[0].rawPath} answered ${deletes[0].status} with the tombstone {"prefix": "${revoked[0].prefix}"}: ` +
    `the key's prefix (${prefix}), revoked at ${new Date(revoked[0].revokedAt as number).toISOString()}. ` +
    `Live keys left: ${emulator.liveKeys().length}.`
  );
}

main().catch((e: Error) => {
  console.error(`\ndemo failed: ${e.message}`);
  process.exit(1);
});
