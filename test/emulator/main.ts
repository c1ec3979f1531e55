/**
 * CLI: `npm run emulator -- [--port N] [--latency MS] [--no-rate-limit] [--rate-limit N] [--preload-keys N]`.
 * The management key comes from BASETEN_API_KEY when set (so a shell already configured for
 * the provider works unchanged), else a random fake key is generated and printed.
 */
import { BasetenEmulator, EmulatorOptions } from "./index";

export interface CliOptions {
  port: number;
  latencyMs: number;
  rateLimitPerSecond: number | null;
  /** Other live keys at start and after every reset (EmulatorOptions.preloadKeys). */
  preloadKeys: number;
}

export function parseCliArgs(argv: string[]): CliOptions {
  const out: CliOptions = { port: 0, latencyMs: 0, rateLimitPerSecond: 100, preloadKeys: 0 };
  const number = (flag: string, value: string | undefined): number => {
    const n = Number(value);
    if (value === undefined || value.trim() === "" || !Number.isFinite(n) || n < 0)
      throw new Error(`${flag} needs a non-negative number`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case "--port":
        out.port = number(flag, value());
        break;
      case "--latency":
        out.latencyMs = number(flag, value());
        break;
      case "--rate-limit":
        out.rateLimitPerSecond = number(flag, value());
        break;
      case "--preload-keys":
        out.preloadKeys = number(flag, value());
        break;
      case "--no-rate-limit":
        out.rateLimitPerSecond = null;
        break;
      default:
        throw new Error(`unknown argument ${arg}`);
    }
  }
  return out;
}

async function main(): Promise<void> {
  let cli: CliOptions;
  try {
    cli = parseCliArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(
      `${(err as Error).message}\nusage: ts-node test/emulator/main.ts [--port N] [--latency MS] [--no-rate-limit] [--rate-limit N] [--preload-keys N]\n`,
    );
    process.exit(2);
  }
  const envKey = process.env.BASETEN_API_KEY;
  const opts: EmulatorOptions = { ...cli, ...(envKey ? { managementKey: envKey } : {}) };
  const emulator = await BasetenEmulator.start(opts);
  process.stdout.write(`Baseten emulator listening on ${emulator.url}\n`);
  if (!envKey) {
    process.stdout.write(`Fake management key (emulator only): export BASETEN_API_KEY=${emulator.managementKey}\n`);
  }
  const shutdown = (): void => {
    void emulator.stop().then(() => process.exit(0));
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`emulator failed to start: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
