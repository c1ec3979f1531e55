// An inference key rotated every quarter. `rotationTriggers` holds the current quarter; the
// first `pulumi up` of a new quarter replaces the key. With a generated name (no `name`
// input), the replacement mints the new key first, hands it to everything that uses it, and
// only then revokes the old one, so clients never hold a revoked key.
import * as pulumi from "@pulumi/pulumi";
import { ApiKey } from "@pulumi-baseten/api-key";

/** The calendar quarter of `date` in UTC, e.g. "2026-Q4". */
function quarterOf(date: Date): string {
  return `${date.getUTCFullYear()}-Q${Math.floor(date.getUTCMonth() / 3) + 1}`;
}

const config = new pulumi.Config();
// `pulumi config set rotationPeriod 2027-Q1` rotates now instead of at the quarter's turn.
const period = config.get("rotationPeriod") ?? quarterOf(new Date());
const modelId = config.get("modelId") ?? "abcd1234";

const key = new ApiKey("inference", {
  type: "WORKSPACE_INVOKE",
  modelIds: [modelId],
  rotationTriggers: { period },
});

/** The live key's prefix: it changes at every rotation. */
export const prefix = key.prefix;
/** The quarter the live key belongs to. */
export const rotationPeriod = period;
/** The plaintext key, a secret. Read it from here (or a secret store fed from here) at deploy time. */
export const apiKey = key.apiKey;
