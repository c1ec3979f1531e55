/** What a resource folder gives the core: the shapes of its checks and of its diff. */

/** One problem with one input, as `pulumi preview` shows it: `<property>: <reason>`. */
export interface CheckFailure {
  property: string;
  reason: string;
}

/** What `diff` tells the engine: whether anything changed, which inputs force a replacement, and in which order. */
export interface DiffDecision {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace: boolean;
}
