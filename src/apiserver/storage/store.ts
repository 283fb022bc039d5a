// In-memory, etcd-like object storage: one revision counter shared by every resource, each
// write stamps a new revision into metadata.resourceVersion, and a change log per resource lets
// lists be read as of an older revision until it is compacted (like etcd's MVCC history).
import { WatchCache } from './watchcache.js';
import type { StoredObject } from './stored-object.js';

export type { StoredObject };
import type { JsonObject } from '../types/model.js';

interface Change {
  rv: number;
  key: string;
  prev: StoredObject | undefined;
}

export class Compacted extends Error {}

/** The global revision (etcd's), and the compaction point shared by all stores. */
export class Revision {
  current = 0;
  compacted = 0;
  private readonly stores = new Set<ObjectStore>();

  next(): number {
    return ++this.current;
  }
  register(s: ObjectStore): void {
    this.stores.add(s);
  }
  unregister(s: ObjectStore): void {
    this.stores.delete(s);
  }
  /** Drops history up to `rv` everywhere, as `etcdctl compact` would. */
  compact(rv = this.current): void {
    if (rv <= this.compacted) return;
    this.compacted = rv;
    for (const s of this.stores) s.dropHistory(rv);
  }
}

export const keyOf = (namespace: string, name: string): string => (namespace ? `${namespace}/${name}` : name);

/** ObjectMeta's Go field order, which built-in objects are written in. */
const META_ORDER = [
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
];

/** A copy with metadata.resourceVersion set, keeping the key order the object is written in. */
export function withResourceVersion(obj: JsonObject, rv: number, sortedKeys = false): JsonObject {
  const m: JsonObject = { ...((obj.metadata ?? {}) as JsonObject), resourceVersion: String(rv) };
  return { ...obj, metadata: orderedMeta(m, sortedKeys) };
}

/** metadata with its keys in the order the object is written in. */
export function orderedMeta(m: JsonObject, sortedKeys: boolean): JsonObject {
  const keys = sortedKeys
    ? Object.keys(m).sort()
    : [...META_ORDER.filter((k) => k in m), ...Object.keys(m).filter((k) => !META_ORDER.includes(k))];
  const meta: JsonObject = {};
  for (const k of keys) meta[k] = m[k] as JsonObject[string];
  return meta;
}

export class ObjectStore {
  private readonly byKey = new Map<string, StoredObject>();
  private readonly byNamespace = new Map<string, Map<string, StoredObject>>();
  private sortedKeys: string[] | undefined;
  private log: Change[] = [];
  readonly watchCache: WatchCache;
  /** etcd lease TTL for every write (Events: --event-ttl); key → expiry, ms */
  private readonly expiry = new Map<string, number>();
  ttlMs = 0;

  constructor(
    readonly resource: string,
    readonly revision: Revision,
    watchCacheSize: number,
    /** custom resources are written with every key sorted */
    readonly sortedWrites = false,
  ) {
    revision.register(this);
    this.watchCache = new WatchCache(watchCacheSize, revision.current);
  }

  get size(): number {
    return this.byKey.size;
  }

  get(namespace: string, name: string): StoredObject | undefined {
    return this.byKey.get(keyOf(namespace, name));
  }

  /** Current objects in key order, optionally in one namespace. */
  list(namespace?: string): StoredObject[] {
    if (namespace) {
      const m = this.byNamespace.get(namespace);
      if (!m) return [];
      return [...m.keys()].sort().map((n) => m.get(n) as StoredObject);
    }
    this.sortedKeys ??= [...this.byKey.keys()].sort();
    return this.sortedKeys.map((k) => this.byKey.get(k) as StoredObject);
  }

  countInNamespace(namespace: string): number {
    return this.byNamespace.get(namespace)?.size ?? 0;
  }

  /** Objects as of revision `rv` (key order); throws Compacted when history is gone. */
  listAt(rv: number, namespace?: string): StoredObject[] {
    if (rv < this.revision.compacted) throw new Compacted();
    if (rv >= this.revision.current) return this.list(namespace);
    const state = new Map<string, StoredObject | undefined>();
    for (let i = this.log.length - 1; i >= 0; i--) {
      const c = this.log[i] as Change;
      if (c.rv <= rv) break;
      state.set(c.key, c.prev);
    }
    const out: StoredObject[] = [];
    const seen = new Set<string>();
    for (const o of this.list(namespace)) {
      seen.add(o.key);
      const older = state.has(o.key) ? state.get(o.key) : o;
      if (older) out.push(older);
    }
    for (const [k, v] of state) {
      if (!v || seen.has(k)) continue;
      if (namespace && v.namespace !== namespace) continue;
      out.push(v);
    }
    out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return out;
  }

  /** Writes a new or changed object; stamps and returns the stored record. */
  put(namespace: string, name: string, obj: JsonObject): StoredObject {
    const key = keyOf(namespace, name);
    const prev = this.byKey.get(key);
    const rv = this.revision.next();
    const stamped = withResourceVersion(obj, rv, this.sortedWrites);
    const rec: StoredObject = { key, namespace, name, obj: stamped, json: JSON.stringify(stamped), rv };
    this.byKey.set(key, rec);
    let ns = this.byNamespace.get(namespace);
    if (!ns) {
      ns = new Map<string, StoredObject>();
      this.byNamespace.set(namespace, ns);
    }
    ns.set(name, rec);
    if (!prev) this.sortedKeys = undefined;
    this.log.push({ rv, key, prev });
    if (this.ttlMs > 0) this.expiry.set(key, Date.now() + this.ttlMs);
    this.watchCache.add(prev ? 'MODIFIED' : 'ADDED', rec, prev);
    return rec;
  }

  /** Removes an object; the DELETED event carries a new revision, the answer the last stored one. */
  remove(namespace: string, name: string): StoredObject | undefined {
    const key = keyOf(namespace, name);
    const prev = this.byKey.get(key);
    if (!prev) return undefined;
    const rv = this.revision.next();
    this.byKey.delete(key);
    const ns = this.byNamespace.get(namespace);
    ns?.delete(name);
    if (ns && ns.size === 0) this.byNamespace.delete(namespace);
    this.sortedKeys = undefined;
    this.expiry.delete(key);
    this.log.push({ rv, key, prev });
    const tomb = withResourceVersion(prev.obj, rv, this.sortedWrites);
    this.watchCache.add('DELETED', { ...prev, obj: tomb, json: JSON.stringify(tomb), rv }, prev);
    return prev;
  }

  /** Removes objects whose TTL ran out, as etcd lease expiry does. */
  expire(now = Date.now()): number {
    let n = 0;
    for (const [key, at] of [...this.expiry]) {
      if (at > now) continue;
      const rec = this.byKey.get(key);
      if (rec) {
        this.remove(rec.namespace, rec.name);
        n++;
      } else this.expiry.delete(key);
    }
    return n;
  }

  dropHistory(rv: number): void {
    let i = 0;
    while (i < this.log.length && (this.log[i] as Change).rv <= rv) i++;
    if (i > 0) this.log = this.log.slice(i);
  }

  close(): void {
    this.revision.unregister(this);
    this.watchCache.closeAll();
  }
}
