/**
 * The Secret's pure decisions, by table: `check` (validation, auto-name), `diff` (update vs
 * replace, delete-first for equivalent names, no default-team churn), name equivalence, which
 * listed secret is the stack's (by id), and the line a removal prints.
 * (The evidence rule for "gone" is the shared provider/core/evidence.ts.) Fake values only.
 */
import { canonicalSecretName, secretNamesEquivalent, secretsPath } from "../../provider/client/secrets";
import { diffSecret } from "../../provider/secret/diff";
import { listedAs } from "../../provider/core/secrets/identity";
import { removalLine } from "../../provider/core/removalLines";
import { checkSecretInputs } from "../../provider/secret/checks";
import { UNKNOWN } from "../../provider/apiKey/checks";

const base = { resourceName: "svc", providerVersion: "0.1.0", value: "fake-value" };

describe("check", () => {
  it.each([
    ["a missing value", { value: undefined }, "value", /is required/],
    ["an empty value, explaining an adopted key's empty apiKey", { value: "" }, "value", /adopted ApiKey's apiKey is empty/],
    ["a numeric value", { value: 5 }, "value", /must be a string, got a number/],
    ["an empty name", { name: "" }, "name", /must not be empty/],
    ["a name with a slash", { name: "a/b" }, "name", /must not contain '\/'/],
    ["a name with a newline", { name: "a\nb" }, "name", /control characters/],
    ["a name over 255 characters", { name: "x".repeat(256) }, "name", /at most 255/],
    ["a numeric name", { name: 7 }, "name", /must be a string/],
    ["teamId with teamName", { teamId: "t", teamName: "n" }, "teamName", /cannot be set together with teamId/],
    ["an empty teamId", { teamId: " " }, "teamId", /non-empty string/],
    ["a string adoptExisting", { adoptExisting: "yes" }, "adoptExisting", /true or false/],
    [
      "an unknown input",
      { valu: "x" },
      "valu",
      /is not an input of baseten:Secret; the inputs are name, value, teamId, teamName, adoptExisting/,
    ],
  ])("refuses %s, naming the property", (_label, extra, property, reason) => {
    const { failures } = checkSecretInputs({}, { ...base, ...extra });
    expect(failures).toHaveLength(1);
    expect(failures[0].property).toBe(property);
    expect(failures[0].reason).toMatch(reason);
  });

  it.each([
    ["names Baseten may accept: underscores, dots, spaces, capitals, unicode", { name: "HF_token.v2 ünï" }],
    ["a value unknown during preview", { value: UNKNOWN }],
    ["a name unknown during preview", { name: UNKNOWN }],
    ["a team by id", { teamId: "team-ml" }],
  ])("accepts %s", (_label, extra) => {
    expect(checkSecretInputs({}, { ...base, ...extra }).failures).toEqual([]);
  });

  it("never quotes the value in a failure", () => {
    const { failures } = checkSecretInputs({}, { ...base, value: "fake-value", name: "", teamId: 3 });
    expect(JSON.stringify(failures)).not.toContain("fake-value");
  });

  it("generates a name once and keeps it from the old inputs", () => {
    const first = checkSecretInputs({}, base).inputs;
    expect(first).toMatchObject({ autoName: true });
    expect(first.name).toMatch(/^svc-[a-z0-9]{7}$/);
    expect(checkSecretInputs(first, base).inputs.name).toBe(first.name);
    expect(checkSecretInputs({ ...first, autoName: false }, base).inputs.name).not.toBe(first.name);
  });
});

describe("check: generated names (preview shows the name up writes)", () => {
  const scoped = { ...base, nameScope: "proj/dev" };
  it("derives the same name from project, stack, resource name and team on every check of a new secret", () => {
    const first = checkSecretInputs({}, scoped).inputs.name;
    expect(first).toMatch(/^svc-[a-z0-9]{7}$/);
    expect(checkSecretInputs({}, scoped).inputs.name).toBe(first);
  });
  it.each([
    ["another stack", { nameScope: "proj/prod" }],
    ["another resource name", { resourceName: "other" }],
    ["another team", { teamName: "ml-platform" }],
  ])("derives another name for %s", (_label, extra) => {
    expect(checkSecretInputs({}, { ...scoped, ...extra }).inputs.name).not.toBe(checkSecretInputs({}, scoped).inputs.name);
  });
  it("is unknown while the team is unknown, and ignores the value", () => {
    expect(checkSecretInputs({}, { ...scoped, teamId: UNKNOWN }).inputs.name).toBe(UNKNOWN);
    expect(checkSecretInputs({}, { ...scoped, value: "fake-other" }).inputs.name).toBe(checkSecretInputs({}, scoped).inputs.name);
  });
});

describe("diff", () => {
  const olds = {
    ...base,
    name: "tok",
    autoName: false,
    teamId: "team-default",
    teamName: "default",
    secretId: "abc",
    createdAt: "x",
  };
  const news = { ...base, name: "tok", autoName: false };
  it.each([
    ["nothing changed (default team)", {}, {}, { changes: false, replaces: [], deleteBeforeReplace: false }],
    [
      "a new value: update in place",
      {},
      { value: "fake-other" },
      { changes: undefined, replaces: [], deleteBeforeReplace: false },
    ],
    ["an unknown value: update", {}, { value: UNKNOWN }, { changes: undefined, replaces: [], deleteBeforeReplace: false }],
    [
      "a new provider version: update",
      {},
      { providerVersion: "0.2.0" },
      { changes: true, replaces: [], deleteBeforeReplace: false },
    ],
    [
      "another name: replace, create first",
      {},
      { name: "other" },
      { changes: true, replaces: ["name"], deleteBeforeReplace: false },
    ],
    [
      "an equivalent but different name: delete first",
      { name: "hf_token" },
      { name: "hf-token" },
      { changes: true, replaces: ["name"], deleteBeforeReplace: true },
    ],
    [
      "another team by name: replace",
      {},
      { teamName: "ml-platform" },
      { changes: true, replaces: ["teamName"], deleteBeforeReplace: false },
    ],
    [
      "the same team by id, after the default: no change",
      {},
      { teamId: "team-default" },
      { changes: false, replaces: [], deleteBeforeReplace: false },
    ],
    [
      "a team dropped from the program: replace",
      { teamSelector: "teamName", teamId: "team-ml", teamName: "ml-platform" },
      {},
      { changes: true, replaces: ["teamId"], deleteBeforeReplace: false },
    ],
    [
      "a new team and an equivalent name: create first (different secrets)",
      { name: "a_b" },
      { name: "a-b", teamId: "team-ml" },
      { changes: true, replaces: ["name", "teamId"], deleteBeforeReplace: false },
    ],
  ])("%s", (_label, oldExtra, newExtra, expected) => {
    expect(diffSecret({ ...olds, ...oldExtra }, { ...news, ...newExtra })).toEqual(expected);
  });
});

describe("name equivalence (README: non-alphanumeric characters are equivalent)", () => {
  it.each([
    ["hf_access_token", "hf-access-token", true],
    ["a.b c", "a_b-c", true],
    ["Token", "token", false],
    ["ab", "a_b", false],
  ])("%s ~ %s is %s", (a, b, same) => {
    expect(secretNamesEquivalent(a, b)).toBe(same);
    expect(canonicalSecretName(a) === canonicalSecretName(b)).toBe(same);
  });

  it("puts a name in one percent-encoded path segment", () => {
    expect(secretsPath("team/x", "a b/../c")).toBe("/v1/teams/team%2Fx/secrets/a%20b%2F..%2Fc");
  });
});

describe("which listed secret is the stack's: its secretId, never its name (issue 15 item 4)", () => {
  const listed = (id: string, name: string) => ({ id, name, createdAt: "2026-01-01T00:00:00.000Z", teamName: "default" });
  const stored = { name: "hf_access_token", secretId: "ours123" };
  it.each([
    ["the stored id under the stored name", [listed("ours123", "hf_access_token")], stored, "ours"],
    ["the stored id under an equivalent name", [listed("ours123", "hf-access-token")], stored, "ours"],
    [
      "another id under an equivalent name (replaced outside Pulumi)",
      [listed("their456", "hf-access-token")],
      stored,
      "replaced",
    ],
    ["another id under the very same name", [listed("their456", "hf_access_token")], stored, "replaced"],
    ["the stored id under another name only (not this name's secret)", [listed("ours123", "other")], stored, "absent"],
    ["nothing", [], stored, "absent"],
    [
      "any id, for state without a secretId (the name is all there is)",
      [listed("x", "hf_access_token")],
      { name: "hf_access_token" },
      "ours",
    ],
  ] as const)("%s: %s", (_label, secrets, s, state) => {
    expect(listedAs(secrets, s as { name: string; secretId: string }).state).toBe(state);
  });
});

describe("the line a removal prints (destroy's wording, shared by refresh; issue 17 item 7)", () => {
  it.each([
    [
      "Deleted",
      "Baseten secret",
      "t/n",
      "Baseten's tombstone names it (verified)",
      'Deleted Baseten secret "t/n": Baseten\'s tombstone names it (verified).',
    ],
    ["Revoked", "Baseten API key", "abcdefgh", "x (verified)", 'Revoked Baseten API key "abcdefgh": x (verified).'],
    [
      "Refresh dropped",
      "Baseten API key",
      "abcdefgh",
      "y (verified)",
      'Refresh dropped Baseten API key "abcdefgh": y (verified).',
    ],
  ] as const)("%s %s", (action, what, id, because, line) => {
    expect(removalLine(action, what, id, because)).toBe(line);
  });
});
