import { diffInputs } from "../../provider/apiKey/diff";
import { UNKNOWN } from "../../provider/apiKey/checks";

const stored = {
  type: "WORKSPACE_INVOKE",
  name: "svc-abc1234",
  autoName: true,
  modelIds: ["m1", "m2"],
  teamId: "team-ml",
  teamName: "ml-platform",
  teamSelector: "teamName",
  rotationTriggers: { q: "2026-Q4" },
  providerVersion: "0.1.0",
  resourceName: "svc",
  prefix: "abcdefgh",
  apiKey: "abcdefgh.fake-secret",
};
const inputs = {
  type: "WORKSPACE_INVOKE",
  name: "svc-abc1234",
  autoName: true,
  modelIds: ["m2", "m1"],
  teamName: "ml-platform",
  rotationTriggers: { q: "2026-Q4" },
  providerVersion: "0.1.0",
  resourceName: "svc",
};

describe("diff", () => {
  it("reports no change when the inputs are the same (outputs such as apiKey are ignored)", () => {
    expect(diffInputs(stored, inputs)).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
  });
  it("ignores a renamed resource (aliases)", () => {
    expect(diffInputs(stored, { ...inputs, resourceName: "other" }).changes).toBe(false);
  });
  it.each<[string, Record<string, unknown>]>([
    ["type", { type: "WORKSPACE_EXPORT_METRICS" }],
    ["modelIds", { modelIds: ["m1"] }],
    ["rotationTriggers", { rotationTriggers: { q: "2027-Q1" } }],
    ["teamName", { teamName: "other" }],
    ["name", { name: "explicit", autoName: false }],
  ])("replaces when %s changes, creating before revoking", (field, change) => {
    expect(diffInputs(stored, { ...inputs, ...change })).toEqual({
      changes: true,
      replaces: [field],
      deleteBeforeReplace: false,
    });
  });
  it("replaces when a value is unknown during preview", () => {
    expect(diffInputs(stored, { ...inputs, rotationTriggers: { q: UNKNOWN } }).replaces).toEqual(["rotationTriggers"]);
  });
  it("revokes first when an explicit name stays the same", () => {
    const explicit = { ...stored, name: "fixed", autoName: false };
    const d = diffInputs(explicit, {
      ...inputs,
      name: "fixed",
      autoName: false,
      type: "WORKSPACE_MANAGE_ALL",
      modelIds: undefined,
    });
    expect(d).toMatchObject({ changes: true, deleteBeforeReplace: true });
    expect(d.replaces).toEqual(expect.arrayContaining(["type", "modelIds"]));
  });
  it("creates first when an explicit name changes", () => {
    const explicit = { ...stored, name: "fixed", autoName: false };
    expect(diffInputs(explicit, { ...inputs, name: "fixed-2", autoName: false })).toMatchObject({
      replaces: ["name"],
      deleteBeforeReplace: false,
    });
  });
  it("updates in place when only the provider version changes", () => {
    expect(diffInputs(stored, { ...inputs, providerVersion: "0.2.0" })).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
  });
  it("compares the team the program selected: teamId against the stored teamId", () => {
    const byId = { ...stored, teamSelector: "teamId" };
    const news = { ...inputs, teamName: undefined, teamId: "team-ml" };
    expect(diffInputs(byId, news).changes).toBe(false);
    expect(diffInputs(byId, { ...news, teamId: "team-other" }).replaces).toEqual(["teamId"]);
    expect(diffInputs(byId, { ...news, teamId: undefined }).changes).toBe(true);
  });
  it("replaces a key whose plaintext was lost in an interrupted create", () => {
    expect(diffInputs({ ...stored, apiKey: "" }, inputs).replaces).toEqual(["apiKey"]);
  });
  it("keeps an adopted key (empty apiKey) without replacing it", () => {
    const adopted = { ...stored, apiKey: "", adoptPrefix: "abcdefgh" };
    expect(diffInputs(adopted, { ...inputs, adoptPrefix: "abcdefgh" }).changes).toBe(false);
  });
  describe("an adopted key", () => {
    const adopted = {
      ...stored,
      apiKey: "",
      adoptPrefix: "abcdefgh",
      autoName: false,
      name: "made-in-ui",
      teamSelector: undefined,
    };
    const program = {
      type: "WORKSPACE_INVOKE",
      autoName: false,
      adoptPrefix: "abcdefgh",
      providerVersion: "0.1.0",
      resourceName: "svc",
    };
    it("takes the fields the program leaves unset from the key: no change", () => {
      expect(diffInputs(adopted, { ...program, rotationTriggers: { q: "2026-Q4" } }).changes).toBe(false);
    });
    it("still replaces when the program sets a field to something else", () => {
      expect(diffInputs(adopted, { ...program, rotationTriggers: { q: "2026-Q4" }, modelIds: ["m9"] }).replaces).toEqual([
        "modelIds",
      ]);
    });
    it("replaces when adoptPrefix is removed: the program now wants a key of its own", () => {
      const d = diffInputs(adopted, { ...program, adoptPrefix: undefined, rotationTriggers: { q: "2026-Q4" } });
      expect(d.replaces).toContain("adoptPrefix");
    });
  });
});
