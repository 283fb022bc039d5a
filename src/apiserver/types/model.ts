// A small model of the Go structs behind built-in Kubernetes kinds. The real server decodes JSON
// into Go structs and encodes them back, and most of its visible JSON quirks come from that round
// trip: field order, `omitempty`, struct values that are never omitted (`status: {loadBalancer: {}}`),
// zero times written as `null`, unknown fields dropped. Describing the structs lets one codec
// reproduce all of that, and carries the patch/list metadata strategic merge and managedFields need.

export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };
export type JsonObject = { [k: string]: JsonValue };

export interface FieldDef {
  json: string;
  type: TypeRef;
  omitempty: boolean;
  /** strategic merge patch: `merge` with patchMergeKey, `replace`, or `retainKeys` */
  patchStrategy?: 'merge' | 'replace' | 'retainKeys';
  patchMergeKey?: string;
  /** structured-merge-diff list semantics (managedFields keys) */
  listType?: 'atomic' | 'set' | 'map';
  listMapKeys?: string[];
  /** `+mapType=atomic` / `+structType=atomic`: owned as one leaf */
  atomic?: boolean;
}

export type GoType =
  | { kind: 'string' | 'int32' | 'int64' | 'bool' | 'float64' }
  | { kind: 'time' | 'microtime' | 'intOrString' | 'quantity' | 'bytes' | 'raw' }
  | { kind: 'ptr'; elem: TypeRef }
  | { kind: 'slice'; elem: TypeRef }
  | { kind: 'map'; elem: TypeRef }
  | { kind: 'struct'; goName: string; fields: FieldDef[]; index?: Map<string, FieldDef> }
  | { kind: 'union'; goName: string; decode: UnionDecoder };

/** A union (JSONSchemaPropsOrBool and friends) picks its concrete type from the JSON shape. */
export type UnionDecoder = (v: JsonValue) => TypeRef | 'bool' | 'stringArray';

export type TypeRef = GoType | (() => GoType);

export function resolve(t: TypeRef): GoType {
  return typeof t === 'function' ? t() : t;
}

// ---------------------------------------------------------------------------------------------
// Constructors, so type tables read like the Go source.

export const str: GoType = { kind: 'string' };
export const i32: GoType = { kind: 'int32' };
export const i64: GoType = { kind: 'int64' };
export const bool: GoType = { kind: 'bool' };
export const f64: GoType = { kind: 'float64' };
export const time: GoType = { kind: 'time' };
export const microTime: GoType = { kind: 'microtime' };
export const intOrString: GoType = { kind: 'intOrString' };
export const quantity: GoType = { kind: 'quantity' };
export const bytes: GoType = { kind: 'bytes' };
export const raw: GoType = { kind: 'raw' };
export const ptr = (elem: TypeRef): GoType => ({ kind: 'ptr', elem });
export const slice = (elem: TypeRef): GoType => ({ kind: 'slice', elem });
export const map = (elem: TypeRef): GoType => ({ kind: 'map', elem });

type FieldOpts = Omit<FieldDef, 'json' | 'type' | 'omitempty'>;
/** `f('name', str)` is `json:"name,omitempty"`; `req('name', str)` has no omitempty. */
export const f = (json: string, type: TypeRef, opts: FieldOpts = {}): FieldDef => ({
  json,
  type,
  omitempty: true,
  ...opts,
});
export const req = (json: string, type: TypeRef, opts: FieldOpts = {}): FieldDef => ({
  json,
  type,
  omitempty: false,
  ...opts,
});
export function struct(goName: string, fields: FieldDef[]): GoType & { kind: 'struct' } {
  return { kind: 'struct', goName, fields, index: new Map(fields.map((fd) => [fd.json, fd])) };
}

export function fieldOf(t: GoType, name: string): FieldDef | undefined {
  return t.kind === 'struct' ? t.index?.get(name) : undefined;
}

/** Go spelling of a type, for decode error messages. */
export function goTypeName(t: TypeRef): string {
  const r = resolve(t);
  switch (r.kind) {
    case 'string':
    case 'int32':
    case 'int64':
    case 'bool':
    case 'float64':
      return r.kind;
    case 'time':
      return 'v1.Time';
    case 'microtime':
      return 'v1.MicroTime';
    case 'intOrString':
      return 'intstr.IntOrString';
    case 'quantity':
      return 'resource.Quantity';
    case 'bytes':
      return '[]uint8';
    case 'raw':
      return 'json.RawMessage';
    case 'ptr':
      return '*' + goTypeName(r.elem);
    case 'slice':
      return '[]' + goTypeName(r.elem);
    case 'map':
      return 'map[string]' + goTypeName(r.elem);
    case 'struct':
    case 'union':
      return r.goName;
  }
}

export function isPlainObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
