import { apiKeyPath, prefixOfApiKey, prefixProblem } from "../../provider/client/prefix";

describe("prefixes in paths", () => {
  it.each(["abcdEFGH", "a.b", "%2F", "a?b", "a#b", "ключ", "a+b"])("encodes %j into exactly one path segment", (prefix) => {
    const path = apiKeyPath(prefix);
    expect(path.startsWith("/v1/api_keys/")).toBe(true);
    const segment = path.slice("/v1/api_keys/".length);
    expect(segment).not.toMatch(/[/?#]/);
    expect(decodeURIComponent(segment)).toBe(prefix);
  });
  it.each([
    ["", "empty"],
    [".", "path step"],
    ["..", "path step"],
    ["../teams", "slash"],
    ["a/b", "slash"],
    ["a\\b", "slash"],
    ["a/../b", "slash"],
    ["a\nb", "control"],
    ["a b", "whitespace"],
    ["x".repeat(10000), "characters long"],
  ])("refuses %j (%s)", (prefix, why) => {
    expect(prefixProblem(prefix)).toContain(why);
    expect(() => apiKeyPath(prefix)).toThrow(/Refusing/);
  });
  it("refuses non-strings", () => expect(prefixProblem(undefined)).toMatch(/string/));
});

describe("prefixOfApiKey", () => {
  it("takes what precedes the first dot", () => expect(prefixOfApiKey("abcDEFgh.secret.part")).toBe("abcDEFgh"));
  it.each(["nodot", ".secret", "", "a/b.secret"])("has no prefix for %j", (v) => expect(prefixOfApiKey(v)).toBeUndefined());
});
