/** Small HTTP helpers shared by the API and control handlers. */
import type { IncomingMessage, ServerResponse } from "http";

/** Request bodies above this are answered 413 (Baseten's bodies are tiny JSON objects). */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Past this much discarded input we stop draining and drop the connection. */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

export type BodyResult = { kind: "ok"; body: Buffer } | { kind: "tooLarge" } | { kind: "closed" };

/**
 * Reads the whole body. An oversized body is drained (not buffered) before answering so the
 * client, still sending, actually receives the 413 instead of a broken pipe.
 */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (r: BodyResult) => {
      if (!done) {
        done = true;
        resolve(r);
      }
    };
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (size > MAX_DRAIN_BYTES) {
        req.socket.destroy();
        finish({ kind: "closed" });
      }
    });
    req.on("end", () => finish(size > limit ? { kind: "tooLarge" } : { kind: "ok", body: Buffer.concat(chunks) }));
    req.on("error", () => finish({ kind: "closed" }));
    req.on("aborted", () => finish({ kind: "closed" }));
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  send(res, status, JSON.stringify(body), "application/json", headers);
}

export function send(
  res: ServerResponse,
  status: number,
  body: string,
  contentType: string,
  headers: Record<string, string> = {},
): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(status, { ...headers, "content-type": contentType, "content-length": String(Buffer.byteLength(body)) });
  res.end(body);
}

/** Streams `bytes` bytes of "x" honouring backpressure; resolves when done or the client left. */
export function streamFiller(
  res: ServerResponse,
  status: number,
  bytes: number,
  contentType: string,
  headers: Record<string, string>,
): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed) return resolve();
    res.writeHead(status, { ...headers, "content-type": contentType, "content-length": String(bytes) });
    const chunk = Buffer.alloc(64 * 1024, "x");
    let remaining = bytes;
    res.once("close", () => resolve());
    const pump = (): void => {
      while (remaining > 0) {
        if (res.destroyed) return resolve();
        const size = Math.min(chunk.length, remaining);
        remaining -= size;
        if (!res.write(size === chunk.length ? chunk : chunk.subarray(0, size))) {
          res.once("drain", pump);
          return;
        }
      }
      res.end(() => resolve());
    };
    pump();
  });
}

/** Parses a JSON body; `undefined` for an empty body, throws SyntaxError for invalid JSON. */
export function parseJson(body: Buffer): unknown {
  const text = body.toString("utf8");
  return text.trim() === "" ? undefined : JSON.parse(text);
}

/**
 * Timers the emulator can cancel all at once, so stop() never leaves a pending delay keeping
 * jest alive. A cancelled sleep resolves early; callers check whether the client is still there.
 */
export class Sleeper {
  private readonly pending = new Map<NodeJS.Timeout, () => void>();

  sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(timer);
        resolve();
      }, ms);
      this.pending.set(timer, resolve);
    });
  }

  cancelAll(): void {
    for (const [timer, resolve] of this.pending) {
      clearTimeout(timer);
      resolve();
    }
    this.pending.clear();
  }
}
