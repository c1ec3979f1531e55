import { KeyListCache, keysNamed, keyWithPrefix, ListingIndex, secretNamedLike } from "../../provider/core/listings";
import type { ListedApiKey } from "../../provider/client/baseten";

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

describe("ListingIndex", () => {
  const listing: ListedApiKey[] = [
    { prefix: "a", type: "PERSONAL", name: "x" },
    { prefix: "b", type: "WORKSPACE_INVOKE", name: "y" },
    { prefix: "c", type: "WORKSPACE_INVOKE", name: "x" },
  ];

  it("finds by prefix and by name, in listing order, with one index per listing array", () => {
    expect(keyWithPrefix(listing, "b")?.name).toBe("y");
    expect(keyWithPrefix(listing, "z")).toBeUndefined();
    expect(keysNamed(listing, "x").map((k) => k.prefix)).toEqual(["a", "c"]);
    expect(keysNamed(listing, "none")).toEqual([]);
    expect(ListingIndex.of(listing)).toBe(ListingIndex.of(listing));
    expect(ListingIndex.of([...listing])).not.toBe(ListingIndex.of(listing));
  });

  it("computes a derived value once per listing, and again after it failed", async () => {
    let calls = 0;
    const index = ListingIndex.of(listing);
    const failing = () => (calls++, Promise.reject(new Error("teams unavailable")));
    await expect(index.memo("scope", failing)).rejects.toThrow(/teams unavailable/);
    const ok = () => (calls++, Promise.resolve(["a"]));
    await expect(index.memo("scope", ok)).resolves.toEqual(["a"]);
    await expect(index.memo("scope", ok)).resolves.toEqual(["a"]);
    expect(calls).toBe(2);
  });

  it("finds a secret by any name Baseten treats as the same", () => {
    const secrets = [{ id: "s1", createdAt: "2026-01-01T00:00:00Z", name: "hf_access_token", teamName: "default" }];
    expect(secretNamedLike(secrets, "hf-access-token")?.id).toBe("s1");
    expect(secretNamedLike(secrets, "hf-access")).toBeUndefined();
  });
});
