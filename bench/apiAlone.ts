/**
 * The API-alone baseline: the HTTP work of a stack of N keys and nothing else, from plain
 * Node (node:http, keep-alive connections), with the engine's concurrency. N creates, one
 * list, N deletes: the least time this API allows for `up`, `refresh` and `destroy`.
 */
import * as http from "http";
import { performance } from "perf_hooks";

export interface ApiAloneMeasure {
  createMs: number;
  listMs: number;
  deleteMs: number;
}

interface Answer {
  status: number;
  body: string;
}

function send(agent: http.Agent, base: URL, key: string, method: string, path: string, body?: unknown): Promise<Answer> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method,
        path,
        headers: {
          Authorization: `Api-Key ${key}`,
          Accept: "application/json",
          ...(payload === undefined ? {} : { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(payload) }),
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

/** Runs `task(i)` for i < n with at most `concurrency` in flight. */
async function pool(n: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
}

function expectOk(what: string, a: Answer): void {
  if (a.status !== 200) throw new Error(`API-alone ${what}: HTTP ${a.status}`);
}

export async function measureApiAlone(args: {
  url: string;
  managementKey: string;
  keys: number;
  concurrency: number;
  label: string;
}): Promise<ApiAloneMeasure> {
  const base = new URL(args.url);
  const agent = new http.Agent({ keepAlive: true });
  const prefixes: string[] = [];
  const call = (method: string, path: string, body?: unknown) => send(agent, base, args.managementKey, method, path, body);
  try {
    let t0 = performance.now();
    await pool(args.keys, args.concurrency, async (i) => {
      const a = await call("POST", "/v1/api_keys", {
        type: "WORKSPACE_INVOKE",
        name: `${args.label}-${i}`,
        model_ids: ["bench-model"],
      });
      expectOk("create", a);
      prefixes[i] = String((JSON.parse(a.body) as { api_key: string }).api_key).split(".")[0];
    });
    const createMs = performance.now() - t0;

    t0 = performance.now();
    const list = await call("GET", "/v1/api_keys");
    expectOk("list", list);
    const listed = (JSON.parse(list.body) as { keys: Array<{ prefix: string }> }).keys.map((k) => k.prefix);
    const listMs = performance.now() - t0;
    const missing = prefixes.filter((p) => !listed.includes(p));
    if (missing.length) throw new Error(`API-alone list: ${missing.length} created keys are not listed`);

    t0 = performance.now();
    await pool(args.keys, args.concurrency, async (i) => {
      const a = await call("DELETE", `/v1/api_keys/${prefixes[i]}`);
      expectOk("delete", a);
      if ((JSON.parse(a.body) as { prefix?: string }).prefix !== prefixes[i])
        throw new Error("API-alone delete: wrong tombstone");
    });
    return { createMs, listMs, deleteMs: performance.now() - t0 };
  } finally {
    agent.destroy();
  }
}
