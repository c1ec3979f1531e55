/**
 * The rotating-keys rows (issue 19): a stack of N `RotatingApiKey`s against a no-op stack that
 * plans the same schedule (noop-provider/rotating.js), through a rotation: create, preview and
 * up before the due date (which must send nothing), preview and up after it (N rotations
 * planned, N mints), destroy during the overlap (2N revocations). Time moves through
 * `BASETEN_PROVIDER_NOW` in the CLI's environment, never by waiting. Each phase is checked
 * (changes, requests, keys live at Baseten), or the benchmark fails.
 */
import type * as Automation from "@pulumi/pulumi/automation";
import { BenchStack, expectChanges, ROTATION, type PhaseMeasure, type StateMeasure, type Variant } from "./benchStack";
import { durationSeconds } from "../provider/rotatingApiKey/schedule";
import type { EmulatorProcess } from "./emulatorProcess";
import type { UserInstall } from "./userInstall";

export const ROTATING_PHASES = ["up", "previewNotDue", "upNotDue", "previewDue", "upDue", "destroy"] as const;
export type RotatingPhase = (typeof ROTATING_PHASES)[number];
export type RotatingSide = "rotating" | "engine";

export const CREATE = "POST /v1/api_keys";
export const DELETE = "DELETE /v1/api_keys/{prefix}";

const HOUR = 3600_000;
const EVERY_MS = (durationSeconds(ROTATION.every) as number) * 1000;
/** Destroy runs this long after the rotation's clock, well inside the overlap. */
const INTO_OVERLAP_MS = HOUR;
if (!(INTO_OVERLAP_MS < (durationSeconds(ROTATION.overlap) as number) * 1000))
  throw new Error(`bench: destroy must run inside the overlap (${ROTATION.overlap})`);

export interface RotatingMeasure {
  count: number;
  rotation: { every: string; overlap: string };
  /** The provider's clock of each phase, as offsets from the create's (ms): the schedule the run followed. */
  clockOffsetsMs: Record<RotatingPhase, number>;
  runs: Array<Record<RotatingSide, Record<RotatingPhase, PhaseMeasure>>>;
  /** The state after the create and after the rotation, of the last run. */
  states: Record<RotatingSide, { created: StateMeasure; rotated: StateMeasure }>;
}

/** What a phase does, when, and what it must leave. */
interface PhaseSpec {
  /** The clock's offset from the create's (the schedule: benchStack.ts ROTATION). */
  offsetMs: number;
  work: (s: Automation.Stack, n: number) => Promise<void>;
  /** Keys live at Baseten after it (RotatingApiKey only). */
  live: (n: number) => number;
  /** Exact counts of these routes (RotatingApiKey only); `zero` means no request at all. */
  requests: "zero" | ((n: number) => Record<string, number>);
}

const PHASES: Record<RotatingPhase, PhaseSpec> = {
  up: {
    offsetMs: 0,
    work: async (s, n) => expectChanges("up", (await s.up()).summary.resourceChanges, { create: n + 1 }),
    live: (n) => n,
    requests: (n) => ({ [CREATE]: n }),
  },
  // One hour before the due date: every input `check` writes is carried over, nothing changes.
  previewNotDue: {
    offsetMs: EVERY_MS - HOUR,
    work: async (s, n) =>
      expectChanges("preview (not due)", (await s.preview({ expectNoChanges: true })).changeSummary, { same: n + 1 }),
    live: (n) => n,
    requests: "zero",
  },
  upNotDue: {
    offsetMs: EVERY_MS - HOUR,
    work: async (s, n) =>
      expectChanges("up (not due)", (await s.up({ expectNoChanges: true })).summary.resourceChanges, { same: n + 1 }),
    live: (n) => n,
    requests: "zero",
  },
  previewDue: {
    offsetMs: EVERY_MS + HOUR,
    work: async (s, n) => expectChanges("preview (due)", (await s.preview()).changeSummary, { update: n, same: 1 }),
    live: (n) => n,
    requests: () => ({}),
  },
  upDue: {
    offsetMs: EVERY_MS + HOUR,
    work: async (s, n) => expectChanges("up (due)", (await s.up()).summary.resourceChanges, { update: n, same: 1 }),
    live: (n) => 2 * n,
    requests: (n) => ({ [CREATE]: n }),
  },
  // Inside the overlap: each resource owns two keys, and destroy revokes both.
  destroy: {
    offsetMs: EVERY_MS + HOUR + INTO_OVERLAP_MS,
    work: async (s, n) => expectChanges("destroy", (await s.destroy()).summary.resourceChanges, { delete: n + 1 }),
    live: () => 0,
    requests: (n) => ({ [DELETE]: 2 * n }),
  },
};

const total = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);

/** Throws when RotatingApiKey's phase did not send what it must (a not-due phase: nothing at all). */
function checkRequests(phase: RotatingPhase, n: number, got: Record<string, number>): void {
  const spec = PHASES[phase].requests;
  if (spec === "zero") {
    if (total(got) !== 0)
      throw new Error(
        `${phase}: ${n} rotating keys not due sent ${total(got)} requests to Baseten (${JSON.stringify(got)}); it must send none`,
      );
    return;
  }
  for (const [route, want] of Object.entries(spec(n)))
    if ((got[route] ?? 0) !== want) throw new Error(`${phase}: ${got[route] ?? 0} × ${route}, expected ${want}`);
}

/** Checks one side's phase: RotatingApiKey's requests and keys live at Baseten; the no-op's silence. */
async function checkPhase(side: RotatingSide, phase: RotatingPhase, n: number, m: PhaseMeasure, emulator: EmulatorProcess) {
  if (side === "engine") {
    if (total(m.requests) !== 0)
      throw new Error(`${phase}: the no-op stack sent requests to Baseten: ${JSON.stringify(m.requests)}`);
    return;
  }
  checkRequests(phase, n, m.requests);
  const live = (await emulator.control.liveKeys()).length;
  if (live !== PHASES[phase].live(n)) throw new Error(`${phase}: Baseten holds ${live} keys, expected ${PHASES[phase].live(n)}`);
}

type RunResult = { phases: Record<RotatingSide, Record<RotatingPhase, PhaseMeasure>>; states: RotatingMeasure["states"] };

/**
 * One run: both stacks open side by side, each phase run for one right after the other (so load
 * from elsewhere on the machine hits both alike), each stack's CLI given the phase's clock.
 */
async function measureRun(args: {
  install: UserInstall;
  binDir: string;
  emulator: EmulatorProcess;
  count: number;
  run: number;
}): Promise<RunResult> {
  const { emulator, count: n, run } = args;
  const order: RotatingSide[] = run % 2 ? ["engine", "rotating"] : ["rotating", "engine"];
  const variants: Record<RotatingSide, Variant> = { rotating: "rotating", engine: "rotatingEngine" };
  // The provider's clock starts at the machine's, so keys are minted at a time the emulator could have seen.
  const t0 = Date.now();
  const stacks: Partial<Record<RotatingSide, BenchStack>> = {};
  try {
    for (const side of order)
      stacks[side] = await BenchStack.open({ ...args, variant: variants[side], keys: n, label: `rotating-${side}-${n}-${run}` });
    const phases = { rotating: {}, engine: {} } as Record<RotatingSide, Record<RotatingPhase, PhaseMeasure>>;
    const states = { rotating: {}, engine: {} } as RotatingMeasure["states"];
    for (const phase of ROTATING_PHASES) {
      const spec = PHASES[phase];
      for (const side of order) {
        const stack = stacks[side] as BenchStack;
        stack.setClock(new Date(t0 + spec.offsetMs).toISOString());
        phases[side][phase] = await stack.measure(phase, (s) => spec.work(s, n));
        await checkPhase(side, phase, n, phases[side][phase], emulator);
        if (phase === "up") states[side].created = await stack.inspectState();
        if (phase === "upDue") states[side].rotated = await stack.inspectState();
      }
    }
    return { phases, states };
  } finally {
    for (const stack of Object.values(stacks)) await stack.close();
    await emulator.control.reset();
  }
}

/** `runs` runs of both stacks, alternating which goes first. */
export async function measureRotating(args: {
  install: UserInstall;
  binDir: string;
  emulator: EmulatorProcess;
  count: number;
  runs: number;
  log: (message: string) => void;
}): Promise<RotatingMeasure> {
  const { count } = args;
  const clockOffsetsMs = Object.fromEntries(ROTATING_PHASES.map((p) => [p, PHASES[p].offsetMs])) as Record<RotatingPhase, number>;
  const runs: RotatingMeasure["runs"] = [];
  let states: RotatingMeasure["states"] | undefined;
  await args.emulator.control.reset();
  for (let run = 1; run <= args.runs; run++) {
    const r = await measureRun({ ...args, run });
    runs.push(r.phases);
    states = r.states;
    args.log(
      `${count} rotating keys, run ${run}/${args.runs}: ` +
        ROTATING_PHASES.map(
          (ph) => `${ph} ${(r.phases.rotating[ph].ms / 1000).toFixed(1)}s/${(r.phases.engine[ph].ms / 1000).toFixed(1)}s`,
        ).join(", ") +
        " (RotatingApiKey/engine alone)",
    );
  }
  return { count, rotation: ROTATION, clockOffsetsMs, runs, states: states as RotatingMeasure["states"] };
}
