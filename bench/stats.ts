/** Small statistics for the table: medians of runs and ratios that say when they cannot exist. */

export function median(values: number[]): number {
  if (values.length === 0) throw new Error("median of no values");
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** `a / b`, or undefined when the baseline is zero (e.g. a preview next to an API that needs no request). */
export function ratio(a: number, b: number): number | undefined {
  return b > 0 ? a / b : undefined;
}
