// The apiextensions controllers that run inside kube-apiserver: naming/establishing (accept the
// names, set NamesAccepted and Established, start serving the custom resource) and finalizing
// (on CRD deletion, delete every instance, then drop the cleanup finalizer so the CRD goes).
import type { Logger } from '../../log/logger.js';
import { StatusError } from '../errors.js';
import { nowTime } from '../gotime.js';
import { compileSchema } from '../schema/index.js';
import type { CompiledSchema } from '../schema/index.js';
import type { Catalog } from '../registry/catalog.js';
import { customResource } from '../registry/customresources.js';
import { CLEANUP_FINALIZER, setCondition, storageVersion, versionsOf } from '../registry/kinds/crds.js';
import { arr, obj, text } from '../registry/builtin.js';
import type { Registry } from '../registry/rest.js';
import type { OpContext, Resource } from '../registry/types.js';
import { ObjectStore } from '../storage/store.js';
import type { Revision } from '../storage/store.js';
import type { CacheWatcher } from '../storage/watchcache.js';
import type { JsonObject } from '../types/model.js';

interface Served {
  group: string;
  plural: string;
  versions: string[];
}

const RETRY_MS = 500;

export class CrdController {
  private readonly stores = new Map<string, ObjectStore>();
  private readonly served = new Map<string, Served>();
  private readonly pending = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private scheduled = false;
  private stopped = false;
  private readonly watcher: CacheWatcher;

  constructor(
    private readonly crds: Resource,
    private readonly registry: Registry,
    private readonly catalog: Catalog,
    private readonly revision: Revision,
    private readonly watchCacheSize: number,
    private readonly log: Logger,
  ) {
    this.watcher = {
      onEvent: (ev) => this.enqueue(ev.obj.name),
      terminate: () => undefined,
    };
  }

  start(): void {
    this.crds.store.watchCache.addWatcher(this.watcher);
    for (const rec of this.crds.store.list()) this.enqueue(rec.name);
  }

  stop(): void {
    this.stopped = true;
    this.crds.store.watchCache.removeWatcher(this.watcher);
    for (const t of this.timers) clearTimeout(t);
    for (const s of this.stores.values()) s.close();
  }

  /** Storage of one custom resource; kept while its CRD exists (across spec changes). */
  storeFor(group: string, plural: string): ObjectStore {
    const key = `${group}/${plural}`;
    let s = this.stores.get(key);
    if (!s) {
      s = new ObjectStore(key, this.revision, this.watchCacheSize, true);
      this.stores.set(key, s);
    }
    return s;
  }

  private enqueue(name: string): void {
    this.pending.add(name);
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    // Asynchronous like the real controllers: a CRD's answer comes before it is Established.
    setImmediate(() => {
      this.scheduled = false;
      const names = [...this.pending];
      this.pending.clear();
      for (const n of names) {
        try {
          this.reconcile(n);
        } catch (e) {
          this.log.error({ err: e, crd: n }, 'crd reconcile failed');
          this.retry(n);
        }
      }
    });
  }

  private retry(name: string): void {
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.enqueue(name);
    }, RETRY_MS);
    this.timers.add(t);
  }

  private ctx(subresource: '' | 'status'): OpContext {
    return {
      now: Date.now(),
      manager: 'kube-apiserver',
      subresource,
      dryRun: false,
      requestVersion: 'apiextensions.k8s.io/v1',
      warnings: [],
    };
  }

  private reconcile(name: string): void {
    const rec = this.crds.store.get('', name);
    if (!rec) {
      this.unserve(name, true);
      return;
    }
    const crd = rec.obj;
    if (obj(crd.metadata).deletionTimestamp) {
      this.finalize(name, crd);
      return;
    }
    const next = structuredClone(crd);
    const status = obj(next.status);
    next.status = status;
    const spec = obj(next.spec);
    const names = obj(spec.names);
    const conflict = this.nameConflict(name, text(spec.group), names);
    const now = Date.now();
    if (conflict) {
      setCondition(
        next,
        { type: 'NamesAccepted', status: 'False', reason: conflict.reason, message: conflict.message },
        now,
      );
      const est = arr(status.conditions).some(
        (c) => obj(c).type === 'Established' && obj(c).status === 'True',
      );
      if (!est)
        setCondition(
          next,
          {
            type: 'Established',
            status: 'False',
            reason: 'NotAccepted',
            message: 'not all names are accepted',
          },
          now,
        );
    } else {
      status.acceptedNames = structuredClone(names);
      setCondition(
        next,
        { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' },
        now,
      );
      const est = arr(status.conditions).find((c) => obj(c).type === 'Established');
      if (!est || obj(est).status !== 'True')
        setCondition(
          next,
          {
            type: 'Established',
            status: 'True',
            reason: 'InitialNamesAccepted',
            message: 'the initial names have been accepted',
          },
          now,
        );
    }
    const w = this.registry.update(this.crds, '', name, next, this.ctx('status'), {
      fieldValidation: 'Ignore',
    });
    // A real change comes back through the watcher; serve once it is stored.
    if (w.rec !== rec) return;
    const established = arr(status.conditions).some(
      (c) => obj(c).type === 'Established' && obj(c).status === 'True',
    );
    if (established) this.serve(name, crd);
  }

  private nameConflict(
    name: string,
    group: string,
    names: JsonObject,
  ): { reason: string; message: string } | undefined {
    for (const other of this.crds.store.list()) {
      if (other.name === name) continue;
      const o = other.obj;
      if (text(obj(o.spec).group) !== group) continue;
      const accepted = obj(obj(o.status).acceptedNames);
      if (text(accepted.plural) && text(accepted.plural) === text(names.plural))
        return { reason: 'PluralConflict', message: `"${text(names.plural)}" is already in use` };
      if (text(accepted.kind) && text(accepted.kind) === text(names.kind))
        return { reason: 'KindConflict', message: `"${text(names.kind)}" is already in use` };
    }
    return undefined;
  }

  private serve(name: string, crd: JsonObject): void {
    const spec = obj(crd.spec);
    const group = text(spec.group);
    const names = obj(obj(crd.status).acceptedNames);
    const plural = text(names.plural);
    const store = this.storeFor(group, plural);
    const storage = storageVersion(crd) ?? '';
    const versions: string[] = [];
    for (const v of versionsOf(crd)) {
      if (v.served !== true) continue;
      const version = text(v.name);
      const statusSub = obj(v.subresources).status !== undefined && obj(v.subresources).status !== null;
      const compiled = compileSchema(obj(v.schema).openAPIV3Schema, { statusSubresource: statusSub });
      const schema: CompiledSchema | undefined = compiled.ok ? compiled.schema : undefined;
      this.catalog.add(
        customResource({
          group,
          version,
          storageVersion: storage,
          plural,
          singular: text(names.singular) || text(names.kind).toLowerCase(),
          kind: text(names.kind),
          listKind: text(names.listKind) || `${text(names.kind)}List`,
          namespaced: text(spec.scope) === 'Namespaced',
          shortNames: arr(names.shortNames).map(text),
          categories: arr(names.categories).map(text),
          schema,
          statusSubresource: statusSub,
          selectableFields: arr(v.selectableFields).map((f) => text(obj(f).jsonPath)),
          printerColumns: arr(v.additionalPrinterColumns).map((raw) => {
            const c = obj(raw);
            return {
              name: text(c.name),
              type: text(c.type),
              format: text(c.format),
              description: text(c.description),
              priority: typeof c.priority === 'number' ? c.priority : 0,
              jsonPath: text(c.jsonPath),
            };
          }),
          store,
        }),
      );
      versions.push(version);
    }
    const prev = this.served.get(name);
    if (prev)
      for (const v of prev.versions)
        if (!versions.includes(v)) this.catalog.remove(prev.group, v, prev.plural);
    this.served.set(name, { group, plural, versions });
  }

  private unserve(name: string, dropStore: boolean): void {
    const s = this.served.get(name);
    if (!s) return;
    for (const v of s.versions) this.catalog.remove(s.group, v, s.plural);
    this.served.delete(name);
    if (dropStore) {
      const key = `${s.group}/${s.plural}`;
      this.stores.get(key)?.close();
      this.stores.delete(key);
    }
  }

  /** Deletes every instance, then removes the cleanup finalizer. */
  private finalize(name: string, crd: JsonObject): void {
    const m = obj(crd.metadata);
    if (!arr(m.finalizers).includes(CLEANUP_FINALIZER)) return;
    const served = this.served.get(name);
    const res = served ? this.catalog.get(served.group, served.versions[0] ?? '', served.plural) : undefined;
    if (res) {
      for (const rec of res.store.list()) {
        try {
          this.registry.delete(res, rec.namespace, rec.name, {}, this.ctx(''));
        } catch (e) {
          if (!(e instanceof StatusError && e.code === 404)) throw e;
        }
      }
      if (res.store.size > 0) {
        // Instances with finalizers of their own hold the CRD until they are gone.
        const next = structuredClone(crd);
        setCondition(
          next,
          {
            type: 'Terminating',
            status: 'True',
            reason: 'InstanceDeletionInProgress',
            message: 'CustomResource deletion is in progress',
          },
          Date.now(),
        );
        if (JSON.stringify(next.status) !== JSON.stringify(crd.status))
          this.registry.update(this.crds, '', name, next, this.ctx('status'), { fieldValidation: 'Ignore' });
        this.retry(name);
        return;
      }
    }
    this.unserve(name, true);
    const next = structuredClone(crd);
    const nm = obj(next.metadata);
    nm.finalizers = arr(nm.finalizers)
      .map(text)
      .filter((f) => f !== CLEANUP_FINALIZER);
    this.registry.update(this.crds, '', name, next, this.ctx(''), { fieldValidation: 'Ignore' });
    this.log.debug({ crd: name, at: nowTime() }, 'custom resource definition deleted');
  }
}
