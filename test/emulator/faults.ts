/**
 * Fault selection: a queue of scripted faults (consumed in injection order by matching
 * requests) and an optional seeded random mode. Random faults use a seeded PRNG so a failing
 * chaos run can be replayed exactly: same seed + same request sequence = same faults.
 */
import { SECRET_DELETE_ROUTES } from "./secrets";
import type { FaultSpec, RandomFaultKind, RandomFaultSpec } from "./types";
import { ROUTES } from "./types";

const FAULT_KINDS = new Set([
  "respond",
  "rateLimited",
  "serverError",
  "badGatewayHtml",
  "reset",
  "latency",
  "wrongTombstone",
  "nonJson",
  "lateCommit",
  "echoRequest",
]);
const RANDOM_KINDS: ReadonlySet<string> = new Set<RandomFaultKind>([
  "rateLimited",
  "serverError",
  "badGatewayHtml",
  "reset",
  "latency",
]);

/** mulberry32: tiny, fast, good enough for test chaos, and trivially reproducible. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function nonNegative(v: unknown, field: string): void {
  if (typeof v !== "number" || !(v >= 0) || !Number.isFinite(v)) throw new Error(`${field} must be a non-negative number`);
}

/** Checks a FaultSpec arriving as JSON over the control route (or from untyped callers). */
export function checkFaultSpec(spec: unknown): FaultSpec {
  if (!isObject(spec)) throw new Error("fault must be an object");
  if (typeof spec.kind !== "string" || !FAULT_KINDS.has(spec.kind)) {
    throw new Error(`fault kind must be one of: ${[...FAULT_KINDS].join(", ")}`);
  }
  if (spec.times !== undefined && (typeof spec.times !== "number" || !(spec.times >= 1))) {
    throw new Error("times must be a number >= 1");
  }
  if (spec.skip !== undefined && !(Number.isInteger(spec.skip) && (spec.skip as number) >= 0)) {
    throw new Error("skip must be an integer >= 0");
  }
  for (const field of ["method", "route", "pathPrefix"]) {
    if (spec[field] !== undefined && typeof spec[field] !== "string") throw new Error(`${field} must be a string`);
  }
  if (spec.route !== undefined && !Object.values(ROUTES).includes(spec.route as never)) {
    throw new Error(`route must be one of: ${Object.values(ROUTES).join(", ")}`);
  }
  switch (spec.kind) {
    case "respond":
      if (typeof spec.status !== "number" || spec.status < 100 || spec.status > 599)
        throw new Error("status must be an HTTP status");
      if (spec.bodyBytes !== undefined) nonNegative(spec.bodyBytes, "bodyBytes");
      break;
    case "rateLimited":
      nonNegative(spec.retryAfterSeconds, "retryAfterSeconds");
      break;
    case "latency":
      nonNegative(spec.ms, "ms");
      break;
    case "echoRequest":
      if (spec.status !== undefined && (typeof spec.status !== "number" || spec.status < 400 || spec.status > 599))
        throw new Error("status must be an HTTP error status");
      if (spec.lead !== undefined && typeof spec.lead !== "string") throw new Error("lead must be a string");
      break;
    case "lateCommit":
      if (spec.afterRequests !== undefined && !(Number.isInteger(spec.afterRequests) && (spec.afterRequests as number) >= 1))
        throw new Error("afterRequests must be an integer >= 1");
      break;
  }
  return spec as FaultSpec;
}

export function checkRandomFaultSpec(spec: unknown): RandomFaultSpec | null {
  if (spec === null) return null;
  if (!isObject(spec)) throw new Error("random faults must be an object or null");
  if (typeof spec.rate !== "number" || !(spec.rate >= 0 && spec.rate <= 1)) throw new Error("rate must be between 0 and 1");
  if (typeof spec.seed !== "number" || !Number.isFinite(spec.seed)) throw new Error("seed must be a number");
  if (!Array.isArray(spec.kinds) || spec.kinds.length === 0 || !spec.kinds.every((k) => RANDOM_KINDS.has(k))) {
    throw new Error(`kinds must be a non-empty array of: ${[...RANDOM_KINDS].join(", ")}`);
  }
  if (spec.latencyMs !== undefined) nonNegative(spec.latencyMs, "latencyMs");
  if (spec.retryAfterSeconds !== undefined) nonNegative(spec.retryAfterSeconds, "retryAfterSeconds");
  return spec as unknown as RandomFaultSpec;
}

export interface FaultRequest {
  method: string;
  route: string;
  rawPath: string;
}

function matches(spec: FaultSpec, req: FaultRequest): boolean {
  if (spec.method !== undefined && spec.method.toUpperCase() !== req.method.toUpperCase()) return false;
  if (spec.route !== undefined && spec.route !== req.route) return false;
  if (spec.pathPrefix !== undefined && !req.rawPath.startsWith(spec.pathPrefix)) return false;
  // A wrong tombstone only makes sense as a DELETE answer, so it never hits other routes.
  if (spec.kind === "wrongTombstone" && req.route !== ROUTES.deleteKey && !SECRET_DELETE_ROUTES.includes(req.route)) return false;
  return true;
}

export class FaultInjector {
  private queue: Array<{ spec: FaultSpec; remaining: number; skip: number }> = [];
  private random: { spec: RandomFaultSpec; next: () => number } | null = null;

  inject(spec: FaultSpec): void {
    const checked = checkFaultSpec(spec);
    this.queue.push({ spec: { ...checked }, remaining: checked.times ?? 1, skip: checked.skip ?? 0 });
  }

  clear(): void {
    this.queue = [];
  }

  /** Replaces the random mode and restarts its PRNG from the seed. */
  setRandom(spec: RandomFaultSpec | null): void {
    const checked = checkRandomFaultSpec(spec);
    this.random = checked ? { spec: { ...checked, kinds: [...checked.kinds] }, next: mulberry32(checked.seed) } : null;
  }

  clearAll(): void {
    this.clear();
    this.random = null;
  }

  /** Picks the fault for one API request, consuming it: scripted faults first, then random. */
  take(req: FaultRequest): FaultSpec | undefined {
    // A fault still skipping lets its matching request through (and counts it).
    let index = -1;
    for (const [i, f] of this.queue.entries()) {
      if (!matches(f.spec, req)) continue;
      if (f.skip > 0) {
        f.skip -= 1;
        continue;
      }
      index = i;
      break;
    }
    if (index >= 0) {
      const entry = this.queue[index];
      entry.remaining -= 1;
      if (entry.remaining <= 0) this.queue.splice(index, 1);
      return entry.spec;
    }
    return this.rollRandom();
  }

  private rollRandom(): FaultSpec | undefined {
    if (!this.random) return undefined;
    const { spec, next } = this.random;
    // Always draw twice per request so the sequence depends only on the request count.
    const roll = next();
    const pick = next();
    if (roll >= spec.rate) return undefined;
    const kind = spec.kinds[Math.floor(pick * spec.kinds.length)];
    switch (kind) {
      case "rateLimited":
        return { kind, retryAfterSeconds: spec.retryAfterSeconds ?? 1 };
      case "latency":
        // A slow server still does the work: the delay comes after the commit.
        return { kind, ms: spec.latencyMs ?? 200, afterCommit: true };
      case "reset":
        return { kind, afterCommit: false };
      default:
        return { kind };
    }
  }
}
