/**
 * Validators for Baseten's API-key and team operations, compiled from the trimmed snapshot
 * of Baseten's own OpenAPI 3.1 spec (baseten-openapi.json, produced by trim-openapi.ts).
 *
 * Schemas are never copied by hand: the whole document is registered with ajv under an $id
 * and each operation's schema is reached through the spec's own $ref, so updating the
 * snapshot updates the contract.
 */
import Ajv2020, { ErrorObject, ValidateFunction } from "ajv/dist/2020";
import spec from "./baseten-openapi.json";

export type ContractOperation =
  "createKey" | "createTeamKey" | "listKeys" | "deleteKey" | "listTeams" | "usersMe" | "auditLogs" | SecretContractOperation;

/** The secret operations (exercised by secret-contract.test.ts). */
export type SecretContractOperation =
  "listSecrets" | "upsertSecret" | "deleteSecret" | "listTeamSecrets" | "upsertTeamSecret" | "deleteTeamSecret";

export const SECRET_CONTRACT_OPERATIONS: readonly SecretContractOperation[] = [
  "listSecrets",
  "upsertSecret",
  "deleteSecret",
  "listTeamSecrets",
  "upsertTeamSecret",
  "deleteTeamSecret",
];

/** Method and path template of each operation, exactly as keyed in the spec's `paths`. */
export const CONTRACT_OPERATIONS: Readonly<Record<ContractOperation, { method: string; path: string }>> = {
  createKey: { method: "POST", path: "/v1/api_keys" },
  createTeamKey: { method: "POST", path: "/v1/teams/{team_id}/api_keys" },
  listKeys: { method: "GET", path: "/v1/api_keys" },
  deleteKey: { method: "DELETE", path: "/v1/api_keys/{api_key_prefix}" },
  listTeams: { method: "GET", path: "/v1/teams" },
  usersMe: { method: "GET", path: "/v1/users/me" },
  auditLogs: { method: "GET", path: "/v1/audit_logs" },
  listSecrets: { method: "GET", path: "/v1/secrets" },
  upsertSecret: { method: "POST", path: "/v1/secrets" },
  deleteSecret: { method: "DELETE", path: "/v1/secrets/{secret_name}" },
  listTeamSecrets: { method: "GET", path: "/v1/teams/{team_id}/secrets" },
  upsertTeamSecret: { method: "POST", path: "/v1/teams/{team_id}/secrets" },
  deleteTeamSecret: { method: "DELETE", path: "/v1/teams/{team_id}/secrets/{secret_name}" },
};

/** $id under which the spec document is registered; refs into it look like `${SPEC_ID}#/...`. */
export const SPEC_ID = "https://api.baseten.co/v1/spec";

type JsonObject = Record<string, unknown>;

function child(node: unknown, key: string): unknown {
  return node !== null && typeof node === "object" ? (node as JsonObject)[key] : undefined;
}

/** Reads the `$ref` the spec gives for an operation's 200 response or request body. */
function schemaRef(operation: ContractOperation, part: "response" | "request"): string | undefined {
  const { method, path } = CONTRACT_OPERATIONS[operation];
  const op = child(child(spec.paths, path), method.toLowerCase());
  const holder = part === "response" ? child(child(op, "responses"), "200") : child(op, "requestBody");
  const ref = child(child(child(child(holder, "content"), "application/json"), "schema"), "$ref");
  return typeof ref === "string" ? ref : undefined;
}

/** RFC 3339 date-time (what OpenAPI's `format: date-time` means); ajv-formats is not a dependency. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

let ajv: Ajv2020 | undefined;
const compiled = new Map<string, ValidateFunction>();

function validatorFor(ref: string): ValidateFunction {
  let validate = compiled.get(ref);
  if (validate) return validate;
  if (!ajv) {
    ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, logger: false });
    // ajv compiles the document root when resolving a ref into it, and the root of an OpenAPI
    // document is not a schema: declare its members as annotation-only keywords rather than
    // turning strict mode off, so unknown keywords inside real schemas still fail loudly.
    ajv.addVocabulary(Object.keys(spec).filter((k) => k !== "$id"));
    ajv.addFormat("date-time", { type: "string", validate: (s: string) => DATE_TIME.test(s) && !Number.isNaN(Date.parse(s)) });
    ajv.addSchema({ ...spec, $id: SPEC_ID });
  }
  validate = ajv.compile({ $ref: `${SPEC_ID}${ref}` });
  compiled.set(ref, validate);
  return validate;
}

function describe(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const where = e.instancePath === "" ? "(body)" : e.instancePath;
    const extra = e.keyword === "enum" ? ` (${(e.params as { allowedValues: unknown[] }).allowedValues.join(", ")})` : "";
    return `${where} ${e.message ?? e.keyword}${extra}`;
  });
}

/** Validates a 200 response body; returns readable errors, empty when it matches the spec. */
export function validateResponseBody(operation: ContractOperation, body: unknown): string[] {
  const ref = schemaRef(operation, "response");
  if (!ref) return [`the spec declares no JSON 200 response for ${operation}`];
  const validate = validatorFor(ref);
  return validate(body) ? [] : describe(validate.errors);
}

/**
 * Validates a request body. Only the two create operations take one; for the others a
 * missing body is valid and any body is reported.
 */
export function validateRequestBody(operation: ContractOperation, body: unknown): string[] {
  const ref = schemaRef(operation, "request");
  if (!ref) return body === undefined ? [] : [`${operation} takes no request body`];
  const validate = validatorFor(ref);
  return validate(body) ? [] : describe(validate.errors);
}

/**
 * Maps a request as sent (e.g. `DELETE /v1/api_keys/abc%2Fdef?x=1`) to its operation.
 * Matches the raw path split on "/" so an encoded slash stays inside one segment.
 */
export function operationFor(method: string, rawPath: string): ContractOperation | undefined {
  const pathOnly = rawPath.split("?")[0].split("#")[0];
  const segments = pathOnly.split("/");
  const upper = method.toUpperCase();
  for (const [operation, def] of Object.entries(CONTRACT_OPERATIONS) as Array<
    [ContractOperation, { method: string; path: string }]
  >) {
    if (def.method !== upper) continue;
    const template = def.path.split("/");
    if (template.length !== segments.length) continue;
    const matches = template.every((t, i) => (/^\{[^}]+\}$/.test(t) ? segments[i] !== "" : t === segments[i]));
    if (matches) return operation;
  }
  return undefined;
}
