/**
 * Finds (or builds) the real Pulumi CLI through scripts/pulumi-cli.sh. A test that needs the
 * engine fails with instructions when the CLI cannot be had: it never skips silently.
 */
import { execFileSync } from "child_process";
import * as path from "path";

export const REPO_ROOT = path.resolve(__dirname, "../..");

let cached: string | undefined;

/** The folder holding `pulumi` and `pulumi-resource-pulumi-nodejs`. */
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
        `Run \`bash scripts/pulumi-cli.sh\` (it builds the CLI from Go modules; needs Go >= 1.25) ` +
        `or put pulumi >= v3.216 on PATH, then rerun.`,
    );
  }
}
