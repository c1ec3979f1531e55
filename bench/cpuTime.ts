/**
 * CPU time spent on a phase by the processes that do its work: this process (which runs the
 * inline program) and every descendant it has reaped since (the `pulumi` CLI, and through it
 * the dynamic-provider host). Less sensitive than wall time to other work on the machine.
 * Linux only: children's time comes from /proc/self/stat.
 */
import * as fs from "fs";

/** Linux's USER_HZ: the unit of the /proc tick counters (100 on every mainstream kernel). */
const TICKS_PER_SECOND = 100;

function reapedChildrenSeconds(): number {
  const stat = fs.readFileSync("/proc/self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // Fields 16 and 17 of stat (cutime, cstime): indices 13 and 14 after the command name.
  return (Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND;
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
