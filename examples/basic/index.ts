// One personal Baseten API key for a CI deployer, exported as a secret.
import { ApiKey } from "@pulumi-baseten/api-key";

const key = new ApiKey("ci-deployer", { type: "PERSONAL" });

/** The key's prefix: safe to show, and what Baseten's UI lists. */
export const prefix = key.prefix;
/** The plaintext key: a Pulumi secret (`pulumi stack output apiKey --show-secrets`). */
export const apiKey = key.apiKey;
