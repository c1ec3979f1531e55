import { checkInputs, UNKNOWN } from "../../provider/apiKey/checks";

const base = { type: "PERSONAL", resourceName: "svc", providerVersion: "0.1.0" };
const failuresOf = (news: Record<string, unknown>) => checkInputs({}, { ...base, ...news }).failures;

describe("check", () => {
  it("accepts a minimal personal key and generates its name", () => {
    const { inputs, failures } = checkInputs({}, base);
    expect(failures).toEqual([]);
    expect(inputs.name).toMatch(/^svc-[a-z0-9]{7}$/);
    expect(inputs.autoName).toBe(true);
  });
  it("keeps a generated name stable from the old inputs", () => {
    const first = checkInputs({}, base).inputs;
    const second = checkInputs(first, base).inputs;
    expect(second.name).toBe(first.name);
  });
  it("without a nameScope (a caller other than the ApiKey class), draws a random name", () => {
    const first = checkInputs({}, base).inputs;
    expect(checkInputs({}, base).inputs.name).not.toBe(first.name);
  });
  it("with the nameScope the ApiKey class passes, derives the name: the same at preview and at up", () => {
    const scoped = { ...base, nameScope: "proj/dev" };
    const first = checkInputs({}, scoped).inputs;
    expect(first.name).toMatch(/^svc-[a-z0-9]{7}$/);
    expect(checkInputs({}, scoped).inputs.name).toBe(first.name);
    // A replacement re-checks without old inputs: a changed trigger gives another name.
    expect(checkInputs({}, { ...scoped, rotationTriggers: { q: "2" } }).inputs.name).not.toBe(first.name);
  });
  it("reports a derived name as unknown while an input it derives from is unknown", () => {
    const { inputs } = checkInputs({}, { ...base, nameScope: "proj/dev", type: "WORKSPACE_INVOKE", modelIds: UNKNOWN });
    expect(inputs.name).toBe(UNKNOWN);
  });
  it("keeps an explicit name and marks it explicit", () => {
    const { inputs, failures } = checkInputs({}, { ...base, name: "my-key" });
    expect(failures).toEqual([]);
    expect(inputs).toMatchObject({ name: "my-key", autoName: false });
  });
  it.each<[Record<string, unknown>, string, RegExp]>([
    [{ type: undefined }, "type", /required/],
    [{ type: "ADMIN" }, "type", /must be one of PERSONAL/],
    [{ name: "Bad Name" }, "name", /lowercase letters, digits and hyphens/],
    [{ name: "x".repeat(300) }, "name", /300 characters/],
    [{ name: 42 }, "name", /must be a string/],
    [{ modelIds: ["m1"] }, "modelIds", /only with type WORKSPACE_INVOKE or WORKSPACE_EXPORT_METRICS/],
    [{ type: "WORKSPACE_INVOKE", modelIds: [] }, "modelIds", /at least one/],
    [{ type: "WORKSPACE_INVOKE", modelIds: "m1" }, "modelIds", /must be a list/],
    [{ type: "WORKSPACE_INVOKE", modelIds: Array.from({ length: 10000 }, (_, i) => `m${i}`) }, "modelIds", /10000 model ids/],
    [{ type: "WORKSPACE_INVOKE", modelIds: ["m1", "m1"] }, "modelIds", /twice/],
    [{ type: "WORKSPACE_INVOKE", modelIds: ["m1", 7] }, "modelIds[1]", /non-empty model id/],
    [{ teamName: "ml" }, "teamName", /not allowed for type PERSONAL/],
    [{ type: "WORKSPACE_MANAGE_API_KEYS", teamId: "t1" }, "teamId", /not allowed for type WORKSPACE_MANAGE_API_KEYS/],
    [{ type: "WORKSPACE_INVOKE", teamId: "t1", teamName: "ml" }, "teamName", /together with teamId/],
    [{ type: "WORKSPACE_INVOKE", teamName: "" }, "teamName", /non-empty string/],
    [{ rotationTriggers: { q: 3 } }, "rotationTriggers.q", /must be a string/],
    [{ rotationTriggers: ["a"] }, "rotationTriggers", /map of strings/],
    [{ adoptPrefix: "../teams" }, "adoptPrefix", /slash/],
    [{ modelId: ["m1"] }, "modelId", /not an input/],
  ])("rejects %j on %s", (news, property, reason) => {
    const failures = failuresOf(news);
    const hit = failures.find((f) => f.property === property);
    expect(hit).toBeDefined();
    expect(hit?.reason).toMatch(reason);
  });
  it("reports every problem at once", () => {
    expect(
      failuresOf({ type: "PERSONAL", modelIds: ["m"], teamName: "ml", name: "BAD" })
        .map((f) => f.property)
        .sort(),
    ).toEqual(["modelIds", "name", "teamName"]);
  });
  it("accepts a scoped team key", () => {
    expect(
      failuresOf({ type: "WORKSPACE_INVOKE", modelIds: ["m1", "m2"], teamName: "ml", rotationTriggers: { q: "2026-Q4" } }),
    ).toEqual([]);
  });
  it("does not fail on values unknown during preview", () => {
    expect(
      failuresOf({
        type: "WORKSPACE_INVOKE",
        name: UNKNOWN,
        modelIds: UNKNOWN,
        teamName: UNKNOWN,
        rotationTriggers: { q: UNKNOWN },
      }),
    ).toEqual([]);
  });
});
