/**
 * Baseten's API-key area: mint (`POST /v1/api_keys`, `POST /v1/teams/{team_id}/api_keys`),
 * list (`GET /v1/api_keys`) and revoke (`DELETE /v1/api_keys/{api_key_prefix}`) with its
 * tombstone checked. Wire types in snake_case, named as the published spec names them, stay
 * here; callers get camelCase.
 */
import { BasetenError, basetenMessageOf, invalidResponse, maskKeys, type RequestTarget } from "./errors";
import { send, type Operation } from "./http";
import { isJsonContentType, isRecord, listedArray, optionalString, parseJson, tombstoneField } from "./json";
import { apiKeyPath, MAX_PREFIX_LENGTH, prefixOfApiKey } from "./prefix";

/** `CreateAPIKeyRequestV1`: body of `POST /v1/api_keys` and `POST /v1/teams/{team_id}/api_keys`. */
export interface CreateApiKeyRequestWire {
  type: string;
  name?: string | null;
  model_ids?: string[] | null;
}

/** `APIKeyV1`: the create response. The plaintext is shown once and never again. */
export interface ApiKeyWire {
  api_key: string;
}

/** `APIKeyInfoV1`: one entry of `GET /v1/api_keys`. */
export interface ApiKeyInfoWire {
  prefix: string;
  type: string;
  name?: string | null;
  model_ids?: string[] | null;
  team_name?: string | null;
  owner?: unknown;
}

/** `APIKeysV1`. */
export interface ApiKeysWire {
  keys: ApiKeyInfoWire[];
}

/** `APIKeyTombstoneV1`: the body of a successful `DELETE /v1/api_keys/{api_key_prefix}`. */
export interface ApiKeyTombstoneWire {
  prefix: string;
}

/** A key as Baseten lists it, in camelCase. */
export interface ListedApiKey {
  prefix: string;
  /** Open: Baseten may add categories, and reading must not break on them. */
  type: string;
  name?: string;
  modelIds?: string[];
  teamName?: string;
  /** The owning user of a personal key (`owner.user_id`); absent for other keys. */
  ownerId?: string;
}

/** What `createKey` sends. */
export interface CreateKeyRequest {
  type: string;
  name?: string;
  modelIds?: string[];
  /** Creates a team key through `POST /v1/teams/{team_id}/api_keys`. */
  teamId?: string;
}

/** A freshly minted key. */
export interface CreatedKey {
  prefix: string;
  apiKey: string;
}

/** The result of a revocation. */
export type RevokeResult =
  /** Baseten answered 200 with a tombstone naming the key. */
  | { outcome: "revoked" }
  /**
   * Baseten answered a JSON 404. That alone proves nothing: FastAPI answers every unknown
   * route `404 {"detail": "Not Found"}` (a wrong apiUrl path), and a key this caller cannot
   * see answers 404 too. The caller must look for evidence (see evidence.ts).
   */
  | { outcome: "not-found"; basetenMessage?: string };

function toListedKey(raw: unknown, target: RequestTarget): ListedApiKey {
  if (!isRecord(raw) || typeof raw.prefix !== "string" || typeof raw.type !== "string") {
    throw invalidResponse(target, "a listed key lacks its string `prefix` or `type`");
  }
  const wire = raw as unknown as ApiKeyInfoWire;
  const modelIds = Array.isArray(wire.model_ids) ? wire.model_ids.filter((m): m is string => typeof m === "string") : undefined;
  const ownerId = isRecord(wire.owner) ? optionalString(wire.owner.user_id) : undefined;
  return {
    prefix: wire.prefix,
    type: wire.type,
    name: optionalString(wire.name),
    modelIds: modelIds && modelIds.length > 0 ? modelIds : undefined,
    teamName: optionalString(wire.team_name),
    ownerId,
  };
}

/** Mints a key: exactly one POST unless Baseten turned the first attempt away (see retry.ts). */
export async function createKey(op: Operation, request: CreateKeyRequest): Promise<CreatedKey> {
  const path = request.teamId ? `/v1/teams/${encodeURIComponent(request.teamId)}/api_keys` : "/v1/api_keys";
  const target = { method: "POST", path };
  const body: CreateApiKeyRequestWire = { type: request.type };
  if (request.name !== undefined) body.name = request.name;
  if (request.modelIds !== undefined) body.model_ids = request.modelIds;
  const result = await send(op, target, body);
  const parsed = parseJson(result, target);
  const apiKey = isRecord(parsed) ? parsed.api_key : undefined;
  if (typeof apiKey !== "string") {
    throw invalidResponse(target, "the body has no string `api_key`", result.status);
  }
  const prefix = prefixOfApiKey(apiKey);
  if (!prefix) {
    throw invalidResponse(target, "`api_key` is not shaped `<prefix>.<secret>`, so its prefix is unknown", result.status);
  }
  return { prefix, apiKey };
}

/** Every live key the management key can see (revoked keys drop out of the list). */
export async function listKeys(op: Operation): Promise<ListedApiKey[]> {
  const target = { method: "GET", path: "/v1/api_keys" };
  const result = await send(op, target);
  return listedArray(result, target, "keys").map((k) => toListedKey(k, target));
}

/**
 * Revokes the key with this prefix. Resolves "revoked" only on a 200 whose JSON tombstone
 * names the same prefix, and "not-found" on a JSON 404, which the caller must back with
 * evidence. Anything else throws, so the engine keeps the resource in state.
 */
export async function revokeKey(op: Operation, prefix: string): Promise<RevokeResult> {
  const path = apiKeyPath(prefix);
  const target = { method: "DELETE", path };
  const result = await send(op, target, undefined, { allow404: true });
  if (result.status === 404) {
    if (isJsonContentType(result.contentType)) {
      return { outcome: "not-found", basetenMessage: basetenMessageOf(result.bodyText) };
    }
    // An HTML 404 page comes from a wrong apiUrl or a proxy, not from Baseten: taking it as
    // "already revoked" would forget a live key.
    throw invalidResponse(
      target,
      `HTTP 404 with a body that is not JSON (content type "${result.contentType}"), so it is not Baseten saying ` +
        `key ${JSON.stringify(prefix)} is gone. The key is kept in state; check baseten:apiUrl / BASETEN_API_URL and rerun \`pulumi destroy\``,
      result.status,
    );
  }
  // Quoted from a 2xx body: capped and masked, in case it holds a key.
  const { received, shown } = tombstoneField(result, "prefix", (r) => JSON.stringify(maskKeys(r.slice(0, MAX_PREFIX_LENGTH))));
  if (received !== prefix) {
    throw new BasetenError(
      "tombstone-mismatch",
      `Revocation of key ${JSON.stringify(prefix)} is unconfirmed: Baseten answered HTTP ${result.status} to DELETE ${path} ` +
        `with a tombstone for ${shown}, expected ${JSON.stringify(prefix)}. The key is kept in state; check it in ` +
        `Baseten (GET /v1/api_keys) and rerun \`pulumi destroy\`.`,
      { status: result.status, target },
    );
  }
  return { outcome: "revoked" };
}
