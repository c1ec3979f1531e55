/**
 * The Baseten emulator in its own process (test/emulator/main.ts), so its response times do
 * not depend on the benchmark's own event loop, which also runs the inline Pulumi program.
 */
import { spawn, type ChildProcess } from "child_process";
import { randomBytes } from "crypto";
import * as path from "path";
import { EmulatorControl } from "../test/emulator";
import { REPO_ROOT } from "../scripts/pulumiCli";

export interface EmulatorProcess {
  url: string;
  /** A fake management key made for this run; never printed. */
  managementKey: string;
  control: EmulatorControl;
  stop(): Promise<void>;
  /** Synchronous, for exit handlers: the emulator must not outlive an interrupted benchmark. */
  kill(): void;
}

export async function startEmulatorProcess(opts: {
  latencyMs: number;
  rateLimitPerSecond: number | null;
}): Promise<EmulatorProcess> {
  const managementKey = `bench_${randomBytes(16).toString("hex")}`;
  const args = [
    "-r",
    "ts-node/register/transpile-only",
    path.join(REPO_ROOT, "test/emulator/main.ts"),
    "--latency",
    String(opts.latencyMs),
    ...(opts.rateLimitPerSecond === null ? ["--no-rate-limit"] : ["--rate-limit", String(opts.rateLimitPerSecond)]),
  ];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, BASETEN_API_KEY: managementKey },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(() => reject(new Error(`the emulator did not start within 60 s: ${err}`)), 60_000);
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the emulator exited with ${code} before listening: ${err}`));
    });
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    url,
    managementKey,
    control: new EmulatorControl(url),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      await exited;
    },
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    },
  };
}
