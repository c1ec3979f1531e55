/**
 * Wire types: Baseten's JSON shapes, in the API's own snake_case, exactly as the published
 * OpenAPI spec names them (`test/contract/baseten-openapi.json`). Only this folder sees them;
 * the provider works with the camelCase types of `../types.ts`.
 */

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

/** `TeamV1`. */
export interface TeamWire {
  id: string;
  name: string;
  default?: boolean;
  created_at?: string;
}

/** `TeamsV1`. */
export interface TeamsWire {
  teams: TeamWire[];
}
