/** Whether two lists hold the same strings, in any order (model ids are a set at Baseten). */
export function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v) => b.includes(v)) && b.every((v) => a.includes(v));
}
