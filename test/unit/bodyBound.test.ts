import { boundOf, listingOf, tooLargeProblem } from "../../provider/client/bodyBound";

const bounds = { maxResponseBytes: 1024 * 1024, maxListingBytes: 32 * 1024 * 1024 };

describe("which answers are listings (Baseten's have no paging)", () => {
  it.each([
    ["GET", "/v1/api_keys", "API-key listing"],
    ["GET", "/v1/secrets", "secrets listing"],
    ["GET", "/v1/teams/team%2F1/secrets", "secrets listing"],
    ["GET", "/v1/teams?name=ml", "team listing"],
    ["GET", "/v1/audit_logs?event_type_groups=API_KEYS&search=abc", "audit-log page"],
  ])("%s %s is the %s, read up to 32 MiB", (method, path, listing) => {
    expect(listingOf({ method, path })).toBe(listing);
    expect(boundOf({ method, path }, bounds)).toBe(bounds.maxListingBytes);
  });

  it.each([
    ["POST", "/v1/api_keys"],
    ["DELETE", "/v1/api_keys/abcdefgh"],
    ["POST", "/v1/teams/t/secrets"],
    ["GET", "/v1/users/me"],
  ])("%s %s is not, and keeps the 1 MiB bound", (method, path) => {
    expect(listingOf({ method, path })).toBeUndefined();
    expect(boundOf({ method, path }, bounds)).toBe(bounds.maxResponseBytes);
  });

  it("says which listing was too large and what to do; other answers keep the short message", () => {
    expect(tooLargeProblem({ method: "GET", path: "/v1/teams/t/secrets" }, bounds.maxListingBytes)).toMatch(
      /^the secrets listing exceeds 33554432 bytes \(32 MiB\), .*no paging.*revoke or delete what nothing uses.*check apiUrl/,
    );
    expect(tooLargeProblem({ method: "POST", path: "/v1/api_keys" }, bounds.maxResponseBytes)).toBe(
      "the body exceeds 1048576 bytes",
    );
  });
});
