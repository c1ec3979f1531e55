/**
 * The engine-alone baseline: a dynamic resource with the ApiKey's shape (same inputs, a secret
 * `apiKey` output, an id per resource) whose provider (noop-provider/) does no I/O. A stack of
 * these costs what the engine, the dynamic-provider host and the state cost, and nothing more,
 * so ApiKey's time over this one is the provider's own cost, its state footprint included.
 */
import * as fs from "fs";
import * as path from "path";
import type * as PulumiSdk from "@pulumi/pulumi";

export const NOOP_PROVIDER_PACKAGE = "baseten-bench-noop-provider";

/** A resource class of the benchmark's program: `new Class(name, args)`. */
export type KeyResourceClass = new (name: string, args: Record<string, unknown>) => PulumiSdk.CustomResource;

/**
 * Copies the no-op provider into the user's node_modules (a copy, not a link: a link resolves
 * into this repository, and closure serialization would then copy the code by value).
 */
export function installNoopProvider(programDir: string): void {
  const target = path.join(programDir, "node_modules", NOOP_PROVIDER_PACKAGE);
  fs.cpSync(path.join(__dirname, "noop-provider"), target, { recursive: true });
}

/**
 * The engine-alone baseline of `Secret`: the same no-op provider under a resource of the
 * Secret's shape (a `value` input wrapped in `pulumi.secret()`, a secret `value` output).
 */
export function noopSecretClass(pulumi: typeof PulumiSdk, provider: PulumiSdk.dynamic.ResourceProvider): KeyResourceClass {
  return class NoopSecret extends pulumi.dynamic.Resource {
    constructor(name: string, args: Record<string, unknown>) {
      super(
        provider,
        name,
        { secretId: undefined, ...args, value: pulumi.secret(args.value as string), resourceName: name },
        { additionalSecretOutputs: ["value"] },
        "bench",
        "NoopSecret",
      );
    }
  };
}

/** The class, built on the SDK and the provider module of the user's program. */
export function noopKeyClass(pulumi: typeof PulumiSdk, provider: PulumiSdk.dynamic.ResourceProvider): KeyResourceClass {
  return class NoopKey extends pulumi.dynamic.Resource {
    constructor(name: string, args: Record<string, unknown>) {
      super(
        provider,
        name,
        { prefix: undefined, apiKey: undefined, ...args, resourceName: name },
        { additionalSecretOutputs: ["apiKey"] },
        "bench",
        "NoopKey",
      );
    }
  };
}
