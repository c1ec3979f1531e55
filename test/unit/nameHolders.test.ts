/** The names a generated key can carry, and the derived name each comes from. */
import { derivedNameOf, namesOfDerived } from "../../provider/core/keys/nameHolders";

describe("derivedNameOf", () => {
  it.each([
    ["svc-5thbfrd", "svc-5thbfrd"],
    ["svc-5thbfrd-r1", "svc-5thbfrd"],
    ["svc-5thbfrd-r20", "svc-5thbfrd"],
    // Beyond the names a create tries, or not after a derived suffix: the name itself.
    ["svc-5thbfrd-r21", "svc-5thbfrd-r21"],
    ["svc-r1", "svc-r1"],
    ["my-key-r0", "my-key-r0"],
    ["svc-5thbfrd-r01", "svc-5thbfrd-r01"],
  ])("%s comes from %s", (name, derived) => {
    expect(derivedNameOf(name)).toBe(derived);
  });
});

describe("namesOfDerived", () => {
  it("lists the derived name, then -r1 to -r20, each mapping back to it", () => {
    const names = namesOfDerived("svc-5thbfrd");
    expect(names).toHaveLength(21);
    expect(names.slice(0, 3)).toEqual(["svc-5thbfrd", "svc-5thbfrd-r1", "svc-5thbfrd-r2"]);
    expect(names.map(derivedNameOf)).toEqual(names.map(() => "svc-5thbfrd"));
  });
});
