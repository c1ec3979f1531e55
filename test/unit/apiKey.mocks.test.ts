/**
 * The public ApiKey class under Pulumi's mocks: what it registers with the engine.
 */
import { PROVIDER_VERSION } from "../../provider/version";
import * as pulumi from "@pulumi/pulumi";

interface Registration {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  additionalSecretOutputs: string[];
}
const registrations: Registration[] = [];
const mockInputs: Array<Record<string, unknown>> = [];

pulumi.runtime.setMocks(
  {
    newResource: (args) => (
      mockInputs.push(args.inputs),
      {
        id: "abcdEFGH",
        state: { ...args.inputs, prefix: "abcdEFGH", apiKey: "abcdEFGH.fake-secret-for-mocks" },
      }
    ),
    call: () => ({}),
  },
  "project",
  "stack",
  false,
);

// Mocks do not pass resource options to newResource: read them off the request the SDK sends.
const monitor = pulumi.runtime.getMonitor() as unknown as {
  registerResource: (
    req: { getType(): string; getName(): string; getAdditionalsecretoutputsList(): string[] },
    cb: unknown,
  ) => void;
};
const register = monitor.registerResource.bind(monitor);
monitor.registerResource = (req, cb) => {
  registrations.push({
    type: req.getType(),
    name: req.getName(),
    inputs: {},
    additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
  });
  register(req, cb);
};

// Imported after setMocks, as Pulumi's testing guide prescribes.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ApiKey } = require("../../provider") as typeof import("../../provider");

const valueOf = <T>(o: pulumi.Output<T>): Promise<T> => new Promise((resolve) => o.apply((v) => resolve(v)));

describe("ApiKey under mocks", () => {
  const key = new ApiKey("inference", { type: "WORKSPACE_INVOKE", modelIds: ["m1"] }, { additionalSecretOutputs: ["name"] });

  it("registers the type token pulumi-nodejs:dynamic/baseten:ApiKey", async () => {
    await valueOf(key.urn);
    expect(registrations.map((r) => r.type)).toEqual(["pulumi-nodejs:dynamic/baseten:ApiKey"]);
    expect(await valueOf(key.urn)).toMatch(/::pulumi-nodejs:dynamic\/baseten:ApiKey::inference$/);
  });
  it("asks the engine to keep apiKey secret, in addition to the user's own list", async () => {
    await valueOf(key.urn);
    expect(registrations[0].additionalSecretOutputs).toEqual(["name", "apiKey"]);
  });
  it("makes every declared output an Output, even those whose input the program leaves unset", async () => {
    // A key with a generated name: `name` is not an input here, and must still be an Output.
    const outputs = ["prefix", "apiKey", "name", "type", "modelIds", "teamId", "teamName"] as const;
    for (const o of outputs) expect(pulumi.Output.isInstance(key[o])).toBe(true);
  });
  it("sends the program's inputs plus the hidden ones, and no output seeds", async () => {
    await valueOf(key.urn);
    const { __provider, ...inputs } = mockInputs[0];
    // The output seeds (prefix, apiKey, name, ...) are undefined, so they are not sent as inputs.
    expect(inputs).toEqual({
      type: "WORKSPACE_INVOKE",
      modelIds: ["m1"],
      resourceName: "inference",
      nameScope: "project/stack",
      providerVersion: PROVIDER_VERSION,
    });
    expect(typeof __provider).toBe("string");
    expect(__provider).toMatch(/exports\.handler/);
  });
});
