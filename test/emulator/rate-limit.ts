/**
 * Sliding-window rate limiter keyed by credential: Baseten allows 100 requests per second
 * per API key. A log of admission times (at most `limit` entries per key) gives an exact
 * sliding window, unlike fixed buckets that allow 2x bursts at a boundary.
 */
import { performance } from "perf_hooks";

export class SlidingWindowLimiter {
  private readonly admitted = new Map<string, number[]>();

  constructor(
    private limit: number | null,
    private readonly windowMs = 1000,
  ) {}

  setLimit(limit: number | null): void {
    if (limit !== null && !(Number.isInteger(limit) && limit >= 1))
      throw new Error("rate limit must be a positive integer or null");
    this.limit = limit;
  }

  getLimit(): number | null {
    return this.limit;
  }

  /** True when the request is admitted (and counted); rejected requests do not count. */
  tryAcquire(key: string, now = performance.now()): boolean {
    if (this.limit === null) return true;
    let times = this.admitted.get(key);
    if (!times) {
      times = [];
      this.admitted.set(key, times);
    }
    while (times.length > 0 && times[0] <= now - this.windowMs) times.shift();
    if (times.length >= this.limit) return false;
    times.push(now);
    return true;
  }

  clear(): void {
    this.admitted.clear();
  }
}
