// JSON helpers shared by pruning, defaulting and validation. Inputs come from request bodies, so every
// helper is defensive: own-property checks only (no prototype lookups), `__proto__` keys stored as data,
// bounded recursion, and cycles (possible when a caller builds objects in JS) cut instead of looping.

/** Maximum nesting of JSON data we walk recursively; deeper data is rejected by validate(). */
export const MAX_DATA_DEPTH = 1000;

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

export function hasOwn(o: object, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k);
}

/** Reads an own property only: `o["constructor"]` must not find Object.prototype.constructor. */
export function getOwn(o: object, k: string): unknown {
  return hasOwn(o, k) ? (o as JsonObject)[k] : undefined;
}

/** Stores a key as data even when it is `__proto__` (plain assignment would change the prototype). */
export function setOwn(o: JsonObject, k: string, v: unknown): void {
  if (k === '__proto__') {
    Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  } else {
    o[k] = v;
  }
}

/** Compares strings by Unicode code point, which is the UTF-8 byte order Go uses to sort map keys. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    // Surrogates encode code points above U+FFFF, which sort after every BMP character.
    if (xs !== ys) return xs ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

export function sortedKeys(o: object): string[] {
  return Object.keys(o).sort(compareCodePoints);
}

/** JSON-like value kinds as kube-openapi names them. */
export function jsonKind(
  v: unknown,
): 'null' | 'boolean' | 'integer' | 'number' | 'string' | 'array' | 'object' {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number') return isGoInt(v) ? 'integer' : 'number';
  if (typeof v === 'bigint') return 'integer';
  if (typeof v === 'string') return 'string';
  if (Array.isArray(v)) return 'array';
  return 'object';
}

/**
 * Whether a JSON number decodes to int64 in Go (Kubernetes' unstructured decoding). JSON.parse loses the
 * difference between `1` and `1.0`; both count as integers here.
 */
export function isGoInt(n: number): boolean {
  return Number.isInteger(n) && n >= -9223372036854775808 && n < 9223372036854775808;
}

/**
 * Deep copy of JSON data with keys sorted like Go's encoding/json writes maps. Non-JSON leaves
 * (undefined, functions, symbols, non-finite numbers) become null; cycles and nesting beyond
 * MAX_DATA_DEPTH are cut to null.
 */
export function copySorted(v: unknown): unknown {
  return copyRec(v, 0, new Set<object>());
}

function copyRec(v: unknown, depth: number, path: Set<object>): unknown {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v !== 'object') return null;
  if (depth >= MAX_DATA_DEPTH || path.has(v)) return null;
  path.add(v);
  let out: unknown;
  if (Array.isArray(v)) {
    const arr: unknown[] = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) arr[i] = copyRec(v[i], depth + 1, path);
    out = arr;
  } else {
    const obj: JsonObject = {};
    for (const k of sortedKeys(v)) {
      const child: unknown = (v as JsonObject)[k];
      if (child === undefined) continue;
      setOwn(obj, k, copyRec(child, depth + 1, path));
    }
    out = obj;
  }
  path.delete(v);
  return out;
}

/** Deep copy keeping key order (used for default values, which are copied into objects). */
export function deepCopy(v: unknown): unknown {
  return copyPlain(v, 0, new Set<object>());
}

function copyPlain(v: unknown, depth: number, path: Set<object>): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (depth >= MAX_DATA_DEPTH || path.has(v)) return null;
  path.add(v);
  let out: unknown;
  if (Array.isArray(v)) {
    out = v.map((x) => copyPlain(x, depth + 1, path));
  } else {
    const obj: JsonObject = {};
    for (const k of Object.keys(v)) setOwn(obj, k, copyPlain((v as JsonObject)[k], depth + 1, path));
    out = obj;
  }
  path.delete(v);
  return out;
}

/** Structural equality of JSON values (numbers by value, objects regardless of key order). */
export function deepEqual(a: unknown, b: unknown): boolean {
  return eqRec(a, b, 0);
}

function eqRec(a: unknown, b: unknown, depth: number): boolean {
  if (a === b) return true;
  if (depth >= MAX_DATA_DEPTH) return false;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') {
    return (a === undefined && b === null) || (a === null && b === undefined);
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!eqRec(a[i], b[i], depth + 1)) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!hasOwn(b, k)) return false;
    if (!eqRec((a as JsonObject)[k], (b as JsonObject)[k], depth + 1)) return false;
  }
  return true;
}

/** Canonical JSON text (sorted keys) used as a hash key for uniqueness checks. */
export function canonicalJson(v: unknown): string {
  const parts: string[] = [];
  canonRec(v, 0, parts);
  return parts.join('');
}

function canonRec(v: unknown, depth: number, out: string[]): void {
  if (depth >= MAX_DATA_DEPTH) {
    out.push('null');
    return;
  }
  if (v === null || v === undefined) out.push('null');
  else if (typeof v === 'string') out.push(JSON.stringify(v));
  else if (typeof v === 'number') out.push(Number.isFinite(v) ? String(v) : 'null');
  else if (typeof v === 'boolean') out.push(v ? 'true' : 'false');
  else if (Array.isArray(v)) {
    out.push('[');
    v.forEach((x, i) => {
      if (i > 0) out.push(',');
      canonRec(x, depth + 1, out);
    });
    out.push(']');
  } else if (typeof v === 'object') {
    out.push('{');
    sortedKeys(v).forEach((k, i) => {
      if (i > 0) out.push(',');
      out.push(JSON.stringify(k), ':');
      canonRec((v as JsonObject)[k], depth + 1, out);
    });
    out.push('}');
  } else out.push('null');
}

/**
 * Nesting depth of a value, measured iteratively so hostile input cannot overflow the stack.
 * Stops counting once `limit` is exceeded; cycles count as too deep.
 */
export function exceedsDepth(v: unknown, limit: number): boolean {
  // Entries are [value, depth, exiting]; exit markers keep `ancestors` exact so shared (but acyclic)
  // sub-objects are fine while real cycles are reported.
  const stack: Array<[unknown, number, boolean]> = [[v, 0, false]];
  const ancestors = new Set<object>();
  let visited = 0;
  while (stack.length > 0) {
    const [x, d, exiting] = stack.pop() as [unknown, number, boolean];
    if (x === null || typeof x !== 'object') continue;
    if (exiting) {
      ancestors.delete(x);
      continue;
    }
    if (d > limit || ancestors.has(x)) return true;
    // Bound the walk itself too; a few million nodes is far beyond any accepted request body.
    if (++visited > 5_000_000) return true;
    ancestors.add(x);
    stack.push([x, d, true]);
    if (Array.isArray(x)) for (const c of x) stack.push([c, d + 1, false]);
    else for (const k of Object.keys(x)) stack.push([(x as JsonObject)[k], d + 1, false]);
  }
  return false;
}
