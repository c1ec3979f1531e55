/**
 * Baseten's teams area: the teams the management key can see (`GET /v1/teams`), all of them
 * or those of one name (`?name=`), as `Team`s. Wire types in snake_case stay here.
 */
import { invalidResponse } from "./errors";
import { send, type Operation } from "./http";
import type { Team } from "./identity";
import { isRecord, listedArray } from "./json";

/** `TeamV1`. */
export interface TeamWire {
  id: string;
  name: string;
  default?: boolean;
  created_at?: string;
}

/** `TeamsV1`. */
export interface TeamsWire {
  teams: TeamWire[];
}

async function listTeams(op: Operation, path: string): Promise<Team[]> {
  const target = { method: "GET", path };
  const result = await send(op, target);
  return listedArray(result, target, "teams").map((t) => {
    if (!isRecord(t) || typeof t.id !== "string" || typeof t.name !== "string") {
      throw invalidResponse(target, "a team lacks its string `id` or `name`");
    }
    return t.default === true ? { id: t.id, name: t.name, isDefault: true } : { id: t.id, name: t.name };
  });
}

/** Teams with exactly this name (`GET /v1/teams?name=`). */
export function teamsNamed(op: Operation, name: string): Promise<Team[]> {
  return listTeams(op, `/v1/teams?name=${encodeURIComponent(name)}`);
}

/** Every team the management key can see. */
export function allTeams(op: Operation): Promise<Team[]> {
  return listTeams(op, "/v1/teams");
}
