/**
 * Baseten's secrets area, team-scoped only: list (`GET /v1/teams/{team_id}/secrets`), upsert
 * (`POST /v1/teams/{team_id}/secrets`) and delete (`DELETE /v1/teams/{team_id}/secrets/{secret_name}`)
 * with its tombstone checked, and Baseten's equivalence of secret names. The teamless routes
 * write to "the caller's primary team" but delete in "the organization default team" (spec),
 * which may differ, so this client never offers them. Wire types in snake_case stay here;
 * callers get camelCase. Values are sent, never read back (Baseten cannot return them), and
 * never appear in an error.
 */
import { BasetenError, invalidResponse, type RequestTarget } from "./errors";
import { send, type Operation } from "./http";
import { isJsonContentType, isRecord, listedArray, parseJson, tombstoneField } from "./json";

/** `SecretV1`: a secret as Baseten lists or upserts it (no value, ever). */
export interface SecretWire {
  id: string;
  created_at: string;
  name: string;
  team_name: string;
}

/** `SecretsV1`. */
export interface SecretsWire {
  secrets: SecretWire[];
}

/** `UpsertSecretRequestV1`. */
export interface UpsertSecretRequestWire {
  name: string;
  value: string;
}

/** `SecretTombstoneV1`: the body of a successful delete. */
export interface SecretTombstoneWire {
  name: string;
}

/** A secret as Baseten reports it, in camelCase. */
export interface ListedSecret {
  /** Baseten's id, stable across value changes. */
  id: string;
  /** ISO 8601, as Baseten sent it. */
  createdAt: string;
  name: string;
  teamName: string;
}

/** The answer to a delete. A 404 proves nothing by itself (see the evidence rule). */
export type SecretDeleteResult =
  /** 200 with a JSON tombstone whose name is equivalent to the one deleted. */
  | { outcome: "deleted"; tombstoneName: string }
  /** 404: no such secret, or no such route, or a caller who cannot see it. */
  | { outcome: "not-found"; json: boolean };

/**
 * Baseten's equivalence of secret names: equal after replacing every non-alphanumeric
 * character with `_` (`hf_access_token` is `hf-access-token`).
 */
export function canonicalSecretName(name: string): string {
  return name.replace(/[^A-Za-z0-9]/g, "_");
}

/** True when Baseten treats the two names as one secret. */
export function secretNamesEquivalent(a: string, b: string): boolean {
  return canonicalSecretName(a) === canonicalSecretName(b);
}

/** `/v1/teams/{team_id}/secrets[/{secret_name}]`, each parameter one percent-encoded segment. */
export function secretsPath(teamId: string, name?: string): string {
  const base = `/v1/teams/${encodeURIComponent(teamId)}/secrets`;
  return name === undefined ? base : `${base}/${encodeURIComponent(name)}`;
}

function toListedSecret(raw: unknown, target: RequestTarget, status?: number): ListedSecret {
  if (
    !isRecord(raw) ||
    typeof raw.id !== "string" ||
    typeof raw.created_at !== "string" ||
    typeof raw.name !== "string" ||
    typeof raw.team_name !== "string"
  ) {
    throw invalidResponse(target, "a secret lacks its string `id`, `created_at`, `name` or `team_name`", status);
  }
  if (Number.isNaN(Date.parse(raw.created_at))) {
    throw invalidResponse(target, "a secret's `created_at` is not a date", status);
  }
  const wire = raw as unknown as SecretWire;
  return { id: wire.id, createdAt: wire.created_at, name: wire.name, teamName: wire.team_name };
}

/** The team's secrets (`GET /v1/teams/{team_id}/secrets`), without values. */
export async function listSecrets(op: Operation, teamId: string): Promise<ListedSecret[]> {
  const target = { method: "GET", path: secretsPath(teamId) };
  const result = await send(op, target);
  return listedArray(result, target, "secrets").map((s) => toListedSecret(s, target, result.status));
}

/**
 * Creates or updates the team's secret of this name (Baseten cannot refuse: it is an
 * upsert). One POST: POSTs are not retried unless Baseten turned the attempt away.
 */
export async function upsertSecret(op: Operation, teamId: string, name: string, value: string): Promise<ListedSecret> {
  const target = { method: "POST", path: secretsPath(teamId) };
  const body: UpsertSecretRequestWire = { name, value };
  // The transport masks the value in any error before it cuts Baseten's text (which may echo the body).
  const result = await send(op, target, body, { secrets: [value] });
  return toListedSecret(parseJson(result, target), target, result.status);
}

/**
 * Deletes the team's secret of this name. Resolves on a 200 whose JSON tombstone names an
 * equivalent name, or on a 404 (which proves nothing: the caller decides); anything else
 * throws, so the engine keeps the secret in state.
 */
export async function deleteSecret(op: Operation, teamId: string, name: string): Promise<SecretDeleteResult> {
  const path = secretsPath(teamId, name);
  const target = { method: "DELETE", path };
  const result = await send(op, target, undefined, { allow404: true });
  if (result.status === 404) return { outcome: "not-found", json: isJsonContentType(result.contentType) };
  const { received, shown } = tombstoneField(result, "name", (r) => JSON.stringify(r.slice(0, 100)));
  if (typeof received !== "string" || !secretNamesEquivalent(received, name)) {
    throw new BasetenError(
      "tombstone-mismatch",
      `Deletion of secret ${JSON.stringify(name)} is unconfirmed: Baseten answered HTTP ${result.status} to DELETE ${path} ` +
        `with a tombstone for ${shown}, expected ${JSON.stringify(name)} or an equivalent name. The secret is kept in state; ` +
        `check it in Baseten (GET ${secretsPath(teamId)}) and rerun \`pulumi destroy\`.`,
      { status: result.status, target },
    );
  }
  return { outcome: "deleted", tombstoneName: received };
}
