import {
  autoName,
  derivedSuffix,
  MAX_NAME_LENGTH,
  nameProblem,
  randomSuffix,
  replacementName,
  sanitizeName,
} from "../../provider/core/names";
import { UNKNOWN } from "../../provider/core/unknown";

describe("naming", () => {
  it("generates <resource name>-<7 lowercase alphanumerics>", () => {
    expect(autoName("inference")).toMatch(/^inference-[a-z0-9]{7}$/);
  });
  it("sanitises resource names into Baseten's alphabet", () => {
    expect(sanitizeName("My_Service.Key--Prod!")).toBe("my-service-key-prod");
    expect(autoName("__", "abcdefg")).toBe("key-abcdefg");
    expect(autoName("Prod Key", "abcdefg")).toBe("prod-key-abcdefg");
  });
  it("keeps generated names within the length limit", () => {
    const name = autoName("a".repeat(400), "abcdefg");
    expect(name.length).toBeLessThanOrEqual(MAX_NAME_LENGTH);
    expect(nameProblem(name)).toBeUndefined();
  });
  it("draws different suffixes", () => {
    const seen = new Set(Array.from({ length: 50 }, () => randomSuffix()));
    expect(seen.size).toBe(50);
  });
  it.each([
    ["", /empty/],
    ["Has_Upper", /lowercase/],
    ["a".repeat(300), /300 characters/],
  ])("rejects %j", (name, why) => expect(nameProblem(name)).toMatch(why));
});

describe("derived names (the preview shows the name up creates)", () => {
  const seed = { nameScope: "proj/dev", resourceName: "svc", type: "WORKSPACE_INVOKE", modelIds: ["b", "a"] };

  it("derives the same seven characters from the same seed, whatever the order of model ids or map keys", () => {
    expect(derivedSuffix(seed)).toMatch(/^[a-z0-9]{7}$/);
    expect(derivedSuffix({ ...seed, modelIds: ["a", "b"] })).toBe(derivedSuffix(seed));
    const t1 = derivedSuffix({ ...seed, rotationTriggers: { a: "1", b: "2" } });
    expect(derivedSuffix({ ...seed, rotationTriggers: { b: "2", a: "1" } })).toBe(t1);
  });

  it.each([
    ["the stack", { nameScope: "proj/prod" }],
    ["the resource name", { resourceName: "svc2" }],
    ["the type", { type: "WORKSPACE_EXPORT_METRICS" }],
    ["the models", { modelIds: ["a"] }],
    ["the team", { teamName: "ml-platform" }],
    ["a rotation trigger", { rotationTriggers: { q: "2027-Q1" } }],
  ])("changes with %s", (_what, change) => {
    expect(derivedSuffix({ ...seed, ...change })).not.toBe(derivedSuffix(seed));
  });

  it("is unknown while an input is unknown", () => {
    expect(derivedSuffix({ ...seed, modelIds: [UNKNOWN] })).toBeUndefined();
  });

  it("names a replacement of an unchanged key <name>-r<n>, within the length limit", () => {
    expect(replacementName("svc-abcdefg", 1)).toBe("svc-abcdefg-r1");
    expect(replacementName("a".repeat(MAX_NAME_LENGTH), 12)).toHaveLength(MAX_NAME_LENGTH);
  });
});
