/**
 * What every resource class registers besides its own inputs (runs in the program, never in
 * the provider host): who the resource is, for names derived at preview, and which release
 * stored it.
 */
import * as pulumi from "@pulumi/pulumi";

/** The inputs the core adds to every resource's own. */
export interface RegisteredIdentity {
  /** The resource's name in the program: generated names start with it. */
  resourceName: string;
  /** Project and stack: a generated name derives from them, so preview shows the name up writes. */
  nameScope: string;
  /** The release that stored the state, so an upgrade is an update the preview shows. */
  providerVersion: string;
}

export function registeredIdentity(resourceName: string, providerVersion: string): RegisteredIdentity {
  return { resourceName, nameScope: `${pulumi.getProject()}/${pulumi.getStack()}`, providerVersion };
}

/** `opts` with `outputs` added to the outputs Pulumi must keep secret. */
export function withSecretOutputs(
  opts: pulumi.CustomResourceOptions | undefined,
  ...outputs: string[]
): pulumi.CustomResourceOptions {
  return { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), ...outputs] };
}
