/**
 * The provider's lifecycle methods called as the engine's provider host calls them
 * (`configure`, then `check` and `create`), against the emulator over loopback HTTP.
 */
import type * as pulumi from "@pulumi/pulumi";
import { createApiKeyProvider, type ApiKeyProvider } from "../../provider/apiKey/provider";
import type { ApiKeyOutputs } from "../../provider/core/keys/types";
import { PROVIDER_VERSION } from "../../provider/version";
import type { BasetenEmulator } from "../emulator";

/** A provider configured from stack config, as the management key `apiKey` (default the emulator's). */
export async function configuredProvider(
  emu: BasetenEmulator,
  extra: Record<string, string> = {},
  apiKey: string = emu.managementKey,
): Promise<ApiKeyProvider> {
  const provider = createApiKeyProvider();
  const values: Record<string, string> = { "baseten:apiKey": apiKey, "baseten:apiUrl": emu.url, ...extra };
  await provider.configure!({ config: { get: (k: string) => values[k] } } as unknown as pulumi.dynamic.ConfigureRequest);
  return provider;
}

/** check then create, as `pulumi up` does for a new resource. */
export async function upKey(provider: ApiKeyProvider, args: Record<string, unknown>) {
  const news = { resourceName: "svc", providerVersion: PROVIDER_VERSION, __provider: "serialized-provider-text", ...args };
  const checked = await provider.check!({} as never, news as never);
  expect(checked.failures).toEqual([]);
  const created = await provider.create(checked.inputs as never);
  return { inputs: checked.inputs as unknown as Record<string, unknown>, id: created.id, outs: created.outs as ApiKeyOutputs };
}
