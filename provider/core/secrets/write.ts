/**
 * What every new write of a secret shares, for a `Secret` and for a rotating key's delivery:
 * when an upsert's failure leaves its outcome unknown, and when Baseten's answer shows that the
 * upsert wrote into a secret the listing before it did not show (another writer's).
 */
import { isBasetenError, wasNeverSent, type BasetenError, type BasetenErrorKind } from "../../client/errors";

/**
 * How far Baseten's clock may run behind this machine's before a `created_at` earlier than
 * the pre-create listing (`startedAt`) is taken for another writer's secret. The listing is
 * the real guard; this check catches a secret the listing did not show, and must not fire on
 * clock skew, yet must stay short, or another writer's secret of the last minutes passes as
 * new. Not AUDIT_CLOCK_SKEW_MS (core/evidence.ts): that one widens an audit-log search
 * window, where erring long costs nothing.
 */
export const CREATED_AT_SKEW_ALLOWANCE_MS = 60_000;

/** Failures after which an upsert may or may not have reached Baseten. */
const UNCERTAIN_FAILURES: BasetenErrorKind[] = ["timeout", "network", "server", "invalid-response"];

/**
 * Whether an upsert that threw `e` may have written the secret: a timeout, a lost connection,
 * a 5xx, an answer that is not the spec's. Not a refused connection (nothing left this
 * machine), nor a 4xx (Baseten refused it).
 */
export function writeMayHaveLanded(e: unknown): e is BasetenError {
  return isBasetenError(e) && UNCERTAIN_FAILURES.includes(e.kind) && !wasNeverSent(e);
}

/** Whether a secret Baseten says it created at `createdAt` existed before a listing made at `listedAt` (epoch ms). */
export function predatesListing(createdAt: string, listedAt: number): boolean {
  return Date.parse(createdAt) < listedAt - CREATED_AT_SKEW_ALLOWANCE_MS;
}
