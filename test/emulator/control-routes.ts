/**
 * HTTP control routes under /_emulator/ so other processes (Pulumi engine tests, demos,
 * benchmarks) can drive the emulator. No auth: the server only listens on 127.0.0.1.
 * These requests are not API traffic: no latency, faults, rate limit or log.
 */
import type { IncomingMessage, ServerResponse } from "http";
import { parseJson, readBody, sendJson } from "./http-util";
import type { EmulatedSecret } from "./secrets";
import type { BasetenEmulator } from "./server";
import { EmulatorApiError } from "./state";
import type { EmulatedKey, EmulatorModes, EmulatorSettings, FaultSpec, PreloadKeysInput, RandomFaultSpec } from "./types";

function withoutPlaintext(k: EmulatedKey): Omit<EmulatedKey, "apiKey"> {
  const { apiKey: _omitted, ...rest } = k;
  void _omitted;
  return rest;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export async function handleControl(
  emu: BasetenEmulator,
  req: IncomingMessage,
  res: ServerResponse,
  rawPath: string,
): Promise<void> {
  const q = rawPath.indexOf("?");
  const query = new URLSearchParams(q >= 0 ? rawPath.slice(q + 1) : "");
  const segments = (q >= 0 ? rawPath.slice(0, q) : rawPath).split("/").slice(2); // after "", "_emulator"
  const route = `${req.method ?? "GET"} ${segments[0] ?? ""}`;

  const read = await readBody(req);
  if (read.kind === "closed") return;
  if (read.kind === "tooLarge") return sendJson(res, 413, { error: "Request body too large (limit 1 MB)" });
  let body: unknown;
  try {
    body = parseJson(read.body);
  } catch {
    return sendJson(res, 400, { error: "Request body is not valid JSON" });
  }

  try {
    if (segments.length === 1) {
      switch (route) {
        case "GET keys": {
          const plaintext = query.get("plaintext") === "1";
          return sendJson(res, 200, { keys: emu.allKeys().map((k) => (plaintext ? k : withoutPlaintext(k))) });
        }
        case "POST keys": {
          if (!isObject(body)) return sendJson(res, 400, { error: "body must be an object {type, name?, modelIds?, teamId?}" });
          const input = body as { type: string; name?: string | null; modelIds?: string[] | null; teamId?: string | null };
          return sendJson(res, 200, emu.createKeyOutOfBand(input));
        }
        case "POST preload-keys": {
          if (!isObject(body) || typeof body.count !== "number")
            return sendJson(res, 400, {
              error: "body must be an object {count, type?, modelIds?, teamId?, namePrefix?, userId?}",
            });
          return sendJson(res, 200, { preloaded: emu.preloadKeys(body as unknown as PreloadKeysInput) });
        }
        case "GET secrets": {
          // Values only on request, like key plaintexts: tests that print this stay clean.
          const values = query.get("values") === "1";
          return sendJson(res, 200, { secrets: emu.secrets().map((s) => (values ? s : { ...s, value: undefined })) });
        }
        case "POST secrets": {
          if (!isObject(body)) return sendJson(res, 400, { error: "body must be an object {name, value, teamId?, createdAt?}" });
          const input = body as { name: string; value: string; teamId?: string; createdAt?: number };
          const { value: _value, ...shown } = emu.upsertSecretOutOfBand(input);
          void _value;
          return sendJson(res, 200, shown);
        }
        case "POST secret-replacements": {
          if (!isObject(body))
            return sendJson(res, 400, { error: "body must be an object {teamId, name, newName?, value, userId?}" });
          const replaced = emu.replaceSecretOutOfBand(
            body as { teamId: string; name: string; newName?: string; value: string; userId?: string },
          );
          if (!replaced) return sendJson(res, 404, { error: "Secret not found" });
          const hide = ({ value: _value, ...shown }: EmulatedSecret) => (void _value, shown);
          return sendJson(res, 200, { before: hide(replaced.before), after: hide(replaced.after) });
        }
        case "POST faults":
          emu.injectFault(body as FaultSpec);
          return sendJson(res, 200, { ok: true });
        case "DELETE faults":
          emu.clearFaults();
          return sendJson(res, 200, { ok: true });
        case "PUT random-faults":
          emu.setRandomFaults((body ?? null) as RandomFaultSpec | null);
          return sendJson(res, 200, { ok: true });
        case "PUT settings":
          return sendJson(res, 200, applySettings(emu, body));
        case "GET settings":
          return sendJson(res, 200, emu.settings());
        case "GET log":
          return sendJson(res, 200, { requests: emu.requestLog(), counts: emu.routeCounts() });
        case "DELETE log":
          emu.clearLog();
          return sendJson(res, 200, { ok: true });
        case "POST users":
          if (!isObject(body))
            return sendJson(res, 400, { error: "body must be an object {userId?, email?, name?, admin?, manages?}" });
          return sendJson(res, 200, emu.addUser(body));
        case "GET users":
          return sendJson(res, 200, { users: emu.allUsers() });
        case "POST late-commits":
          return sendJson(res, 200, { committed: emu.runLateCommits() });
        case "GET late-commits":
          return sendJson(res, 200, { held: emu.heldRequests() });
        case "DELETE late-commits":
          return sendJson(res, 200, { dropped: emu.dropLateCommits() });
        case "POST reset":
          emu.reset();
          return sendJson(res, 200, { ok: true });
      }
    }
    if (segments.length === 3 && route === "DELETE secrets") {
      let teamId: string;
      let name: string;
      try {
        teamId = decodeURIComponent(segments[1]);
        name = decodeURIComponent(segments[2]);
      } catch {
        return sendJson(res, 404, { deleted: false, error: "Secret not found" });
      }
      return emu.deleteSecretOutOfBand(teamId, name)
        ? sendJson(res, 200, { deleted: true })
        : sendJson(res, 404, { deleted: false, error: "Secret not found" });
    }
    if (segments.length === 2 && route === "DELETE keys") {
      const asUser = query.get("userId") ?? undefined;
      let prefix: string;
      try {
        prefix = decodeURIComponent(segments[1]);
      } catch {
        return sendJson(res, 404, { revoked: false, error: "API key not found" });
      }
      return emu.revokeOutOfBand(prefix, asUser)
        ? sendJson(res, 200, { revoked: true })
        : sendJson(res, 404, { revoked: false, error: "API key not found" });
    }
    return sendJson(res, 404, { error: "Not found" });
  } catch (err) {
    // Validation errors of control input: report them to the caller (400, or the API's status).
    const status = err instanceof EmulatorApiError ? err.status : 400;
    return sendJson(res, status, { error: (err as Error).message });
  }
}

/** Allowed values of each mode (see EmulatorModes). */
const MODE_VALUES: Record<keyof EmulatorModes, readonly unknown[]> = {
  teamlessTeamName: ["null", "default"],
  deleteNotFoundBody: ["error", "detail", "fastapi-not-found"],
  unmanageableDeleteStatus: [403, 404],
  duplicateNameStatus: [400, 409, 422],
  teamlessRights: ["separate", "default-team"],
  auditSearch: ["names-and-ids", "names", "ids", "ids-and-prefix"],
};

function applySettings(emu: BasetenEmulator, body: unknown): Required<EmulatorSettings> {
  if (!isObject(body)) throw new Error("settings must be an object {latencyMs?, rateLimitPerSecond?, <mode>?}");
  const settings = body as EmulatorSettings;
  const modes: Partial<EmulatorModes> = {};
  for (const [mode, allowed] of Object.entries(MODE_VALUES) as Array<[keyof EmulatorModes, readonly unknown[]]>) {
    const value = settings[mode];
    if (value === undefined) continue;
    if (!allowed.includes(value)) throw new Error(`${mode} must be one of ${allowed.map((v) => JSON.stringify(v)).join(", ")}`);
    (modes as Record<string, unknown>)[mode] = value;
  }
  // Validate both before applying either, so a bad request changes nothing.
  if (settings.latencyMs !== undefined && (typeof settings.latencyMs !== "number" || !(settings.latencyMs >= 0))) {
    throw new Error("latencyMs must be a non-negative number");
  }
  const rate = settings.rateLimitPerSecond;
  if (rate !== undefined && rate !== null && !(Number.isInteger(rate) && rate >= 1)) {
    throw new Error("rateLimitPerSecond must be a positive integer or null");
  }
  emu.setModes(modes);
  if (settings.latencyMs !== undefined) emu.setLatency(settings.latencyMs);
  if (rate !== undefined) emu.setRateLimit(rate);
  return emu.settings();
}
