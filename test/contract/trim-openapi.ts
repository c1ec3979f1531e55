/**
 * Trims Baseten's published OpenAPI spec (139 paths, ~740 kB) down to the operations this
 * project uses, so the contract tests can ship a small, reviewable snapshot in the repo
 * instead of reading the full spec at test time.
 *
 * Usage: npx ts-node test/contract/trim-openapi.ts <path/to/openapi.json> [out.json]
 * (default out: test/contract/baseten-openapi.json next to this script)
 *
 * It keeps only structural schema keywords and fails loudly on any other keyword in a kept
 * schema, so a future spec that adds a constraint (pattern, maxLength, ...) is not silently
 * weakened by a rerun: extend SCHEMA_KEYWORDS instead.
 */
import * as fs from "fs";
import * as path from "path";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const SOURCE_NOTE =
  "https://api.baseten.co/v1/spec, snapshot of 2026-08-22, trimmed to the API-key, team, user, audit-log and secret operations";

/** The operations the provider and its tests need, in output order. */
const KEPT_OPERATIONS: Array<[string, string[]]> = [
  ["/v1/api_keys", ["get", "post"]],
  ["/v1/teams/{team_id}/api_keys", ["post"]],
  ["/v1/api_keys/{api_key_prefix}", ["delete"]],
  ["/v1/teams", ["get"]],
  ["/v1/users/me", ["get"]],
  ["/v1/audit_logs", ["get"]],
  ["/v1/secrets", ["get", "post"]],
  ["/v1/secrets/{secret_name}", ["delete"]],
  ["/v1/teams/{team_id}/secrets", ["get", "post"]],
  ["/v1/teams/{team_id}/secrets/{secret_name}", ["delete"]],
];

/** Structural schema keywords we keep. `default` and `enum` values are copied verbatim. */
const SCHEMA_KEYWORDS = new Set([
  "type",
  "properties",
  "required",
  "enum",
  "items",
  "anyOf",
  "$ref",
  "title",
  "default",
  "format",
  // The audit log's entries are a discriminated union of event schemas.
  "oneOf",
  "const",
  "additionalProperties",
  "minimum",
  "maximum",
]);
/** Documentation-only keywords we drop on purpose. */
// `discriminator` only restates the `const` of each oneOf branch's `event_type`, which is kept.
const DROPPED_KEYWORDS = new Set(["description", "examples", "x-codeSamples", "summary", "discriminator"]);

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function fail(message: string): never {
  throw new Error(`trim-openapi: ${message}`);
}

class Trimmer {
  /** Component refs still to copy, e.g. "#/components/schemas/APIKeyV1". */
  private readonly pending: string[] = [];
  private readonly seen = new Set<string>();

  constructor(private readonly spec: JsonObject) {}

  private noteRef(ref: string, where: string): void {
    if (!/^#\/components\/(schemas|parameters)\/[^/]+$/.test(ref)) {
      fail(`unsupported $ref ${ref} at ${where}`);
    }
    if (!this.seen.has(ref)) {
      this.seen.add(ref);
      this.pending.push(ref);
    }
  }

  schema(node: Json | undefined, where: string): JsonObject {
    if (!isObject(node)) fail(`expected a schema object at ${where}`);
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(node)) {
      if (DROPPED_KEYWORDS.has(key)) continue;
      if (!SCHEMA_KEYWORDS.has(key)) fail(`unexpected schema keyword "${key}" at ${where}`);
      const at = `${where}/${key}`;
      switch (key) {
        case "properties": {
          if (!isObject(value)) fail(`properties must be an object at ${at}`);
          const props: JsonObject = {};
          for (const [name, sub] of Object.entries(value)) props[name] = this.schema(sub, `${at}/${name}`);
          out[key] = props;
          break;
        }
        case "items":
          out[key] = this.schema(value, at);
          break;
        case "anyOf":
        case "oneOf":
          if (!Array.isArray(value)) fail(`${key} must be an array at ${at}`);
          out[key] = value.map((sub, i) => this.schema(sub, `${at}/${i}`));
          break;
        case "additionalProperties":
          out[key] = typeof value === "boolean" ? value : this.schema(value, at);
          break;
        case "$ref":
          if (typeof value !== "string") fail(`$ref must be a string at ${at}`);
          this.noteRef(value, at);
          out[key] = value;
          break;
        default:
          out[key] = value;
      }
    }
    return out;
  }

  parameter(node: Json | undefined, where: string): JsonObject {
    if (!isObject(node)) fail(`expected a parameter at ${where}`);
    if (typeof node.$ref === "string") {
      this.noteRef(node.$ref, where);
      return { $ref: node.$ref };
    }
    const out: JsonObject = {};
    for (const key of ["name", "in", "required"]) if (key in node) out[key] = node[key];
    out.schema = this.schema(node.schema, `${where}/schema`);
    return out;
  }

  private content(node: Json | undefined, where: string): JsonObject {
    if (!isObject(node)) fail(`expected content at ${where}`);
    const out: JsonObject = {};
    for (const [mediaType, media] of Object.entries(node)) {
      if (!isObject(media)) fail(`expected a media type object at ${where}/${mediaType}`);
      out[mediaType] = { schema: this.schema(media.schema, `${where}/${mediaType}/schema`) };
    }
    return out;
  }

  operation(node: Json | undefined, where: string): JsonObject {
    if (!isObject(node)) fail(`missing operation ${where}`);
    const out: JsonObject = {};
    if (Array.isArray(node.parameters)) {
      out.parameters = node.parameters.map((p, i) => this.parameter(p, `${where}/parameters/${i}`));
    }
    if (isObject(node.requestBody)) {
      const body: JsonObject = { content: this.content(node.requestBody.content, `${where}/requestBody/content`) };
      if (typeof node.requestBody.required === "boolean") body.required = node.requestBody.required;
      out.requestBody = body;
    }
    if (!isObject(node.responses)) fail(`no responses at ${where}`);
    const responses: JsonObject = {};
    for (const [status, response] of Object.entries(node.responses)) {
      if (!isObject(response)) fail(`bad response ${status} at ${where}`);
      // OpenAPI 3.1 requires `description` on a Response Object; Baseten's are all "",
      // so keeping it costs nothing and keeps the trimmed file a valid OpenAPI document.
      const kept: JsonObject = { description: "" };
      if (response.content !== undefined) kept.content = this.content(response.content, `${where}/responses/${status}/content`);
      responses[status] = kept;
    }
    out.responses = responses;
    return out;
  }

  /** Copies every component referenced so far, following refs transitively. */
  components(): JsonObject {
    const source = this.spec.components;
    if (!isObject(source)) fail("spec has no components");
    const buckets: Record<string, JsonObject> = { parameters: {}, schemas: {} };
    while (this.pending.length > 0) {
      const ref = this.pending.shift() as string;
      const [, , kind, name] = ref.split("/");
      const group = source[kind];
      if (!isObject(group) || group[name] === undefined) fail(`dangling $ref ${ref}`);
      buckets[kind][name] = kind === "schemas" ? this.schema(group[name], ref) : this.parameter(group[name], ref);
    }
    const sorted = (o: JsonObject): JsonObject =>
      Object.fromEntries(
        Object.keys(o)
          .sort()
          .map((k) => [k, o[k]]),
      );
    const out: JsonObject = { parameters: sorted(buckets.parameters), schemas: sorted(buckets.schemas) };
    // Keep the auth scheme (without its prose): the contract includes how requests authenticate.
    if (isObject(source.securitySchemes)) {
      const schemes: JsonObject = {};
      for (const [name, scheme] of Object.entries(source.securitySchemes)) {
        if (!isObject(scheme)) continue;
        schemes[name] = Object.fromEntries(Object.entries(scheme).filter(([k]) => !DROPPED_KEYWORDS.has(k)));
      }
      out.securitySchemes = schemes;
    }
    return out;
  }
}

export function trimOpenApi(spec: JsonObject): JsonObject {
  const trimmer = new Trimmer(spec);
  const sourcePaths = spec.paths;
  if (!isObject(sourcePaths)) fail("spec has no paths");
  const paths: JsonObject = {};
  for (const [route, methods] of KEPT_OPERATIONS) {
    const item = sourcePaths[route];
    if (!isObject(item)) fail(`path ${route} not found`);
    const outItem: JsonObject = {};
    // Path-level parameters (e.g. {team_id}) apply to every operation of the path.
    if (Array.isArray(item.parameters)) {
      outItem.parameters = item.parameters.map((p, i) => trimmer.parameter(p, `${route}/parameters/${i}`));
    }
    for (const method of methods) outItem[method] = trimmer.operation(item[method], `${route}/${method}`);
    paths[route] = outItem;
  }
  const info = isObject(spec.info) ? spec.info : {};
  const out: JsonObject = {
    openapi: spec.openapi ?? fail("spec has no openapi version"),
    info: { title: info.title ?? null, version: info.version ?? null },
    "x-source": SOURCE_NOTE,
  };
  if (spec.servers !== undefined) out.servers = spec.servers;
  if (spec.security !== undefined) out.security = spec.security;
  out.paths = paths;
  out.components = trimmer.components();
  return out;
}

function main(argv: string[]): void {
  const [input, output = path.join(__dirname, "baseten-openapi.json")] = argv;
  if (!input) {
    process.stderr.write("usage: ts-node test/contract/trim-openapi.ts <openapi.json> [out.json]\n");
    process.exit(2);
  }
  const spec = JSON.parse(fs.readFileSync(input, "utf8")) as Json;
  if (!isObject(spec)) fail(`${input} is not a JSON object`);
  fs.writeFileSync(output, JSON.stringify(trimOpenApi(spec), null, 2) + "\n");
  process.stdout.write(`wrote ${output}\n`);
}

if (require.main === module) main(process.argv.slice(2));
