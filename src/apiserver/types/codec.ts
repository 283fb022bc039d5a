// Decode JSON into the modelled Go structs and encode back, in one pass: the output is what
// kube-apiserver would write for that input (field order, omitempty, zero structs, canonical times),
// plus the unknown fields it dropped and the first type error Go's decoder would report.
import {
  GoTimeError,
  RFC3339,
  RFC3339Micro,
  formatMicroTime,
  formatTime,
  isZeroTime,
  parseGoTime,
} from '../gotime.js';
import { goTypeName, isPlainObject, resolve } from './model.js';
import type { GoType, JsonObject, JsonValue, TypeRef } from './model.js';

export class DecodeError extends Error {}

export interface Decoded {
  value: JsonObject;
  /** dropped unknown fields, as `spec.ports[0].foo` */
  unknown: string[];
}

interface Ctx {
  unknown: string[];
}

/** Where the decoder is; paths are only spelled out when an error or unknown field needs them. */
interface Loc {
  parent: Loc | undefined;
  /** field name, index or map key */
  seg: string;
  kind: 'root' | 'field' | 'index' | 'key';
  /** Go struct that holds the current field */
  struct: string;
}

function pathOf(loc: Loc): string {
  if (loc.kind === 'root' || !loc.parent) return '';
  const head = pathOf(loc.parent);
  if (loc.kind === 'index') return `${head}[${loc.seg}]`;
  return head ? `${head}.${loc.seg}` : loc.seg;
}

/** The JSON field names down to here, without indices (Go's UnmarshalTypeError.Field). */
function goPathOf(loc: Loc): string {
  if (loc.kind === 'root' || !loc.parent) return '';
  const head = goPathOf(loc.parent);
  if (loc.kind !== 'field') return head;
  return head ? `${head}.${loc.seg}` : loc.seg;
}

interface Out {
  v: JsonValue;
  /** Go's isEmptyValue, which decides omitempty */
  empty: boolean;
}

const ROOT: Loc = { parent: undefined, seg: '', kind: 'root', struct: '' };

export function decodeObject(input: unknown, t: TypeRef): Decoded {
  const ctx: Ctx = { unknown: [] };
  const out = dec(input as JsonValue, resolve(t), ROOT, ctx);
  return { value: (out.v ?? {}) as JsonObject, unknown: ctx.unknown };
}

/** Re-encode an already valid object (after defaulting or patching) into canonical form. */
export function canonical(input: JsonObject, t: TypeRef): JsonObject {
  return decodeObject(input, t).value;
}

function jsonKind(v: JsonValue): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'object';
  if (typeof v === 'number') return 'number';
  return typeof v;
}

function typeError(what: string, t: GoType, loc: Loc): DecodeError {
  if (loc.struct === '')
    return new DecodeError(`json: cannot unmarshal ${what} into Go value of type ${goTypeName(t)}`);
  return new DecodeError(
    `json: cannot unmarshal ${what} into Go struct field ${loc.struct}.${goPathOf(loc)} of type ${goTypeName(t)}`,
  );
}

const INT32 = [-2147483648, 2147483647] as const;

function dec(v: JsonValue | undefined, t: GoType, loc: Loc, ctx: Ctx): Out {
  const isNull = v === undefined || v === null;
  switch (t.kind) {
    case 'string':
      if (isNull) return { v: '', empty: true };
      if (typeof v !== 'string') throw typeError(jsonKind(v), t, loc);
      return { v, empty: v === '' };
    case 'int32':
    case 'int64': {
      if (isNull) return { v: 0, empty: true };
      if (typeof v !== 'number') throw typeError(jsonKind(v), t, loc);
      const bad =
        !Number.isInteger(v) ||
        (t.kind === 'int32' && (v < INT32[0] || v > INT32[1])) ||
        !Number.isSafeInteger(v);
      if (bad) throw typeError(`number ${String(v)}`, t, loc);
      return { v, empty: v === 0 };
    }
    case 'float64':
      if (isNull) return { v: 0, empty: true };
      if (typeof v !== 'number') throw typeError(jsonKind(v), t, loc);
      return { v, empty: v === 0 };
    case 'bool':
      if (isNull) return { v: false, empty: true };
      if (typeof v !== 'boolean') throw typeError(jsonKind(v), t, loc);
      return { v, empty: !v };
    case 'time':
    case 'microtime': {
      if (isNull) return { v: null, empty: false };
      if (typeof v !== 'string')
        throw new DecodeError(`json: cannot unmarshal ${jsonKind(v)} into Go value of type string`);
      try {
        const micro = t.kind === 'microtime';
        const parsed = parseGoTime(micro ? RFC3339Micro : RFC3339, v);
        if (isZeroTime(parsed)) return { v: null, empty: false };
        return { v: micro ? formatMicroTime(parsed) : formatTime(parsed), empty: false };
      } catch (e) {
        if (e instanceof GoTimeError) throw new DecodeError(e.message);
        throw e;
      }
    }
    case 'intOrString':
      if (isNull) return { v: 0, empty: false };
      if (typeof v === 'string') return { v, empty: false };
      if (typeof v === 'number' && Number.isInteger(v) && v >= INT32[0] && v <= INT32[1])
        return { v, empty: false };
      throw new DecodeError(
        `json: cannot unmarshal ${typeof v === 'number' ? `number ${v}` : jsonKind(v)} into Go value of type int32`,
      );
    case 'quantity': {
      if (isNull) return { v: '0', empty: false };
      const s = typeof v === 'number' ? String(v) : v;
      if (typeof s !== 'string' || !/^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/.test(s))
        throw new DecodeError(
          "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
        );
      return { v: s, empty: false };
    }
    case 'bytes': {
      if (isNull) return { v: null, empty: true };
      if (typeof v !== 'string') throw typeError(jsonKind(v), t, loc);
      const clean = v.replace(/[\r\n]/g, '');
      const badAt = base64Error(clean);
      if (badAt !== undefined) throw new DecodeError(`illegal base64 data at input byte ${badAt}`);
      const buf = Buffer.from(clean, 'base64');
      return { v: buf.toString('base64'), empty: buf.length === 0 };
    }
    case 'raw':
      if (isNull) return { v: null, empty: true };
      return { v: structuredClone(v), empty: false };
    case 'ptr': {
      if (isNull) return { v: null, empty: true };
      const inner = dec(v, resolve(t.elem), loc, ctx);
      return { v: inner.v, empty: false };
    }
    case 'slice': {
      if (isNull) return { v: null, empty: true };
      if (!Array.isArray(v)) throw typeError(jsonKind(v), t, loc);
      const elem = resolve(t.elem);
      const out = v.map(
        (item, i) =>
          dec(item, elem, { parent: loc, seg: String(i), kind: 'index', struct: loc.struct }, ctx).v,
      );
      return { v: out, empty: out.length === 0 };
    }
    case 'map': {
      if (isNull) return { v: null, empty: true };
      if (!isPlainObject(v)) throw typeError(jsonKind(v), t, loc);
      const elem = resolve(t.elem);
      const out: JsonObject = {};
      // Go writes map keys sorted.
      for (const k of Object.keys(v).sort()) {
        out[k] = dec(v[k], elem, { parent: loc, seg: k, kind: 'key', struct: loc.struct }, ctx).v;
      }
      return { v: out, empty: Object.keys(out).length === 0 };
    }
    case 'struct': {
      if (!isNull && !isPlainObject(v)) throw typeError(jsonKind(v), t, loc);
      const src: JsonObject = isNull ? {} : v;
      const out: JsonObject = {};
      const structName = t.goName.slice(t.goName.indexOf('.') + 1);
      for (const fd of t.fields) {
        const childLoc: Loc = { parent: loc, seg: fd.json, kind: 'field', struct: structName };
        const r = dec(src[fd.json], resolve(fd.type), childLoc, ctx);
        if (fd.omitempty && r.empty) continue;
        out[fd.json] = r.v;
      }
      if (!isNull) {
        for (const k of Object.keys(src)) {
          if (!t.index?.has(k)) {
            const p = pathOf(loc);
            ctx.unknown.push(p ? `${p}.${k}` : k);
          }
        }
      }
      return { v: out, empty: false };
    }
    case 'union': {
      if (isNull) return { v: null, empty: true };
      const pick = t.decode(v);
      if (pick === 'bool') {
        if (typeof v !== 'boolean') throw typeError(jsonKind(v), t, loc);
        return { v, empty: false };
      }
      if (pick === 'stringArray') {
        if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) throw typeError(jsonKind(v), t, loc);
        return { v: [...v], empty: false };
      }
      return { v: dec(v, resolve(pick), loc, ctx).v, empty: false };
    }
  }
}

/** Index of the first byte Go's base64.StdEncoding would reject, or undefined. */
function base64Error(s: string): number | undefined {
  const m = /^[A-Za-z0-9+/]*/.exec(s);
  let i = m ? m[0].length : 0;
  const rest = s.slice(i);
  if (rest === '') return i % 4 === 1 ? i - 1 : i % 4 === 0 ? undefined : i;
  if (rest === '=' && i % 4 === 3) return undefined;
  if (rest === '==' && i % 4 === 2) return undefined;
  if (rest[0] === '=') return i;
  while (i < s.length && /[A-Za-z0-9+/=]/.test(s[i] ?? '')) i++;
  return i;
}
