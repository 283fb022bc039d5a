// The CEL function library available to x-kubernetes-validations rules: CEL's standard functions, the
// cel-go strings extension, optionals and sets, and Kubernetes' list, regex, URL and IP/CIDR
// libraries. Each overload carries its static signature (used by the checker) and its implementation
// (used by the evaluator, which dispatches on runtime types).
import { goFloat } from '../gofmt.js';
import * as ip from './ip.js';
import { re2Match, toJsRegExp } from './regex.js';
import { T, typeName, type CelType } from './types.js';
import {
  ArrayList,
  celEquals,
  CelErr,
  CelUint,
  CIDRValue,
  Duration,
  formatTimestamp,
  IPValue,
  ListValue,
  MapValue,
  mapKeyOf,
  Optional,
  parseGoDuration,
  parseRFC3339,
  Timestamp,
  tsInRange,
  TypeValue,
  Unknown,
  URLValue,
  ValueMap,
  civilFromDays,
  daysFromCivil,
  mapListKey,
  type Val,
} from './values.js';

export interface Overload {
  name: string;
  /** Receiver-style call (`x.f(y)`); the receiver is params[0]. */
  member: boolean;
  params: CelType[];
  result: CelType;
  impl: (args: Val[], cost: CostSink) => Val;
}

/** Lets functions charge work proportional to their input sizes. */
export interface CostSink {
  charge(units: number): void;
}

export const MIN_INT = -(2n ** 63n);
export const MAX_INT = 2n ** 63n - 1n;
export const MAX_UINT = 2n ** 64n - 1n;
/** Strings longer than this are refused so a rule cannot build unbounded data. */
const MAX_STRING = 10_000_000;

const registry = new Map<string, Overload[]>();

function def(
  name: string,
  member: boolean,
  params: CelType[],
  result: CelType,
  impl: Overload['impl'],
): void {
  const list = registry.get(name) ?? [];
  list.push({ name, member, params, result, impl });
  registry.set(name, list);
}

function fn(name: string, params: CelType[], result: CelType, impl: Overload['impl']): void {
  def(name, false, params, result, impl);
}

function method(name: string, params: CelType[], result: CelType, impl: Overload['impl']): void {
  def(name, true, params, result, impl);
}

export function overloads(name: string): readonly Overload[] {
  return registry.get(name) ?? [];
}

export function hasFunction(name: string): boolean {
  return registry.has(name);
}

// ---- helpers ------------------------------------------------------------------------------------

function intResult(v: bigint): Val {
  return v < MIN_INT || v > MAX_INT ? new CelErr('integer overflow') : v;
}

function uintResult(v: bigint): Val {
  return v < 0n || v > MAX_UINT ? new CelErr('unsigned integer overflow') : new CelUint(v);
}

function str(v: Val): string {
  return typeof v === 'string' ? v : '';
}

function int(v: Val): bigint {
  return typeof v === 'bigint' ? v : 0n;
}

function dbl(v: Val): number {
  return typeof v === 'number' ? v : 0;
}

function list(v: Val): ListValue {
  return v instanceof ListValue ? v : new ArrayList([]);
}

function codePoints(s: string): string[] {
  return Array.from(s);
}

function chargeLen(c: CostSink, ...strs: string[]): void {
  let n = 0;
  for (const s of strs) n += s.length;
  c.charge(Math.ceil(n / 10));
}

function bigLimitedString(s: string): Val {
  return s.length > MAX_STRING ? new CelErr('string exceeds maximum size') : s;
}

/** Orders two comparable values; undefined when they are not comparable. */
export function compareVals(a: Val, b: Val): number | undefined {
  if (typeof a === 'bigint' || a instanceof CelUint || typeof a === 'number') {
    const x = a instanceof CelUint ? a.v : a;
    const y = b instanceof CelUint ? b.v : b;
    if (typeof y !== 'bigint' && typeof y !== 'number') return undefined;
    if (typeof x === 'number' && Number.isNaN(x)) return undefined;
    if (typeof y === 'number' && Number.isNaN(y)) return undefined;
    if (typeof x === 'bigint' && typeof y === 'bigint') return x < y ? -1 : x > y ? 1 : 0;
    // Mixed int/double: compare exactly where possible.
    const xf = typeof x === 'number' ? x : Number(x);
    const yf = typeof y === 'number' ? y : Number(y);
    if (xf !== yf) return xf < yf ? -1 : 1;
    if (typeof x === 'bigint' && Number.isInteger(yf) && Math.abs(yf) < 2 ** 63) {
      const yb = BigInt(yf);
      return x < yb ? -1 : x > yb ? 1 : 0;
    }
    if (typeof y === 'bigint' && Number.isInteger(xf) && Math.abs(xf) < 2 ** 63) {
      const xb = BigInt(xf);
      return xb < y ? -1 : xb > y ? 1 : 0;
    }
    return 0;
  }
  if (typeof a === 'string' && typeof b === 'string') {
    // CEL orders strings by code point.
    return a === b ? 0 : cmpCodePoints(a, b);
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
    return a.length - b.length;
  }
  if (a instanceof Timestamp && b instanceof Timestamp) return a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0;
  if (a instanceof Duration && b instanceof Duration) return a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0;
  return undefined;
}

function cmpCodePoints(a: string, b: string): number {
  const x = codePoints(a);
  const y = codePoints(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const p = x[i]!.codePointAt(0)!;
    const q = y[i]!.codePointAt(0)!;
    if (p !== q) return p < q ? -1 : 1;
  }
  return x.length - y.length;
}

/** CEL type name of a runtime value (what type(x) returns). */
export function runtimeTypeName(v: Val): string {
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'double';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (v === null) return 'null_type';
  if (v instanceof Uint8Array) return 'bytes';
  if (v instanceof CelUint) return 'uint';
  if (v instanceof Timestamp) return 'google.protobuf.Timestamp';
  if (v instanceof Duration) return 'google.protobuf.Duration';
  if (v instanceof ListValue) return 'list';
  if (v instanceof MapValue) return 'map';
  if (v instanceof TypeValue) return 'type';
  if (v instanceof Optional) return 'optional_type';
  if (v instanceof IPValue) return 'net.IP';
  if (v instanceof CIDRValue) return 'net.CIDR';
  if (v instanceof URLValue) return 'kubernetes.URL';
  if (v instanceof Unknown) return 'unknown';
  return 'error';
}

/** Whether a runtime value fits a declared parameter type (dispatch at evaluation time). */
export function valueMatches(t: CelType, v: Val): boolean {
  switch (t.kind) {
    case 'dyn':
    case 'param':
      return true;
    case 'int':
      return typeof v === 'bigint';
    case 'uint':
      return v instanceof CelUint;
    case 'double':
      return typeof v === 'number';
    case 'bool':
      return typeof v === 'boolean';
    case 'string':
      return typeof v === 'string';
    case 'bytes':
      return v instanceof Uint8Array;
    case 'null':
      return v === null;
    case 'timestamp':
      return v instanceof Timestamp;
    case 'duration':
      return v instanceof Duration;
    case 'list':
      return v instanceof ListValue;
    case 'map':
    case 'object':
      return v instanceof MapValue;
    case 'type':
      return v instanceof TypeValue;
    case 'optional':
      return v instanceof Optional;
    case 'opaque':
      return (
        (t.name === 'net.IP' && v instanceof IPValue) ||
        (t.name === 'net.CIDR' && v instanceof CIDRValue) ||
        (t.name === 'kubernetes.URL' && v instanceof URLValue)
      );
  }
}

// ---- operators ----------------------------------------------------------------------------------

const NUMS: CelType[] = [T.int, T.uint, T.double];

fn('!_', [T.bool], T.bool, ([a]) => !a);
fn('-_', [T.int], T.int, ([a]) => intResult(-int(a!)));
fn('-_', [T.double], T.double, ([a]) => -dbl(a!));

fn('_+_', [T.int, T.int], T.int, ([a, b]) => intResult(int(a!) + int(b!)));
fn('_+_', [T.uint, T.uint], T.uint, ([a, b]) => uintResult((a as CelUint).v + (b as CelUint).v));
fn('_+_', [T.double, T.double], T.double, ([a, b]) => dbl(a!) + dbl(b!));
fn('_+_', [T.string, T.string], T.string, ([a, b], c) => {
  chargeLen(c, str(a!), str(b!));
  return bigLimitedString(str(a!) + str(b!));
});
fn('_+_', [T.bytes, T.bytes], T.bytes, ([a, b]) => {
  const x = a as Uint8Array;
  const y = b as Uint8Array;
  const out = new Uint8Array(x.length + y.length);
  out.set(x, 0);
  out.set(y, x.length);
  return out;
});
fn('_+_', [T.list(T.A), T.list(T.A)], T.list(T.A), ([a, b], c) => {
  const x = list(a!);
  const y = list(b!);
  c.charge(Math.ceil((x.size + y.size) / 10));
  if (x.size + y.size > 1_000_000) return new CelErr('list exceeds maximum size');
  if (x.listType === 'set') return setUnion(x, y, c);
  if (x.listType === 'map') return mapListMerge(x, y, c);
  return new ArrayList([...x.values(), ...y.values()]);
});

/** x-kubernetes-list-type=set: X + Y keeps X and appends the elements of Y that X lacks. */
function setUnion(x: ListValue, y: ListValue, c: CostSink): Val {
  const out: Val[] = [...x.values()];
  c.charge(x.size * y.size);
  for (const v of y.values()) {
    let found = false;
    for (const e of out) {
      const eq = celEquals(e, v);
      if (eq instanceof CelErr) return eq;
      if (eq) {
        found = true;
        break;
      }
    }
    if (!found) out.push(v);
  }
  return new ArrayList(out, 'set');
}

/** x-kubernetes-list-type=map: elements of Y replace those of X with the same keys; new keys are appended. */
function mapListMerge(x: ListValue, y: ListValue, c: CostSink): Val {
  const keyOf = (v: Val): string => mapListKey(v, x.mapKeys);
  const out: Val[] = [...x.values()];
  const index = new Map<string, number>();
  out.forEach((v, i) => index.set(keyOf(v), i));
  c.charge(x.size + y.size);
  for (const v of y.values()) {
    const k = keyOf(v);
    const at = index.get(k);
    if (at === undefined) {
      index.set(k, out.length);
      out.push(v);
    } else out[at] = v;
  }
  return new ArrayList(out, 'map', x.mapKeys);
}

fn('_+_', [T.timestamp, T.duration], T.timestamp, ([a, b]) =>
  tsResult((a as Timestamp).ns + (b as Duration).ns, (a as Timestamp).offsetMin),
);
fn('_+_', [T.duration, T.timestamp], T.timestamp, ([a, b]) =>
  tsResult((a as Duration).ns + (b as Timestamp).ns, (b as Timestamp).offsetMin),
);
fn('_+_', [T.duration, T.duration], T.duration, ([a, b]) =>
  durResult((a as Duration).ns + (b as Duration).ns),
);

fn('_-_', [T.int, T.int], T.int, ([a, b]) => intResult(int(a!) - int(b!)));
fn('_-_', [T.uint, T.uint], T.uint, ([a, b]) => uintResult((a as CelUint).v - (b as CelUint).v));
fn('_-_', [T.double, T.double], T.double, ([a, b]) => dbl(a!) - dbl(b!));
fn('_-_', [T.timestamp, T.timestamp], T.duration, ([a, b]) =>
  durResult((a as Timestamp).ns - (b as Timestamp).ns),
);
fn('_-_', [T.timestamp, T.duration], T.timestamp, ([a, b]) =>
  tsResult((a as Timestamp).ns - (b as Duration).ns, (a as Timestamp).offsetMin),
);
fn('_-_', [T.duration, T.duration], T.duration, ([a, b]) =>
  durResult((a as Duration).ns - (b as Duration).ns),
);

fn('_*_', [T.int, T.int], T.int, ([a, b]) => intResult(int(a!) * int(b!)));
fn('_*_', [T.uint, T.uint], T.uint, ([a, b]) => uintResult((a as CelUint).v * (b as CelUint).v));
fn('_*_', [T.double, T.double], T.double, ([a, b]) => dbl(a!) * dbl(b!));

fn('_/_', [T.int, T.int], T.int, ([a, b]) => {
  if (int(b!) === 0n) return new CelErr('division by zero');
  return intResult(int(a!) / int(b!));
});
fn('_/_', [T.uint, T.uint], T.uint, ([a, b]) => {
  if ((b as CelUint).v === 0n) return new CelErr('division by zero');
  return new CelUint((a as CelUint).v / (b as CelUint).v);
});
fn('_/_', [T.double, T.double], T.double, ([a, b]) => dbl(a!) / dbl(b!));
fn('_%_', [T.int, T.int], T.int, ([a, b]) => {
  if (int(b!) === 0n) return new CelErr('modulus by zero');
  return int(a!) % int(b!);
});
fn('_%_', [T.uint, T.uint], T.uint, ([a, b]) => {
  if ((b as CelUint).v === 0n) return new CelErr('modulus by zero');
  return new CelUint((a as CelUint).v % (b as CelUint).v);
});

function tsResult(ns: bigint, offsetMin = 0): Val {
  return tsInRange(ns) ? new Timestamp(ns, offsetMin) : new CelErr('timestamp overflow');
}

function durResult(ns: bigint): Val {
  return ns < MIN_INT || ns > MAX_INT ? new CelErr('duration overflow') : new Duration(ns);
}

const ORDERED: CelType[] = [T.string, T.bool, T.bytes, T.timestamp, T.duration];
const CMP: Array<[string, (n: number) => boolean]> = [
  ['_<_', (n) => n < 0],
  ['_<=_', (n) => n <= 0],
  ['_>_', (n) => n > 0],
  ['_>=_', (n) => n >= 0],
];
for (const [name, test] of CMP) {
  const impl: Overload['impl'] = ([a, b]) => {
    const c = compareVals(a!, b!);
    return c === undefined ? false : test(c);
  };
  for (const x of NUMS) for (const y of NUMS) fn(name, [x, y], T.bool, impl);
  for (const t of ORDERED) fn(name, [t, t], T.bool, impl);
}

fn('_==_', [T.A, T.A], T.bool, ([a, b]) => celEquals(a!, b!));
fn('_!=_', [T.A, T.A], T.bool, ([a, b]) => {
  const r = celEquals(a!, b!);
  return typeof r === 'boolean' ? !r : r;
});

// Indexing is evaluated by the interpreter (it produces "no such key" errors); these give the types.
fn('_[_]', [T.list(T.A), T.int], T.A, ([l, i]) => list(l!).get(Number(int(i!))));
fn('_[_]', [T.list(T.A), T.uint], T.A, ([l, i]) => list(l!).get(Number((i as CelUint).v)));
fn(
  '_[_]',
  [T.map(T.A, T.B), T.A],
  T.B,
  ([m, k]) => (m as MapValue).get(k as Val) ?? new CelErr('no such key'),
);

fn('@in', [T.A, T.list(T.A)], T.bool, ([a, b], c) => {
  const l = list(b!);
  c.charge(l.size);
  let err: CelErr | undefined;
  for (const x of l.values()) {
    const eq = celEquals(x, a!);
    if (eq === true) return true;
    if (eq instanceof CelErr) err ??= eq;
  }
  return err ?? false;
});
fn('@in', [T.A, T.map(T.A, T.B)], T.bool, ([a, b]) => (b as MapValue).has(a!));

// ---- size and conversions -----------------------------------------------------------------------

const sizeImpls: Array<[CelType, Overload['impl']]> = [
  [T.string, ([s]) => BigInt(codePoints(str(s!)).length)],
  [T.bytes, ([b]) => BigInt((b as Uint8Array).length)],
  [T.list(T.A), ([l]) => BigInt(list(l!).size)],
  [T.map(T.A, T.B), ([m]) => BigInt((m as MapValue).size)],
];
for (const [t, impl] of sizeImpls) {
  fn('size', [t], T.int, impl);
  method('size', [t], T.int, impl);
}

const GO_INT = /^[+-]?\d+$/;

fn('int', [T.int], T.int, ([a]) => a!);
fn('int', [T.uint], T.int, ([a]) => intResult((a as CelUint).v));
fn('int', [T.double], T.int, ([a]) => {
  const d = dbl(a!);
  if (!Number.isFinite(d) || d <= -(2 ** 63) || d >= 2 ** 63) return new CelErr('integer overflow');
  return BigInt(Math.trunc(d));
});
fn('int', [T.string], T.int, ([a]) => {
  const s = str(a!);
  if (!GO_INT.test(s)) return new CelErr(`strconv.ParseInt: parsing ${JSON.stringify(s)}: invalid syntax`);
  const v = BigInt(s);
  if (v < MIN_INT || v > MAX_INT)
    return new CelErr(`strconv.ParseInt: parsing ${JSON.stringify(s)}: value out of range`);
  return v;
});
fn('int', [T.timestamp], T.int, ([a]) => {
  const ns = (a as Timestamp).ns;
  return ns >= 0n ? ns / 1_000_000_000n : -((-ns + 999_999_999n) / 1_000_000_000n);
});
fn('int', [T.duration], T.int, ([a]) => (a as Duration).ns);

fn('uint', [T.uint], T.uint, ([a]) => a!);
fn('uint', [T.int], T.uint, ([a]) => uintResult(int(a!)));
fn('uint', [T.double], T.uint, ([a]) => {
  const d = dbl(a!);
  if (!Number.isFinite(d) || d <= -1 || d >= 2 ** 64) return new CelErr('unsigned integer overflow');
  return new CelUint(BigInt(Math.trunc(d)));
});
fn('uint', [T.string], T.uint, ([a]) => {
  const s = str(a!);
  if (!/^\+?\d+$/.test(s))
    return new CelErr(`strconv.ParseUint: parsing ${JSON.stringify(s)}: invalid syntax`);
  const v = BigInt(s);
  if (v > MAX_UINT) return new CelErr(`strconv.ParseUint: parsing ${JSON.stringify(s)}: value out of range`);
  return new CelUint(v);
});

fn('double', [T.double], T.double, ([a]) => a!);
fn('double', [T.int], T.double, ([a]) => Number(int(a!)));
fn('double', [T.uint], T.double, ([a]) => Number((a as CelUint).v));
fn('double', [T.string], T.double, ([a]) => {
  const s = str(a!);
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(s);
  if (special) {
    if ((special[2] ?? '').toLowerCase() === 'nan') return NaN;
    return special[1] === '-' ? -Infinity : Infinity;
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) {
    return new CelErr(`strconv.ParseFloat: parsing ${JSON.stringify(s)}: invalid syntax`);
  }
  return Number(s);
});

fn('string', [T.string], T.string, ([a]) => a!);
fn('string', [T.int], T.string, ([a]) => int(a!).toString());
fn('string', [T.uint], T.string, ([a]) => (a as CelUint).v.toString());
fn('string', [T.double], T.string, ([a]) => goFloat(dbl(a!)));
fn('string', [T.bool], T.string, ([a]) => (a === true ? 'true' : 'false'));
fn('string', [T.bytes], T.string, ([a]) => {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(a as Uint8Array);
  } catch {
    return new CelErr('invalid UTF-8 in bytes, cannot convert to string');
  }
});
fn('string', [T.timestamp], T.string, ([a]) => formatTimestamp(a as Timestamp));
fn('string', [T.duration], T.string, ([a]) => {
  const ns = (a as Duration).ns;
  const secs = Number(ns) / 1e9;
  return goDecimal(secs) + 's';
});
fn('string', [T.ip], T.string, ([a]) => ip.formatIP((a as IPValue).bytes));
fn('string', [T.cidr], T.string, ([a]) => {
  const c = a as CIDRValue;
  return ip.formatIP(c.ip.bytes) + '/' + String(c.prefix);
});

/** strconv.FormatFloat(f, 'f', -1, 64). */
function goDecimal(f: number): string {
  if (Number.isInteger(f) && Math.abs(f) < 1e21) return String(f);
  const s = String(f);
  if (!s.includes('e')) return s;
  return f.toFixed(20).replace(/0+$/, '').replace(/\.$/, '');
}

fn('bytes', [T.bytes], T.bytes, ([a]) => a!);
fn('bytes', [T.string], T.bytes, ([a]) => new TextEncoder().encode(str(a!)));

fn('bool', [T.bool], T.bool, ([a]) => a!);
fn('bool', [T.string], T.bool, ([a]) => {
  const s = str(a!);
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  return new CelErr(`strconv.ParseBool: parsing ${JSON.stringify(s)}: invalid syntax`);
});

fn('dyn', [T.dyn], T.dyn, ([a]) => a!);
fn('type', [T.A], T.type(T.A), ([a]) => new TypeValue(runtimeTypeName(a!)));

fn('duration', [T.duration], T.duration, ([a]) => a!);
fn('duration', [T.string], T.duration, ([a]) => {
  const d = parseGoDuration(str(a!));
  return d ?? new CelErr(`invalid duration argument: time: invalid duration ${JSON.stringify(str(a!))}`);
});
fn('timestamp', [T.timestamp], T.timestamp, ([a]) => a!);
fn('timestamp', [T.string], T.timestamp, ([a]) => {
  const t = parseRFC3339(str(a!));
  return t ?? new CelErr(`invalid timestamp ${JSON.stringify(str(a!))}`);
});
fn('timestamp', [T.int], T.timestamp, ([a]) => tsResult(int(a!) * 1_000_000_000n));

// ---- strings ------------------------------------------------------------------------------------

method('contains', [T.string, T.string], T.bool, ([a, b], c) => {
  chargeLen(c, str(a!));
  return str(a!).includes(str(b!));
});
method('startsWith', [T.string, T.string], T.bool, ([a, b]) => str(a!).startsWith(str(b!)));
method('endsWith', [T.string, T.string], T.bool, ([a, b]) => str(a!).endsWith(str(b!)));

const matchesImpl: Overload['impl'] = ([a, b], c) => {
  chargeLen(c, str(a!), str(b!));
  const r = re2Match(str(b!), str(a!));
  return typeof r === 'boolean' ? r : new CelErr(r.error);
};
method('matches', [T.string, T.string], T.bool, matchesImpl);
fn('matches', [T.string, T.string], T.bool, matchesImpl);

method('charAt', [T.string, T.int], T.string, ([a, b]) => {
  const cps = codePoints(str(a!));
  const i = int(b!);
  if (i < 0n || i > BigInt(cps.length)) return new CelErr(`index out of range: ${i}`);
  return cps[Number(i)] ?? '';
});

function indexOfImpl(last: boolean): Overload['impl'] {
  return ([a, b, off], c) => {
    const cps = codePoints(str(a!));
    const sub = codePoints(str(b!));
    chargeLen(c, str(a!));
    const start = off === undefined ? (last ? cps.length : 0) : Number(int(off));
    if (off !== undefined && (int(off) < 0n || int(off) > BigInt(cps.length))) {
      return new CelErr(`index out of range: ${int(off)}`);
    }
    if (sub.length === 0) return BigInt(start);
    const at = (i: number): boolean => sub.every((ch, k) => cps[i + k] === ch);
    if (last) {
      for (let i = Math.min(start, cps.length - sub.length); i >= 0; i--) if (at(i)) return BigInt(i);
    } else {
      for (let i = start; i + sub.length <= cps.length; i++) if (at(i)) return BigInt(i);
    }
    return -1n;
  };
}
method('indexOf', [T.string, T.string], T.int, indexOfImpl(false));
method('indexOf', [T.string, T.string, T.int], T.int, indexOfImpl(false));
method('lastIndexOf', [T.string, T.string], T.int, indexOfImpl(true));
method('lastIndexOf', [T.string, T.string, T.int], T.int, indexOfImpl(true));

method('lowerAscii', [T.string], T.string, ([a], c) => {
  chargeLen(c, str(a!));
  return str(a!).replace(/[A-Z]/g, (ch) => ch.toLowerCase());
});
method('upperAscii', [T.string], T.string, ([a], c) => {
  chargeLen(c, str(a!));
  return str(a!).replace(/[a-z]/g, (ch) => ch.toUpperCase());
});

function replaceImpl([a, b, r, n]: Val[], c: CostSink): Val {
  const s = str(a!);
  const from = str(b!);
  const to = str(r!);
  chargeLen(c, s);
  let limit = n === undefined ? -1n : int(n);
  if (limit === 0n) return s;
  if (from === '') {
    // Go inserts the replacement before every code point and at the end.
    const cps = codePoints(s);
    let out = '';
    for (let i = 0; i <= cps.length; i++) {
      if (limit !== 0n) {
        out += to;
        limit--;
      }
      out += cps[i] ?? '';
    }
    return bigLimitedString(out);
  }
  let out = '';
  let pos = 0;
  while (limit !== 0n) {
    const i = s.indexOf(from, pos);
    if (i < 0) break;
    out += s.slice(pos, i) + to;
    pos = i + from.length;
    limit--;
    if (out.length > MAX_STRING) return new CelErr('string exceeds maximum size');
  }
  return bigLimitedString(out + s.slice(pos));
}
method('replace', [T.string, T.string, T.string], T.string, replaceImpl);
method('replace', [T.string, T.string, T.string, T.int], T.string, replaceImpl);

function splitImpl([a, b, n]: Val[], c: CostSink): Val {
  const s = str(a!);
  const sep = str(b!);
  chargeLen(c, s);
  const limit = n === undefined ? -1n : int(n);
  if (limit === 0n) return new ArrayList([]);
  let parts: string[];
  if (sep === '') parts = codePoints(s);
  else parts = s.split(sep);
  if (limit > 0n && BigInt(parts.length) > limit) {
    const k = Number(limit);
    const head = parts.slice(0, k - 1);
    const tail = parts.slice(k - 1).join(sep);
    parts = [...head, tail];
  }
  c.charge(parts.length);
  return new ArrayList(parts);
}
method('split', [T.string, T.string], T.list(T.string), splitImpl);
method('split', [T.string, T.string, T.int], T.list(T.string), splitImpl);

function substringImpl([a, b, e]: Val[]): Val {
  const cps = codePoints(str(a!));
  const start = int(b!);
  const end = e === undefined ? BigInt(cps.length) : int(e);
  if (start < 0n || start > BigInt(cps.length)) return new CelErr(`index out of range: ${start}`);
  if (end < 0n || end > BigInt(cps.length)) return new CelErr(`index out of range: ${end}`);
  if (start > end) return new CelErr(`invalid substring range. start: ${start}, end: ${end}`);
  return cps.slice(Number(start), Number(end)).join('');
}
method('substring', [T.string, T.int], T.string, substringImpl);
method('substring', [T.string, T.int, T.int], T.string, substringImpl);

method('trim', [T.string], T.string, ([a]) => str(a!).replace(/^[\s\u0085]+|[\s\u0085]+$/gu, ''));
method('reverse', [T.string], T.string, ([a]) => codePoints(str(a!)).reverse().join(''));

function joinImpl([l, sep]: Val[], c: CostSink): Val {
  const parts: string[] = [];
  for (const x of list(l!).values()) {
    if (x instanceof CelErr) return x;
    if (typeof x !== 'string') return new CelErr('no such overload');
    parts.push(x);
  }
  const out = parts.join(sep === undefined ? '' : str(sep));
  chargeLen(c, out);
  return bigLimitedString(out);
}
method('join', [T.list(T.string)], T.string, joinImpl);
method('join', [T.list(T.string), T.string], T.string, joinImpl);

fn('strings.quote', [T.string], T.string, ([a]) => {
  const s = str(a!);
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\v') out += '\\v';
    else if (ch === '\x07') out += '\\a';
    else if (cp < 0x20) out += '\\x' + cp.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
});

// ---- Kubernetes regex library ---------------------------------------------------------------------

method('find', [T.string, T.string], T.string, ([a, b], c) => {
  chargeLen(c, str(a!), str(b!));
  const ok = re2Match(str(b!), str(a!));
  if (typeof ok === 'object') return new CelErr(ok.error);
  if (!ok) return '';
  const re = toJsRegExp(str(b!), false);
  if (!re) return new CelErr('unsupported regular expression construct for find()');
  return re.exec(str(a!))?.[0] ?? '';
});
function findAllImpl([a, b, n]: Val[], c: CostSink): Val {
  chargeLen(c, str(a!), str(b!));
  const ok = re2Match(str(b!), str(a!));
  if (typeof ok === 'object') return new CelErr(ok.error);
  const limit = n === undefined ? -1n : int(n);
  if (!ok || limit === 0n) return new ArrayList([]);
  const re = toJsRegExp(str(b!), true);
  if (!re) return new CelErr('unsupported regular expression construct for findAll()');
  const out: string[] = [];
  const s = str(a!);
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    out.push(m[0]);
    if (m[0] === '') re.lastIndex += m.index < s.length && s.codePointAt(m.index)! > 0xffff ? 2 : 1;
    if (limit > 0n && BigInt(out.length) >= limit) break;
  }
  c.charge(out.length);
  return new ArrayList(out);
}
method('findAll', [T.string, T.string], T.list(T.string), findAllImpl);
method('findAll', [T.string, T.string, T.int], T.list(T.string), findAllImpl);

// ---- Kubernetes list library --------------------------------------------------------------------

const COMPARABLE: CelType[] = [T.int, T.uint, T.double, T.bool, T.string, T.bytes, T.timestamp, T.duration];

for (const t of COMPARABLE) {
  method('isSorted', [T.list(t)], T.bool, ([l], c) => {
    const xs = [...list(l!).values()];
    c.charge(xs.length);
    for (let i = 1; i < xs.length; i++) {
      const cmp = compareVals(xs[i - 1]!, xs[i]!);
      if (cmp === undefined) return new CelErr('no such overload');
      if (cmp > 0) return false;
    }
    return true;
  });
  for (const [name, pick] of [
    ['min', (x: number) => x < 0],
    ['max', (x: number) => x > 0],
  ] as const) {
    method(name, [T.list(t)], t, ([l], c) => {
      const xs = [...list(l!).values()];
      c.charge(xs.length);
      if (xs.length === 0) return new CelErr(`${name} called on empty list`);
      let best: Val = xs[0] as Val;
      for (const x of xs) {
        if (x instanceof CelErr) return x;
        const cmp = compareVals(x, best);
        if (cmp === undefined) return new CelErr('no such overload');
        if (pick(cmp)) best = x;
      }
      return best;
    });
  }
}
for (const t of [T.int, T.uint, T.double, T.duration]) {
  method('sum', [T.list(t)], t, ([l], c) => {
    const xs = [...list(l!).values()];
    c.charge(xs.length);
    let acc: Val =
      t.kind === 'double'
        ? 0
        : t.kind === 'uint'
          ? new CelUint(0n)
          : t.kind === 'duration'
            ? new Duration(0n)
            : 0n;
    const plus = overloads('_+_').find((o) => o.params[0]!.kind === t.kind && o.params[1]!.kind === t.kind)!;
    for (const x of xs) {
      if (x instanceof CelErr) return x;
      if (!valueMatches(t, x)) return new CelErr('no such overload');
      acc = plus.impl([acc, x], c);
      if (acc instanceof CelErr) return acc;
    }
    return acc;
  });
}
for (const last of [false, true]) {
  method(last ? 'lastIndexOf' : 'indexOf', [T.list(T.A), T.A], T.int, ([l, v], c) => {
    const xs = [...list(l!).values()];
    c.charge(xs.length);
    const order = last ? xs.map((_, i) => xs.length - 1 - i) : xs.map((_, i) => i);
    for (const i of order) {
      const eq = celEquals(xs[i]!, v!);
      if (eq instanceof CelErr) return eq;
      if (eq) return BigInt(i);
    }
    return -1n;
  });
}

// ---- sets (cel-go ext) --------------------------------------------------------------------------

function contains(haystack: ListValue, needle: Val): boolean | CelErr {
  for (const x of haystack.values()) {
    const eq = celEquals(x, needle);
    if (eq !== false) return eq;
  }
  return false;
}

fn('sets.contains', [T.list(T.A), T.list(T.A)], T.bool, ([a, b], c) => {
  const x = list(a!);
  const y = list(b!);
  c.charge(x.size * y.size);
  for (const v of y.values()) {
    const r = contains(x, v);
    if (r !== true) return r;
  }
  return true;
});
fn('sets.equivalent', [T.list(T.A), T.list(T.A)], T.bool, ([a, b], c) => {
  const x = list(a!);
  const y = list(b!);
  c.charge(2 * x.size * y.size);
  for (const v of y.values()) {
    const r = contains(x, v);
    if (r !== true) return r;
  }
  for (const v of x.values()) {
    const r = contains(y, v);
    if (r !== true) return r;
  }
  return true;
});
fn('sets.intersects', [T.list(T.A), T.list(T.A)], T.bool, ([a, b], c) => {
  const x = list(a!);
  const y = list(b!);
  c.charge(x.size * y.size);
  for (const v of y.values()) {
    const r = contains(x, v);
    if (r !== false) return r;
  }
  return false;
});

// ---- optionals ----------------------------------------------------------------------------------

fn('optional.of', [T.A], T.optional(T.A), ([a]) => new Optional(a));
fn('optional.none', [], T.optional(T.dyn), () => new Optional(undefined));
fn('optional.ofNonZeroValue', [T.A], T.optional(T.A), ([a]) =>
  isZeroValue(a as Val) ? new Optional(undefined) : new Optional(a),
);
method('hasValue', [T.optional(T.A)], T.bool, ([o]) => (o as Optional).value !== undefined);
method(
  'value',
  [T.optional(T.A)],
  T.A,
  ([o]) => (o as Optional).value ?? new CelErr('optional.none() dereference'),
);
method('orValue', [T.optional(T.A), T.A], T.A, ([o, d]) => (o as Optional).value ?? (d as Val));
method('or', [T.optional(T.A), T.optional(T.A)], T.optional(T.A), ([o, p]) =>
  (o as Optional).value !== undefined ? o! : p!,
);

function isZeroValue(v: Val): boolean {
  if (v === null || v === false || v === '' || v === 0 || v === 0n) return true;
  if (v instanceof CelUint) return v.v === 0n;
  if (v instanceof Uint8Array) return v.length === 0;
  if (v instanceof ListValue || v instanceof MapValue) return v.size === 0;
  if (v instanceof Duration || v instanceof Timestamp) return v.ns === 0n;
  return false;
}

// ---- timestamps and durations -----------------------------------------------------------------------

function zoneOffsetMinutes(ts: Timestamp, tz: string | undefined): number | CelErr {
  if (tz === undefined || tz === 'UTC' || tz === 'Z') return 0;
  const m = /^([+-]?)(\d{1,2}):(\d{2})$/.exec(tz);
  if (m) return (Number(m[2]) * 60 + Number(m[3])) * (m[1] === '-' ? -1 : 1);
  try {
    const ms = Number(ts.ns / 1_000_000n);
    const fmt = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' });
    const part = fmt.formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
    const om = /GMT([+-])(\d{2}):(\d{2})/.exec(part);
    if (!om) return 0;
    return (Number(om[2]) * 60 + Number(om[3])) * (om[1] === '-' ? -1 : 1);
  } catch {
    return new CelErr(`unknown time zone ${tz}`);
  }
}

function civil(
  ts: Timestamp,
  tz: string | undefined,
): { y: number; m: number; d: number; sod: number; nanos: bigint; days: number } | CelErr {
  const off = zoneOffsetMinutes(ts, tz);
  if (off instanceof CelErr) return off;
  const ns = ts.ns + BigInt(off) * 60_000_000_000n;
  const secs = ns >= 0n ? ns / 1_000_000_000n : -((-ns + 999_999_999n) / 1_000_000_000n);
  const nanos = ns - secs * 1_000_000_000n;
  const days = Number(secs >= 0n ? secs / 86400n : -((-secs + 86399n) / 86400n));
  const sod = Number(secs - BigInt(days) * 86400n);
  return { ...civilFromDays(days), sod, nanos, days };
}

const TS_GETTERS: Array<
  [string, (c: { y: number; m: number; d: number; sod: number; nanos: bigint; days: number }) => number]
> = [
  ['getFullYear', (c) => c.y],
  ['getMonth', (c) => c.m - 1],
  ['getDayOfYear', (c) => c.days - daysFromCivil(c.y, 1, 1)],
  ['getDayOfMonth', (c) => c.d - 1],
  ['getDate', (c) => c.d],
  ['getDayOfWeek', (c) => ((c.days % 7) + 7 + 4) % 7],
  ['getHours', (c) => Math.floor(c.sod / 3600)],
  ['getMinutes', (c) => Math.floor((c.sod % 3600) / 60)],
  ['getSeconds', (c) => c.sod % 60],
  ['getMilliseconds', (c) => Number(c.nanos / 1_000_000n)],
];
for (const [name, get] of TS_GETTERS) {
  method(name, [T.timestamp], T.int, ([t]) => {
    const c = civil(t as Timestamp, undefined);
    return c instanceof CelErr ? c : BigInt(get(c));
  });
  method(name, [T.timestamp, T.string], T.int, ([t, z]) => {
    const c = civil(t as Timestamp, str(z!));
    return c instanceof CelErr ? c : BigInt(get(c));
  });
}
const DUR_GETTERS: Array<[string, bigint]> = [
  ['getHours', 3_600_000_000_000n],
  ['getMinutes', 60_000_000_000n],
  ['getSeconds', 1_000_000_000n],
  ['getMilliseconds', 1_000_000n],
];
for (const [name, unit] of DUR_GETTERS) {
  method(name, [T.duration], T.int, ([d]) => (d as Duration).ns / unit);
}

// ---- Kubernetes IP and CIDR library ---------------------------------------------------------------

fn('isIP', [T.string], T.bool, ([s]) => ip.k8sParseIP(str(s!)).bytes !== undefined);
fn('ip', [T.string], T.ip, ([s]) => {
  const r = ip.k8sParseIP(str(s!));
  if (!r.bytes)
    return new CelErr(
      `IP Address ${JSON.stringify(str(s!))} parse error during conversion from string: ${r.error}`,
    );
  return new IPValue(r.bytes);
});
fn('ip.isCanonical', [T.string], T.bool, ([s]) => {
  const r = ip.k8sParseIP(str(s!));
  if (!r.bytes)
    return new CelErr(
      `IP Address ${JSON.stringify(str(s!))} parse error during conversion from string: ${r.error}`,
    );
  return ip.formatIP(r.bytes) === str(s!);
});
method('family', [T.ip], T.int, ([a]) => ((a as IPValue).bytes.length === 4 ? 4n : 6n));
method('isUnspecified', [T.ip], T.bool, ([a]) => ip.isUnspecified((a as IPValue).bytes));
method('isLoopback', [T.ip], T.bool, ([a]) => ip.isLoopback((a as IPValue).bytes));
method('isLinkLocalMulticast', [T.ip], T.bool, ([a]) => ip.isLinkLocalMulticast((a as IPValue).bytes));
method('isLinkLocalUnicast', [T.ip], T.bool, ([a]) => ip.isLinkLocalUnicast((a as IPValue).bytes));
method('isGlobalUnicast', [T.ip], T.bool, ([a]) => ip.isGlobalUnicast((a as IPValue).bytes));

fn('isCIDR', [T.string], T.bool, ([s]) => ip.k8sParseCIDR(str(s!)).bytes !== undefined);
function toCIDR(s: string): CIDRValue | CelErr {
  const r = ip.k8sParseCIDR(s);
  if (!r.bytes || r.bits === undefined) {
    return new CelErr(
      `network address ${JSON.stringify(s)} parse error during conversion from string: ${r.error}`,
    );
  }
  return new CIDRValue(new IPValue(r.bytes), r.bits);
}
fn('cidr', [T.string], T.cidr, ([s]) => toCIDR(str(s!)));
function containsIP(c: CIDRValue, target: Val): Val {
  let bytes: Uint8Array;
  if (target instanceof IPValue) bytes = target.bytes;
  else {
    const r = ip.k8sParseIP(str(target));
    if (!r.bytes)
      return new CelErr(
        `IP Address ${JSON.stringify(str(target))} parse error during conversion from string: ${r.error}`,
      );
    bytes = r.bytes;
  }
  return ip.prefixContains(c.ip.bytes, c.prefix, bytes);
}
method('containsIP', [T.cidr, T.ip], T.bool, ([c, a]) => containsIP(c as CIDRValue, a!));
method('containsIP', [T.cidr, T.string], T.bool, ([c, a]) => containsIP(c as CIDRValue, a!));
function containsCIDR(c: CIDRValue, target: Val): Val {
  const other = target instanceof CIDRValue ? target : toCIDR(str(target));
  if (other instanceof CelErr) return other;
  return other.prefix >= c.prefix && ip.prefixContains(c.ip.bytes, c.prefix, other.ip.bytes);
}
method('containsCIDR', [T.cidr, T.cidr], T.bool, ([c, o]) => containsCIDR(c as CIDRValue, o!));
method('containsCIDR', [T.cidr, T.string], T.bool, ([c, o]) => containsCIDR(c as CIDRValue, o!));
method('ip', [T.cidr], T.ip, ([c]) => (c as CIDRValue).ip);
method('masked', [T.cidr], T.cidr, ([c]) => {
  const v = c as CIDRValue;
  return new CIDRValue(new IPValue(ip.maskBytes(v.ip.bytes, v.prefix)), v.prefix);
});
method('prefixLength', [T.cidr], T.int, ([c]) => BigInt((c as CIDRValue).prefix));

// ---- Kubernetes URL library ---------------------------------------------------------------------

/** url.ParseRequestURI, reduced to what the URL accessors need. */
export function parseRequestURI(s: string): URLValue | undefined {
  // eslint-disable-next-line no-control-regex -- Go's URL parser rejects ASCII control characters.
  if (s === '' || /[\x00-\x1f\x7f ]/.test(s) || /%(?![0-9a-fA-F]{2})/.test(s)) return undefined;
  let rest = s;
  let scheme = '';
  const sm = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(rest);
  if (sm) {
    scheme = (sm[1] ?? '').toLowerCase();
    rest = rest.slice(sm[0].length);
  } else if (!rest.startsWith('/')) return undefined;
  let query = '';
  const q = rest.indexOf('?');
  if (q >= 0) {
    query = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  let host = '';
  if (rest.startsWith('//')) {
    const end = rest.indexOf('/', 2);
    const authority = end < 0 ? rest.slice(2) : rest.slice(2, end);
    rest = end < 0 ? '' : rest.slice(end);
    const at = authority.lastIndexOf('@');
    host = at >= 0 ? authority.slice(at + 1) : authority;
  } else if (scheme !== '' && !rest.startsWith('/')) {
    // Opaque URI such as mailto:x@y: no host or path.
    return new URLValue(scheme, '', '', '', '', parseQuery(query));
  }
  let hostname = host;
  let port = '';
  const v6 = /^\[([^\]]*)\](?::(\d*))?$/.exec(host);
  if (v6) {
    hostname = v6[1] ?? '';
    port = v6[2] ?? '';
  } else if (host.includes(':')) {
    const i = host.lastIndexOf(':');
    hostname = host.slice(0, i);
    port = host.slice(i + 1);
    if (!/^\d*$/.test(port) || hostname.includes(':')) return undefined;
  }
  return new URLValue(scheme, host, hostname, port, rest, parseQuery(query));
}

function parseQuery(q: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  if (q === '') return m;
  for (const part of q.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const k = eq < 0 ? part : part.slice(0, eq);
    const v = eq < 0 ? '' : part.slice(eq + 1);
    const dec = (x: string): string => {
      try {
        return decodeURIComponent(x.replace(/\+/g, ' '));
      } catch {
        return x;
      }
    };
    const key = dec(k);
    const arr = m.get(key) ?? [];
    arr.push(dec(v));
    m.set(key, arr);
  }
  return m;
}

fn('isURL', [T.string], T.bool, ([s]) => parseRequestURI(str(s!)) !== undefined);
fn(
  'url',
  [T.string],
  T.url,
  ([s]) =>
    parseRequestURI(str(s!)) ??
    new CelErr(
      `URL parse error during conversion from string: parse ${JSON.stringify(str(s!))}: invalid URI for request`,
    ),
);
method('getScheme', [T.url], T.string, ([u]) => (u as URLValue).scheme);
method('getHost', [T.url], T.string, ([u]) => (u as URLValue).host);
method('getHostname', [T.url], T.string, ([u]) => (u as URLValue).hostname);
method('getPort', [T.url], T.string, ([u]) => (u as URLValue).port);
method('getEscapedPath', [T.url], T.string, ([u]) => (u as URLValue).escapedPath);
method('getQuery', [T.url], T.map(T.string, T.list(T.string)), ([u]) => {
  const entries = new Map<string, [Val, Val]>();
  for (const [k, v] of (u as URLValue).query) entries.set(mapKeyOf(k) ?? k, [k, new ArrayList(v)]);
  return new ValueMap(entries);
});

/** Signature text for "found no matching overload" messages. */
export function signatureText(member: boolean, args: CelType[]): string {
  if (member) {
    const [recv, ...rest] = args;
    return `${recv ? typeName(recv) : 'dyn'}.(${rest.map(typeName).join(', ')})`;
  }
  return `(${args.map(typeName).join(', ')})`;
}
