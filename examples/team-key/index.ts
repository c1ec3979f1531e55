// A deployer key for one team's CI. The team is chosen by its name, as people know it; the
// provider resolves it to the team's id (GET /v1/teams?name=) when the key is minted, and
// fails with a clear message when no team, or more than one, has that name.
import * as pulumi from "@pulumi/pulumi";
import { ApiKey } from "@pulumi-baseten/api-key";

const config = new pulumi.Config();
const team = config.get("team") ?? "ml-platform";

const key = new ApiKey("team-deployer", {
  type: "WORKSPACE_MANAGE_ALL",
  teamName: team,
});

/** The key's prefix. */
export const prefix = key.prefix;
/** The id Baseten gave the team (resolved from its name). */
export const teamId = key.teamId;
/** The plaintext key, a secret: store it as the team's CI secret. */
export const apiKey = key.apiKey;
