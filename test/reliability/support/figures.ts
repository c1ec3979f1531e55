/**
 * The figures the reliability README reports, measured, never assumed: each test file keeps
 * one ledger, adds to it from the emulator's own records (keys minted and revoked, faults
 * applied, 429s) and from its checks (leaks, divergences, secret hits), and writes it to
 * `.tmp/reliability/figures/<suite>.json` when the file ends. `report.ts` turns those files
 * into the README table.
 */
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../../../scripts/pulumiCli";
import type { BasetenEmulator } from "../../emulator";

export const FIGURES_DIR = path.join(REPO_ROOT, ".tmp", "reliability", "figures");

export interface SuiteFigures {
  suite: string;
  /** Test cases run (each `it`, each row of an `it.each`). */
  cases: number;
  /** API requests the emulator answered with an injected fault (scripted or random). */
  faultsInjected: number;
  /** Requests the emulator's 100/s limiter turned away with 429 (not counted as faults). */
  rateLimited: number;
  /** Keys Baseten (the emulator) minted, and how many of them were revoked. */
  keysCreated: number;
  keysRevoked: number;
  /** Keys still live at Baseten when the file ends (its stacks are then deleted, so no state tracks them). Goal 0. */
  keysLeaked: number;
  /** Checkpoints' differences between state and Baseten: untracked live keys + state entries for revoked keys. Goal 0. */
  divergences: number;
  /** Secrets found outside Pulumi's secret envelopes in any artifact. Goal 0. */
  secretHits: number;
  /**
   * Secret occurrences in Pulumi's own `-v=9` log (engine gRPC property logging, step planning,
   * forwarded SDK debug lines): Pulumi's behaviour, reported apart from `secretHits`.
   */
  pulumiVerboseLogHits?: number;
  /** Peak-memory growth of the client on a 50 MB answer (largest of its calls), and of a client reading it all. */
  memoryGrowthMb?: number;
  readAllMemoryGrowthMb?: number;
  /** Reruns a file used where the issue allows one after a failure (faults-during-runs). */
  reruns?: number;
  /** Artifacts the secret scan searched, and their total size. */
  artifactsScanned: number;
  bytesScanned: number;
  /** Engine (`pulumi`) commands run. */
  pulumiCommands: number;
  wallMs: number;
  finishedAt: string;
}

export class FiguresLedger {
  readonly figures: SuiteFigures;
  private readonly started = Date.now();

  constructor(suite: string) {
    this.figures = {
      suite,
      cases: 0,
      faultsInjected: 0,
      rateLimited: 0,
      keysCreated: 0,
      keysRevoked: 0,
      keysLeaked: 0,
      divergences: 0,
      secretHits: 0,
      artifactsScanned: 0,
      bytesScanned: 0,
      pulumiCommands: 0,
      wallMs: 0,
      finishedAt: "",
    };
  }

  /**
   * Adds what an emulator recorded over its life; call once, right before stopping it. A key
   * still live then is leaked: the file's stacks (and their state) are deleted next.
   */
  accountEmulator(emu: BasetenEmulator): void {
    const keys = emu.allKeys();
    this.figures.keysLeaked += keys.filter((k) => !k.revoked).length;
    this.figures.keysCreated += keys.length;
    this.figures.keysRevoked += keys.filter((k) => k.revoked).length;
    for (const r of emu.requestLog()) {
      if (r.fault !== undefined) this.figures.faultsInjected++;
      else if (r.status === 429) this.figures.rateLimited++;
    }
  }

  add(field: "divergences" | "secretHits" | "pulumiCommands", n: number): void {
    this.figures[field] += n;
  }

  write(): void {
    this.figures.wallMs = Date.now() - this.started;
    this.figures.finishedAt = new Date().toISOString();
    fs.mkdirSync(FIGURES_DIR, { recursive: true });
    fs.writeFileSync(path.join(FIGURES_DIR, `${this.figures.suite}.json`), JSON.stringify(this.figures, null, 2) + "\n");
  }
}

/**
 * A ledger for the calling test file that counts its cases through a jest hook. The file
 * writes it in its own `afterAll`, after accounting its emulators and scans.
 */
export function suiteFigures(suite: string): FiguresLedger {
  const ledger = new FiguresLedger(suite);
  afterEach(() => {
    ledger.figures.cases++;
  });
  return ledger;
}
