// Strategic merge patch for built-in kinds, driven by the patch metadata in the type model
// (patchStrategy/patchMergeKey from the Kubernetes Go types): lists with a merge key merge item
// by item, lists without one are replaced whole, maps and structs merge, null deletes, and the
// `$patch`, `$retainKeys`, `$deleteFromPrimitiveList` and `$setElementOrder` directives apply.
import { fieldOf, isPlainObject, resolve } from '../types/model.js';
import type { FieldDef, GoType, JsonObject, JsonValue, TypeRef } from '../types/model.js';

export class StrategicPatchError extends Error {}

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const DELETE_PRIMITIVE = '$deleteFromPrimitiveList/';
const SET_ORDER = '$setElementOrder/';

/** Unwraps pointers; structs and maps come back as themselves. */
function deref(t: TypeRef | undefined): GoType | undefined {
  let r = t === undefined ? undefined : resolve(t);
  while (r && r.kind === 'ptr') r = resolve(r.elem);
  return r;
}

export function applyStrategicPatch(original: JsonObject, patch: JsonValue, t: TypeRef): JsonObject {
  if (!isPlainObject(patch)) throw new StrategicPatchError('invalid strategic merge patch: not an object');
  return mergeMap(original, patch, deref(t));
}

function mergeMap(original: JsonObject, patch: JsonObject, t: GoType | undefined): JsonObject {
  const directive = patch[DIRECTIVE];
  if (directive === 'replace') {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(patch)) if (k !== DIRECTIVE) out[k] = structuredClone(v);
    return out;
  }
  if (directive === 'delete') return {};
  if (directive !== undefined && directive !== 'merge')
    throw new StrategicPatchError(
      `Unknown patch type: ${JSON.stringify(directive)} in map: ${JSON.stringify(patch)}`,
    );

  const out: JsonObject = { ...original };
  const retain = patch[RETAIN_KEYS];
  if (Array.isArray(retain)) {
    const keep = new Set(retain.map(String));
    for (const k of Object.keys(out)) if (!keep.has(k)) delete out[k];
  }
  for (const [key, pv] of Object.entries(patch)) {
    if (key === DIRECTIVE || key === RETAIN_KEYS || key.startsWith(SET_ORDER)) continue;
    if (key.startsWith(DELETE_PRIMITIVE)) {
      const field = key.slice(DELETE_PRIMITIVE.length);
      const cur = out[field];
      if (Array.isArray(cur) && Array.isArray(pv)) out[field] = cur.filter((x) => !pv.some((d) => d === x));
      continue;
    }
    if (pv === null) {
      delete out[key];
      continue;
    }
    const fd = t?.kind === 'struct' ? fieldOf(t, key) : undefined;
    const elemType = t?.kind === 'map' ? deref(t.elem) : fd ? deref(fd.type) : undefined;
    const ov = out[key];
    if (Array.isArray(pv)) {
      out[key] = mergeListField(Array.isArray(ov) ? ov : [], pv, fd, elemType);
    } else if (isPlainObject(pv) && (elemType?.kind === 'struct' || elemType?.kind === 'map' || !fd)) {
      if (pv[DIRECTIVE] === 'delete') {
        delete out[key];
        continue;
      }
      out[key] = mergeMap(isPlainObject(ov) ? ov : {}, pv, elemType);
    } else {
      out[key] = structuredClone(pv);
    }
  }
  // $setElementOrder reorders the merged list to the order the client last saw.
  for (const [key, order] of Object.entries(patch)) {
    if (!key.startsWith(SET_ORDER) || !Array.isArray(order)) continue;
    const field = key.slice(SET_ORDER.length);
    const fd = t?.kind === 'struct' ? fieldOf(t, field) : undefined;
    const list = out[field];
    if (Array.isArray(list)) out[field] = reorder(list, order, fd?.patchMergeKey);
  }
  return out;
}

function mergeListField(
  original: JsonValue[],
  patch: JsonValue[],
  fd: FieldDef | undefined,
  listType: GoType | undefined,
): JsonValue[] {
  if (!fd || fd.patchStrategy !== 'merge') {
    return patch
      .filter((x) => !(isPlainObject(x) && x[DIRECTIVE] !== undefined))
      .map((x) => structuredClone(x));
  }
  const elem = listType?.kind === 'slice' ? deref(listType.elem) : undefined;
  // A `{"$patch": "replace"}` element replaces the whole list with the other elements.
  if (patch.some((x) => isPlainObject(x) && x[DIRECTIVE] === 'replace')) {
    return patch
      .filter((x) => !(isPlainObject(x) && x[DIRECTIVE] === 'replace'))
      .map((x) => structuredClone(x));
  }
  const key = fd.patchMergeKey;
  if (!key) {
    // A list of scalars with merge strategy (finalizers, podCIDRs): union in order.
    const out = [...original];
    for (const v of patch) if (!out.some((o) => o === v)) out.push(structuredClone(v));
    return out;
  }
  const out = original.map((x) => x);
  for (const item of patch) {
    if (!isPlainObject(item))
      throw new StrategicPatchError(`merging list: element is not a map: ${JSON.stringify(item)}`);
    if (!(key in item))
      throw new StrategicPatchError(
        `map: ${JSON.stringify(item)} does not contain declared merge key: ${key}`,
      );
    const idx = out.findIndex((o) => isPlainObject(o) && o[key] === item[key]);
    if (item[DIRECTIVE] === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) out[idx] = mergeMap(out[idx] as JsonObject, item, elem);
    else {
      const fresh: JsonObject = {};
      for (const [k, v] of Object.entries(item))
        if (k !== DIRECTIVE && v !== null) fresh[k] = structuredClone(v);
      out.push(fresh);
    }
  }
  return out;
}

function reorder(list: JsonValue[], order: JsonValue[], key: string | undefined): JsonValue[] {
  const ident = (v: JsonValue): JsonValue => (key && isPlainObject(v) ? (v[key] ?? null) : v);
  const wanted = order.map(ident);
  const inOrder: JsonValue[] = [];
  const rest: JsonValue[] = [];
  for (const v of list) (wanted.includes(ident(v)) ? inOrder : rest).push(v);
  inOrder.sort((a, b) => wanted.indexOf(ident(a)) - wanted.indexOf(ident(b)));
  return [...inOrder, ...rest];
}
