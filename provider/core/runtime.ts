/**
 * Per-process state of a configured provider: the client and the lookups that every resource
 * of one Pulumi command shares, so a command costs one request per lookup, not one per
 * resource. Knows nothing of keys or secrets beyond the listings it caches: the keys, and
 * any other listing a resource names (a team's secrets), with the create locks and the clock
 * every resource shares.
 */
import { BasetenClient } from "../client/baseten";
import { prefixOfApiKey } from "../client/prefix";
import { KeyListCache } from "./listings";
import type { ResolvedSettings } from "./settings";
import type { Caller } from "../client/identity";
import type { Team } from "../client/identity";
import type { ListedApiKey } from "../client/baseten";

/** A shared lookup: one request per process, retried after a failure. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    if (!pending) {
      const p = load();
      pending = p;
      p.catch(() => {
        if (pending === p) pending = undefined;
      });
    }
    return pending;
  };
}

/** A listing and when it was asked for (this machine's clock, `now`): what a later write is dated against. */
export interface TimedListing<T> {
  startedAt: number;
  items: T;
}

export class ProviderRuntime {
  readonly client: BasetenClient;
  /** The listing that reads use; made again after every write of this process. */
  readonly keys: KeyListCache;
  /** The user the management key belongs to: one `GET /v1/users/me` per process. */
  readonly caller: () => Promise<Caller>;
  /** Every team: one `GET /v1/teams` per process. */
  readonly teams: () => Promise<Team[]>;
  private readonly teamsByName = new Map<string, Promise<Team[]>>();
  private readonly beforeCreates: () => Promise<ListedApiKey[]>;
  /** Prefixes this process revoked (tombstone verified) since `keysBeforeCreates` was listed. */
  private readonly revokedHere: string[] = [];
  /** keysBeforeCreates' last answer, while no revocation is added. */
  private lessRevoked?: { from: ListedApiKey[]; count: number; keys: ListedApiKey[] };

  /** Listings by name (e.g. one team's secrets), each one request per process until `relist`. */
  private readonly listings = new Map<string, KeyListCache<TimedListing<unknown>>>();
  /** The tail of each `exclusive` key's queue. */
  private readonly locks = new Map<string, Promise<void>>();

  /** This machine's clock (epoch ms); tests replace it. */
  now: () => number = Date.now;

  /** One operation's time budget for retries, in ms (baseten:retryBudgetSeconds). */
  private readonly retryBudgetMs: number;

  /**
   * The prefix of the management key this provider presents, which the audit log names as the
   * actor of what it did (`actor.api_key_prefix`); undefined when the key has no `.`.
   */
  readonly managementKeyPrefix?: string;

  constructor(settings: ResolvedSettings, client?: BasetenClient) {
    this.retryBudgetMs = settings.retryBudgetMs;
    this.managementKeyPrefix = prefixOfApiKey(settings.apiKey);
    this.client =
      client ??
      new BasetenClient({
        baseUrl: settings.apiUrl,
        apiKey: settings.apiKey,
        timeoutMs: settings.timeoutMs,
        retry: { maxRetries: settings.maxRetries, budgetMs: settings.retryBudgetMs },
      });
    this.keys = new KeyListCache(() => this.client.listKeys());
    this.caller = once(() => this.client.whoAmI());
    this.teams = once(() => this.client.allTeams());
    this.beforeCreates = once(() => this.client.listKeys());
  }

  /**
   * The client for one operation (a create, a read, a revoke): all of its own requests share
   * one time budget for retries, so an operation ends within it however many requests it needs.
   */
  operationClient(): BasetenClient {
    return this.client.withDeadline(Date.now() + this.retryBudgetMs);
  }

  /** Teams named `name`, one request per name per process. */
  teamsNamed(name: string): Promise<Team[]> {
    let p = this.teamsByName.get(name);
    if (!p) {
      p = this.client.teamsNamed(name);
      this.teamsByName.set(name, p);
      p.catch(() => this.teamsByName.delete(name));
    }
    return p;
  }

  /**
   * The keys that were live before this process's first create, less those it revoked since:
   * one listing shared by every create of the process. A key of a name found here was not
   * minted by this process's creates.
   */
  async keysBeforeCreates(): Promise<ListedApiKey[]> {
    const listed = await this.beforeCreates();
    // The same array until the next revocation, so every create's lookups share its index.
    if (this.revokedHere.length === 0) return listed;
    const last = this.lessRevoked;
    if (last?.from === listed && last.count === this.revokedHere.length) return last.keys;
    const revoked = new Set(this.revokedHere);
    const keys = listed.filter((k) => !revoked.has(k.prefix));
    this.lessRevoked = { from: listed, count: this.revokedHere.length, keys };
    return keys;
  }

  /** Call after a verified revocation, and after any create or revoke attempt. */
  wrote(revokedPrefix?: string): void {
    if (revokedPrefix !== undefined) this.revokedHere.push(revokedPrefix);
    this.keys.invalidate();
  }

  /**
   * The listing named `key` (e.g. `secrets/<teamId>`) and when it was asked for: one request per
   * key per process, shared by every operation (sent on the shared client, as `keys` is),
   * renewed after `relist(key)`. `load` must list the same thing for the same key.
   */
  listing<T>(key: string, load: (client: BasetenClient) => Promise<T>): Promise<TimedListing<T>> {
    let cache = this.listings.get(key);
    if (!cache) {
      cache = new KeyListCache<TimedListing<unknown>>(async () => {
        const startedAt = this.now();
        return { startedAt, items: await load(this.client) };
      });
      this.listings.set(key, cache);
    }
    return cache.get() as Promise<TimedListing<T>>;
  }

  /** Call after every write of this process to what the listing named `key` lists. */
  relist(key: string): void {
    this.listings.get(key)?.invalidate();
  }

  /** Runs `fn` after every earlier holder of `key` finished: serializes creates that could collide (equivalent names). */
  async exclusive<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const before = this.locks.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = before.then(() => mine);
    this.locks.set(key, tail);
    await before;
    try {
      return await fn();
    } finally {
      release();
      if (this.locks.get(key) === tail) this.locks.delete(key);
    }
  }
}
