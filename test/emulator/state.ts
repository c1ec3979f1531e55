/**
 * In-memory keys and teams with Baseten's validation rules. Synchronous on purpose: every
 * operation is atomic, like a single database transaction, so fault injection can place a
 * failure cleanly before or after the commit.
 */
import { randomInt } from "crypto";
import type { EmulatedKey } from "./types";

/** APIKeyCategory in the spec. Out-of-band keys may use other types (Baseten adds new ones). */
export const KEY_TYPES = [
  "PERSONAL",
  "WORKSPACE_MANAGE_ALL",
  "WORKSPACE_EXPORT_METRICS",
  "WORKSPACE_INVOKE",
  "WORKSPACE_MANAGE_API_KEYS",
] as const;
const KNOWN_TYPES: ReadonlySet<string> = new Set(KEY_TYPES);
/** Only these may carry model_ids (README). */
const MODEL_SCOPED_TYPES: ReadonlySet<string> = new Set(["WORKSPACE_INVOKE", "WORKSPACE_EXPORT_METRICS"]);
/** These cannot be team-scoped (README). */
const NO_TEAM_TYPES: ReadonlySet<string> = new Set(["PERSONAL", "WORKSPACE_MANAGE_API_KEYS"]);

/**
 * The UI allows lowercase letters, digits and hyphens. The length bound (1..255) is a guess:
 * nothing documents it; 255 is the usual column size.
 */
export const NAME_PATTERN = /^[a-z0-9-]{1,255}$/;

/** The single user the emulated workspace has; owner of every PERSONAL key. */
export const EMULATOR_USER = { user_id: "user-emulator", email: "emulator@example.com", name: "Emulator User" };

const LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const ALNUM = LETTERS + "0123456789";

export function randomString(alphabet: string, length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** A failure with the HTTP status the API answers for it. */
export class EmulatorApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "EmulatorApiError";
  }
}

export interface Team {
  id: string;
  name: string;
  default: boolean;
  created_at: string;
}

export interface NewKey {
  type: string;
  name: string | null;
  modelIds: string[] | null;
  teamId: string | null;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Validates a create body (CreateAPIKeyRequestV1 plus Baseten's business rules).
 * Unknown members are ignored, as pydantic does by default for Baseten's FastAPI models.
 */
export function parseCreateBody(body: unknown): Omit<NewKey, "teamId"> {
  if (!isPlainObject(body)) throw new EmulatorApiError(400, "Request body must be a JSON object");
  const { type, name, model_ids: modelIds } = body;
  if (type === undefined || type === null) throw new EmulatorApiError(400, "Field 'type' is required");
  if (typeof type !== "string" || !KNOWN_TYPES.has(type)) {
    throw new EmulatorApiError(400, `Field 'type' must be one of: ${KEY_TYPES.join(", ")}`);
  }
  return { type, name: checkName(name), modelIds: checkModelIds(type, modelIds) };
}

function checkName(name: unknown): string | null {
  if (name === undefined || name === null) return null;
  if (typeof name !== "string") throw new EmulatorApiError(400, "Field 'name' must be a string or null");
  if (!NAME_PATTERN.test(name)) {
    throw new EmulatorApiError(400, "Field 'name' must be 1 to 255 characters, using only lowercase letters, digits and hyphens");
  }
  return name;
}

function checkModelIds(type: string, modelIds: unknown, allowAnyType = false): string[] | null {
  if (modelIds === undefined || modelIds === null) return null;
  if (!Array.isArray(modelIds) || !modelIds.every((m) => typeof m === "string")) {
    throw new EmulatorApiError(400, "Field 'model_ids' must be an array of strings or null");
  }
  if (!MODEL_SCOPED_TYPES.has(type) && !(allowAnyType && !KNOWN_TYPES.has(type))) {
    throw new EmulatorApiError(400, "Field 'model_ids' is only allowed for WORKSPACE_INVOKE and WORKSPACE_EXPORT_METRICS keys");
  }
  // An empty scope means "all models": the list then reports model_ids as null (README).
  return modelIds.length === 0 ? null : [...modelIds];
}

function copyKey(k: EmulatedKey): EmulatedKey {
  return { ...k, modelIds: k.modelIds ? [...k.modelIds] : null };
}

export class KeyStore {
  private readonly keys = new Map<string, EmulatedKey>(); // by prefix, insertion order = creation order
  private readonly teamList: Team[];

  constructor(teams: ReadonlyArray<{ id: string; name: string; default?: boolean }>) {
    const ids = new Set<string>();
    this.teamList = teams.map((t, i) => {
      if (ids.has(t.id)) throw new Error(`duplicate team id ${t.id}`);
      ids.add(t.id);
      // Fixed, distinct timestamps: deterministic output for snapshot-style assertions.
      return {
        id: t.id,
        name: t.name,
        default: t.default === true,
        created_at: new Date(Date.UTC(2025, 0, 1 + i)).toISOString(),
      };
    });
  }

  teams(name?: string | null): Team[] {
    return this.teamList.filter((t) => name === undefined || name === null || t.name === name).map((t) => ({ ...t }));
  }

  /**
   * Mints a key. `allowUnknownType` is for out-of-band creation, so tests can simulate a key
   * type Baseten adds later (readers must treat the enum as open).
   */
  create(input: NewKey, opts: { allowUnknownType?: boolean } = {}): EmulatedKey {
    if (typeof input.type !== "string" || input.type === "" || (!opts.allowUnknownType && !KNOWN_TYPES.has(input.type))) {
      throw new EmulatorApiError(400, `Field 'type' must be one of: ${KEY_TYPES.join(", ")}`);
    }
    const name = checkName(input.name);
    const modelIds = checkModelIds(input.type, input.modelIds, opts.allowUnknownType);
    let team: Team | undefined;
    if (input.teamId !== null && input.teamId !== undefined) {
      team = this.teamList.find((t) => t.id === input.teamId);
      if (!team) throw new EmulatorApiError(404, "Team not found");
      if (NO_TEAM_TYPES.has(input.type)) throw new EmulatorApiError(400, `${input.type} keys cannot be team-scoped`);
    }
    const teamId = team ? team.id : null;
    // Uniqueness is per scope (one team, or workspace-level), among live keys; unnamed keys skip it.
    if (name !== null) {
      for (const k of this.keys.values()) {
        if (!k.revoked && k.name === name && k.teamId === teamId) {
          throw new EmulatorApiError(409, "An API key with this name already exists");
        }
      }
    }
    let prefix: string;
    do prefix = randomString(LETTERS, 8);
    while (this.keys.has(prefix)); // prefixes are never reused, even after revocation
    const key: EmulatedKey = {
      prefix,
      apiKey: `${prefix}.${randomString(ALNUM, 40)}`,
      name,
      type: input.type,
      modelIds,
      teamId,
      teamName: team ? team.name : null,
      revoked: false,
      createdAt: Date.now(),
    };
    this.keys.set(prefix, key);
    return copyKey(key);
  }

  /** Revokes a live key; undefined when unknown or already revoked (revocation is permanent). */
  revoke(prefix: string): EmulatedKey | undefined {
    const key = this.keys.get(prefix);
    if (!key || key.revoked) return undefined;
    key.revoked = true;
    key.revokedAt = Date.now();
    return copyKey(key);
  }

  all(): EmulatedKey[] {
    return [...this.keys.values()].map(copyKey);
  }

  live(): EmulatedKey[] {
    return this.all().filter((k) => !k.revoked);
  }

  clear(): void {
    this.keys.clear();
  }

  /** APIKeyInfoV1 as Baseten lists it: no team_id, no timestamps, owner only for PERSONAL keys. */
  static listEntry(k: EmulatedKey): Record<string, unknown> {
    const entry: Record<string, unknown> = {
      prefix: k.prefix,
      name: k.name,
      type: k.type,
      model_ids: k.modelIds,
      team_name: k.teamName,
    };
    if (k.type === "PERSONAL") entry.owner = { ...EMULATOR_USER };
    return entry;
  }
}
