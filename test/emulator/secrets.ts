/**
 * Baseten secrets in the emulator: the store and the six routes (`/v1/secrets...` and
 * `/v1/teams/{team_id}/secrets...`). Sources, cited by the tests in secrets.test.ts:
 * - spec `SecretV1 {id, created_at, name, team_name}`, `SecretsV1`, `UpsertSecretRequestV1
 *   {name, value}`, `SecretTombstoneV1 {name}`;
 * - spec: the teamless POST writes to "the caller's primary team", the teamless DELETE to "the
 *   caller's organization default team" (the two may differ);
 * - shared README "Secrets": POST is an upsert by name, `id` is stable across value changes,
 *   values can never be read back, non-alphanumeric characters in names are equivalent.
 * Synchronous like the key store, so faults land cleanly before or after the commit.
 */
import { EmulatorApiError, randomString } from "./state";

/** A secret as the emulator holds it. `value` leaves the emulator only through the control API. */
export interface EmulatedSecret {
  id: string;
  name: string;
  teamId: string;
  teamName: string;
  value: string;
  /** Epoch milliseconds. */
  createdAt: number;
  /** Epoch milliseconds of the last upsert. */
  updatedAt: number;
}

/** `EmulatedSecret` without its value, as the control route lists it unless asked for values. */
export type EmulatedSecretInfo = Omit<EmulatedSecret, "value"> & { value?: string };

/** Route labels of the secret routes (merged into ROUTES in types.ts). */
export const SECRET_ROUTES = {
  listSecrets: "GET /v1/secrets",
  upsertSecret: "POST /v1/secrets",
  deleteSecret: "DELETE /v1/secrets/{secret_name}",
  listTeamSecrets: "GET /v1/teams/{team_id}/secrets",
  upsertTeamSecret: "POST /v1/teams/{team_id}/secrets",
  deleteTeamSecret: "DELETE /v1/teams/{team_id}/secrets/{secret_name}",
} as const;

export type SecretRouteLabel = (typeof SECRET_ROUTES)[keyof typeof SECRET_ROUTES];

/** The routes whose body is an `UpsertSecretRequestV1`. */
export const SECRET_UPSERT_ROUTES: readonly string[] = [SECRET_ROUTES.upsertSecret, SECRET_ROUTES.upsertTeamSecret];
/** The routes that answer with a `SecretTombstoneV1`. */
export const SECRET_DELETE_ROUTES: readonly string[] = [SECRET_ROUTES.deleteSecret, SECRET_ROUTES.deleteTeamSecret];

/** Longest name accepted. Nothing documents a bound; 255 is a guess (the usual column size). */
export const MAX_SECRET_NAME_LENGTH = 255;

/** Baseten's equivalence of secret names: every non-alphanumeric character counts as `_`. */
export function canonicalSecretName(name: string): string {
  return name.replace(/[^A-Za-z0-9]/g, "_");
}

/** A FastAPI HTTPException: `{"detail": message}`. */
const httpError = (status: number, message: string) => new EmulatorApiError(status, message, undefined, "detail");

interface TeamRef {
  id: string;
  name: string;
}

/** Validates an `UpsertSecretRequestV1` body; unknown members are ignored as pydantic does. */
export function parseUpsertBody(body: unknown): { name: string; value: string } {
  // Schema violations are FastAPI request-validation failures (422 with `loc`).
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new EmulatorApiError(422, "Input should be a valid dictionary", ["body"]);
  const { name, value } = body as Record<string, unknown>;
  if (typeof name !== "string") throw new EmulatorApiError(422, "Field required: a string", ["body", "name"]);
  if (typeof value !== "string") throw new EmulatorApiError(422, "Field required: a string", ["body", "value"]);
  // Not in the schema, so a guess: an empty name, or one the DELETE path could never address.
  if (name === "" || name.length > MAX_SECRET_NAME_LENGTH || name.includes("/"))
    throw httpError(400, `Secret name must be 1 to ${MAX_SECRET_NAME_LENGTH} characters without '/'`);
  return { name, value };
}

/** The request body as the request log keeps it: the shape without the value. */
export function redactUpsertBody(body: unknown): unknown {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return body;
  const b = body as Record<string, unknown>;
  return typeof b.value === "string" ? { ...b, value: "[value]" } : b;
}

export class SecretStore {
  private secrets: EmulatedSecret[] = [];

  /** @param teams resolves a team id (undefined when no such team). */
  constructor(private readonly team: (id: string) => TeamRef | undefined) {}

  private teamOrThrow(teamId: string | undefined): TeamRef {
    const team = teamId === undefined ? undefined : this.team(teamId);
    if (!team) throw httpError(404, "Team not found");
    return team;
  }

  private find(teamId: string, name: string): EmulatedSecret | undefined {
    const canonical = canonicalSecretName(name);
    return this.secrets.find((s) => s.teamId === teamId && canonicalSecretName(s.name) === canonical);
  }

  /**
   * Creates or updates the secret of this name (or an equivalent one) in the team. An update
   * keeps `id`, `created_at` and the stored name; `createdAt` backdates a new secret (control API).
   */
  upsert(teamId: string | undefined, name: string, value: string, createdAt?: number): EmulatedSecret {
    const team = this.teamOrThrow(teamId);
    const now = Date.now();
    const existing = this.find(team.id, name);
    if (existing) {
      existing.value = value;
      existing.updatedAt = now;
      return { ...existing };
    }
    let id: string;
    do id = randomString("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 7);
    while (this.secrets.some((s) => s.id === id));
    const secret: EmulatedSecret = {
      id,
      name,
      teamId: team.id,
      teamName: team.name,
      value,
      createdAt: createdAt ?? now,
      updatedAt: now,
    };
    this.secrets.push(secret);
    return { ...secret };
  }

  /** Deletes the secret of this name (or an equivalent one); undefined when there is none. */
  delete(teamId: string | undefined, name: string): EmulatedSecret | undefined {
    const team = this.teamOrThrow(teamId);
    const found = this.find(team.id, name);
    if (!found) return undefined;
    this.secrets = this.secrets.filter((s) => s !== found);
    return { ...found };
  }

  /** Secrets of one team, or of every team when `teamId` is undefined. */
  list(teamId?: string): EmulatedSecret[] {
    if (teamId !== undefined) this.teamOrThrow(teamId);
    return this.secrets.filter((s) => teamId === undefined || s.teamId === teamId).map((s) => ({ ...s }));
  }

  clear(): void {
    this.secrets = [];
  }

  /** `SecretV1` as Baseten answers it: no value, ever. */
  static wire(s: EmulatedSecret): Record<string, unknown> {
    return { id: s.id, created_at: new Date(s.createdAt).toISOString(), name: s.name, team_name: s.teamName };
  }
}

/** A matched secret route: its label and decoded path parameters. */
export interface MatchedSecretRoute {
  route: SecretRouteLabel;
  teamId?: string;
  secretName?: string;
  /** True when a path segment's percent-encoding was invalid. */
  badSegment?: boolean;
}

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** Matches the raw path segments (split on "/", so %2F stays inside a segment) of a secret route. */
export function matchSecretRoute(method: string, s: string[]): MatchedSecretRoute | undefined {
  const named = (route: SecretRouteLabel, teamSeg: string | undefined, nameSeg: string): MatchedSecretRoute => {
    const teamId = teamSeg === undefined ? undefined : decode(teamSeg);
    const secretName = decode(nameSeg);
    return { route, teamId, secretName, badSegment: secretName === undefined || (teamSeg !== undefined && teamId === undefined) };
  };
  if (s.length === 3 && s[2] === "secrets") {
    if (method === "GET") return { route: SECRET_ROUTES.listSecrets };
    if (method === "POST") return { route: SECRET_ROUTES.upsertSecret };
  }
  if (s.length === 4 && s[2] === "secrets" && s[3] !== "" && method === "DELETE")
    return named(SECRET_ROUTES.deleteSecret, undefined, s[3]);
  if (s.length === 5 && s[2] === "teams" && s[3] !== "" && s[4] === "secrets") {
    const teamId = decode(s[3]);
    if (method === "GET") return { route: SECRET_ROUTES.listTeamSecrets, teamId, badSegment: teamId === undefined };
    if (method === "POST") return { route: SECRET_ROUTES.upsertTeamSecret, teamId, badSegment: teamId === undefined };
  }
  if (s.length === 6 && s[2] === "teams" && s[3] !== "" && s[4] === "secrets" && s[5] !== "" && method === "DELETE")
    return named(SECRET_ROUTES.deleteTeamSecret, s[3], s[5]);
  return undefined;
}

/** Which teams the teamless routes mean (see the module comment). */
export interface TeamlessTargets {
  /** The caller's primary team: where a teamless POST writes. */
  primaryTeamId: string;
  /** The organization default team: where a teamless DELETE deletes. */
  defaultTeamId: string;
}

/** Records a write in the audit log (README "Audit log": secrets get SECRET_UPDATED / SECRET_DELETED). */
export type SecretAudit = (eventType: "SECRET_UPDATED" | "SECRET_DELETED", secret: EmulatedSecret) => void;

/** The audit-log `event_data` of a secret event (spec AuditLogEventSecretUpdatedV1 / ...DeletedV1). */
export function secretEventData(eventType: string, secret: EmulatedSecret): Record<string, unknown> {
  return { event_type: eventType, secret_id: secret.id, secret_name: secret.name };
}

/** Runs one secret operation; throws EmulatorApiError for API errors. */
export function executeSecretRoute(
  store: SecretStore,
  match: MatchedSecretRoute,
  body: unknown,
  teams: TeamlessTargets,
  audit: SecretAudit,
): { status: number; body: unknown } {
  if (match.badSegment) throw httpError(404, "Not Found");
  switch (match.route) {
    case SECRET_ROUTES.listSecrets:
      return { status: 200, body: { secrets: store.list().map(SecretStore.wire) } };
    case SECRET_ROUTES.listTeamSecrets:
      return { status: 200, body: { secrets: store.list(match.teamId).map(SecretStore.wire) } };
    case SECRET_ROUTES.upsertSecret:
    case SECRET_ROUTES.upsertTeamSecret: {
      const { name, value } = parseUpsertBody(body);
      const teamId = match.route === SECRET_ROUTES.upsertSecret ? teams.primaryTeamId : match.teamId;
      const written = store.upsert(teamId, name, value);
      audit("SECRET_UPDATED", written);
      return { status: 200, body: SecretStore.wire(written) };
    }
    case SECRET_ROUTES.deleteSecret:
    case SECRET_ROUTES.deleteTeamSecret: {
      const teamId = match.route === SECRET_ROUTES.deleteSecret ? teams.defaultTeamId : match.teamId;
      const deleted = store.delete(teamId, match.secretName as string);
      if (!deleted) throw httpError(404, "Secret not found");
      audit("SECRET_DELETED", deleted);
      return { status: 200, body: { name: deleted.name } };
    }
  }
}
