import { KeyListCache } from "../../provider/keyListCache";
import type { ListedApiKey } from "../../provider/types";

function counting(result: () => Promise<ListedApiKey[]>) {
  let calls = 0;
  return { load: () => (calls++, result()), calls: () => calls };
}

describe("KeyListCache", () => {
  it("shares one request among concurrent reads", async () => {
    const c = counting(async () => [{ prefix: "a", type: "PERSONAL" }]);
    const cache = new KeyListCache(c.load);
    await Promise.all(Array.from({ length: 200 }, () => cache.get()));
    await cache.get();
    expect(c.calls()).toBe(1);
  });
  it("lists again after a create or revoke by the same process", async () => {
    const c = counting(async () => []);
    const cache = new KeyListCache(c.load);
    await cache.get();
    cache.invalidate();
    await cache.get();
    expect(c.calls()).toBe(2);
  });
  it("does not serve a listing started before an invalidation", async () => {
    const releases: Array<() => void> = [];
    const c = counting(() => new Promise((r) => releases.push(() => r([]))));
    const cache = new KeyListCache(c.load);
    const first = cache.get();
    cache.invalidate();
    const second = cache.get();
    releases.forEach((release) => release());
    await Promise.all([first, second]);
    expect(second).not.toBe(first);
    expect(c.calls()).toBe(2);
  });
  it("does not keep a failed listing", async () => {
    let fail = true;
    const c = counting(async () => {
      if (fail) throw new Error("boom");
      return [];
    });
    const cache = new KeyListCache(c.load);
    await expect(cache.get()).rejects.toThrow("boom");
    fail = false;
    await expect(cache.get()).resolves.toEqual([]);
  });
  it("expires after maxAgeMs", async () => {
    let now = 0;
    const c = counting(async () => []);
    const cache = new KeyListCache(c.load, 1000, () => now);
    await cache.get();
    now = 999;
    await cache.get();
    now = 1000;
    await cache.get();
    expect(c.calls()).toBe(2);
  });
});
