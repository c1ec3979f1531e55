/**
 * What the crash suites of `RotatingApiKey` (crash-rotating, crash-delivery) share: the
 * schedule they move the provider's clock through, the key as state stores it, and how a
 * stack's rotating key is read from state.
 */
import { dottedManagementKey } from "../../emulator";
import { expectOk, reliabilitySuite } from "./suite";
import type { Outcome, StateExport, StateResource } from "./stack";

export const ROTATING_TYPE = "pulumi-nodejs:dynamic/baseten:RotatingApiKey";
export const ROTATION = { every: "30d", overlap: "2d" };
export const HOUR = 3600_000;
export const DAY = 24 * HOUR;
/** The create; the first up past the due date (a rotation); the first up past that overlap's end. */
export const T0 = Date.parse("2026-01-01T00:00:00Z");
export const T_ROTATE = T0 + 30 * DAY + HOUR;
export const T_OVERLAP_OVER = T_ROTATE + 2 * DAY + HOUR;
export const iso = (ms: number) => new Date(ms).toISOString();

/** One owned key as the state stores it (outputs.keys[]). */
export interface StoredKey {
  prefix: string;
  name: string;
  generation: number;
  plannedAt: string;
  overlapEndsAt?: string;
  delivered?: boolean;
  leftBehind?: boolean;
  mayBeDelivered?: boolean;
}

/** The stack's one rotating key in a state, if any. */
export function rotatingOf(state: StateExport): StateResource | undefined {
  const found = (state.deployment.resources ?? []).filter((r) => r.type === ROTATING_TYPE);
  expect(found.length).toBeLessThanOrEqual(1);
  return found[0];
}

export const keysOf = (r: StateResource | undefined): StoredKey[] => (r?.outputs?.keys as StoredKey[] | undefined) ?? [];

/** A preview that plans nothing: Pulumi's summary counts only unchanged resources. */
export function expectNoChanges(preview: Outcome): void {
  expectOk(preview);
  expect(preview.stdout).not.toMatch(/\bto (create|update|delete|replace)\b|create-replace|delete-replace/);
  expect(preview.stdout).toMatch(/\d+ unchanged/);
}

/**
 * A crash suite of rotating keys. Its management key has Baseten's documented
 * `<prefix>.<secret>` form, so the audit log names the actor of each mint: the only evidence
 * that lets a run take in a held name as its own.
 */
export const rotatingSuite = (name: string) => reliabilitySuite(name, { emulator: { managementKey: dottedManagementKey() } });
