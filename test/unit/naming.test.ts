import { autoName, MAX_NAME_LENGTH, nameProblem, randomSuffix, sanitizeName } from "../../provider/naming";

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
