// Runtime CEL values. Custom resource data is wrapped lazily with its schema, as apiextensions'
// UnstructuredToVal does: a value that does not match its schema only turns into an error when a rule
// actually reads it (that is how "invalid data, expected []interface{} ..." reaches the client).
import { goTypeName } from '../gofmt.js';
import { canonicalJson, deepEqual, hasOwn, isGoInt, isObject, sortedKeys } from '../json.js';
import type { SchemaNode } from '../node.js';
import { escapeName, metadataNode, stringNode, unescapeName } from './types.js';

export class CelUint {
  constructor(readonly v: bigint) {}
}

export class CelErr {
  constructor(readonly message: string) {}
}

/** Nanoseconds since the Unix epoch, plus the UTC offset the text carried (kept for string()). */
export class Timestamp {
  constructor(
    readonly ns: bigint,
    readonly offsetMin = 0,
  ) {}
}

export class Duration {
  constructor(readonly ns: bigint) {}
}

export class TypeValue {
  constructor(readonly name: string) {}
}

export class Optional {
  constructor(readonly value: Val | undefined) {}
}

export class IPValue {
  /** 4 or 16 bytes. */
  constructor(readonly bytes: Uint8Array) {}
}

export class CIDRValue {
  constructor(
    readonly ip: IPValue,
    readonly prefix: number,
  ) {}
}

export class URLValue {
  constructor(
    readonly scheme: string,
    readonly host: string,
    readonly hostname: string,
    readonly port: string,
    readonly escapedPath: string,
    readonly query: Map<string, string[]>,
  ) {}
}

/** x-kubernetes-preserve-unknown-fields data without a type: only equality is defined on it. */
export class Unknown {
  constructor(readonly raw: unknown) {}
}

export abstract class ListValue {
  abstract readonly size: number;
  abstract get(i: number): Val;
  /** 'set' and 'map' lists compare without regard to order. */
  abstract readonly listType: 'atomic' | 'set' | 'map';
  readonly mapKeys: readonly string[] = [];
  *values(): Generator<Val> {
    for (let i = 0; i < this.size; i++) yield this.get(i);
  }
}

export class ArrayList extends ListValue {
  constructor(
    readonly items: Val[],
    readonly listType: 'atomic' | 'set' | 'map' = 'atomic',
    override readonly mapKeys: readonly string[] = [],
  ) {
    super();
  }
  get size(): number {
    return this.items.length;
  }
  get(i: number): Val {
    return this.items[i] ?? new CelErr('index out of bounds: ' + String(i));
  }
}

export class LazyList extends ListValue {
  constructor(
    readonly raw: unknown[],
    readonly items: SchemaNode,
    readonly listType: 'atomic' | 'set' | 'map',
    override readonly mapKeys: readonly string[],
  ) {
    super();
  }
  get size(): number {
    return this.raw.length;
  }
  get(i: number): Val {
    if (i < 0 || i >= this.raw.length) return new CelErr('index out of bounds: ' + String(i));
    return fromData(this.raw[i], this.items, this.items.embeddedResource);
  }
}

/** Key used to look up CEL map entries: int and uint keys with equal values collide, as in CEL. */
export function mapKeyOf(k: Val): string | undefined {
  if (typeof k === 'string') return 's' + k;
  if (typeof k === 'bigint') return 'n' + k.toString();
  if (k instanceof CelUint) return 'n' + k.v.toString();
  if (typeof k === 'boolean') return k ? 'bt' : 'bf';
  if (typeof k === 'number' && Number.isInteger(k)) return 'n' + BigInt(k).toString();
  return undefined;
}

export abstract class MapValue {
  abstract readonly size: number;
  abstract keys(): Generator<Val>;
  abstract get(key: Val): Val | undefined;
  has(key: Val): boolean {
    return this.get(key) !== undefined;
  }
}

export class ValueMap extends MapValue {
  constructor(readonly entries: Map<string, [Val, Val]>) {
    super();
  }
  get size(): number {
    return this.entries.size;
  }
  *keys(): Generator<Val> {
    for (const [k] of this.entries.values()) yield k;
  }
  get(key: Val): Val | undefined {
    const mk = mapKeyOf(key);
    return mk === undefined ? undefined : this.entries.get(mk)?.[1];
  }
}

/** An object with declared properties (or an embedded resource); keys are escaped property names. */
export class LazyObject extends MapValue {
  constructor(
    readonly raw: Record<string, unknown>,
    readonly node: SchemaNode,
    readonly resourceRoot: boolean,
  ) {
    super();
  }
  private propNode(prop: string): SchemaNode | undefined {
    if (this.resourceRoot) {
      if (prop === 'apiVersion' || prop === 'kind') return stringNode();
      if (prop === 'metadata') return metadataNode();
    }
    return this.node.properties?.get(prop);
  }
  private visibleProps(): string[] {
    return sortedKeys(this.raw).filter(
      (p) => this.raw[p] !== null && this.propNode(p) !== undefined && escapeName(p) !== undefined,
    );
  }
  /** Node of a property, undefined when CEL cannot see it. */
  nodeOf(prop: string): SchemaNode | undefined {
    return this.propNode(prop);
  }
  get size(): number {
    return this.visibleProps().length;
  }
  *keys(): Generator<Val> {
    for (const p of this.visibleProps()) yield escapeName(p) ?? p;
  }
  get(key: Val): Val | undefined {
    if (typeof key !== 'string') return undefined;
    const prop = unescapeName(key);
    // Object fields set to null are treated as absent, as Kubernetes does.
    if (prop === undefined || !hasOwn(this.raw, prop) || this.raw[prop] === null) return undefined;
    const sub = this.propNode(prop);
    if (!sub) return undefined;
    return fromData(this.raw[prop], sub, sub.embeddedResource);
  }
}

/** An additionalProperties map: string keys, values typed by one schema. */
export class LazyMap extends MapValue {
  constructor(
    readonly raw: Record<string, unknown>,
    readonly valueNode: SchemaNode | undefined,
  ) {
    super();
  }
  get size(): number {
    return this.valueNode ? Object.keys(this.raw).length : 0;
  }
  *keys(): Generator<Val> {
    if (!this.valueNode) return;
    for (const k of sortedKeys(this.raw)) yield k;
  }
  get(key: Val): Val | undefined {
    if (typeof key !== 'string' || !this.valueNode || !hasOwn(this.raw, key)) return undefined;
    return fromData(this.raw[key], this.valueNode, this.valueNode.embeddedResource);
  }
}

export type Val =
  | bigint
  | number
  | string
  | boolean
  | null
  | Uint8Array
  | CelUint
  | Timestamp
  | Duration
  | ListValue
  | MapValue
  | TypeValue
  | Optional
  | IPValue
  | CIDRValue
  | URLValue
  | Unknown
  | CelErr;

const GO_RFC3339_FULL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** UnstructuredToVal: wraps data with its schema. */
export function fromData(data: unknown, node: SchemaNode, resourceRoot: boolean): Val {
  if (data === null || data === undefined) {
    if (node.nullable) return null;
    return new CelErr('invalid data, got null for schema with nullable=false');
  }
  if (node.intOrString) {
    if (typeof data === 'string') return data;
    if (typeof data === 'number' && isGoInt(data)) return BigInt(data);
    return new CelErr('invalid data, expected XIntOrString value to be either a string or integer');
  }
  const type = resourceRoot && node.type === '' ? 'object' : node.type;
  switch (type) {
    case 'object': {
      if (!isObject(data)) {
        return new CelErr(
          'invalid data, expected map[string]interface{} to match the provided schema with type=object',
        );
      }
      if (resourceRoot || node.properties !== undefined) return new LazyObject(data, node, resourceRoot);
      const ap = node.additionalProperties?.schema;
      if (ap) return new LazyMap(data, ap);
      if (node.preserveUnknownFields) return new LazyObject(data, node, false);
      return new CelErr(
        'invalid object type, expected either Properties or AdditionalProperties with Allows=true and non-empty Schema',
      );
    }
    case 'array': {
      if (!Array.isArray(data)) {
        return new CelErr(
          'invalid data, expected []interface{} to match the provided schema with type=array',
        );
      }
      if (!node.items) return new CelErr('invalid array type, expected Items with a non-empty Schema');
      const lt = node.listType ?? 'atomic';
      if (lt !== 'atomic' && lt !== 'set' && lt !== 'map') {
        return new CelErr(`invalid x-kubernetes-list-type, expected 'map', 'set' or 'atomic' but got ${lt}`);
      }
      return new LazyList(data, node.items, lt, lt === 'map' ? node.listMapKeys : []);
    }
    case 'string':
      if (typeof data !== 'string')
        return new CelErr('invalid data, expected string, got ' + goTypeName(data));
      return convertFormattedString(data, node.format);
    case 'number':
      if (typeof data !== 'number')
        return new CelErr('invalid data, expected float, got ' + goTypeName(data));
      return data;
    case 'integer':
      if (typeof data !== 'number' || !isGoInt(data)) {
        return new CelErr('invalid data, expected int, got ' + goTypeName(data));
      }
      return BigInt(data);
    case 'boolean':
      if (typeof data !== 'boolean')
        return new CelErr('invalid data, expected bool, got ' + goTypeName(data));
      return data;
    default:
      if (node.preserveUnknownFields) return new Unknown(data);
      return new CelErr(
        `invalid type, expected object, array, number, integer, boolean or string, or no type with x-kubernetes-int-or-string or x-kubernetes-preserve-unknown-fields is true, got ${type}`,
      );
  }
}

function convertFormattedString(s: string, format: string): Val {
  switch (format) {
    case 'duration': {
      const d = parseGoDuration(s);
      return d === undefined
        ? new CelErr(`Invalid duration ${s}: time: invalid duration ${JSON.stringify(s)}`)
        : d;
    }
    case 'date': {
      const m = GO_RFC3339_FULL_DATE.exec(s);
      const ts = m ? civilToTimestamp(Number(m[1]), Number(m[2]), Number(m[3]), 0, 0, 0, 0n, 0) : undefined;
      return (
        ts ??
        new CelErr(`Invalid date formatted string ${s}: parsing time ${JSON.stringify(s)} as "2006-01-02"`)
      );
    }
    case 'date-time': {
      const ts = parseDateTimeLoose(s);
      return ts ?? new CelErr(`Invalid date-time formatted string ${s}`);
    }
    case 'byte': {
      const b = decodeBase64Std(s);
      return b ?? new CelErr(`Invalid byte formatted string ${s}`);
    }
    default:
      return s;
  }
}

// ---- time helpers -------------------------------------------------------------------------------

const NS_PER_S = 1_000_000_000n;
const MIN_TS_S = -62135596800n; // 0001-01-01T00:00:00Z
const MAX_TS_S = 253402300799n; // 9999-12-31T23:59:59Z

export function tsInRange(ns: bigint): boolean {
  const s = ns >= 0n ? ns / NS_PER_S : -((-ns + NS_PER_S - 1n) / NS_PER_S);
  return s >= MIN_TS_S && s <= MAX_TS_S;
}

function daysInMonth(y: number, m: number): number {
  return (
    [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][
      m - 1
    ] ?? 0
  );
}

/** Days from 1970-01-01 to the given civil date (proleptic Gregorian). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDays(z: number): { y: number; m: number; d: number } {
  const zz = z + 719468;
  const era = Math.floor(zz / 146097);
  const doe = zz - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return { y: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d };
}

export function civilToTimestamp(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  frac: bigint,
  offsetMin: number,
): Timestamp | undefined {
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return undefined;
  const secs =
    BigInt(daysFromCivil(y, mo, d)) * 86400n + BigInt(h * 3600 + mi * 60 + s) - BigInt(offsetMin * 60);
  const ns = secs * NS_PER_S + frac;
  return tsInRange(ns) ? new Timestamp(ns, offsetMin) : undefined;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/** Strict RFC 3339 as CEL's timestamp() parses it. */
export function parseRFC3339(s: string): Timestamp | undefined {
  const m = RFC3339.exec(s);
  if (!m) return undefined;
  const frac = m[7] ? BigInt(m[7].slice(1).padEnd(9, '0')) : 0n;
  let off = 0;
  const z = m[8] ?? 'Z';
  if (z !== 'Z' && z !== 'z') {
    const oh = Number(z.slice(1, 3));
    const om = Number(z.slice(4, 6));
    if (oh > 23 || om > 59) return undefined;
    off = (oh * 60 + om) * (z.startsWith('-') ? -1 : 1);
  }
  return civilToTimestamp(
    Number(m[1]),
    Number(m[2]),
    Number(m[3]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6]),
    frac,
    off,
  );
}

/** strfmt.ParseDateTime accepts RFC 3339 and a few ISO 8601 variants without seconds or zone. */
export function parseDateTimeLoose(s: string): Timestamp | undefined {
  const strict = parseRFC3339(s);
  if (strict) return strict;
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(s);
  if (!m) return undefined;
  const frac = m[7] ? BigInt(m[7].slice(1).padEnd(9, '0')) : 0n;
  let off = 0;
  const z = m[8];
  if (z && z !== 'Z') {
    const digits = z.replace(':', '');
    off = (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5))) * (z.startsWith('-') ? -1 : 1);
  }
  return civilToTimestamp(
    Number(m[1]),
    Number(m[2]),
    Number(m[3]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6] ?? '0'),
    frac,
    off,
  );
}

const DURATION_UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1000n,
  µs: 1000n,
  μs: 1000n,
  ms: 1_000_000n,
  s: NS_PER_S,
  m: 60n * NS_PER_S,
  h: 3600n * NS_PER_S,
};

const MAX_DURATION_NS = 9223372036854775807n;

/** time.ParseDuration. */
export function parseGoDuration(s: string): Duration | undefined {
  let rest = s;
  let neg = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    neg = rest.startsWith('-');
    rest = rest.slice(1);
  }
  if (rest === '0') return new Duration(0n);
  if (rest === '') return undefined;
  let total = 0n;
  while (rest.length > 0) {
    const m = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/.exec(rest);
    if (!m || (m[1] === '' && (m[2] === undefined || m[2] === ''))) return undefined;
    const unit = DURATION_UNITS[m[3] ?? ''];
    if (unit === undefined) return undefined;
    const whole = BigInt(m[1] === '' ? '0' : (m[1] ?? '0'));
    let part = whole * unit;
    const fracText = m[2] ?? '';
    if (fracText.length > 0) {
      const scale = 10n ** BigInt(fracText.length);
      part += (BigInt(fracText) * unit) / scale;
    }
    total += part;
    if (total > MAX_DURATION_NS) return undefined;
    rest = rest.slice(m[0].length);
  }
  return new Duration(neg ? -total : total);
}

/** Go's Duration.String(). */
export function formatGoDuration(d: Duration): string {
  let ns = d.ns;
  if (ns === 0n) return '0s';
  const neg = ns < 0n;
  if (neg) ns = -ns;
  let out: string;
  if (ns < NS_PER_S) {
    if (ns < 1000n) out = ns.toString() + 'ns';
    else if (ns < 1_000_000n) out = fracStr(ns, 1000n) + 'µs';
    else out = fracStr(ns, 1_000_000n) + 'ms';
  } else {
    const h = ns / (3600n * NS_PER_S);
    const rem = ns % (3600n * NS_PER_S);
    const m = rem / (60n * NS_PER_S);
    const s = rem % (60n * NS_PER_S);
    out = '';
    if (h > 0n) out += h.toString() + 'h';
    if (h > 0n || m > 0n) out += m.toString() + 'm';
    out += fracStr(s, NS_PER_S) + 's';
  }
  return (neg ? '-' : '') + out;
}

function fracStr(v: bigint, unit: bigint): string {
  const whole = v / unit;
  const frac = v % unit;
  if (frac === 0n) return whole.toString();
  const digits = unit.toString().length - 1;
  return whole.toString() + '.' + frac.toString().padStart(digits, '0').replace(/0+$/, '');
}

/** RFC 3339 text with trimmed nanoseconds, as CEL's string(timestamp). */
export function formatTimestamp(t: Timestamp): string {
  const local = t.ns + BigInt(t.offsetMin) * 60n * NS_PER_S;
  const secs = local >= 0n ? local / NS_PER_S : -((-local + NS_PER_S - 1n) / NS_PER_S);
  const nanos = local - secs * NS_PER_S;
  const days = Number(secs >= 0n ? secs / 86400n : -((-secs + 86399n) / 86400n));
  const sod = Number(secs - BigInt(days) * 86400n);
  const { y, m, d } = civilFromDays(days);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  let out = `${String(y).padStart(4, '0')}-${p2(m)}-${p2(d)}T${p2(Math.floor(sod / 3600))}:${p2(Math.floor((sod % 3600) / 60))}:${p2(sod % 60)}`;
  if (nanos !== 0n) out += '.' + nanos.toString().padStart(9, '0').replace(/0+$/, '');
  if (t.offsetMin === 0) return out + 'Z';
  const off = Math.abs(t.offsetMin);
  return out + (t.offsetMin < 0 ? '-' : '+') + p2(Math.floor(off / 60)) + ':' + p2(off % 60);
}

export function decodeBase64Std(s: string): Uint8Array | undefined {
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return undefined;
  return new Uint8Array(Buffer.from(s, 'base64'));
}

// ---- equality -----------------------------------------------------------------------------------

/** Equality kind of a value: values of different kinds never compare (cel-go before heterogeneous equality). */
function eqKind(v: Val): string {
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'double';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (v instanceof ListValue) return 'list';
  if (v instanceof MapValue) return 'map';
  if (v === null) return 'null';
  return v.constructor.name;
}

/**
 * CEL equality as Kubernetes 1.24 evaluates it: operands of different types are an error ("no such
 * overload"), except null, which is simply unequal to anything else. Errors propagate as CelErr.
 */
export function celEquals(a: Val, b: Val): boolean | CelErr {
  if (a instanceof CelErr) return a;
  if (b instanceof CelErr) return b;
  if (a === null || b === null) return a === b;
  if (a instanceof Unknown || b instanceof Unknown) {
    return a instanceof Unknown && b instanceof Unknown && deepEqual(a.raw, b.raw);
  }
  if (eqKind(a) !== eqKind(b)) return new CelErr('no such overload');
  if (a instanceof CelUint) return a.v === (b as CelUint).v;
  if (typeof a !== 'object') return a === b;
  if (a instanceof Uint8Array) return bytesEq(a, b as Uint8Array);
  if (a instanceof Timestamp) return a.ns === (b as Timestamp).ns;
  if (a instanceof Duration) return a.ns === (b as Duration).ns;
  if (a instanceof TypeValue) return a.name === (b as TypeValue).name;
  if (a instanceof IPValue) return bytesEq(a.bytes, (b as IPValue).bytes);
  if (a instanceof CIDRValue) {
    const c = b as CIDRValue;
    return a.prefix === c.prefix && bytesEq(a.ip.bytes, c.ip.bytes);
  }
  if (a instanceof URLValue) return urlText(a) === urlText(b as URLValue);
  if (a instanceof Optional) {
    const o = b as Optional;
    if (a.value === undefined || o.value === undefined) return a.value === o.value;
    return celEquals(a.value, o.value);
  }
  if (a instanceof ListValue) return listEquals(a, b as ListValue);
  if (a instanceof LazyObject && b instanceof LazyObject) return objectEquals(a, b);
  if (a instanceof MapValue) return mapEquals(a, b as MapValue);
  return false;
}

/** Objects compare on all their data: fields CEL cannot see (unknown or unescapable) must be equal too. */
function objectEquals(a: LazyObject, b: LazyObject): boolean | CelErr {
  const keys = new Set(
    [...Object.keys(a.raw), ...Object.keys(b.raw)].filter((k) => a.raw[k] !== null || b.raw[k] !== null),
  );
  for (const k of keys) {
    const av = hasOwn(a.raw, k) ? a.raw[k] : undefined;
    const bv = hasOwn(b.raw, k) ? b.raw[k] : undefined;
    if (av === undefined || av === null || bv === undefined || bv === null) return false;
    const an = a.nodeOf(k);
    const bn = b.nodeOf(k);
    if (!an || !bn) {
      if (!deepEqual(av, bv)) return false;
      continue;
    }
    const eq = celEquals(fromData(av, an, an.embeddedResource), fromData(bv, bn, bn.embeddedResource));
    if (eq !== true) return eq;
  }
  return true;
}

function urlText(u: URLValue): string {
  return `${u.scheme}://${u.host}${u.escapedPath}?${[...u.query.entries()].map(([k, v]) => k + '=' + v.join(',')).join('&')}`;
}

function bytesEq(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Set and map lists (x-kubernetes-list-type) compare without regard to order. */
function listEquals(a: ListValue, b: ListValue): boolean | CelErr {
  if (a.size !== b.size) return false;
  if (a.listType === 'set' || a.listType === 'map') {
    const keyOf = (v: Val): string => setKey(v, a.listType === 'map' ? a.mapKeys : undefined);
    const counts = new Map<string, Val[]>();
    for (const x of a.values()) {
      if (x instanceof CelErr) return x;
      const k = keyOf(x);
      const arr = counts.get(k) ?? [];
      arr.push(x);
      counts.set(k, arr);
    }
    for (const y of b.values()) {
      if (y instanceof CelErr) return y;
      const cands = counts.get(keyOf(y));
      if (!cands || cands.length === 0) return false;
      const x = cands.pop() as Val;
      const eq = celEquals(x, y);
      if (eq !== true) return eq;
    }
    return true;
  }
  for (let i = 0; i < a.size; i++) {
    const eq = celEquals(a.get(i), b.get(i));
    if (eq !== true) return eq;
  }
  return true;
}

function setKey(v: Val, mapKeys: readonly string[] | undefined): string {
  if (mapKeys && v instanceof MapValue) return mapListKey(v, mapKeys);
  return canonicalJson(toPlain(v));
}

/** Identity of a map-list element: its key field values. */
export function mapListKey(v: Val, mapKeys: readonly string[]): string {
  if (!(v instanceof MapValue)) return canonicalJson(toPlain(v));
  return mapKeys.map((k) => canonicalJson(toPlain(v.get(escapeName(k) ?? k) ?? null))).join('\u0000');
}

function mapEquals(a: MapValue, b: MapValue): boolean | CelErr {
  if (a.size !== b.size) return false;
  for (const k of a.keys()) {
    const bv = b.get(k);
    if (bv === undefined) return false;
    const av = a.get(k);
    if (av === undefined) return false;
    const eq = celEquals(av, bv);
    if (eq !== true) return eq;
  }
  return true;
}

/** Plain JSON-ish rendering of a value, used for hashing and messages. */
export function toPlain(v: Val, depth = 0): unknown {
  if (depth > 100) return null;
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') return v;
  if (v instanceof CelUint) return Number(v.v);
  if (v instanceof Unknown) return v.raw;
  if (v instanceof LazyObject || v instanceof LazyMap) return v.raw;
  if (v instanceof LazyList) return v.raw;
  if (v instanceof ListValue) return [...v.values()].map((x) => toPlain(x, depth + 1));
  if (v instanceof MapValue) {
    const o: Record<string, unknown> = {};
    for (const k of v.keys()) {
      const val = v.get(k);
      if (val !== undefined)
        Object.defineProperty(o, String(toPlain(k)), { value: toPlain(val, depth + 1), enumerable: true });
    }
    return o;
  }
  if (v instanceof Timestamp) return formatTimestamp(v);
  if (v instanceof Duration) return formatGoDuration(v);
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (v instanceof CelErr) return { error: v.message };
  return String(v.constructor.name);
}
