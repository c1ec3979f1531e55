#!/usr/bin/env node
/**
 * `baseten-recover`: after a crash (or Ctrl-C twice) during `pulumi up`, revokes the keys that
 * interrupted creates minted and no state tracks. Reads the stack's state, never touches a key
 * any resource of the stack holds, shows what it will revoke and asks (or needs `--yes`).
 * Works before or after a further `pulumi up`. See README, "Recovering from a crash".
 */
import * as readline from "readline";
import { isBasetenError } from "../client/errors";
import { ProviderRuntime } from "../core/runtime";
import { resolveSettings } from "../core/settings";
import { describeScope } from "../core/keys/scope";
import { fileBackendDir, removeCutSidecars } from "./cutSidecars";
import { orphansOf, type Orphan } from "./plan";
import { backendUrl, exportState, selectedStack, stackConfig } from "./pulumiCli";
import { interruptedSecretLines } from "./secrets";
import { API_KEY_TYPE, interruptedCreates } from "./stackState";

const USAGE = `Usage: baseten-recover [--stack <name>] [--cwd <project folder>] [--yes | --dry-run | --repair-only]

Revokes the Baseten API keys that interrupted creates of the stack minted and that no resource
of the stack holds. Shows them first, and asks unless --yes is given (--dry-run only shows).
Run it in the project folder (or give --cwd), with the pulumi CLI on PATH. The management key is
BASETEN_API_KEY when set, else the stack's baseten:apiKey; the URL BASETEN_API_URL, else the
stack's baseten:apiUrl, else https://api.baseten.co.

First, on a file:// backend, it removes the empty metadata files (*.attrs) a kill can leave,
which make every pulumi command answer "failed to load checkpoint: EOF"; --repair-only does
only that, and needs no management key.`;

interface Options {
  stack?: string;
  cwd: string;
  yes: boolean;
  dryRun: boolean;
  repairOnly: boolean;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { cwd: process.cwd(), yes: false, dryRun: false, repairOnly: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value.\n\n${USAGE}`);
      return v;
    };
    if (a === "--stack" || a === "-s") opts.stack = value();
    else if (a === "--cwd" || a === "-C") opts.cwd = value();
    else if (a === "--yes" || a === "-y") opts.yes = true;
    else if (a === "--dry-run") opts.dryRun = true;
    else if (a === "--repair-only") opts.repairOnly = true;
    else if (a === "--help" || a === "-h") {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else throw new Error(`Unknown argument ${JSON.stringify(a)}.\n\n${USAGE}`);
  }
  return opts;
}

function describe(o: Orphan): string {
  const why = o.interrupted ? "the name of an interrupted create of" : "a name of";
  const caution = o.explicitName ? " (an explicit name: make sure no one else uses it)" : "";
  return (
    `  ${o.key.prefix}  ${JSON.stringify(o.key.name)} in ${describeScope(o.scope)}: ` +
    `${why} ${o.urn}; no resource of the stack holds it${caution}`
  );
}

async function confirmed(count: number): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  const answer = await new Promise<string>((resolve) =>
    rl.question(`Revoke ${count === 1 ? "this key" : `these ${count} keys`}? [y/N] `, resolve),
  );
  rl.close();
  return /^y(es)?$/i.test(answer.trim());
}

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  const say = (line: string) => process.stdout.write(`${line}\n`);

  const dir = fileBackendDir(backendUrl(opts.cwd) ?? "");
  // --dry-run changes nothing, the backend's files included.
  const removed = dir !== undefined && !opts.dryRun ? removeCutSidecars(dir) : [];
  for (const file of removed) {
    say(`Removed ${file}: an empty metadata file a killed pulumi left mid-write (the state itself is whole).`);
  }
  if (opts.repairOnly) {
    if (removed.length === 0)
      say(dir !== undefined ? "The backend needs no repair." : "Not a file:// backend: nothing to repair.");
    return 0;
  }
  const stack = opts.stack ?? selectedStack(opts.cwd);
  const state = exportState(stack, opts.cwd);
  const config = (key: string) =>
    process.env[`BASETEN_${key === "apiKey" ? "API_KEY" : "API_URL"}`] ? undefined : stackConfig(stack, key, opts.cwd);
  const rt = new ProviderRuntime(resolveSettings({ apiKey: config("apiKey"), apiUrl: config("apiUrl") }));
  const caller = await rt.caller();
  const orphans = await orphansOf(rt, state, await rt.client.listKeys(), caller.userId);
  const pendingKeys = interruptedCreates(state, API_KEY_TYPE).length;

  say(`Stack ${stack}: ${pendingKeys} interrupted ApiKey create(s) in state.`);
  for (const line of interruptedSecretLines(state)) say(line);
  if (orphans.length === 0)
    say("No live key carries a name of this stack's keys without a resource holding it: nothing to revoke.");
  else {
    say(`Live keys that carry a name of this stack's keys and that no resource of the stack holds:`);
    for (const o of orphans) say(describe(o));
  }
  const next =
    pendingKeys > 0 ? "Then drop the interrupted creates from state: pulumi refresh --yes --clear-pending-creates" : undefined;
  if (orphans.length === 0 || opts.dryRun) {
    if (next) say(next);
    return 0;
  }
  if (!opts.yes) {
    if (!process.stdin.isTTY) {
      say("Nothing was revoked: rerun with --yes to revoke them (or --dry-run to only show them).");
      return 2;
    }
    if (!(await confirmed(orphans.length))) {
      say("Nothing was revoked.");
      return 2;
    }
  }
  let failed = 0;
  for (const o of orphans) {
    try {
      const result = await rt.operationClient().revokeKey(o.key.prefix);
      if (result.outcome === "revoked")
        say(`Revoked Baseten API key ${JSON.stringify(o.key.prefix)}: Baseten's tombstone names it (verified).`);
      else {
        failed++;
        say(
          `Baseten answered 404 to revoking ${JSON.stringify(o.key.prefix)}: it may be gone already, or not this management key's to revoke; check it.`,
        );
      }
    } catch (e) {
      failed++;
      say(`Revoking ${JSON.stringify(o.key.prefix)} failed: ${isBasetenError(e) ? e.message : String(e)}`);
    }
  }
  if (next) say(next);
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`baseten-recover: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
