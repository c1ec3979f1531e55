/** The machine a table was measured on, for results.md: a ratio means little without it. */
import { execFileSync } from "child_process";
import * as os from "os";

export interface MachineInfo {
  date: string;
  cpus: string;
  memory: string;
  os: string;
  node: string;
  pulumiCli: string;
}

function run(cmd: string, args: string[]): string | undefined {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return undefined;
  }
}

export function describeMachine(pulumiPath: string): MachineInfo {
  const cpus = os.cpus();
  const memTotal = run("free", ["-h"])?.split("\n")[1]?.trim().split(/\s+/)[1];
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    cpus: `${run("nproc", []) ?? cpus.length} (${cpus[0]?.model.trim() ?? "unknown model"})`,
    memory: `${memTotal ?? `${Math.round(os.totalmem() / 2 ** 30)}Gi`} total (free -h)`,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    pulumiCli: run(pulumiPath, ["version"]) ?? "unknown",
  };
}
