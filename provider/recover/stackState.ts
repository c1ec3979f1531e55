/**
 * What `baseten-recover` reads from a stack's state (`pulumi stack export`): the creates a crash
 * interrupted, and every key the stack holds. Secrets stay encrypted: nothing here needs them.
 */

/** The type tokens of this package's dynamic resources. */
export const API_KEY_TYPE = "pulumi-nodejs:dynamic/baseten:ApiKey";
export const SECRET_TYPE = "pulumi-nodejs:dynamic/baseten:Secret";

/** The parts of a state resource read here. */
export interface StateResource {
  urn: string;
  type: string;
  id?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

/** The parts of `pulumi stack export` read here. */
export interface StackState {
  deployment?: {
    resources?: StateResource[];
    pending_operations?: Array<{ type: string; resource: StateResource }>;
  };
}

/** A key name a resource (in state, or an interrupted create) derives or was given. */
export interface KeyNameSource {
  urn: string;
  name: string;
  autoName: boolean;
  type: string;
  teamId?: string;
  teamName?: string;
  /** A personal key's owner, where the state recorded it. */
  ownerId?: string;
  /** A pending create: its key, if Baseten minted one, is tracked nowhere. */
  interrupted: boolean;
}

const UNCONFIRMED = "unconfirmed/";

const text = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** The creates the state records as pending (a crash, or Ctrl-C twice, interrupted them). */
export function interruptedCreates(state: StackState, type: string): StateResource[] {
  return (state.deployment?.pending_operations ?? [])
    .filter((op) => op.type === "creating" && op.resource.type === type)
    .map((op) => op.resource);
}

/**
 * Every prefix a resource of the stack holds (ids and `prefix` outputs of resources, and of the
 * resources of pending updates and deletes), and every name an `unconfirmed/<name>` entry holds
 * (such an entry stands for whatever key has its name). Recovery never touches these.
 *
 * A pending create holds nothing: `pulumi refresh --clear-pending-creates` drops it, and so does
 * the recovery. It may carry the key's id and outputs all the same: the engine sets them on the
 * resource when the create's answer comes, and records the create as done in a later write of
 * the state, so a write for another resource in between saves the pending create with them. A
 * kill before the create's own write leaves that key minted and tracked by nothing but the
 * pending create, which the recovery then clears: it is an interrupted create's key like any.
 */
export function heldByStack(state: StackState): { prefixes: Set<string>; names: Set<string> } {
  const prefixes = new Set<string>();
  const names = new Set<string>();
  const all = [
    ...(state.deployment?.resources ?? []),
    ...(state.deployment?.pending_operations ?? []).filter((op) => op.type !== "creating").map((op) => op.resource),
  ];
  for (const r of all) {
    if (r.type !== API_KEY_TYPE) continue;
    const id = text(r.id);
    if (id?.startsWith(UNCONFIRMED)) names.add(id.slice(UNCONFIRMED.length));
    else if (id !== undefined) prefixes.add(id);
    const prefix = text(r.outputs?.prefix);
    if (prefix !== undefined) prefixes.add(prefix);
  }
  return { prefixes, names };
}

/**
 * The key names of the stack's `ApiKey` resources and interrupted creates: an interrupted
 * create's key carries its resource's derived name (or a `-r<n>` of it), and a later `up` may
 * have created the resource under another `-r<n>` since, so both count.
 */
export function keyNameSources(state: StackState): KeyNameSource[] {
  const sources: KeyNameSource[] = [];
  const add = (r: StateResource, interrupted: boolean) => {
    const fields = { ...(r.inputs ?? {}), ...(interrupted ? {} : (r.outputs ?? {})) };
    const name = text(fields.name);
    const type = text(fields.type);
    if (name === undefined || type === undefined) return;
    sources.push({
      urn: r.urn,
      name,
      autoName: fields.autoName === true,
      type,
      teamId: text(fields.teamId),
      // A refreshed teamless key reports the team it is listed under (perhaps the default team's
      // name): a name counts only where the program chose the team by it.
      teamName: interrupted || fields.teamSelector === "teamName" ? text(fields.teamName) : undefined,
      ownerId: text(fields.ownerId),
      interrupted,
    });
  };
  for (const r of interruptedCreates(state, API_KEY_TYPE)) add(r, true);
  for (const r of state.deployment?.resources ?? []) if (r.type === API_KEY_TYPE) add(r, false);
  return sources;
}
