/**
 * Runs a shell snippet from the main README.md exactly as written there, so the
 * recovery the README documents is the recovery the crash tests prove. A snippet is the first
 * ```bash block after the marker `<!-- snippet:NAME -->`.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { ReliabilityStack } from "./stack";
import { STACK_NAME } from "./stack";

const README = path.join(__dirname, "..", "..", "..", "README.md");

export function readmeSnippet(name: string): string {
  const text = fs.readFileSync(README, "utf8");
  const at = text.indexOf(`<!-- snippet:${name} -->`);
  if (at < 0) throw new Error(`README.md has no <!-- snippet:${name} --> marker`);
  const block = /```bash\n([\s\S]*?)```/.exec(text.slice(at));
  if (!block) throw new Error(`no \`\`\`bash block follows <!-- snippet:${name} --> in README.md`);
  return block[1];
}

/** The tools a snippet calls besides pulumi; a missing one fails with how to get it. */
export function requireTools(tools: string[]): void {
  const missing = tools.filter((t) => !(process.env.PATH ?? "").split(":").some((d) => fs.existsSync(path.join(d, t))));
  if (missing.length) {
    throw new Error(
      `The README's recovery snippets need ${missing.join(" and ")} on PATH: install ${missing.join(", ")} ` +
        `(Debian/Ubuntu: \`apt-get install ${missing.join(" ")}\`), then rerun.`,
    );
  }
}

export interface SnippetRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the snippet with bash (-e, -u, pipefail) in the stack's work dir, as a user with the
 * stack selected and `BASETEN_API_KEY` / `BASETEN_API_URL` exported. Output is kept in the
 * stack's artifacts for the secret scan.
 */
export async function runSnippet(
  name: string,
  stack: ReliabilityStack,
  baseten: { apiUrl: string; apiKey: string },
): Promise<SnippetRun> {
  const script = readmeSnippet(name);
  const env = {
    ...process.env,
    ...stack.envVars,
    BASETEN_API_URL: baseten.apiUrl,
    BASETEN_API_KEY: baseten.apiKey,
  };
  await runBash(`pulumi stack select ${STACK_NAME}`, stack.workDir, env);
  const run = await runBash(script, stack.workDir, env);
  stack.artifacts.push({ source: `README snippet ${name} stdout`, text: run.stdout });
  stack.artifacts.push({ source: `README snippet ${name} stderr`, text: run.stderr });
  return run;
}

function runBash(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<SnippetRun> {
  return new Promise((resolve) => {
    execFile(
      "bash",
      ["-euo", "pipefail", "-c", script],
      { cwd, env, maxBuffer: 64 * 1024 * 1024, timeout: 5 * 60 * 1000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
