/**
 * The engine-alone baselines: dynamic resources whose provider (noop-provider/) does no I/O. A
 * stack of these costs what the engine, the dynamic-provider host and the state cost, and
 * nothing more. Two shapes: the narrow one (5 stored properties) and one that stores what an
 * ApiKey stores (10), so the table can tell the provider's code from the shape of its state;
 * and one of the Secret's shape and one of the RotatingApiKey's.
 */
import * as fs from "fs";
import * as path from "path";
import type * as PulumiSdk from "@pulumi/pulumi";

export const NOOP_PROVIDER_PACKAGE = "baseten-bench-noop-provider";
/** The same-shape baseline's provider module (noop-provider/shaped.js). */
export const NOOP_SHAPED_PROVIDER_MODULE = `${NOOP_PROVIDER_PACKAGE}/shaped.js`;
/** The rotating baseline's provider module (noop-provider/rotating.js). */
export const NOOP_ROTATING_PROVIDER_MODULE = `${NOOP_PROVIDER_PACKAGE}/rotating.js`;

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

/**
 * The engine-alone baseline of `RotatingApiKey`: the same registration (its outputs declared,
 * `resourceName`, `nameScope`, `providerVersion`, a secret `apiKey`) with the provider of
 * noop-provider/rotating.js, which plans the same schedule and stores the same state, without I/O.
 */
export function noopRotatingKeyClass(pulumi: typeof PulumiSdk, provider: PulumiSdk.dynamic.ResourceProvider): KeyResourceClass {
  return class NoopRotatingKey extends pulumi.dynamic.Resource {
    constructor(name: string, args: Record<string, unknown>) {
      const outputs = ["prefix", "apiKey", "previousPrefix", "createdAt", "rotateAfter", "keyName", "generation"];
      super(
        provider,
        name,
        {
          ...Object.fromEntries(outputs.map((k) => [k, undefined])),
          ...args,
          resourceName: name,
          nameScope: `${pulumi.getProject()}/${pulumi.getStack()}`,
          providerVersion: "0.3.0",
        },
        { additionalSecretOutputs: ["apiKey"] },
        "bench",
        "NoopRotatingKey",
      );
    }
  };
}

/**
 * The narrow engine-alone baseline: the ApiKey's type and models, a secret `apiKey` and a
 * `prefix`, 5 stored properties where an ApiKey stores 10. Built on the SDK and the provider
 * module of the user's program.
 */
export function noopKeyClass(pulumi: typeof PulumiSdk, provider: PulumiSdk.dynamic.ResourceProvider): KeyResourceClass {
  return keyClass(pulumi, provider, "NoopKey", () => ({}));
}

/**
 * The same-shape engine-alone baseline: the properties an ApiKey's state entry holds, same
 * names and similar sizes (`name` and `autoName` from `check`, `nameScope`, `providerVersion`,
 * `mintedAfter`), with the provider of noop-provider/shaped.js. ApiKey over this is what the
 * provider's code costs; this over the narrow one is what the shape costs.
 */
export function noopShapedKeyClass(pulumi: typeof PulumiSdk, provider: PulumiSdk.dynamic.ResourceProvider): KeyResourceClass {
  return keyClass(pulumi, provider, "NoopShapedKey", () => ({
    name: undefined,
    mintedAfter: undefined,
    nameScope: `${pulumi.getProject()}/${pulumi.getStack()}`,
    providerVersion: "0.3.0",
  }));
}

function keyClass(
  pulumi: typeof PulumiSdk,
  provider: PulumiSdk.dynamic.ResourceProvider,
  typeName: string,
  shape: () => Record<string, unknown>,
): KeyResourceClass {
  return class extends pulumi.dynamic.Resource {
    constructor(name: string, args: Record<string, unknown>) {
      super(
        provider,
        name,
        { prefix: undefined, apiKey: undefined, ...args, resourceName: name, ...shape() },
        { additionalSecretOutputs: ["apiKey"] },
        "bench",
        typeName,
      );
    }
  };
}
