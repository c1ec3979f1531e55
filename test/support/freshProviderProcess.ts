/**
 * Runs a resource's serialized provider text (its `__provider`, as the engine stores it) in a
 * fresh Node process, the way the engine's dynamic-provider host loads it: `provider` is the
 * text's handler, configured from stack config only (BASETEN_API_KEY is removed from the child's
 * environment, so a key captured at serialization time would show). The child resolves modules
 * from the repository, as the host resolves them from the program's folder. `script` runs with
 * `provider` in scope and prints one JSON line last; that line is the result.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const REPO = path.resolve(__dirname, "../..");

export function runProviderText(
  providerText: string,
  connection: { managementKey: string; url: string },
  script: string,
): Promise<Record<string, unknown>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "provider-text-"));
  const file = path.join(dir, "provider.js");
  fs.writeFileSync(file, providerText);
  const program = `
    const provider = require("require-from-string")(require("fs").readFileSync(${JSON.stringify(file)}, "utf8")).handler();
    const config = { "baseten:apiKey": process.env.TEST_MGMT_KEY, "baseten:apiUrl": process.env.TEST_API_URL };
    (async () => {
      await provider.configure({ config: { get: (k) => config[k] } });
      ${script}
    })();`;
  const env: NodeJS.ProcessEnv = { ...process.env, TEST_MGMT_KEY: connection.managementKey, TEST_API_URL: connection.url };
  delete env.BASETEN_API_KEY;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ["-e", program], { cwd: REPO, env }, (err, stdout, stderr) => {
      fs.rmSync(dir, { recursive: true, force: true });
      if (err) return reject(new Error(`fresh process failed: ${stderr}`));
      resolve(JSON.parse(stdout.trim().split("\n").pop() as string) as Record<string, unknown>);
    });
  });
}

/** `method(...args)` of the provider in a fresh process: `{ ok, result }` or `{ ok: false, message, name }`. */
export function callProviderText(
  providerText: string,
  connection: { managementKey: string; url: string },
  method: string,
  args: unknown[],
): Promise<{ ok: boolean; result?: unknown; message?: string; name?: string }> {
  return runProviderText(
    providerText,
    connection,
    `try {
        const result = await provider[${JSON.stringify(method)}](...${JSON.stringify(args)});
        console.log(JSON.stringify({ ok: true, result: result === undefined ? null : result }));
      } catch (e) {
        console.log(JSON.stringify({ ok: false, message: e.message, name: e.name }));
      }`,
  ) as Promise<{ ok: boolean; result?: unknown; message?: string; name?: string }>;
}
