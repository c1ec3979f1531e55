/**
 * The line the engine's dynamic-provider host prints for a failed check, diff, read or delete:
 * `${error}: ${error.stack}` (@pulumi/pulumi/cmd/dynamic-provider/index.js), besides the message
 * the CLI shows with the resource. Both resources make it the same short line: the error's kind
 * and what was being done; the message stays whole, shown once.
 */
import type * as pulumi from "@pulumi/pulumi";
import { createSecretProvider } from "../../provider/secret/provider";
import { BasetenEmulator, SECRET_ROUTES } from "../emulator";
import { failureOf } from "../support/failureOf";
import { configuredProvider, upKey } from "./providerHarness";

let emu: BasetenEmulator;
beforeAll(async () => {
  emu = await BasetenEmulator.start();
});
afterAll(() => emu.stop());
beforeEach(() => emu.reset());

/** What the host prints for a failure, as index.js builds it. */
const hostLine = (e: Error) => `${e}: ${e.stack}`;

async function secretProvider() {
  const provider = createSecretProvider();
  const values: Record<string, string> = { "baseten:apiKey": emu.managementKey, "baseten:apiUrl": emu.url };
  await provider.configure!({ config: { get: (k: string) => values[k] } } as unknown as pulumi.dynamic.ConfigureRequest);
  return provider;
}

/** A Secret provider and one secret it created, as `pulumi up` leaves them. */
async function createdSecret() {
  const p = await secretProvider();
  const news = { resourceName: "svc", providerVersion: "0.2.0", value: "fake-value-aaaa1111", name: "tok" };
  const checked = await p.check!({} as never, news as never);
  const { id, outs } = await p.create(checked.inputs as never);
  return { p, id, outs };
}

describe("the line the engine's host prints for a failure", () => {
  it("ApiKey: a failed revoke prints the kind and the operation on one line; the message keeps the whole story", async () => {
    const p = await configuredProvider(emu);
    const { id, outs } = await upKey(p, { type: "PERSONAL" });
    emu.injectFault({ route: "DELETE /v1/api_keys/{prefix}", kind: "respond", status: 401, body: '{"error":"rejected"}' });
    const e = await failureOf(p.delete!(id, outs as never));
    expect(hostLine(e)).toBe(`BasetenError (authentication): Revoking Baseten API key "${id}" failed`);
    expect(e.message).toMatch(new RegExp(`^Revoking Baseten API key "${id}": Baseten answered HTTP 401: rejected`));
  });

  it("ApiKey: a failed refresh reads the same way", async () => {
    const p = await configuredProvider(emu);
    const { id, outs } = await upKey(p, { type: "PERSONAL" });
    emu.injectFault({ route: "GET /v1/api_keys", kind: "respond", status: 401, body: "{}", times: 10 });
    const e = await failureOf(p.read!(id, outs as never));
    expect(hostLine(e)).toBe(`BasetenError (authentication): Refreshing Baseten API key "${id}" failed`);
    expect(e.message).toMatch(/^Refreshing Baseten API key .*HTTP 401/);
  });

  it("Secret: a failed delete prints the same kind of line, and the message once (not twice)", async () => {
    const { p, id, outs } = await createdSecret();
    emu.injectFault({ route: SECRET_ROUTES.deleteTeamSecret, kind: "respond", status: 403, body: '{"error":"forbidden"}' });
    const e = await failureOf(p.delete!(id, outs as never));
    expect(hostLine(e)).toBe(`BasetenError (authentication): Deleting Baseten secret "${id}" failed`);
    expect(hostLine(e)).not.toContain(e.message);
    expect(e.message).toMatch(new RegExp(`^Deleting Baseten secret "${id}": Baseten answered HTTP 403`));
  });

  it("Secret: a failure of its own kind names that kind", async () => {
    const { p, id, outs } = await createdSecret();
    emu.injectFault({ route: SECRET_ROUTES.deleteTeamSecret, kind: "respond", status: 404, body: '{"detail":"Not Found"}' });
    const e = await failureOf(p.delete!(id, outs as never));
    expect(hostLine(e)).toBe(`SecretError (removal-unproven): Deleting Baseten secret "${id}" failed`);
  });
});
