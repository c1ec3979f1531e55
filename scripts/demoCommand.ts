/**
 * Runs one command of the demo as a user would type it: prints `$ <command>`, then its output
 * line by line as it comes, with every secret still unknown to the command's author redacted.
 */
import { spawn } from "child_process";

export interface CommandOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Written to the command's stdin, which is then closed (how the CLI reads a secret value). */
  stdin?: string;
  /** The arguments as printed, when they differ from those run. */
  shownArgs?: string[];
  /** The secrets no line may show; asked again for every line (a key is minted mid-command). */
  secrets: () => string[];
}

export interface CommandRun {
  /** The command line as printed. */
  shown: string;
  exitCode: number;
  /** Everything written to stdout (after redaction). */
  stdout: string;
  /** Every line of stdout and stderr, as printed. */
  lines: string[];
  /** How many secrets had to be redacted. */
  redacted: number;
}

/** Runs `command args` and resolves once it has exited and its output is printed. */
export function runCommand(command: string, args: string[], options: CommandOptions): Promise<CommandRun> {
  const shown = [command, ...(options.shownArgs ?? args)].join(" ");
  process.stdout.write(`\n$ ${shown}\n`);
  const run: CommandRun = { shown, exitCode: -1, stdout: "", lines: [], redacted: 0 };
  const redact = (line: string): string => {
    for (const secret of options.secrets()) {
      if (secret && line.includes(secret)) {
        run.redacted++;
        line = line.split(secret).join("[REDACTED]");
      }
    }
    return line;
  };
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ["pipe", "pipe", "pipe"] });
    const printer = (stream: NodeJS.ReadableStream, out: NodeJS.WriteStream, isStdout: boolean) => {
      let pending = "";
      const emit = (line: string) => {
        const safe = redact(line);
        run.lines.push(safe);
        if (isStdout) run.stdout += `${safe}\n`;
        out.write(`${safe}\n`);
      };
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => {
        const parts = (pending + chunk).split("\n");
        pending = parts.pop() as string;
        parts.forEach(emit);
      });
      return new Promise<void>((done) =>
        stream.on("end", () => {
          if (pending) emit(pending);
          done();
        }),
      );
    };
    const printed = Promise.all([printer(child.stdout, process.stdout, true), printer(child.stderr, process.stderr, false)]);
    child.on("error", (e) => reject(new Error(`could not run ${command}: ${e.message}`)));
    child.on("close", (code, signal) => {
      run.exitCode = code ?? (signal ? 128 : -1);
      void printed.then(() => resolve(run));
    });
    child.stdin.end(options.stdin ?? "");
  });
}
