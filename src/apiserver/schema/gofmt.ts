// Renders JSON values the way Go's fmt package prints the unstructured data Kubernetes holds
// (map[string]interface{}, []interface{}, string, int64, float64, bool, nil). The API server
// builds `Invalid value: ...` messages with %q, %v and %#v, and clients see those strings verbatim.
import { isGoInt, isObject, MAX_DATA_DEPTH, sortedKeys } from './json.js';

/** A Go struct value printed with %#v, e.g. apiextensions.ValidationRule{Rule:"x", Message:""}. */
export class GoStruct {
  constructor(
    readonly typeName: string,
    readonly fields: ReadonlyArray<readonly [string, unknown]>,
  ) {}
}

/** A typed Go slice printed with %#v, e.g. []string{"a", "b"}. */
export class GoSlice {
  constructor(
    readonly elemType: string,
    readonly items: readonly unknown[],
  ) {}
}

/** A Go unsigned integer printed with %#v (hex), e.g. 0x0. */
export class GoUint {
  constructor(readonly value: bigint) {}
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** strconv.Quote: double-quoted Go string literal with Go's escaping rules. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    let cp = ch.codePointAt(0) ?? 0xfffd;
    // Lone surrogates cannot come out of Go's JSON decoder; it substitutes U+FFFD.
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
    const c = String.fromCodePoint(cp);
    if (c === '"') out += '\\"';
    else if (c === '\\') out += '\\\\';
    else if (cp === 0x20 || (cp > 0x20 && cp !== 0x7f && PRINTABLE.test(c))) out += c;
    else if (cp === 0x07) out += '\\a';
    else if (cp === 0x08) out += '\\b';
    else if (cp === 0x0c) out += '\\f';
    else if (cp === 0x0a) out += '\\n';
    else if (cp === 0x0d) out += '\\r';
    else if (cp === 0x09) out += '\\t';
    else if (cp === 0x0b) out += '\\v';
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + cp.toString(16).padStart(2, '0');
    else if (cp < 0x10000) out += '\\u' + cp.toString(16).padStart(4, '0');
    else out += '\\U' + cp.toString(16).padStart(8, '0');
  }
  return out + '"';
}

/** strconv.FormatFloat(f, 'g', -1, 64), which is what %v and %#v print for float64. */
export function goFloat(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  // toExponential() yields the shortest round-trip digits, the same digits Go picks.
  const [mant = '0', expText = '0'] = f.toExponential().split('e');
  const exp = Number(expText);
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  // With the shortest precision Go uses %e when exp < -4 || exp >= 6 (so 1e6 prints as 1e+06).
  let body: string;
  if (exp < -4 || exp >= 6) {
    const m = digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits;
    const e = Math.abs(exp);
    body = m + 'e' + (exp < 0 ? '-' : '+') + (e < 10 ? '0' + String(e) : String(e));
  } else if (exp < 0) {
    body = '0.' + '0'.repeat(-exp - 1) + digits;
  } else if (digits.length <= exp + 1) {
    body = digits + '0'.repeat(exp + 1 - digits.length);
  } else {
    body = digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1);
  }
  return (neg ? '-' : '') + body;
}

/** Prints a JSON number as Go would after decoding it into int64 or float64. */
export function goNumber(n: number): string {
  if (isGoInt(n)) return Math.abs(n) <= Number.MAX_SAFE_INTEGER ? String(n) : BigInt(n).toString();
  return goFloat(n);
}

/** %v of a top-level value inside field.Error (ints, floats and bools only). */
export function goV(v: unknown): string {
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return v;
  return goSharpV(v);
}

/** %#v of unstructured data. Nesting beyond MAX_DATA_DEPTH is elided to keep this stack-safe. */
export function goSharpV(v: unknown): string {
  const out: string[] = [];
  sharpRec(v, 0, out, false);
  return out.join('');
}

function sharpRec(v: unknown, depth: number, out: string[], inInterface: boolean): void {
  if (depth > MAX_DATA_DEPTH) {
    out.push('...');
    return;
  }
  if (v === null || v === undefined) {
    out.push(inInterface ? 'interface {}(nil)' : '<nil>');
  } else if (typeof v === 'string') {
    out.push(goQuote(v));
  } else if (typeof v === 'number') {
    out.push(goNumber(v));
  } else if (typeof v === 'bigint') {
    out.push(v.toString());
  } else if (typeof v === 'boolean') {
    out.push(v ? 'true' : 'false');
  } else if (v instanceof GoUint) {
    out.push('0x' + v.value.toString(16));
  } else if (v instanceof GoSlice) {
    out.push('[]', v.elemType, '{');
    v.items.forEach((x, i) => {
      if (i > 0) out.push(', ');
      sharpRec(x, depth + 1, out, false);
    });
    out.push('}');
  } else if (v instanceof GoStruct) {
    out.push(v.typeName, '{');
    v.fields.forEach(([name, val], i) => {
      if (i > 0) out.push(', ');
      out.push(name, ':');
      sharpRec(val, depth + 1, out, false);
    });
    out.push('}');
  } else if (Array.isArray(v)) {
    out.push('[]interface {}{');
    v.forEach((x, i) => {
      if (i > 0) out.push(', ');
      sharpRec(x, depth + 1, out, true);
    });
    out.push('}');
  } else if (isObject(v)) {
    out.push('map[string]interface {}{');
    sortedKeys(v).forEach((k, i) => {
      if (i > 0) out.push(', ');
      out.push(goQuote(k), ':');
      sharpRec(v[k], depth + 1, out, true);
    });
    out.push('}');
  } else {
    out.push(inInterface ? 'interface {}(nil)' : '<nil>');
  }
}

/** The Go type name that %T prints for unstructured data. */
export function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return isGoInt(v) ? 'int64' : 'float64';
  if (typeof v === 'bigint') return 'int64';
  if (Array.isArray(v)) return '[]interface {}';
  return 'map[string]interface {}';
}
