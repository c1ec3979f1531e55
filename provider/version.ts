/**
 * This package's version, stored in every resource as `providerVersion`. A new version
 * differs, so the next `pulumi up` updates each resource in place (no API call) and the
 * engine stores the new provider code, which `pulumi destroy` then runs. Kept equal to
 * package.json's version by a unit test.
 */
export const PROVIDER_VERSION = "0.3.0";
