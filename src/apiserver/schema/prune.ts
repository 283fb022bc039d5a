// Pruning and defaulting of custom resources, following apiextensions' structural pruning,
// PruneNonNullableNullsWithoutDefaults and Default algorithms. Pruning builds a fresh copy, so the
// later in-place steps never touch the caller's object.
import { deepCopy, hasOwn, isObject, MAX_DATA_DEPTH, setOwn, type JsonObject } from './json.js';
import type { SchemaNode } from './node.js';

const META_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

/** Copy of `x` without the fields `s` does not specify (TypeMeta/ObjectMeta kept at resource roots). */
export function pruneCopy(x: unknown, s: SchemaNode | undefined, embedded: boolean, depth = 0): unknown {
  if (depth > MAX_DATA_DEPTH) return null;
  if (s?.preserveUnknownFields === true) return skipPruneCopy(x, s, embedded || s.embeddedResource, depth);
  if (Array.isArray(x))
    return x.map((v) => pruneCopy(v, s?.items, s?.items?.embeddedResource ?? false, depth + 1));
  if (!isObject(x)) return scalar(x);
  return s ? copyObject(x, s, embedded, depth, false) : {};
}

/** x-kubernetes-preserve-unknown-fields: unknown fields stay, known ones are still pruned inside. */
function skipPruneCopy(x: unknown, s: SchemaNode, embedded: boolean, depth: number): unknown {
  if (depth > MAX_DATA_DEPTH) return null;
  if (Array.isArray(x)) {
    return x.map((v) =>
      s.items ? skipPruneCopy(v, s.items, s.items.embeddedResource, depth + 1) : deepCopy(v),
    );
  }
  if (!isObject(x)) return scalar(x);
  return copyObject(x, s, embedded, depth, true);
}

/** The object walk both share: known properties recurse, unknown ones are dropped or kept. */
function copyObject(
  x: JsonObject,
  s: SchemaNode,
  embedded: boolean,
  depth: number,
  keepUnknown: boolean,
): JsonObject {
  const out: JsonObject = {};
  for (const k of Object.keys(x)) {
    const v = x[k];
    if (v === undefined) continue;
    if (embedded && META_FIELDS.has(k)) {
      setOwn(out, k, deepCopy(v));
      continue;
    }
    const prop = s.properties?.get(k);
    if (prop) setOwn(out, k, pruneCopy(v, prop, prop.embeddedResource, depth + 1));
    else if (s.additionalProperties) {
      const ap = s.additionalProperties.schema;
      setOwn(out, k, pruneCopy(v, ap, ap?.embeddedResource ?? false, depth + 1));
    } else if (keepUnknown) setOwn(out, k, deepCopy(v));
  }
  return out;
}

function scalar(x: unknown): unknown {
  if (x === null || typeof x === 'string' || typeof x === 'boolean') return x;
  if (typeof x === 'number') return Number.isFinite(x) ? x : null;
  return null;
}

function schemaForField(field: string, s: SchemaNode | undefined): SchemaNode | undefined {
  if (!s) return undefined;
  const p = s.properties?.get(field);
  if (p) return p;
  return s.additionalProperties?.schema;
}

/** Removes nulls where the schema neither allows null nor has a default to put there. */
export function pruneNonNullableNulls(x: unknown, s: SchemaNode | undefined, depth = 0): void {
  if (depth > MAX_DATA_DEPTH) return;
  if (Array.isArray(x)) {
    for (const v of x) pruneNonNullableNulls(v, s?.items, depth + 1);
  } else if (isObject(x)) {
    for (const k of Object.keys(x)) {
      const sub = schemaForField(k, s);
      if (x[k] === null && sub && !sub.nullable && sub.default === undefined) delete x[k];
      else pruneNonNullableNulls(x[k], sub, depth + 1);
    }
  }
}

function isNonNullableNull(v: unknown, s: SchemaNode | undefined): boolean {
  return v === null && s !== undefined && !s.nullable;
}

/** Applies defaults in place: missing fields, and nulls in non-nullable fields, get a copy of the default. */
export function applyDefaults(x: unknown, s: SchemaNode | undefined, depth = 0): void {
  if (!s || depth > MAX_DATA_DEPTH) return;
  if (isObject(x)) {
    for (const [k, prop] of s.properties ?? []) {
      if (prop.default === undefined) continue;
      if (!hasOwn(x, k) || isNonNullableNull(x[k], prop)) setOwn(x, k, deepCopy(prop.default.value));
    }
    for (const k of Object.keys(x)) {
      const prop = s.properties?.get(k);
      if (prop) applyDefaults(x[k], prop, depth + 1);
      else if (s.additionalProperties) {
        const ap = s.additionalProperties.schema;
        if (ap?.default !== undefined && isNonNullableNull(x[k], ap))
          setOwn(x, k, deepCopy(ap.default.value));
        applyDefaults(x[k], ap, depth + 1);
      }
    }
  } else if (Array.isArray(x)) {
    const items = s.items;
    for (let i = 0; i < x.length; i++) {
      if (items?.default !== undefined && isNonNullableNull(x[i], items))
        x[i] = deepCopy(items.default.value);
      applyDefaults(x[i], items, depth + 1);
    }
  }
}
