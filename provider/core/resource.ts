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
