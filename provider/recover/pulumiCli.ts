/** The few `pulumi` commands `baseten-recover` runs, through the `pulumi` on PATH, in the project folder. */
import { execFileSync } from "child_process";
import type { StackState } from "./stackState";

/** Runs `pulumi <args>` and returns its standard output; throws with its standard error. */
function pulumi(args: string[], cwd: string): string {
  try {
    return execFileSync("pulumi", [...args, "--non-interactive"], {
      cwd,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 256 * 1024 * 1024,
    });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`\`pulumi ${args.join(" ")}\` failed: ${(err.stderr ?? "").trim() || err.message}`);
  }
}

/** The backend's URL (`pulumi whoami --verbose`), or undefined when it does not say. */
export function backendUrl(cwd: string): string | undefined {
  try {
    return /^\s*Backend URL:\s*(\S+)\s*$/m.exec(pulumi(["whoami", "--verbose"], cwd))?.[1];
  } catch {
    return undefined;
  }
}

/** The selected stack's name. */
export function selectedStack(cwd: string): string {
  return pulumi(["stack", "--show-name"], cwd).trim();
}

/** The stack's state, secrets left encrypted. */
export function exportState(stack: string, cwd: string): StackState {
  return JSON.parse(pulumi(["stack", "export", "--stack", stack], cwd)) as StackState;
}

/** A `baseten:*` value of the stack's config, or undefined when it is not set (or cannot be read). */
export function stackConfig(stack: string, key: string, cwd: string): string | undefined {
  try {
    return pulumi(["config", "get", `baseten:${key}`, "--stack", stack], cwd).replace(/\n$/, "");
  } catch {
    return undefined;
  }
}
