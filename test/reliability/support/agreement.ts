/**
 * Whether Pulumi's state and Baseten agree: the one question every reliability case ends on.
 * A key live at Baseten that no state tracks is a leak (a credential nobody will revoke); a
 * state entry for a revoked key is a divergence that blocks or misleads the next run.
 */
import { unconfirmedName } from "../../../provider/core/keys/keptInState";
import type { BasetenEmulator } from "../../emulator";
import type { FiguresLedger } from "./figures";
import type { ReliabilityStack } from "./stack";

export interface Agreement {
  /** Prefixes in state, sorted. */
  inState: string[];
  /** Prefixes live at Baseten, sorted. */
  live: string[];
  /** Live at Baseten, in no state: leaked unless a later step tracks or revokes them. */
  untracked: string[];
  /** In state, revoked (or never minted) at Baseten. An `unconfirmed/<name>` id is never stale: refresh settles it. */
  stale: string[];
}

/** Compares the stacks' states with the emulator's live keys (optionally ignoring some keys made out of band). */
export async function agreement(
  emu: BasetenEmulator,
  stacks: ReliabilityStack[],
  opts: { ignore?: string[] } = {},
): Promise<Agreement> {
  const ignore = new Set(opts.ignore ?? []);
  const inState = (await Promise.all(stacks.map((s) => s.prefixesInState()))).flat().sort();
  const liveKeys = emu.liveKeys().filter((k) => !ignore.has(k.prefix));
  const live = liveKeys.map((k) => k.prefix).sort();
  // An `unconfirmed/<name>` id (a create whose outcome is unknown) tracks the live keys of that name.
  const tracked = new Set(inState);
  for (const id of inState) {
    const name = unconfirmedName(id);
    if (name !== undefined) for (const k of liveKeys) if (k.name === name) tracked.add(k.prefix);
  }
  const alive = new Set(live);
  return {
    inState,
    live,
    untracked: live.filter((p) => !tracked.has(p)),
    stale: inState.filter((p) => !alive.has(p) && unconfirmedName(p) === undefined),
  };
}

/**
 * A checkpoint: counts every difference as a divergence in the ledger and returns the
 * comparison for the test to assert on (the assertion, not this helper, fails the test).
 */
export async function checkpoint(
  ledger: FiguresLedger,
  emu: BasetenEmulator,
  stacks: ReliabilityStack[],
  opts: { ignore?: string[] } = {},
): Promise<Agreement> {
  const a = await agreement(emu, stacks, opts);
  ledger.add("divergences", a.untracked.length + a.stale.length);
  return a;
}
