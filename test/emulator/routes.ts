/**
 * Matches API requests on the RAW path split by "/": an encoded slash (%2F) stays inside
 * its segment, and ".." is just a segment value, so a crafted prefix can never reach
 * another route (the real API sits behind routing that behaves the same way).
 */
import { matchSecretRoute, type MatchedSecretRoute } from "./secrets";
import { ROUTES, RouteLabel } from "./types";

export interface MatchedRoute {
  route: RouteLabel;
  /** Decoded {api_key_prefix}; undefined when its percent-encoding is invalid. */
  prefix?: string;
  /** Decoded {team_id}; undefined when its percent-encoding is invalid. */
  teamId?: string;
  /** Query string after "?", undecoded ("" when none). */
  query: string;
  /** Set for the secret routes (see secrets.ts). */
  secret?: MatchedSecretRoute;
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

export function matchApiRoute(method: string, rawPath: string): MatchedRoute {
  const q = rawPath.indexOf("?");
  const pathPart = q >= 0 ? rawPath.slice(0, q) : rawPath;
  const query = q >= 0 ? rawPath.slice(q + 1) : "";
  const s = pathPart.split("/");
  const unmatched: MatchedRoute = { route: ROUTES.unmatched, query };
  if (s[0] !== "" || s[1] !== "v1") return unmatched;

  if (s.length === 3 && s[2] === "api_keys") {
    if (method === "GET") return { route: ROUTES.listKeys, query };
    if (method === "POST") return { route: ROUTES.createKey, query };
  }
  if (s.length === 4 && s[2] === "api_keys" && s[3] !== "" && method === "DELETE") {
    return { route: ROUTES.deleteKey, prefix: decodeSegment(s[3]), query };
  }
  if (s.length === 3 && s[2] === "teams" && method === "GET") return { route: ROUTES.listTeams, query };
  if (s.length === 4 && s[2] === "users" && s[3] === "me" && method === "GET") return { route: ROUTES.usersMe, query };
  if (s.length === 3 && s[2] === "audit_logs" && method === "GET") return { route: ROUTES.auditLogs, query };
  if (s.length === 5 && s[2] === "teams" && s[3] !== "" && s[4] === "api_keys" && method === "POST") {
    return { route: ROUTES.createTeamKey, teamId: decodeSegment(s[3]), query };
  }
  const secret = matchSecretRoute(method, s);
  if (secret) return { route: secret.route, secret, query };
  return unmatched;
}

/** Control routes live under /_emulator/ and bypass auth, latency, faults and the log. */
export function isControlPath(rawPath: string): boolean {
  return rawPath === "/_emulator" || rawPath.startsWith("/_emulator/") || rawPath.startsWith("/_emulator?");
}
