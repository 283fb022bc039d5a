// Decodes an openAPIV3Schema (JSONSchemaProps) from untrusted JSON into a typed tree. Type mismatches are
// what Go's JSON decoder rejects before any validation runs, so they are collected as decode errors
// (the real server answers those with 400 BadRequest, not 422).
import { getOwn, isObject, sortedKeys, type JsonObject } from './json.js';
import type { Expr } from './cel/ast.js';

/** Schema nesting accepted by compileSchema; deeper schemas are refused as undecodable. */
export const MAX_SCHEMA_DEPTH = 256;

export interface ValidationRuleSpec {
  rule: string;
  message: string;
  messageExpression: string;
  reason: string | undefined;
  fieldPath: string;
  optionalOldSelf: boolean | undefined;
}

export interface SchemaOrBool {
  allows: boolean;
  schema: SchemaNode | undefined;
}

export interface SchemaNode {
  type: string;
  format: string;
  title: string;
  description: string;
  id: string;
  schemaURI: string;
  ref: string | undefined;
  nullable: boolean;
  /** Present when `default` is set to a non-null value. */
  default: { value: unknown } | undefined;
  maximum: number | undefined;
  exclusiveMaximum: boolean;
  minimum: number | undefined;
  exclusiveMinimum: boolean;
  maxLength: number | undefined;
  minLength: number | undefined;
  maxItems: number | undefined;
  minItems: number | undefined;
  maxProperties: number | undefined;
  minProperties: number | undefined;
  multipleOf: number | undefined;
  pattern: string;
  uniqueItems: boolean;
  enum: unknown[] | undefined;
  required: string[];
  items: SchemaNode | undefined;
  itemsArray: SchemaNode[] | undefined;
  allOf: SchemaNode[];
  oneOf: SchemaNode[];
  anyOf: SchemaNode[];
  not: SchemaNode | undefined;
  /** Sorted by name; undefined when the schema has no `properties` key (or it is null). */
  properties: Map<string, SchemaNode> | undefined;
  additionalProperties: SchemaOrBool | undefined;
  additionalItems: SchemaOrBool | undefined;
  patternProperties: Map<string, SchemaNode> | undefined;
  definitions: Map<string, SchemaNode> | undefined;
  dependencies: Map<string, { schema: SchemaNode | undefined; property: string[] }> | undefined;
  externalDocs: boolean;
  preserveUnknownFields: boolean | undefined;
  embeddedResource: boolean;
  intOrString: boolean;
  listMapKeys: string[];
  listType: string | undefined;
  mapType: string | undefined;
  validations: ValidationRuleSpec[];
  /** Filled by compileSchema for nodes on the structural spine. */
  rules: CompiledRule[];
}

export function emptyNode(): SchemaNode {
  return {
    type: '',
    format: '',
    title: '',
    description: '',
    id: '',
    schemaURI: '',
    ref: undefined,
    nullable: false,
    default: undefined,
    maximum: undefined,
    exclusiveMaximum: false,
    minimum: undefined,
    exclusiveMinimum: false,
    maxLength: undefined,
    minLength: undefined,
    maxItems: undefined,
    minItems: undefined,
    maxProperties: undefined,
    minProperties: undefined,
    multipleOf: undefined,
    pattern: '',
    uniqueItems: false,
    enum: undefined,
    required: [],
    items: undefined,
    itemsArray: undefined,
    allOf: [],
    oneOf: [],
    anyOf: [],
    not: undefined,
    properties: undefined,
    additionalProperties: undefined,
    additionalItems: undefined,
    patternProperties: undefined,
    definitions: undefined,
    dependencies: undefined,
    externalDocs: false,
    preserveUnknownFields: undefined,
    embeddedResource: false,
    intOrString: false,
    listMapKeys: [],
    listType: undefined,
    mapType: undefined,
    validations: [],
    rules: [],
  };
}

class Decoder {
  readonly errors: string[] = [];

  fail(goPath: string, v: unknown, goType: string): void {
    // Same wording as encoding/json's UnmarshalTypeError; only the first few matter to a client.
    if (this.errors.length < 20) {
      this.errors.push(
        `json: cannot unmarshal ${describeJson(v)} into Go struct field JSONSchemaProps.${goPath} of type ${goType}`,
      );
    }
  }

  str(o: JsonObject, key: string, path: string): string | undefined {
    const v = getOwn(o, key);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') {
      this.fail(path + key, v, 'string');
      return undefined;
    }
    return v;
  }

  bool(o: JsonObject, key: string, path: string): boolean | undefined {
    const v = getOwn(o, key);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') {
      this.fail(path + key, v, 'bool');
      return undefined;
    }
    return v;
  }

  float(o: JsonObject, key: string, path: string): number | undefined {
    const v = getOwn(o, key);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      this.fail(path + key, v, 'float64');
      return undefined;
    }
    return v;
  }

  int(o: JsonObject, key: string, path: string): number | undefined {
    const v = getOwn(o, key);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
      this.fail(path + key, v, 'int64');
      return undefined;
    }
    return v;
  }

  strings(o: JsonObject, key: string, path: string): string[] {
    const v = getOwn(o, key);
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      this.fail(path + key, v, '[]string');
      return [];
    }
    const out: string[] = [];
    for (const x of v) {
      if (typeof x === 'string') out.push(x);
      else if (x === null) out.push('');
      else this.fail(path + key, x, 'string');
    }
    return out;
  }

  schema(v: unknown, path: string, depth: number): SchemaNode {
    const n = emptyNode();
    if (!isObject(v)) {
      this.fail(path.replace(/\.$/, ''), v, 'v1.JSONSchemaProps');
      return n;
    }
    if (depth > MAX_SCHEMA_DEPTH) {
      if (this.errors.length < 20) this.errors.push(`schema nesting exceeds ${MAX_SCHEMA_DEPTH} levels`);
      return n;
    }
    const p = path;
    n.id = this.str(v, 'id', p) ?? '';
    n.schemaURI = this.str(v, '$schema', p) ?? '';
    n.ref = this.str(v, '$ref', p);
    n.description = this.str(v, 'description', p) ?? '';
    n.type = this.str(v, 'type', p) ?? '';
    n.format = this.str(v, 'format', p) ?? '';
    n.title = this.str(v, 'title', p) ?? '';
    const def = getOwn(v, 'default');
    if (def !== undefined && def !== null) n.default = { value: def };
    n.maximum = this.float(v, 'maximum', p);
    n.exclusiveMaximum = this.bool(v, 'exclusiveMaximum', p) ?? false;
    n.minimum = this.float(v, 'minimum', p);
    n.exclusiveMinimum = this.bool(v, 'exclusiveMinimum', p) ?? false;
    n.maxLength = this.int(v, 'maxLength', p);
    n.minLength = this.int(v, 'minLength', p);
    n.pattern = this.str(v, 'pattern', p) ?? '';
    n.maxItems = this.int(v, 'maxItems', p);
    n.minItems = this.int(v, 'minItems', p);
    n.uniqueItems = this.bool(v, 'uniqueItems', p) ?? false;
    n.multipleOf = this.float(v, 'multipleOf', p);
    const en = getOwn(v, 'enum');
    if (en !== undefined && en !== null) {
      if (Array.isArray(en)) n.enum = en.slice();
      else this.fail(p + 'enum', en, '[]v1.JSON');
    }
    n.maxProperties = this.int(v, 'maxProperties', p);
    n.minProperties = this.int(v, 'minProperties', p);
    n.required = this.strings(v, 'required', p);
    const items = getOwn(v, 'items');
    if (items !== undefined && items !== null) {
      if (Array.isArray(items)) n.itemsArray = items.map((x) => this.schema(x, p + 'items.', depth + 1));
      else if (isObject(items)) n.items = this.schema(items, p + 'items.', depth + 1);
      else this.fail(p + 'items', items, 'v1.JSONSchemaPropsOrArray');
    }
    n.allOf = this.schemaList(v, 'allOf', p, depth);
    n.oneOf = this.schemaList(v, 'oneOf', p, depth);
    n.anyOf = this.schemaList(v, 'anyOf', p, depth);
    const not = getOwn(v, 'not');
    if (not !== undefined && not !== null) n.not = this.schema(not, p + 'not.', depth + 1);
    n.properties = this.schemaMap(v, 'properties', p, depth);
    n.additionalProperties = this.schemaOrBool(v, 'additionalProperties', p, depth);
    n.patternProperties = this.schemaMap(v, 'patternProperties', p, depth);
    const deps = getOwn(v, 'dependencies');
    if (deps !== undefined && deps !== null) {
      if (!isObject(deps)) this.fail(p + 'dependencies', deps, 'v1.JSONSchemaDependencies');
      else {
        n.dependencies = new Map();
        for (const k of sortedKeys(deps)) {
          const d = deps[k];
          if (Array.isArray(d)) {
            n.dependencies.set(k, {
              schema: undefined,
              property: d.filter((x): x is string => typeof x === 'string'),
            });
          } else if (isObject(d)) {
            n.dependencies.set(k, { schema: this.schema(d, p + 'dependencies.', depth + 1), property: [] });
          } else if (d !== null) this.fail(p + 'dependencies', d, 'v1.JSONSchemaPropsOrStringArray');
        }
      }
    }
    n.additionalItems = this.schemaOrBool(v, 'additionalItems', p, depth);
    n.definitions = this.schemaMap(v, 'definitions', p, depth);
    const docs = getOwn(v, 'externalDocs');
    if (docs !== undefined && docs !== null) {
      if (!isObject(docs)) this.fail(p + 'externalDocs', docs, 'v1.ExternalDocumentation');
      else {
        this.str(docs, 'description', p + 'externalDocs.');
        this.str(docs, 'url', p + 'externalDocs.');
        n.externalDocs = true;
      }
    }
    n.nullable = this.bool(v, 'nullable', p) ?? false;
    n.preserveUnknownFields = this.bool(v, 'x-kubernetes-preserve-unknown-fields', p);
    n.embeddedResource = this.bool(v, 'x-kubernetes-embedded-resource', p) ?? false;
    n.intOrString = this.bool(v, 'x-kubernetes-int-or-string', p) ?? false;
    n.listMapKeys = this.strings(v, 'x-kubernetes-list-map-keys', p);
    n.listType = this.str(v, 'x-kubernetes-list-type', p);
    n.mapType = this.str(v, 'x-kubernetes-map-type', p);
    const rules = getOwn(v, 'x-kubernetes-validations');
    if (rules !== undefined && rules !== null) {
      if (!Array.isArray(rules)) this.fail(p + 'x-kubernetes-validations', rules, 'v1.ValidationRules');
      else {
        for (const r of rules) {
          const rp = p + 'x-kubernetes-validations.';
          if (r === null) {
            n.validations.push(emptyRule());
            continue;
          }
          if (!isObject(r)) {
            this.fail(p + 'x-kubernetes-validations', r, 'v1.ValidationRule');
            continue;
          }
          n.validations.push({
            rule: this.str(r, 'rule', rp) ?? '',
            message: this.str(r, 'message', rp) ?? '',
            messageExpression: this.str(r, 'messageExpression', rp) ?? '',
            reason: this.str(r, 'reason', rp),
            fieldPath: this.str(r, 'fieldPath', rp) ?? '',
            optionalOldSelf: this.bool(r, 'optionalOldSelf', rp),
          });
        }
      }
    }
    return n;
  }

  schemaList(o: JsonObject, key: string, path: string, depth: number): SchemaNode[] {
    const v = getOwn(o, key);
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      this.fail(path + key, v, '[]v1.JSONSchemaProps');
      return [];
    }
    return v.map((x) => this.schema(x, path + key + '.', depth + 1));
  }

  schemaMap(o: JsonObject, key: string, path: string, depth: number): Map<string, SchemaNode> | undefined {
    const v = getOwn(o, key);
    if (v === undefined || v === null) return undefined;
    if (!isObject(v)) {
      this.fail(path + key, v, 'map[string]v1.JSONSchemaProps');
      return undefined;
    }
    const m = new Map<string, SchemaNode>();
    for (const k of sortedKeys(v)) m.set(k, this.schema(v[k], path + key + '.', depth + 1));
    return m;
  }

  schemaOrBool(o: JsonObject, key: string, path: string, depth: number): SchemaOrBool | undefined {
    const v = getOwn(o, key);
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'boolean') return { allows: v, schema: undefined };
    if (isObject(v)) return { allows: true, schema: this.schema(v, path + key + '.', depth + 1) };
    this.fail(path + key, v, 'v1.JSONSchemaPropsOrBool');
    return undefined;
  }
}

function emptyRule(): ValidationRuleSpec {
  return {
    rule: '',
    message: '',
    messageExpression: '',
    reason: undefined,
    fieldPath: '',
    optionalOldSelf: undefined,
  };
}

function describeJson(v: unknown): string {
  if (typeof v === 'number') return 'number ' + String(v);
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'array';
  if (v === null || v === undefined) return 'null';
  return 'object';
}

export function decodeSchema(raw: unknown): { node: SchemaNode; errors: string[] } {
  const d = new Decoder();
  const node = d.schema(raw, '', 0);
  return { node, errors: d.errors };
}

/** One x-kubernetes-validations rule as compiled for its schema node (see cel/compile.ts). */
export interface CompiledRule {
  spec: ValidationRuleSpec;
  /** Undefined for an empty rule (skipped, as Kubernetes does) or one that failed to compile. */
  expr: Expr | undefined;
  messageExpr: Expr | undefined;
  usesOldSelf: boolean;
  /** fieldPath resolved against the schema, rendered as a field path suffix. */
  fieldPath: string | undefined;
  ruleError: string | undefined;
  messageExpressionError: string | undefined;
}
