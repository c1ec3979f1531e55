/**
 * Baseten's users area: who the management key belongs to (`GET /v1/users/me`), as a `Caller`.
 */
import { invalidResponse } from "./errors";
import { send, type Operation } from "./http";
import type { Caller } from "./identity";
import { isRecord, optionalString, parseJson } from "./json";

/** The user the management key belongs to (`GET /v1/users/me`). */
export async function whoAmI(op: Operation): Promise<Caller> {
  const target = { method: "GET", path: "/v1/users/me" };
  const result = await send(op, target);
  const parsed = parseJson(result, target);
  if (!isRecord(parsed) || typeof parsed.user_id !== "string" || parsed.user_id === "") {
    throw invalidResponse(target, "the body has no string `user_id`", result.status);
  }
  const workspaceName = optionalString(parsed.workspace_name) || undefined;
  return { userId: parsed.user_id, email: optionalString(parsed.email), ...(workspaceName ? { workspaceName } : {}) };
}
