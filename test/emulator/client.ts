/**
 * Typed client for the emulator's /_emulator/ control routes, for processes that do not
 * hold the BasetenEmulator instance (a Pulumi program under test, a demo, a benchmark).
 */
import type { EmulatedSecretInfo } from "./secrets";
import type { OutOfBandKeyInput } from "./server";
import type { EmulatedUser, NewUser } from "./users";
import type {
  EmulatedKey,
  EmulatedKeyInfo,
  EmulatorSettings,
  FaultSpec,
  PreloadKeysInput,
  RandomFaultSpec,
  RequestLogSnapshot,
} from "./types";

export class EmulatorControl {
  private readonly base: string;

  constructor(url: string) {
    this.base = url.replace(/\/+$/, "");
  }

  private async call<T>(
    method: string,
    path: string,
    body?: unknown,
    okStatuses: number[] = [200],
  ): Promise<{ status: number; json: T }> {
    const res = await fetch(`${this.base}/_emulator/${path}`, {
      method,
      headers: body === undefined ? undefined : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!okStatuses.includes(res.status)) {
      const message = (json as { error?: string } | undefined)?.error ?? text;
      throw new Error(`emulator control ${method} /_emulator/${path} failed with ${res.status}: ${message}`);
    }
    return { status: res.status, json: json as T };
  }

  /** All keys, live and revoked; `apiKey` is included only with `plaintext: true`. */
  async keys(opts: { plaintext?: boolean } = {}): Promise<EmulatedKeyInfo[]> {
    return (await this.call<{ keys: EmulatedKeyInfo[] }>("GET", opts.plaintext ? "keys?plaintext=1" : "keys")).json.keys;
  }

  async liveKeys(opts: { plaintext?: boolean } = {}): Promise<EmulatedKeyInfo[]> {
    return (await this.keys(opts)).filter((k) => !k.revoked);
  }

  /** Out-of-band create, as if made in the UI; returns the key including its plaintext. */
  async createKey(input: OutOfBandKeyInput): Promise<EmulatedKey> {
    return (await this.call<EmulatedKey>("POST", "keys", input)).json;
  }

  /** Adds `input.count` other live keys at once (a crowded workspace); returns how many. */
  async preloadKeys(input: PreloadKeysInput): Promise<number> {
    return (await this.call<{ preloaded: number }>("POST", "preload-keys", input)).json.preloaded;
  }

  /** Out-of-band revoke (as `userId`, default the first user); false when the prefix is unknown or already revoked. */
  async revoke(prefix: string, userId?: string): Promise<boolean> {
    const query = userId === undefined ? "" : `?userId=${encodeURIComponent(userId)}`;
    return (await this.call<{ revoked: boolean }>("DELETE", `keys/${encodeURIComponent(prefix)}${query}`, undefined, [200, 404]))
      .json.revoked;
  }

  /** Adds a workspace user with a management key of their own (returned in `apiKey`). */
  async addUser(input: NewUser): Promise<EmulatedUser> {
    return (await this.call<EmulatedUser>("POST", "users", input)).json;
  }

  /** Runs every create held by a `lateCommit` fault; returns how many. */
  async runLateCommits(): Promise<number> {
    return (await this.call<{ committed: number }>("POST", "late-commits")).json.committed;
  }

  /** How many requests `lateCommit` faults hold now. */
  async heldRequests(): Promise<number> {
    return (await this.call<{ held: number }>("GET", "late-commits")).json.held;
  }

  /** Ends every held request without running its operation; returns how many. */
  async dropLateCommits(): Promise<number> {
    return (await this.call<{ dropped: number }>("DELETE", "late-commits")).json.dropped;
  }

  /** Every secret; `value` is included only with `values: true`. */
  async secrets(opts: { values?: boolean } = {}): Promise<EmulatedSecretInfo[]> {
    return (await this.call<{ secrets: EmulatedSecretInfo[] }>("GET", opts.values ? "secrets?values=1" : "secrets")).json.secrets;
  }

  /** Out-of-band upsert, as if set in the UI (without teamId: the caller's primary team); no value in the answer. */
  async upsertSecret(input: { name: string; value: string; teamId?: string; createdAt?: number }): Promise<EmulatedSecretInfo> {
    return (await this.call<EmulatedSecretInfo>("POST", "secrets", input)).json;
  }

  /** Out-of-band delete; false when the team holds no such (or equivalent) name. */
  async deleteSecret(teamId: string, name: string): Promise<boolean> {
    const path = `secrets/${encodeURIComponent(teamId)}/${encodeURIComponent(name)}`;
    return (await this.call<{ deleted: boolean }>("DELETE", path, undefined, [200, 404])).json.deleted;
  }

  /** Out-of-band replacement (delete, then a new secret of an equivalent name: a new id); no value in the answer. */
  async replaceSecret(input: {
    teamId: string;
    name: string;
    newName?: string;
    value: string;
    userId?: string;
  }): Promise<{ before: EmulatedSecretInfo; after: EmulatedSecretInfo }> {
    return (await this.call<{ before: EmulatedSecretInfo; after: EmulatedSecretInfo }>("POST", "secret-replacements", input))
      .json;
  }

  async fault(spec: FaultSpec): Promise<void> {
    await this.call("POST", "faults", spec);
  }

  async clearFaults(): Promise<void> {
    await this.call("DELETE", "faults");
  }

  async randomFaults(spec: RandomFaultSpec | null): Promise<void> {
    await this.call("PUT", "random-faults", spec);
  }

  /** Changes the given settings and returns all current settings. */
  async settings(settings: EmulatorSettings = {}): Promise<Required<EmulatorSettings>> {
    return (await this.call<Required<EmulatorSettings>>("PUT", "settings", settings)).json;
  }

  async log(): Promise<RequestLogSnapshot> {
    return (await this.call<RequestLogSnapshot>("GET", "log")).json;
  }

  async clearLog(): Promise<void> {
    await this.call("DELETE", "log");
  }

  async reset(): Promise<void> {
    await this.call("POST", "reset");
  }
}
