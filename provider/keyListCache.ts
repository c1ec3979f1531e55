/**
 * One listing of keys (or, typed by `T`, of any other collection: a team's secrets) shared by
 * all reads of a provider process. Baseten has no
 * get-by-prefix, so reading a key means listing all of them; a refresh of N keys would send N
 * lists. Here concurrent reads share the request in flight, later reads reuse its result, and
 * a create or revoke by this process makes the next read list again, so a read is never
 * older than this process's own writes.
 */
import type { ListedApiKey } from "./types";

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
