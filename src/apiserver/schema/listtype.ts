// x-kubernetes-list-type uniqueness: "set" lists must not repeat an element and "map" lists must not
// repeat a key tuple (apiextensions' ValidateListSetsAndMaps). Only the second occurrence of a value is
// reported, as Duplicate value causes on that index.
import { duplicate, invalid, type FieldCause, type Path } from './field.js';
import { canonicalJson, hasOwn, isObject, MAX_DATA_DEPTH, sortedKeys } from './json.js';
import type { SchemaNode } from './node.js';

export function validateListSetsAndMaps(
  p: Path,
  s: SchemaNode | undefined,
  obj: unknown,
  depth = 0,
): FieldCause[] {
  if (!s || depth > MAX_DATA_DEPTH) return [];
  if (Array.isArray(obj)) return validateArray(p, s, obj, depth);
  if (!isObject(obj)) return [];
  const errs: FieldCause[] = [];
  const ap = s.additionalProperties?.schema;
  if (ap)
    for (const k of sortedKeys(obj)) errs.push(...validateListSetsAndMaps(p.key(k), ap, obj[k], depth + 1));
  if (s.properties) {
    for (const k of sortedKeys(obj)) {
      const sub = s.properties.get(k);
      if (sub) errs.push(...validateListSetsAndMaps(p.child(k), sub, obj[k], depth + 1));
    }
  }
  return errs;
}

function validateArray(p: Path, s: SchemaNode, arr: unknown[], depth: number): FieldCause[] {
  const errs: FieldCause[] = [];
  if (s.listType === 'set') {
    for (const i of nonUniqueIndices(arr)) errs.push(duplicate(p.index(i), arr[i]));
  } else if (s.listType === 'map') {
    errs.push(...validateListMap(p, s, arr));
  }
  if (s.items)
    arr.forEach((x, i) => errs.push(...validateListSetsAndMaps(p.index(i), s.items, x, depth + 1)));
  return errs;
}

const UNSPECIFIED = '\u0000unspecified';

function keyOf(x: unknown): string {
  if (x === UNSPECIFIED) return x;
  if (Array.isArray(x) || isObject(x)) return 'c' + canonicalJson(x);
  return 's' + canonicalJson(x);
}

/** Indices of the second occurrence of each repeated value. */
function nonUniqueIndices(values: unknown[]): number[] {
  if (values.length <= 1) return [];
  const seen = new Map<string, number>();
  const out: number[] = [];
  values.forEach((v, i) => {
    const k = keyOf(v);
    const times = seen.get(k) ?? 0;
    seen.set(k, times + 1);
    if (times === 1) out.push(i);
  });
  return out;
}

function validateListMap(p: Path, s: SchemaNode, arr: unknown[]): FieldCause[] {
  for (let i = 0; i < arr.length; i++) {
    const x = arr[i];
    if (x !== null && x !== undefined && !isObject(x)) {
      return [invalid(p.index(i), x, 'must be an object for an array of list-type map')];
    }
  }
  if (arr.length <= 1) return [];
  const keyFields = s.listMapKeys;
  if (keyFields.length === 1) {
    const field = keyFields[0] ?? '';
    const keys = arr.map((x) => (isObject(x) && hasOwn(x, field) ? x[field] : UNSPECIFIED));
    return nonUniqueIndices(keys).map((i) => {
      const k = keys[i];
      const v: Record<string, unknown> = {};
      if (k !== UNSPECIFIED) Object.defineProperty(v, field, { value: k, enumerable: true });
      return duplicate(p.index(i), v);
    });
  }
  const keys = arr.map((x) => {
    const key: Record<string, unknown> = {};
    if (isObject(x)) {
      for (const f of keyFields)
        if (hasOwn(x, f)) Object.defineProperty(key, f, { value: x[f], enumerable: true });
    }
    return key;
  });
  return nonUniqueIndices(keys).map((i) => duplicate(p.index(i), keys[i]));
}
