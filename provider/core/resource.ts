/** What a resource folder gives the core: the shapes of its checks and of its diff. */

/** One problem with one input, as `pulumi preview` shows it: `<property>: <reason>`. */
export interface CheckFailure {
  property: string;
  reason: string;
}

/** What `diff` tells the engine: whether anything changed, which inputs force a replacement, and in which order. */
export interface DiffDecision {
  /**
   * `undefined` ("unknown") lets the engine diff old and new inputs itself, before masking
   * secrets, and record which property changed: the preview then shows `~ value: [secret]`,
   * where an explicit `true` would show a secret value as unchanged (the dynamic-provider host
   * cannot return a detailed diff; pulumi v3.248 pkg/resource/deploy/step_generator.go, `diff`).
   */
  changes: boolean | undefined;
  replaces: string[];
  deleteBeforeReplace: boolean;
}

/** The start of every `check`: the inputs to store, the failures found so far, and how to add one. */
export interface CheckInProgress {
  inputs: Record<string, unknown>;
  failures: CheckFailure[];
  fail(property: string, reason: string): void;
}

/**
 * Begins a `check` of `news` for the resource `token` (`baseten:ApiKey`): an input it does not
 * know is a typo worth reporting, naming the first `shown` known inputs (the public ones).
 */
export function beginCheck(
  news: Record<string, unknown>,
  known: readonly string[],
  token: string,
  shown: number,
): CheckInProgress {
  const failures: CheckFailure[] = [];
  const fail = (property: string, reason: string) => {
    failures.push({ property, reason });
  };
  for (const key of Object.keys(news)) {
    if (!known.includes(key)) fail(key, `is not an input of ${token}; the inputs are ${known.slice(0, shown).join(", ")}`);
  }
  return { inputs: { ...news }, failures, fail };
}

/** How a failure names the kind of a wrong value: "a list", "null", "a number". */
export function typeOf(v: unknown): string {
  return Array.isArray(v) ? "a list" : v === null ? "null" : `a ${typeof v}`;
}
