/** Who Baseten says is acting, and the teams it names: identities every resource compares by id. */
/** The Baseten user a management key belongs to (`GET /v1/users/me`). */
export interface Caller {
  userId: string;
  email?: string;
  /** `workspace_name`; undefined when Baseten answers null or nothing. */
  workspaceName?: string;
}

/** A Baseten team. */
export interface Team {
  id: string;
  name: string;
  /** The organization default team (`default: true`). */
  isDefault?: boolean;
}
