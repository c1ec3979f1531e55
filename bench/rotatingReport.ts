/**
 * The rotating-keys section of the table (bench/rotating.ts measures it): per phase, wall time
 * of RotatingApiKey and of the no-op baseline, their ratio, CPU by process and the requests to
 * Baseten; and the target of issue 19 for the targets table.
 */
import type { PhaseMeasure, StateMeasure } from "./benchStack";
import { ROTATING_PHASES, type RotatingMeasure, type RotatingPhase, type RotatingSide } from "./rotating";
import { median, ratio } from "./stats";

const PROCESSES = ["program", "host", "cli"] as const;

const LABELS: Record<RotatingPhase, (n: number) => string> = {
  up: () => "up (create)",
  previewNotDue: () => "preview, not due",
  upNotDue: () => "up, not due",
  previewDue: (n) => `preview after the due date (${n} rotations planned)`,
  upDue: (n) => `up after the due date (${n} mints)`,
  destroy: (n) => `destroy during the overlap (${2 * n} revocations)`,
};

const total = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
const med = (m: RotatingMeasure, side: RotatingSide, phase: RotatingPhase, f: (p: PhaseMeasure) => number) =>
  median(m.runs.map((r) => f(r[side][phase])));
const hours = (ms: number) => `${ms >= 0 ? "+" : "−"}${(Math.abs(ms) / 3600_000).toFixed(0)} h`;

function requestsText(counts: Record<string, number>): string {
  const entries = Object.entries(counts);
  return entries.length ? entries.map(([route, n]) => `${route} ×${n}`).join(", ") : "none";
}

/** The requests of a phase, or each run's when runs differ. */
function requestsOfRuns(m: RotatingMeasure, phase: RotatingPhase): string {
  const texts = m.runs.map((r) => requestsText(r.rotating[phase].requests));
  return new Set(texts).size === 1 ? texts[0] : texts.map((t, i) => `run ${i + 1}: ${t}`).join("; ");
}

/** Median seconds with the range of the runs when there are several. */
function wall(m: RotatingMeasure, side: RotatingSide, phase: RotatingPhase): string {
  const all = m.runs.map((r) => r[side][phase].ms / 1000);
  const range = all.length > 1 ? ` (${Math.min(...all).toFixed(2)}–${Math.max(...all).toFixed(2)})` : "";
  return `${median(all).toFixed(2)} s${range}`;
}

/** The target of issue 19: before the due date, preview and up of N rotating keys send nothing. */
export function rotatingTargets(m: RotatingMeasure): Array<{ name: string; measured: string; met: boolean }> {
  const most = (phase: RotatingPhase) => Math.max(...m.runs.map((r) => total(r.rotating[phase].requests)));
  const worst = Math.max(most("previewNotDue"), most("upNotDue"));
  return [
    {
      name: `\`preview\` and \`up\` of ${m.count} rotating keys not due send no request (issue 19)`,
      measured:
        worst === 0
          ? `none in any run (${m.runs.length})`
          : `preview up to ${most("previewNotDue")}, up up to ${most("upNotDue")} requests`,
      met: worst === 0,
    },
  ];
}

/** The markdown section of the rotating-keys rows. */
export function renderRotating(m: RotatingMeasure): string[] {
  const n = m.runs.length;
  const lines: string[] = [];
  lines.push(
    `## Rotating keys: ${m.count} \`RotatingApiKey\` resources through a rotation against the engine alone (issue 19; medians of ${n} run${n === 1 ? "" : "s"})`,
    "",
    `Every key rotates every ${m.rotation.every} with an overlap of ${m.rotation.overlap}. The provider's clock ` +
      "(`BASETEN_PROVIDER_NOW` in the CLI's environment) is set per phase, as an offset from the create's (column **clock**); " +
      "nothing waits. **engine alone** is a no-op resource that plans the same schedule from the same clock and stores " +
      "what a RotatingApiKey stores (bench/noop-provider/rotating.js), so both stacks take the same steps: RotatingApiKey / " +
      "engine alone is what the provider's code and its requests cost.",
    "",
    "| phase | clock | RotatingApiKey | engine alone | RotatingApiKey / engine alone | CPU s program / host / CLI (RotatingApiKey) | CPU s program / host / CLI (engine alone) | host peak MiB (RotatingApiKey / engine alone) | requests to Baseten (RotatingApiKey) |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---|",
  );
  for (const phase of ROTATING_PHASES) {
    const ms = (side: RotatingSide) => med(m, side, phase, (p) => p.ms);
    const split = (side: RotatingSide) => PROCESSES.map((k) => med(m, side, phase, (p) => p.cpu[k]).toFixed(2)).join(" / ");
    const mem = (side: RotatingSide) => (med(m, side, phase, (p) => p.hostPeakKiB ?? 0) / 1024).toFixed(0);
    const r = ratio(ms("rotating"), ms("engine"));
    lines.push(
      `| ${LABELS[phase](m.count)} | ${hours(m.clockOffsetsMs[phase])} | ${wall(m, "rotating", phase)} | ${wall(m, "engine", phase)} | ` +
        `${r === undefined ? "n/a" : `${r.toFixed(2)}x`} | ${split("rotating")} | ${split("engine")} | ${mem("rotating")} / ${mem("engine")} | ` +
        `${requestsOfRuns(m, phase)} |`,
    );
  }
  const entry = (s: StateMeasure) => `${Math.round(s.entryBytes)} B`;
  const kib = (s: StateMeasure) => `${(s.exportedStateBytes / 1024).toFixed(1)} KiB`;
  const { rotating: rot, engine } = m.states;
  lines.push(
    "",
    "The not-due `preview` and `up` are checked to send no request, the create and the rotation one POST per key, the " +
      "destroy one DELETE per live key, and the keys live at Baseten after each phase; the engine-alone stack is checked " +
      "to send none. A run that misses any of these fails.",
    "",
    `State entry (median, \`__provider\` included), RotatingApiKey / engine alone: ${entry(rot.created)} / ${entry(engine.created)} ` +
      `after the create (one key), ${entry(rot.rotated)} / ${entry(engine.rotated)} after the rotation (two keys); exported state ` +
      `${kib(rot.rotated)} / ${kib(engine.rotated)} after the rotation. \`__provider\` per resource: ${rot.created.providerMaxBytes} B ` +
      `(${rot.created.distinctProviderTexts} distinct text per stack).`,
    "",
  );
  return lines;
}
