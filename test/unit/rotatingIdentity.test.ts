/**
 * The identity a RotatingApiKey's key names derive from: the resource's URN. Pulumi lets two
 * components of different types each hold a child named "invoke" (their URNs differ by the
 * parent's type); a name derived from the project, stack and resource name alone would be the
 * same for both, and each would take the other's keys in as its own (the audit log shows both
 * minted by the stack's one management key). Registered through Pulumi's mocks; `check` then
 * derives the base from what was registered.
 */
import * as pulumi from "@pulumi/pulumi";
import { CLOCK_VARIABLE } from "../../provider/core/clock";
import { checkRotatingInputs } from "../../provider/rotatingApiKey/checks";

const registered: Array<{ name: string; inputs: Record<string, unknown> }> = [];

pulumi.runtime.setMocks(
  {
    newResource: (args) => {
      registered.push({ name: args.name, inputs: args.inputs });
      return { id: `${args.name}-id`, state: args.inputs };
    },
    call: () => ({}),
  },
  "project",
  "stack",
  false,
);

afterAll(() => {
  delete process.env[CLOCK_VARIABLE];
});

class Reranker extends pulumi.ComponentResource {
  constructor(name: string) {
    super("acme:serving:Reranker", name);
  }
}
class Embedder extends pulumi.ComponentResource {
  constructor(name: string) {
    super("acme:serving:Embedder", name);
  }
}

it("two keys of one name under parents of different types register different name scopes, and so get different base names", async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { RotatingApiKey } = require("../../provider") as typeof import("../../provider");
  const args = { type: "WORKSPACE_INVOKE" as const, rotation: { every: "30d", overlap: "2d" } };
  const a = new RotatingApiKey("invoke", args, { parent: new Reranker("svc") });
  const b = new RotatingApiKey("invoke", args, { parent: new Embedder("svc") });
  await Promise.all([a, b].map((k) => new Promise((resolve) => k.urn.apply(resolve))));

  const scopes = registered.filter((r) => r.name === "invoke").map((r) => String(r.inputs.nameScope));
  expect(scopes).toHaveLength(2);
  expect(scopes[0]).toMatch(/acme:serving:Reranker\$pulumi-nodejs:dynamic\/baseten:RotatingApiKey::invoke$/);
  expect(scopes[1]).toMatch(/acme:serving:Embedder\$pulumi-nodejs:dynamic\/baseten:RotatingApiKey::invoke$/);

  process.env[CLOCK_VARIABLE] = "2026-01-01T00:00:00Z";
  const bases = registered
    .filter((r) => r.name === "invoke")
    .map((r) => checkRotatingInputs({}, r.inputs).inputs.baseName as string);
  expect(bases[0]).toMatch(/^invoke-[a-z0-9]{7}$/);
  expect(bases[1]).toMatch(/^invoke-[a-z0-9]{7}$/);
  expect(bases[0]).not.toBe(bases[1]);
});
