/**
 * The Baseten client: one object over one transport, composing the API areas (keys.ts,
 * secrets.ts, teams.ts, users.ts, auditLog.ts). `withDeadline` gives one operation one retry
 * budget, however many requests of whichever areas it sends. The types of its methods are
 * exported here too, so callers need this module alone.
 */
import * as auditLog from "./auditLog";
import type { AuditLogEntry } from "./auditLog";
import { HttpTransport, type HttpOptions, type Operation } from "./http";
import type { Caller, Team } from "./identity";
import * as keys from "./keys";
import type { CreatedKey, CreateKeyRequest, ListedApiKey, RevokeResult } from "./keys";
import * as secrets from "./secrets";
import type { ListedSecret, SecretDeleteResult } from "./secrets";
import * as teams from "./teams";
import * as users from "./users";

export type { AuditLogEntry, CreatedKey, CreateKeyRequest, ListedApiKey, ListedSecret, RevokeResult, SecretDeleteResult };

/** Baseten's API-key, secret, team, user and audit-log operations, typed, validated and with tombstones checked. */
export class BasetenClient {
  /** The one transport, and the epoch ms by which this client's retries must end (one operation's budget), if any. */
  private readonly op: Operation;

  constructor(options: HttpOptions | { transport: HttpTransport; deadline?: number }) {
    this.op =
      "transport" in options ? { http: options.transport, deadline: options.deadline } : { http: new HttpTransport(options) };
  }

  /**
   * The same client, with every retry of every request ending by `deadline` (epoch ms): one
   * time budget for one operation, however many requests it sends.
   */
  withDeadline(deadline: number): BasetenClient {
    return new BasetenClient({ transport: this.op.http, deadline });
  }

  /** Mints a key: exactly one POST unless Baseten turned the first attempt away (see retry.ts). */
  createKey(request: CreateKeyRequest): Promise<CreatedKey> {
    return keys.createKey(this.op, request);
  }

  /** Every live key the management key can see (revoked keys drop out of the list). */
  listKeys(): Promise<ListedApiKey[]> {
    return keys.listKeys(this.op);
  }

  /** Revokes the key with this prefix, its tombstone checked (see keys.ts). */
  revokeKey(prefix: string): Promise<RevokeResult> {
    return keys.revokeKey(this.op, prefix);
  }

  /** The user the management key belongs to (`GET /v1/users/me`). */
  whoAmI(): Promise<Caller> {
    return users.whoAmI(this.op);
  }

  /** The newest matching audit-log entry of `group`, or undefined (see auditLog.ts). */
  findAuditLogEntry(
    group: string,
    search: string | undefined,
    matches: (entry: AuditLogEntry) => boolean,
    sinceEpochMs?: number,
  ): Promise<AuditLogEntry | undefined> {
    return auditLog.findAuditLogEntry(this.op, group, search, matches, sinceEpochMs);
  }

  /** Teams with exactly this name (`GET /v1/teams?name=`). */
  teamsNamed(name: string): Promise<Team[]> {
    return teams.teamsNamed(this.op, name);
  }

  /** Every team the management key can see. */
  allTeams(): Promise<Team[]> {
    return teams.allTeams(this.op);
  }

  /** The team's secrets (`GET /v1/teams/{team_id}/secrets`), without values. */
  listSecrets(teamId: string): Promise<ListedSecret[]> {
    return secrets.listSecrets(this.op, teamId);
  }

  /** Creates or updates the team's secret of this name: one POST (see secrets.ts). */
  upsertSecret(teamId: string, name: string, value: string): Promise<ListedSecret> {
    return secrets.upsertSecret(this.op, teamId, name, value);
  }

  /** Deletes the team's secret of this name, its tombstone checked (see secrets.ts). */
  deleteSecret(teamId: string, name: string): Promise<SecretDeleteResult> {
    return secrets.deleteSecret(this.op, teamId, name);
  }
}
