/**
 * One listing of keys (or, typed by `T`, of any other collection: a team's secrets) shared by
 * all reads of a provider process. Baseten has no
 * get-by-prefix, so reading a key means listing all of them; a refresh of N keys would send N
 * lists. Here concurrent reads share the request in flight, later reads reuse its result, and
 * a create or revoke by this process makes the next read list again, so a read is never
 * older than this process's own writes.
 *
 * A workspace may hold tens of thousands of keys (a scoped invoke key per customer) while a
 * stack tracks a few hundred: `ListingIndex` answers each lookup (by prefix, by name, a
 * scope's keys) from maps built once per listing, so a command's cost grows with the stack,
 * not with the workspace.
 */
import { canonicalSecretName, type ListedSecret } from "../client/secrets";
import type { ListedApiKey } from "../client/baseten";

/** The shared listing of one provider process (see the module comment). */
export class KeyListCache<T = ListedApiKey[]> {
  private generation = 0;
  private entry?: { generation: number; startedAt: number; promise: Promise<T> };

  /**
   * @param load sends one list request.
   * @param maxAgeMs how long a listing serves reads. @default 60000 (a refresh of hundreds of
   *   keys finishes well within it; out-of-band changes are seen by the next command).
   */
  constructor(
    private readonly load: () => Promise<T>,
    private readonly maxAgeMs = 60000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The current listing, from the shared request or a fresh one. */
  get(): Promise<T> {
    const e = this.entry;
    if (e && e.generation === this.generation && this.now() - e.startedAt < this.maxAgeMs) return e.promise;
    const promise = this.load();
    const entry = { generation: this.generation, startedAt: this.now(), promise };
    this.entry = entry;
    // A failed listing must not be served to later reads.
    promise.catch(() => {
      if (this.entry === entry) this.entry = undefined;
    });
    return promise;
  }

  /** Call after every create or revoke by this process. */
  invalidate(): void {
    this.generation++;
    this.entry = undefined;
  }
}

/** The listing array's own (non-enumerable) property that holds its index. */
const INDEX_PROPERTY = "__listingIndex";

/**
 * Lookups into one listing, built on first use and kept exactly as long as the listing array
 * (in a non-enumerable property of it): a listing is never changed after it is read, and a new
 * listing is a new array, so an index can never be stale. Not a module-level WeakMap: Pulumi's
 * closure serialization (the provider of state written before `sharedProvider`) copies
 * module-level objects, and a copied WeakMap is unusable.
 */
export class ListingIndex<T> {
  private readonly byField = new Map<string, Map<string, T[]>>();
  private readonly derived = new Map<string, unknown>();

  private constructor(private readonly listing: readonly T[]) {}

  /** The index of `listing` (the same object for the same array). */
  static of<T>(listing: readonly T[]): ListingIndex<T> {
    const holder = listing as unknown as Record<typeof INDEX_PROPERTY, ListingIndex<T> | undefined>;
    let index = holder[INDEX_PROPERTY];
    if (!index) {
      index = new ListingIndex(listing);
      Object.defineProperty(listing, INDEX_PROPERTY, { value: index, enumerable: false });
    }
    return index;
  }

  /**
   * The entries whose `keyOf` is `value`, in listing order. The map for `field` is built on its
   * first use, with that use's `keyOf`: one field name must always mean one `keyOf`.
   */
  matching(field: string, keyOf: (entry: T) => string | undefined, value: string): readonly T[] {
    let map = this.byField.get(field);
    if (!map) {
      map = new Map();
      for (const entry of this.listing) {
        const key = keyOf(entry);
        if (key === undefined) continue;
        const list = map.get(key);
        if (list) list.push(entry);
        else map.set(key, [entry]);
      }
      this.byField.set(field, map);
    }
    return map.get(value) ?? [];
  }

  /**
   * `compute()` once per listing and `key` (say, the keys of one scope); a rejected promise is
   * forgotten, so the next call computes again.
   */
  memo<R>(key: string, compute: () => R): R {
    if (this.derived.has(key)) return this.derived.get(key) as R;
    const value = compute();
    this.derived.set(key, value);
    if (value instanceof Promise) {
      value.catch(() => {
        if (this.derived.get(key) === value) this.derived.delete(key);
      });
    }
    return value;
  }
}

/** The listed key with `prefix`, if any. */
export function keyWithPrefix(listed: readonly ListedApiKey[], prefix: string): ListedApiKey | undefined {
  return ListingIndex.of(listed).matching("prefix", (k) => k.prefix, prefix)[0];
}

/** The listed keys named `name`, in listing order. */
export function keysNamed(listed: readonly ListedApiKey[], name: string): readonly ListedApiKey[] {
  return ListingIndex.of(listed).matching("name", (k) => k.name, name);
}

/** The listed secret Baseten treats as `name` (see canonicalSecretName), if any. */
export function secretNamedLike(listed: readonly ListedSecret[], name: string): ListedSecret | undefined {
  return secretsNamedLike(listed, name)[0];
}

/**
 * Every listed secret this package treats as `name`: one, where Baseten's rule is as documented
 * (its examples are ASCII; non-ASCII characters all map to `_` here, so two may meet).
 */
export function secretsNamedLike(listed: readonly ListedSecret[], name: string): readonly ListedSecret[] {
  return ListingIndex.of(listed).matching("canonicalName", (s) => canonicalSecretName(s.name), canonicalSecretName(name));
}
