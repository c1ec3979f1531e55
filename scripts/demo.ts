/**
 * `npm run demo`: runs examples/basic through the real Pulumi engine: `pulumi preview` (the
 * diff a reviewer sees), `pulumi up` (mints the key), `pulumi destroy` (revokes it, with
 * Baseten's tombstone verified), then removes everything it made.
 *
 *   ts-node scripts/demo.ts --emulator   against the bundled Baseten emulator on 127.0.0.1
 *   ts-node scripts/demo.ts              against the API in BASETEN_API_URL (default
 *                                        https://api.baseten.co) with BASETEN_API_KEY
 *
 * The Go-built CLI here has no Node.js language host (its module is not served by the Go
 * proxy), so the example runs as an Automation API inline program: the same index.ts, the
 * same engine, the same provider host.
 */
import * as fs from "fs";
import * as path from "path";
import { LocalWorkspace, PulumiCommand } from "@pulumi/pulumi/automation";
import { BasetenEmulator } from "../test/emulator";
import { isolatedPulumiEnv, pulumiBinDir, REPO_ROOT } from "./pulumiCli";

const EXAMPLE = path.join(REPO_ROOT, "examples", "basic");

function banner(text: string): void {
  console.log(`\n=== ${text} ${"=".repeat(Math.max(0, 70 - text.length))}`);
}

async function main(): Promise<void> {
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

  fs.mkdirSync(path.join(REPO_ROOT, ".tmp"), { recursive: true });
  // Inside the checkout, so the engine's provider host resolves @pulumi/pulumi from here.
  const dir = fs.mkdtempSync(path.join(REPO_ROOT, ".tmp", "demo-"));
  for (const sub of ["backend", "home", "work"]) fs.mkdirSync(path.join(dir, sub));
  try {
    const binDir = pulumiBinDir();
    const pulumiCommand = await PulumiCommand.get({ root: path.dirname(binDir) });
    const program = async () => {
      // The example's index.ts, loaded fresh for each run as `pulumi up` would run it.
      const entry = require.resolve(EXAMPLE);
      delete require.cache[entry];
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return require(entry);
    };
    const stack = await LocalWorkspace.createOrSelectStack(
      { stackName: "demo", projectName: "baseten-basic", program },
      {
        workDir: path.join(dir, "work"),
        pulumiHome: path.join(dir, "home"),
        pulumiCommand,
        envVars: isolatedPulumiEnv(dir, binDir),
      },
    );
    await stack.setConfig("baseten:apiKey", { value: managementKey, secret: true });
    await stack.setConfig("baseten:apiUrl", { value: apiUrl });
    const print = (out: string) => process.stdout.write(out);

    banner("pulumi preview --diff");
    await stack.preview({ diff: true, onOutput: print });

    banner("pulumi up");
    const up = await stack.up({ onOutput: print });
    const prefix = String(up.outputs.prefix.value);
    console.log(`\nMinted key ${prefix}; its plaintext is a secret output: ${up.outputs.apiKey.secret ? "yes" : "NO"}`);
    if (emulator) {
      const live = emulator.liveKeys().map((k) => `${k.prefix} (${k.name}, ${k.type})`);
      console.log(`Live at Baseten (emulator): ${live.join(", ")}`);
    }

    banner("pulumi destroy");
    await stack.destroy({ onOutput: print });
    if (emulator) {
      const revoke = emulator.requestLog().find((r) => r.route === "DELETE /v1/api_keys/{prefix}");
      console.log(
        `\nRevoked: DELETE ${revoke?.rawPath} answered ${revoke?.status} with tombstone {"prefix": "${prefix}"}, ` +
          `verified by the provider to name the key it revoked. Live keys left: ${emulator.liveKeys().length}.`,
      );
    } else {
      console.log(`\nRevoked key ${prefix}: destroy succeeded only because Baseten's tombstone named ${prefix}.`);
    }
    await stack.workspace.removeStack("demo");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await emulator?.stop();
  }
}

main().catch((e: Error) => {
  console.error(`\ndemo failed: ${e.message}`);
  process.exit(1);
});
