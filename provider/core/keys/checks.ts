/**
 * The checks of one key's own inputs, for every resource that mints keys: its type, the models
 * it is scoped to, and its team. No network; each problem is a failure naming the property.
 */
import { typeOf } from "../resource";
import { UNKNOWN } from "../unknown";
import { API_KEY_TYPES, MODEL_SCOPED_TYPES, TEAMLESS_TYPES, type ApiKeyType } from "./types";

/** Most model ids one key may be scoped to. Baseten documents no bound; ours keeps requests small. */
export const MAX_MODEL_IDS = 1000;

type Fail = (property: string, reason: string) => void;

const isUnknown = (v: unknown): boolean => v === UNKNOWN;

/** Checks `type`; returns it when it is one of Baseten's categories. */
export function checkKeyType(news: Record<string, unknown>, fail: Fail): ApiKeyType | undefined {
  const type = news.type;
  if (type === undefined || type === null) {
    fail("type", `is required: one of ${API_KEY_TYPES.join(", ")}`);
  } else if (!isUnknown(type) && !(API_KEY_TYPES as readonly unknown[]).includes(type)) {
    fail("type", `must be one of ${API_KEY_TYPES.join(", ")}; got ${JSON.stringify(type)}`);
  }
  return (API_KEY_TYPES as readonly unknown[]).includes(type) ? (type as ApiKeyType) : undefined;
}

/** Checks `modelIds`, `teamId` and `teamName` against the key's type; a null input is dropped from `inputs`. */
export function checkKeyScope(
  news: Record<string, unknown>,
  inputs: Record<string, unknown>,
  knownType: ApiKeyType | undefined,
  fail: Fail,
): void {
  // modelIds
  const modelIds = news.modelIds;
  if (modelIds !== undefined && modelIds !== null && !isUnknown(modelIds)) {
    if (!Array.isArray(modelIds)) {
      fail("modelIds", `must be a list of model ids, got ${typeOf(modelIds)}`);
    } else if (modelIds.length === 0) {
      fail("modelIds", "must list at least one model id; omit it for a key that is not scoped to models");
    } else if (modelIds.length > MAX_MODEL_IDS) {
      fail("modelIds", `lists ${modelIds.length} model ids; at most ${MAX_MODEL_IDS} are allowed`);
    } else {
      const bad = modelIds.findIndex((m) => !isUnknown(m) && (typeof m !== "string" || m.trim() === "" || m.length > 128));
      if (bad >= 0) fail(`modelIds[${bad}]`, "must be a non-empty model id string of at most 128 characters");
      const dup = modelIds.find((m, i) => !isUnknown(m) && modelIds.indexOf(m) !== i);
      if (dup !== undefined) fail("modelIds", `lists ${JSON.stringify(dup)} twice`);
    }
    if (knownType && !MODEL_SCOPED_TYPES.includes(knownType)) {
      fail(
        "modelIds",
        `is allowed only with type ${MODEL_SCOPED_TYPES.join(" or ")}; remove it or change type (got ${knownType})`,
      );
    }
  } else if (modelIds === null) {
    delete inputs.modelIds;
  }

  // teamId / teamName
  for (const field of ["teamId", "teamName"] as const) {
    const v = news[field];
    if (v === null) delete inputs[field];
    else if (v !== undefined && !isUnknown(v) && (typeof v !== "string" || v.trim() === "")) {
      fail(field, `must be a non-empty string, got ${typeOf(v)}`);
    }
  }
  const hasTeamId = news.teamId !== undefined && news.teamId !== null;
  const hasTeamName = news.teamName !== undefined && news.teamName !== null;
  if (hasTeamId && hasTeamName) fail("teamName", "cannot be set together with teamId; set one of them");
  if ((hasTeamId || hasTeamName) && knownType && TEAMLESS_TYPES.includes(knownType)) {
    fail(
      hasTeamId ? "teamId" : "teamName",
      `is not allowed for type ${knownType}: Baseten does not scope ${TEAMLESS_TYPES.join(" or ")} keys to teams`,
    );
  }
}
