/**
 * The workspace's users and the management keys they present. Each source sentence this
 * models is quoted where it is used:
 * - `GET /v1/users/me` answers `UserInfoV1 {user_id, email, name, workspace_name}` for the
 *   caller (spec `UserInfoV1`; ../shared/baseten/README.md "Who sees what"). No role.
 * - "organization admins also get every member's personal keys, each with its owner" and
 *   "in workspaces with several teams only organization admins can read [the audit log]".
 * - Who may manage which workspace or team key is not documented: a member's `manages` says
 *   which teams' keys (and whether teamless workspace keys) they can list and delete, so tests
 *   can cover every plausible answer.
 */
import { randomString } from "./state";

/** What a user may manage: every team, or these team ids (`"workspace"` = teamless keys). */
export type Manages = "all" | string[];

export interface EmulatedUser {
  userId: string;
  email: string;
  name: string;
  /** Organization admin: sees every member's personal keys and may read the audit log. */
  admin: boolean;
  manages: Manages;
  /** The management key this user presents (fake). */
  apiKey: string;
}

/** The input of a new user (control route / options). */
export interface NewUser {
  userId?: string;
  email?: string;
  name?: string;
  admin?: boolean;
  manages?: Manages;
  apiKey?: string;
}

export const WORKSPACE_NAME = "emulated-workspace";

/** The first user: an organization admin holding the emulator's management key. */
export const EMULATOR_USER = { user_id: "user-emulator", email: "emulator@example.com", name: "Emulator User" };

const KEY_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

export class UserRegistry {
  private users: EmulatedUser[] = [];

  constructor(firstKey: string) {
    this.add({
      userId: EMULATOR_USER.user_id,
      email: EMULATOR_USER.email,
      name: EMULATOR_USER.name,
      admin: true,
      apiKey: firstKey,
    });
  }

  add(input: NewUser): EmulatedUser {
    const n = this.users.length + 1;
    const user: EmulatedUser = {
      userId: input.userId ?? `user-${n}`,
      email: input.email ?? `user${n}@example.com`,
      name: input.name ?? `User ${n}`,
      admin: input.admin === true,
      manages: input.manages ?? "all",
      apiKey: input.apiKey ?? `emu_${randomString(KEY_ALPHABET, 32)}`,
    };
    if (this.users.some((u) => u.userId === user.userId)) throw new Error(`user ${user.userId} exists`);
    if (this.users.some((u) => u.apiKey === user.apiKey)) throw new Error("that management key is taken");
    if (user.manages !== "all" && !(Array.isArray(user.manages) && user.manages.every((t) => typeof t === "string"))) {
      throw new Error('manages must be "all" or a list of team ids ("workspace" for teamless keys)');
    }
    this.users.push(user);
    return { ...user };
  }

  byKey(apiKey: string): EmulatedUser | undefined {
    return this.users.find((u) => u.apiKey === apiKey);
  }

  byId(userId: string): EmulatedUser | undefined {
    return this.users.find((u) => u.userId === userId);
  }

  all(): EmulatedUser[] {
    return this.users.map((u) => ({ ...u }));
  }

  /** Back to the first user alone. */
  reset(): void {
    this.users = this.users.slice(0, 1);
  }

  /** `workspace_name` is nullable (spec `UserInfoV1`); a workspace can be renamed. */
  static info(u: EmulatedUser, workspaceName: string | null = WORKSPACE_NAME): Record<string, unknown> {
    return { user_id: u.userId, email: u.email, name: u.name, workspace_name: workspaceName };
  }

  static owner(u: EmulatedUser): Record<string, unknown> {
    return { user_id: u.userId, email: u.email, name: u.name };
  }
}

/**
 * Whether `user` may manage a key of this team (null: a teamless workspace key). Whether
 * managing teamless keys is a right of its own (`"workspace"` in `manages`) or comes with
 * managing the default team is not documented: `teamlessRights` (EmulatorModes) picks one.
 */
export function managesTeam(
  user: EmulatedUser,
  teamId: string | null,
  teamless: { rights: "separate" | "default-team"; defaultTeamId?: string } = { rights: "separate" },
): boolean {
  if (user.manages === "all") return true;
  if (teamId === null && teamless.rights === "default-team" && teamless.defaultTeamId !== undefined)
    return user.manages.includes(teamless.defaultTeamId);
  return user.manages.includes(teamId ?? "workspace");
}
