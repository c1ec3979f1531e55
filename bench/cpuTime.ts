/**
 * The cross-check of the per-process CPU split (hostMemory.ts): this process's CPU and that of
 * every descendant it has reaped since (the `pulumi` CLI, and through it the dynamic-provider
 * host, when the CLI reaped it). Linux only: children's time comes from /proc/self/stat.
 */
import { readStat, TICKS_PER_SECOND } from "./hostMemory";

function reapedChildrenSeconds(): number {
  return (readStat("self")?.children ?? 0) / TICKS_PER_SECOND;
}

/** Starts counting; the returned function gives the CPU seconds spent since. */
export function startCpuClock(): () => number {
  const children = reapedChildrenSeconds();
  const self = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(self);
    return reapedChildrenSeconds() - children + (used.user + used.system) / 1e6;
  };
}
