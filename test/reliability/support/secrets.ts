/**
 * The secret scan: every artifact a test file produced (CLI stdout and stderr, errors, state
 * files on disk, `pulumi stack export`, the emulator's request log as printed) is searched
 * for every secret of the run: each management key used (right or wrong) and each minted key,
 * whole and its secret part alone. Exported state keeps secrets encrypted, so a plaintext found
 * anywhere is outside Pulumi's secret envelope. Hits are reported by artifact and offset with
 * the secret masked: the report itself must not leak.
 */
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../../../scripts/pulumiCli";
import type { BasetenEmulator } from "../../emulator";
import { SECRET_SIG } from "../../e2e/harness";
import type { FiguresLedger } from "./figures";
import { keyResourcesOf, type Artifact, type ReliabilityStack, type StateExport } from "./stack";

export interface Needle {
  label: string;
  value: string;
}

export interface SecretHit {
  artifact: string;
  label: string;
  offset: number;
}

export const ARTIFACTS_DIR = path.join(REPO_ROOT, ".tmp", "reliability", "artifacts");

/** The emulator's request log as the suite prints it (one JSON object per request). */
export function printedRequestLog(emu: BasetenEmulator): string {
  return emu
    .requestLog()
    .map((r) => JSON.stringify(r))
    .join("\n");
}

export class SecretScan {
  private readonly artifacts: Artifact[] = [];
  private readonly extraSecrets: Needle[] = [];

  constructor(readonly suite: string) {}

  add(source: string, text: string): void {
    if (text) this.artifacts.push({ source, text });
  }

  /** A secret that is not a minted key or the emulator's management key (e.g. a wrong management key a test tried). */
  addSecret(label: string, value: string): void {
    this.extraSecrets.push({ label, value });
  }

  /** A scan of the artifacts `exclude` does not match, with the same extra secrets. */
  withoutSources(exclude: (source: string) => boolean): SecretScan {
    const copy = new SecretScan(this.suite);
    copy.extraSecrets.push(...this.extraSecrets);
    copy.artifacts.push(...this.artifacts.filter((a) => !exclude(a.source)));
    return copy;
  }

  /** The stack's command output and errors, its state files, and `pulumi stack export`. */
  async addStack(stack: ReliabilityStack, label: string): Promise<StateExport | undefined> {
    let exported: StateExport | undefined;
    try {
      exported = await stack.exportState();
      this.add(`${label}: pulumi stack export`, JSON.stringify(exported));
    } catch (e) {
      this.add(`${label}: pulumi stack export error`, (e as Error).message);
    }
    for (const a of stack.artifacts) this.add(`${label}: ${a.source}`, a.text);
    this.add(`${label}: state files`, stack.stateFilesText());
    this.add(`${label}: stack config files`, stack.configFilesText());
    return exported;
  }

  addEmulatorLog(emu: BasetenEmulator, label: string): void {
    const text = printedRequestLog(emu);
    this.add(`${label}: emulator request log`, text);
    fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
    fs.writeFileSync(path.join(ARTIFACTS_DIR, `${this.suite}-${label}-requests.jsonl`), text + "\n");
  }

  /** Every secret of these emulators: their management keys, each minted key and its secret part. */
  needles(emus: BasetenEmulator[]): Needle[] {
    const out: Needle[] = [...this.extraSecrets];
    for (const emu of emus) {
      out.push({ label: "management key", value: emu.managementKey });
      for (const k of emu.allKeys()) {
        out.push({ label: `plaintext of key ${k.prefix}`, value: k.apiKey });
        const secretPart = k.apiKey.slice(k.apiKey.indexOf(".") + 1);
        out.push({ label: `secret part of key ${k.prefix}`, value: secretPart });
      }
    }
    return out.filter((n) => n.value.length >= 8);
  }

  /** Searches every artifact; records the totals in the ledger and returns the hits. */
  run(emus: BasetenEmulator[], ledger: FiguresLedger): SecretHit[] {
    const needles = this.needles(emus);
    const hits: SecretHit[] = [];
    for (const a of this.artifacts) {
      for (const n of needles) {
        const offset = a.text.indexOf(n.value);
        if (offset >= 0) hits.push({ artifact: a.source, label: n.label, offset });
      }
    }
    ledger.figures.artifactsScanned += this.artifacts.length;
    ledger.figures.bytesScanned += this.artifacts.reduce((sum, a) => sum + a.text.length, 0);
    ledger.add("secretHits", hits.length);
    return hits;
  }
}

/** ApiKey resources whose `apiKey` output is not a Pulumi secret envelope in exported state. */
export function keysOutsideEnvelope(state: StateExport): string[] {
  return keyResourcesOf(state)
    .filter((r) => {
      const v = r.outputs?.apiKey as Record<string, unknown> | undefined;
      return !(typeof v === "object" && v !== null && v[SECRET_SIG] !== undefined && typeof v.ciphertext === "string");
    })
    .map((r) => r.urn);
}
