/**
 * Finds (or builds) the real Pulumi CLI through scripts/pulumi-cli.sh, for the demo and the
 * engine test suites. A caller that needs the engine fails with instructions when the CLI
 * cannot be had: nothing skips silently.
 */
import { execFileSync } from "child_process";
import * as path from "path";

export const REPO_ROOT = path.resolve(__dirname, "..");

let cached: string | undefined;

/** The folder holding `pulumi`, `pulumi-language-nodejs` and `pulumi-resource-pulumi-nodejs`. */
export function pulumiBinDir(): string {
  if (cached) return cached;
  try {
    const out = execFileSync("bash", [path.join(REPO_ROOT, "scripts/pulumi-cli.sh")], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
      timeout: 40 * 60 * 1000,
    });
    cached = out.trim().split("\n").pop() as string;
    return cached;
  } catch (e) {
    throw new Error(
      `The Pulumi CLI is required for this suite and could not be provided: ${(e as Error).message}\n` +
        `Run \`bash scripts/pulumi-cli.sh\` (it builds the CLI and the Node.js language host from Go modules; ` +
        `needs Go >= 1.25) or put a Pulumi install >= v3.216 on PATH, then rerun.`,
    );
  }
}

/**
 * Environment of an isolated Pulumi run: a file:// backend and a private PULUMI_HOME under
 * `dir`, no update checks, no plugin downloads, and the CLI's bin folder first on PATH (the
 * CLI finds the language host and the dynamic-provider host there).
 */
export function isolatedPulumiEnv(dir: string, binDir: string): Record<string, string> {
  return {
    PATH: `${binDir}:${process.env.PATH}`,
    PULUMI_HOME: path.join(dir, "home"),
    PULUMI_BACKEND_URL: `file://${path.join(dir, "backend")}`,
    PULUMI_CONFIG_PASSPHRASE: "local-passphrase-for-tests-and-demo",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
  };
}
