/**
 * The provider's clock. Tests move time through `BASETEN_PROVIDER_NOW` (an ISO time or epoch
 * milliseconds) in the environment of the Pulumi CLI, which its provider host inherits: never
 * through a `baseten:` setting, which the engine would store in state. Nothing sleeps through
 * time; unset, it is this machine's clock.
 */
export const CLOCK_VARIABLE = "BASETEN_PROVIDER_NOW";

/** Now, in epoch milliseconds. A malformed override fails loudly rather than falling back. */
export function now(env: NodeJS.ProcessEnv = process.env): number {
  const text = env[CLOCK_VARIABLE];
  if (text === undefined || text === "") return Date.now();
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms))
    throw new Error(
      `${CLOCK_VARIABLE}=${JSON.stringify(text)} is neither an ISO time nor epoch milliseconds; unset it to use this machine's clock.`,
    );
  return ms;
}
