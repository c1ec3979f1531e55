/**
 * Another client of the same Baseten account: Baseten's limit is 100 requests per second per
 * management key, and other automation (CI jobs, dashboards) shares it. On this machine the
 * engine alone peaks far below 100/s, so without company it would never meet the limit. This
 * client sends `GET /v1/teams` (a route the provider does not use for these keys, so the log
 * tells the two apart) at a steady rate with the same key, and never retries.
 */
import * as http from "http";
import type { BasetenEmulator } from "../../emulator";

export interface BackgroundLoad {
  /** Stops sending and resolves when every request it sent has ended. */
  stop(): Promise<{ sent: number }>;
}

export function startBackgroundLoad(emu: BasetenEmulator, perSecond: number): BackgroundLoad {
  const url = new URL(emu.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  const started = Date.now();
  let sent = 0;
  let inFlight = 0;
  let stopped = false;
  let drained: (() => void) | undefined;

  const send = () => {
    sent++;
    inFlight++;
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      done();
    };
    const req = http.request(
      {
        host: url.hostname,
        port: Number(url.port),
        method: "GET",
        path: "/v1/teams",
        agent,
        headers: { authorization: `Api-Key ${emu.managementKey}` },
      },
      (res) => {
        res.resume();
        res.on("end", end);
        res.on("error", end);
      },
    );
    req.on("error", end);
    req.end();
  };
  function done() {
    inFlight--;
    if (stopped && inFlight === 0) drained?.();
  }
  // A steady rate: when the event loop was busy, skip the missed sends instead of bursting
  // them all at once (at most a few per tick).
  const intervalMs = 1000 / perSecond;
  let next = started;
  const timer = setInterval(() => {
    const now = Date.now();
    if (next < now - 50) next = now - 50;
    for (let burst = 0; next <= now && burst < 5; burst++, next += intervalMs) send();
  }, 5);

  return {
    stop() {
      stopped = true;
      clearInterval(timer);
      return new Promise((resolve) => {
        const finish = () => {
          agent.destroy();
          resolve({ sent });
        };
        if (inFlight === 0) finish();
        else drained = finish;
      });
    },
  };
}
