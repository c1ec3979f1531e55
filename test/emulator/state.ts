/**
 * In-memory keys and teams with Baseten's validation rules. Synchronous on purpose: every
 * operation is atomic, like a single database transaction, so fault injection can place a
 * failure cleanly before or after the commit.
 */
import { randomBytes, randomInt } from "crypto";
import type { EmulatedKey } from "./types";
import { managesTeam, type EmulatedUser } from "./users";

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

const LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const ALNUM = LETTERS + "0123456789";

export function randomString(alphabet: string, length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/**
 * A failure with the HTTP status the API answers for it. With `loc` it is a FastAPI validation
 * error, answered `422 {"detail": [{"loc", "msg", "type"}]}` (../shared/baseten/README.md: "validation
 * errors `422 {"detail": [{"loc", "msg", "type"}]}`"); otherwise its body depends on `style`.
 */
export class EmulatorApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly loc?: Array<string | number>,
    /** "error": `{"error": msg}`; "detail": FastAPI's HTTPException `{"detail": msg}`. */
    readonly style: "error" | "detail" = "error",
  ) {
    super(message);
    this.name = "EmulatorApiError";
  }

  /** The JSON body Baseten would send for this failure. */
  body(): Record<string, unknown> {
    if (this.loc) return { detail: [{ loc: this.loc, msg: this.message, type: "value_error" }] };
    return this.style === "detail" ? { detail: this.message } : { error: this.message };
  }
}

/** A FastAPI request-validation failure of one body field. */
function invalidField(field: string, message: string): EmulatorApiError {
  return new EmulatorApiError(422, message, ["body", field]);
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
  if (!isPlainObject(body)) throw new EmulatorApiError(422, "Input should be a valid dictionary", ["body"]);
  const { type, name, model_ids: modelIds } = body;
  if (type === undefined || type === null) throw invalidField("type", "Field required");
  if (typeof type !== "string" || !KNOWN_TYPES.has(type)) {
    throw invalidField("type", `Input should be ${KEY_TYPES.map((t) => `'${t}'`).join(", ")}`);
  }
  return { type, name: checkName(name), modelIds: checkModelIds(type, modelIds) };
}

function checkName(name: unknown): string | null {
  if (name === undefined || name === null) return null;
  if (typeof name !== "string") throw invalidField("name", "Input should be a valid string");
  if (!NAME_PATTERN.test(name)) {
    throw invalidField("name", "Name must be 1 to 255 characters, using only lowercase letters, digits and hyphens");
  }
  return name;
}

function checkModelIds(type: string, modelIds: unknown, allowAnyType = false): string[] | null {
  if (modelIds === undefined || modelIds === null) return null;
  if (!Array.isArray(modelIds) || !modelIds.every((m) => typeof m === "string")) {
    throw invalidField("model_ids", "Input should be a valid list of strings");
  }
  if (!MODEL_SCOPED_TYPES.has(type) && !(allowAnyType && !KNOWN_TYPES.has(type))) {
    throw invalidField("model_ids", "model_ids is only allowed for WORKSPACE_INVOKE and WORKSPACE_EXPORT_METRICS keys");
  }
  // An empty scope means "all models": the list then reports model_ids as null (README).
  return modelIds.length === 0 ? null : [...modelIds];
}

function copyKey(k: EmulatedKey): EmulatedKey {
  return { ...k, modelIds: k.modelIds ? [...k.modelIds] : null };
}

/** Status of a POST whose name is already live in its scope ("a second POST of a live name gets a 4xx"). */
export type DuplicateNameStatus = 400 | 409 | 422;

export class KeyStore {
  private readonly keys = new Map<string, EmulatedKey>(); // by prefix, insertion order = creation order
  private teamList: Team[];
  private readonly initialTeams: Team[];
  /** The names live in each scope (see nameSlot): the uniqueness rule without a scan of every key. */
  private readonly liveNames = new Set<string>();

  constructor(teams: ReadonlyArray<{ id: string; name: string; default?: boolean }>) {
    const ids = new Set<string>();
    this.initialTeams = teams.map((t, i) => {
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
    this.teamList = this.initialTeams.map((t) => ({ ...t }));
  }

  teams(name?: string | null): Team[] {
    return this.teamList.filter((t) => name === undefined || name === null || t.name === name).map((t) => ({ ...t }));
  }

  /**
   * Renames a team, or adds one when `id` is new. A team "is its `id`; its `name` can be
   * changed in the UI" (README "Identity"); its keys follow it.
   */
  putTeam(id: string, name: string): void {
    const team = this.teamList.find((t) => t.id === id);
    if (team) team.name = name;
    else
      this.teamList.push({
        id,
        name,
        default: false,
        created_at: new Date(Date.UTC(2025, 0, 1 + this.teamList.length)).toISOString(),
      });
    for (const k of this.keys.values()) if (k.teamId === id) k.teamName = name;
  }

  /** The organization default team (`default: true`), if the workspace has one. */
  defaultTeam(): Team | undefined {
    return this.teamList.find((t) => t.default);
  }

  /**
   * The scope in which a name must be unique: a personal key's owner, else its team. "In
   * workspaces with teams, a key created without a team belongs to the default team"
   * (../shared/baseten/README.md), so a teamless key shares the default team's scope.
   */
  private scopeOf(k: { type: string; ownerId: string | null; teamId: string | null }): string {
    if (k.type === "PERSONAL") return `owner:${k.ownerId}`;
    return `team:${k.teamId ?? this.defaultTeam()?.id ?? "workspace"}`;
  }

  /** A named key's place in `liveNames`: its scope and its name. */
  private nameSlot(k: { type: string; ownerId: string | null; teamId: string | null; name: string | null }): string | undefined {
    return k.name === null ? undefined : `${this.scopeOf(k)}\u0000${k.name}`;
  }

  /**
   * Mints a key for `creator`. `allowUnknownType` is for out-of-band creation, so tests can
   * simulate a key type Baseten adds later (readers must treat the enum as open).
   */
  create(
    input: NewKey,
    creator: string,
    opts: { allowUnknownType?: boolean; duplicateNameStatus?: DuplicateNameStatus } = {},
  ): EmulatedKey {
    if (typeof input.type !== "string" || input.type === "" || (!opts.allowUnknownType && !KNOWN_TYPES.has(input.type))) {
      throw invalidField("type", `Input should be ${KEY_TYPES.map((t) => `'${t}'`).join(", ")}`);
    }
    const name = checkName(input.name);
    const modelIds = checkModelIds(input.type, input.modelIds, opts.allowUnknownType);
    let team: Team | undefined;
    if (input.teamId !== null && input.teamId !== undefined) {
      team = this.teamList.find((t) => t.id === input.teamId);
      if (!team) throw new EmulatorApiError(404, "Team not found", undefined, "detail");
      if (NO_TEAM_TYPES.has(input.type)) throw new EmulatorApiError(400, `${input.type} keys cannot be team-scoped`);
    }
    const teamId = team ? team.id : null;
    const ownerId = input.type === "PERSONAL" ? creator : null;
    // Uniqueness is per scope, among live keys; unnamed keys skip it (README "Names").
    const slot = this.nameSlot({ type: input.type, ownerId, teamId, name });
    if (slot !== undefined && this.liveNames.has(slot)) throw duplicateName(opts.duplicateNameStatus ?? 409);
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
      ownerId,
      createdBy: creator,
      revoked: false,
      createdAt: Date.now(),
    };
    this.keys.set(prefix, key);
    if (slot !== undefined) this.liveNames.add(slot);
    return copyKey(key);
  }

  /**
   * Adds `count` live keys at once, named `<namePrefix>-<n>` (n from 1), the way a workspace
   * that mints a key per customer holds them: every one passes the rules of `create` (its type,
   * models and team are checked once), with a cheaper random secret, so 50,000 keys take well
   * under a second. Returns how many were added; throws (adding none) when a name is already live.
   */
  preload(input: Omit<NewKey, "name"> & { count: number; namePrefix: string }, creator: string): number {
    const { count, namePrefix } = input;
    if (!Number.isInteger(count) || count < 1 || count > 1_000_000) throw new EmulatorApiError(400, "count must be 1..1000000");
    const template = this.create({ ...input, name: null }, creator); // validates type, models and team once
    this.keys.delete(template.prefix);
    checkName(`${namePrefix}-1`);
    checkName(`${namePrefix}-${count}`); // the longest name
    const slotOf = (n: number) => this.nameSlot({ ...template, name: `${namePrefix}-${n}` }) as string;
    for (let n = 1; n <= count; n++) if (this.liveNames.has(slotOf(n))) throw duplicateName(409);
    const createdAt = Date.now();
    for (let n = 1; n <= count; n++) {
      let prefix: string;
      do prefix = randomString(LETTERS, 8);
      while (this.keys.has(prefix));
      // One randomBytes call per key: the per-character randomInt of `create` costs ~1 s for 50,000.
      const secret = randomBytes(20).toString("hex");
      this.keys.set(prefix, { ...template, prefix, apiKey: `${prefix}.${secret}`, name: `${namePrefix}-${n}`, createdAt });
      this.liveNames.add(slotOf(n));
    }
    return count;
  }

  get(prefix: string): EmulatedKey | undefined {
    const k = this.keys.get(prefix);
    return k ? copyKey(k) : undefined;
  }

  /** Revokes a live key; undefined when unknown or already revoked (revocation is permanent). */
  revoke(prefix: string): EmulatedKey | undefined {
    const key = this.keys.get(prefix);
    if (!key || key.revoked) return undefined;
    key.revoked = true;
    const slot = this.nameSlot(key);
    if (slot !== undefined) this.liveNames.delete(slot);
    key.revokedAt = Date.now();
    return copyKey(key);
  }

  all(): EmulatedKey[] {
    return [...this.keys.values()].map(copyKey);
  }

  live(): EmulatedKey[] {
    return this.all().filter((k) => !k.revoked);
  }

  /** Forgets every key, and restores the teams given at start. */
  clear(): void {
    this.keys.clear();
    this.teamList = this.initialTeams.map((t) => ({ ...t }));
    this.liveNames.clear();
  }
}

/**
 * Whether `user`'s listing holds `key`: "your personal API keys and the workspace and team API
 * keys you can manage; organization admins also get every member's personal API keys" (spec,
 * `GET /v1/api_keys` description).
 */
export function canList(user: EmulatedUser, key: EmulatedKey, teamless?: TeamlessRights): boolean {
  if (key.type === "PERSONAL") return key.ownerId === user.userId || user.admin;
  return managesTeam(user, key.teamId, teamless);
}

/** Whose right a teamless key falls under (EmulatorModes.teamlessRights). */
export type TeamlessRights = Parameters<typeof managesTeam>[2];

/** Whether `user` may revoke `key`: their own personal keys, and the keys of teams they manage. */
export function canManage(user: EmulatedUser, key: EmulatedKey, teamless?: TeamlessRights): boolean {
  if (key.type === "PERSONAL") return key.ownerId === user.userId;
  return managesTeam(user, key.teamId, teamless);
}

function duplicateName(status: DuplicateNameStatus): EmulatorApiError {
  const message = "An API key with this name already exists";
  return status === 422 ? invalidField("name", message) : new EmulatorApiError(status, message);
}
