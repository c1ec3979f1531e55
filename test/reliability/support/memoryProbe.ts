/**
 * Peak memory of one client call, measured in a fresh Node process (the built client from
 * `dist/`, as the engine's provider host runs it) so the figure is not blurred by jest, the
 * emulator or other tests sharing this process. The probe prints its peak RSS and the error
 * it got; the management key reaches it through the environment, never argv.
 */
import { execFile } from "child_process";
import * as path from "path";
import { REPO_ROOT } from "../../../scripts/pulumiCli";

export interface ProbeResult {
  maxRssBytes: number;
  /** The error the call ended with, or undefined when it succeeded. */
  error?: { kind: string; message: string };
}

const PROBE = `
const { BasetenClient } = require(${JSON.stringify(path.join(REPO_ROOT, "dist", "provider", "client", "baseten.js"))});
const max = Number(process.env.PROBE_MAX_BYTES);
const limit = process.env.PROBE_MAX_BYTES ? { maxResponseBytes: max, maxListingBytes: max } : {};
const client = new BasetenClient({ baseUrl: process.env.PROBE_URL, apiKey: process.env.PROBE_KEY, retry: { maxRetries: 0 }, ...limit });
const [op, arg] = JSON.parse(process.env.PROBE_CALL);
client[op](arg).then(
  () => ({}),
  (e) => ({ error: { kind: e.kind, message: e.message } }),
).then((r) => {
  // VmHWM: this process image's own peak RSS (getrusage's maxrss would also count the
  // parent's image this process was forked from).
  const hwm = /VmHWM:\\s+(\\d+) kB/.exec(require("fs").readFileSync("/proc/self/status", "utf8"));
  process.stdout.write(JSON.stringify({ ...r, maxRssBytes: Number(hwm[1]) * 1024 }));
});
`;

/**
 * Runs `client[op](arg)` in a fresh process against `url`. `maxResponseBytes` overrides the
 * client's body limits, listings' too (to calibrate the probe with a client that reads everything).
 */
export function probeClientCall(
  url: string,
  apiKey: string,
  op: string,
  arg?: unknown,
  maxResponseBytes?: number,
): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["-e", PROBE],
      {
        env: {
          ...process.env,
          PROBE_URL: url,
          PROBE_KEY: apiKey,
          PROBE_CALL: JSON.stringify([op, arg]),
          PROBE_MAX_BYTES: maxResponseBytes === undefined ? "" : String(maxResponseBytes),
        },
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`memory probe failed: ${error.message}\n${stderr}`));
        resolve(JSON.parse(stdout) as ProbeResult);
      },
    );
  });
}
