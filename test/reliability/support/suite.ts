/**
 * The life of one reliability test file, written once: an emulator started before the first
 * test, stacks made against it (each its own temp folder, backend and PULUMI_HOME), the file's
 * figures ledger and secret scan, and after the last test the figures accounted and written,
 * the stacks' processes ended and folders removed, the emulator stopped. A file calls
 * `reliabilitySuite` at its top; its jest hooks run before the file's own.
 */
import { BasetenEmulator, type EmulatorOptions } from "../../emulator";
import { checkpoint, type Agreement } from "./agreement";
import { suiteFigures, type FiguresLedger } from "./figures";
import { requireTools } from "./readmeSnippet";
import { SecretScan } from "./secrets";
import { ReliabilityStack, type KeySpec, type Outcome, type ReliabilityStackOptions } from "./stack";

export interface SuiteOptions {
  /** Options of the file's one emulator (e.g. `{ latencyMs: 300 }`). */
  emulator?: EmulatorOptions;
  /** Tools the file's README snippets call besides pulumi (checked before anything starts). */
  tools?: string[];
  /** A stack made before the first test (`suite.stack`). */
  stack?: StackOptions;
}

export interface StackOptions extends Partial<Omit<ReliabilityStackOptions, "apiUrl" | "managementKey">> {
  /** The program's keys. */
  keys?: KeySpec[];
  /** The management key stored as `baseten:apiKey`: the emulator's by default; null leaves it unset. */
  managementKey?: string | null;
}

export class ReliabilitySuite {
  readonly fig: FiguresLedger;
  readonly scan: SecretScan;
  /** Every stack the file made, in order; all are counted, scanned by `scanArtifacts` and removed. */
  readonly stacks: ReliabilityStack[] = [];
  private started?: BasetenEmulator;
  private readonly beforeFinish: Array<() => void> = [];

  constructor(readonly name: string) {
    this.fig = suiteFigures(name);
    this.scan = new SecretScan(name);
  }

  /** The file's emulator (started in the suite's `beforeAll`). */
  get emu(): BasetenEmulator {
    if (!this.started) throw new Error(`${this.name}: the emulator is not started (use it inside a test or hook)`);
    return this.started;
  }

  /** The first stack the file made (the one `SuiteOptions.stack` describes). */
  get stack(): ReliabilityStack {
    if (!this.stacks[0]) throw new Error(`${this.name}: no stack made yet`);
    return this.stacks[0];
  }

  async start(options: SuiteOptions): Promise<void> {
    if (options.tools) requireTools(options.tools);
    this.started = await BasetenEmulator.start(options.emulator);
    if (options.stack) await this.newStack(options.stack);
  }

  /** A new stack against the emulator, labelled with the file's name unless told otherwise. */
  async newStack(options: StackOptions = {}): Promise<ReliabilityStack> {
    const { keys, managementKey, label, ...rest } = options;
    const stack = await ReliabilityStack.create({
      ...rest,
      apiUrl: this.emu.url,
      managementKey: managementKey === null ? undefined : (managementKey ?? this.emu.managementKey),
      label: label ?? this.name,
    });
    stack.keys = keys ?? [];
    this.stacks.push(stack);
    return stack;
  }

  /** Runs `step` when the file ends, before its figures are written (e.g. a figure of its own). */
  onFinish(step: () => void): void {
    this.beforeFinish.push(step);
  }

  /** Accounts the emulator and every stack, writes the figures, removes the stacks, stops the emulator. */
  async finish(): Promise<void> {
    for (const step of this.beforeFinish) step();
    if (this.started) this.fig.accountEmulator(this.started);
    this.fig.add(
      "pulumiCommands",
      this.stacks.reduce((n, s) => n + s.commandCount, 0),
    );
    this.fig.write();
    for (const s of this.stacks) await s.remove();
    await this.started?.stop();
  }

  /**
   * A checkpoint where state and Baseten must agree: no live key untracked, no state entry for
   * a revoked key (counted in the figures either way). Returns the comparison.
   */
  async agree(stacks: ReliabilityStack[] = this.stacks): Promise<Agreement> {
    const a = await checkpoint(this.fig, this.emu, stacks);
    expect({ untracked: a.untracked, stale: a.stale }).toEqual({ untracked: [], stale: [] });
    return a;
  }

  /**
   * The last step of every file: no secret in any artifact of its stacks (named for the
   * report: one stack is "stack", several are told apart by their folders) or the emulator's log.
   */
  async scanArtifacts(named?: Array<[string, ReliabilityStack]>): Promise<void> {
    const stacks = named ?? this.stacks.map((s): [string, ReliabilityStack] => [this.stacks.length === 1 ? "stack" : s.dir, s]);
    for (const [label, s] of stacks) await this.scan.addStack(s, label);
    this.scan.addEmulatorLog(this.emu, "emulator");
    expect(this.scan.run([this.emu], this.fig)).toEqual([]);
  }
}

/** Declares the file's suite: its `beforeAll` starts the emulator (and stack), its `afterAll` cleans up. */
export function reliabilitySuite(name: string, options: SuiteOptions = {}): ReliabilitySuite {
  const suite = new ReliabilitySuite(name);
  beforeAll(() => suite.start(options));
  afterAll(() => suite.finish());
  return suite;
}

/** A command that must succeed; on failure the assertion shows the end of its error. */
export function expectOk(outcome: Outcome): void {
  expect({ ok: outcome.ok, error: outcome.error?.message.slice(-2000) }).toEqual({ ok: true, error: undefined });
}
