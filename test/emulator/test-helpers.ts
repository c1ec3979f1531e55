/** Helpers for the emulator's own tests: real HTTP, nothing mocked. */
import * as http from "http";
import type { BasetenEmulator } from "./index";

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed body, or undefined when it is not JSON. */
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- test assertions index freely
}

export interface ApiCall {
  body?: unknown;
  /** Full Authorization header; default `Api-Key <managementKey>`; null sends none. */
  auth?: string | null;
  signal?: AbortSignal;
}

/** Calls the emulator's API with global fetch, authenticated as the management key by default. */
export async function api(emu: BasetenEmulator, method: string, path: string, call: ApiCall = {}): Promise<ApiResponse> {
  const headers: Record<string, string> = {};
  const auth = call.auth === undefined ? `Api-Key ${emu.managementKey}` : call.auth;
  if (auth !== null) headers.authorization = auth;
  if (call.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(emu.url + path, {
    method,
    headers,
    body: call.body === undefined ? undefined : typeof call.body === "string" ? call.body : JSON.stringify(call.body),
    signal: call.signal,
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/**
 * Sends a request with the path exactly as given. fetch (WHATWG URL) normalizes "..", "%2e%2e"
 * and the like before sending, which would hide what the server does with them.
 */
export function rawRequest(emu: BasetenEmulator, method: string, rawPath: string): Promise<{ status: number; json: unknown }> {
  const { port } = new URL(emu.url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port: Number(port),
        method,
        path: rawPath,
        headers: { authorization: `Api-Key ${emu.managementKey}` },
        agent: false,
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

/** Creates a workspace key through the API and returns its prefix. */
export async function createKey(emu: BasetenEmulator, body: Record<string, unknown>, teamId?: string): Promise<string> {
  const res = await api(emu, "POST", teamId ? `/v1/teams/${teamId}/api_keys` : "/v1/api_keys", { body });
  if (res.status !== 200) throw new Error(`create failed: ${res.status} ${res.text}`);
  return (res.json.api_key as string).split(".")[0];
}
