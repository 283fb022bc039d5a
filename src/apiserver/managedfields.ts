// managedFields for Update operations, approximating structured-merge-diff: a manager owns the
// fields it set or changed; changing a field takes it away from other managers; entries are per
// (manager, operation, apiVersion, subresource). FieldsV1 keys use f:, k:{...} and v:"..." with
// "." for lists, maps and list items the manager owns as a whole.
import { isPlainObject, resolve } from './types/model.js';
import type { GoType, JsonObject, JsonValue, TypeRef } from './types/model.js';

/** path segments joined by \u0000; the value is a fingerprint to detect changes */
type FieldSet = Map<string, string>;

const SEP = '\u0000';
const CONTAINER = '\u0001container';

const IGNORED_META = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
  'generateName',
]);

function deref(t: TypeRef | undefined): GoType | undefined {
  let r = t === undefined ? undefined : resolve(t);
  while (r?.kind === 'ptr') r = resolve(r.elem);
  return r;
}

function fieldsOf(
  obj: JsonObject,
  t: TypeRef | undefined,
  subresource: string,
  hasStatus: boolean,
): FieldSet {
  const set: FieldSet = new Map();
  const root = deref(t);
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'kind' || k === 'apiVersion') continue;
    if (hasStatus && subresource === 'status' && k !== 'status') continue;
    if (hasStatus && subresource !== 'status' && k === 'status') continue;
    const fd = root?.kind === 'struct' ? root.index?.get(k) : undefined;
    if (k === 'metadata' && isPlainObject(v)) {
      const mt = fd ? deref(fd.type) : undefined;
      for (const [mk, mv] of Object.entries(v)) {
        if (IGNORED_META.has(mk)) continue;
        const mfd = mt?.kind === 'struct' ? mt.index?.get(mk) : undefined;
        walk(
          set,
          ['f:metadata', `f:${mk}`],
          mv,
          mfd ? deref(mfd.type) : undefined,
          mfd?.listType,
          mfd?.listMapKeys,
          mfd?.atomic,
        );
      }
      continue;
    }
    walk(set, [`f:${k}`], v, fd ? deref(fd.type) : undefined, fd?.listType, fd?.listMapKeys, fd?.atomic);
  }
  return set;
}

function walk(
  set: FieldSet,
  path: string[],
  v: JsonValue,
  t: GoType | undefined,
  listType: string | undefined,
  mapKeys: string[] | undefined,
  atomic: boolean | undefined,
): void {
  const key = path.join(SEP);
  if (v === null || typeof v !== 'object' || atomic) {
    set.set(key, JSON.stringify(v));
    return;
  }
  if (Array.isArray(v)) {
    const elem = t?.kind === 'slice' ? deref(t.elem) : undefined;
    if (listType === 'map' && mapKeys?.length) {
      set.set(key, CONTAINER);
      for (const item of v) {
        if (!isPlainObject(item)) continue;
        const k: JsonObject = {};
        for (const mk of [...mapKeys].sort()) if (item[mk] !== undefined) k[mk] = item[mk];
        const itemPath = [...path, `k:${JSON.stringify(k)}`];
        set.set(itemPath.join(SEP), CONTAINER);
        walkStruct(set, itemPath, item, elem);
      }
    } else if (listType === 'set') {
      set.set(key, CONTAINER);
      for (const item of v) set.set([...path, `v:${JSON.stringify(item)}`].join(SEP), '');
    } else {
      set.set(key, JSON.stringify(v));
    }
    return;
  }
  if (t?.kind === 'map') {
    set.set(key, CONTAINER);
    const elem = deref(t.elem);
    for (const [k, x] of Object.entries(v))
      walk(set, [...path, `f:${k}`], x, elem, undefined, undefined, undefined);
    return;
  }
  if (t && t.kind !== 'struct') {
    set.set(key, JSON.stringify(v));
    return;
  }
  if (Object.keys(v).length === 0) return;
  walkStruct(set, path, v, t);
}

function walkStruct(set: FieldSet, path: string[], v: JsonObject, t: GoType | undefined): void {
  for (const [k, x] of Object.entries(v)) {
    const fd = t?.kind === 'struct' ? t.index?.get(k) : undefined;
    walk(
      set,
      [...path, `f:${k}`],
      x,
      fd ? deref(fd.type) : undefined,
      fd?.listType,
      fd?.listMapKeys,
      fd?.atomic,
    );
  }
}

function toFieldsV1(paths: Iterable<string>): JsonObject {
  const root: JsonObject = {};
  for (const p of paths) {
    let node = root;
    for (const seg of p.split(SEP)) {
      if (!isPlainObject(node[seg])) node[seg] = {};
      node = node[seg];
    }
  }
  return root;
}

function fromFieldsV1(tree: JsonValue | undefined): Set<string> {
  const out = new Set<string>();
  const visit = (node: JsonValue, path: string[]): void => {
    if (!isPlainObject(node)) return;
    const keys = Object.keys(node).filter((k) => k !== '.');
    if (path.length && (keys.length === 0 || '.' in node)) out.add(path.join(SEP));
    for (const k of keys) visit(node[k] as JsonValue, [...path, k]);
  };
  if (tree !== undefined) visit(tree, []);
  return out;
}

/** FieldsV1 with "." markers: containers that are members and also have members below. */
function render(paths: Set<string>): JsonObject {
  const tree = toFieldsV1(paths);
  for (const p of paths) {
    let node: JsonObject = tree;
    for (const seg of p.split(SEP)) node = node[seg] as JsonObject;
    if (Object.keys(node).length > 0) node['.'] = {};
  }
  return sortTree(tree);
}

function sortTree(t: JsonObject): JsonObject {
  const out: JsonObject = {};
  const keys = Object.keys(t).sort((a, b) => (a === '.' ? -1 : b === '.' ? 1 : a < b ? -1 : a > b ? 1 : 0));
  for (const k of keys) out[k] = sortTree(t[k] as JsonObject);
  return out;
}

export interface ManagerInfo {
  manager: string;
  apiVersion: string;
  subresource: string;
  time: string;
  type: TypeRef | undefined;
  hasStatusSubresource: boolean;
}

/**
 * Returns the managedFields for `next` after a write by `who`; `prev` is the stored object
 * (undefined on create).
 */
export function updateManagedFields(
  prev: JsonObject | undefined,
  next: JsonObject,
  who: ManagerInfo,
): JsonValue[] {
  const oldEntries = (
    isPlainObject(prev?.metadata) && Array.isArray(prev.metadata.managedFields)
      ? prev.metadata.managedFields
      : []
  ) as JsonObject[];
  const newSet = fieldsOf(next, who.type, who.subresource, who.hasStatusSubresource);
  const oldSet = prev
    ? fieldsOf(prev, who.type, who.subresource, who.hasStatusSubresource)
    : new Map<string, string>();
  const changed = new Set<string>();
  for (const [p, v] of newSet) if (oldSet.get(p) !== v || !prev) changed.add(p);
  const removed = new Set<string>();
  for (const p of oldSet.keys()) if (!newSet.has(p)) removed.add(p);

  const mine = (e: JsonObject): boolean =>
    e.manager === who.manager &&
    e.operation === 'Update' &&
    e.apiVersion === who.apiVersion &&
    (e.subresource ?? '') === who.subresource;

  const out: JsonObject[] = [];
  let own: Set<string> | undefined;
  let ownEntry: JsonObject | undefined;
  let ownAt = -1;
  for (const e of oldEntries) {
    const set = fromFieldsV1(e.fieldsV1);
    if (mine(e)) {
      own = set;
      ownEntry = e;
      ownAt = out.length;
      continue;
    }
    let touched = false;
    for (const p of [...set]) {
      if (changed.has(p) || removed.has(p) || !newSet.has(p)) {
        set.delete(p);
        touched = true;
      }
    }
    if (set.size === 0) continue;
    out.push(touched ? { ...e, fieldsV1: render(set) } : e);
  }
  const before = own ? new Set(own) : new Set<string>();
  const merged = new Set<string>([...before].filter((p) => newSet.has(p)));
  for (const p of changed) merged.add(p);
  const same = merged.size === before.size && [...merged].every((p) => before.has(p));
  if (merged.size > 0) {
    const entry: JsonObject = {
      manager: who.manager,
      operation: 'Update',
      apiVersion: who.apiVersion,
      time: same && ownEntry?.time ? ownEntry.time : who.time,
      fieldsType: 'FieldsV1',
      fieldsV1: same && ownEntry?.fieldsV1 ? ownEntry.fieldsV1 : render(merged),
    };
    if (who.subresource) entry.subresource = who.subresource;
    // Entries keep their place; a new one goes last.
    if (ownAt >= 0) out.splice(ownAt, 0, entry);
    else out.push(entry);
  }
  return out;
}
