// core/v1 Namespaces: the kubernetes finalizer, phase Active/Terminating, the
// kubernetes.io/metadata.name label, immortal system namespaces, and graceful deletion that
// waits for spec.finalizers (which nothing empties here: there is no namespace controller).
import { forbidden } from '../../errors.js';
import { invalid } from '../../fielderrors.js';
import type { FieldError } from '../../fielderrors.js';
import { nowTime } from '../../gotime.js';
import type { ObjectStore } from '../../storage/store.js';
import { Namespace } from '../../types/core.js';
import type { JsonObject } from '../../types/model.js';
import { validateObjectMeta } from '../../validation/meta.js';
import { isQualifiedName, nameIsDNSLabel } from '../../validation/names.js';
import { arr, builtin, obj, text } from '../builtin.js';
import type { Resource } from '../types.js';
import { NO_COLLECTION_DELETE } from '../types.js';

const IMMORTAL = new Set(['default', 'kube-system', 'kube-public']);
const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

function validateSpecFinalizers(ns: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  arr(obj(ns.spec).finalizers).forEach((f, i) => {
    const name = text(f);
    const path = `spec.finalizers[${i}]`;
    for (const m of isQualifiedName(name)) errs.push(invalid(path, name, m));
    if (!name.includes('/') && !STANDARD_FINALIZERS.has(name))
      errs.push(invalid(path, name, 'name is neither a standard finalizer name nor is it fully qualified'));
  });
  return errs;
}

export function namespacesResource(store: ObjectStore): Resource {
  return builtin({
    group: '',
    version: 'v1',
    plural: 'namespaces',
    singular: 'namespace',
    kind: 'Namespace',
    namespaced: false,
    shortNames: ['ns'],
    verbs: NO_COLLECTION_DELETE,
    subresources: ['status', 'finalize'],
    store,
    type: Namespace,
    returnDeletedObject: true,
    fieldLabels: ['status.phase'],
    fieldSet: (o) => ({ 'status.phase': text(obj(o.status).phase) }),
    defaults(o) {
      const m = obj(o.metadata);
      o.metadata = m;
      if (text(m.name)) m.labels = { ...obj(m.labels), 'kubernetes.io/metadata.name': text(m.name) };
      const st = obj(o.status);
      if (!text(st.phase)) o.status = { ...st, phase: 'Active' };
    },
    strategy: {
      prepareForCreate(o) {
        o.status = { phase: 'Active' };
        const spec = obj(o.spec);
        const fin = arr(spec.finalizers).map(text);
        if (!fin.includes('kubernetes')) fin.push('kubernetes');
        o.spec = { ...spec, finalizers: fin };
        const m = obj(o.metadata);
        m.labels = { ...obj(m.labels), 'kubernetes.io/metadata.name': text(m.name) };
      },
      prepareForUpdate(o, old) {
        o.spec = { ...obj(o.spec), finalizers: obj(old.spec).finalizers ?? null };
        o.status = structuredClone(old.status ?? {});
      },
      prepareForStatusUpdate(o, old) {
        o.spec = structuredClone(old.spec ?? {});
      },
      prepareForFinalize: (o, old) => prepareFinalize(o, old),
      validate: (o) => [
        ...validateObjectMeta(obj(o.metadata), false, nameIsDNSLabel),
        ...validateSpecFinalizers(o),
      ],
      validateUpdate: (o) => validateSpecFinalizers(o),
    },
    deleteHook(o, ctx) {
      const m = obj(o.metadata);
      const name = text(m.name);
      if (IMMORTAL.has(name))
        throw forbidden({ group: '', name: 'namespaces' }, name, 'this namespace may not be deleted');
      const finalizers = arr(obj(o.spec).finalizers);
      if (m.deletionTimestamp && finalizers.length === 0 && arr(m.finalizers).length === 0) return 'delete';
      if (!m.deletionTimestamp) {
        m.deletionTimestamp = nowTime(ctx.now);
        m.deletionGracePeriodSeconds = 0;
        o.status = { ...obj(o.status), phase: 'Terminating' };
        if (finalizers.length === 0 && arr(m.finalizers).length === 0) return 'delete';
      }
      return o;
    },
    canFinalize: (o) => arr(obj(o.spec).finalizers).length === 0,
  });
}

/** PUT /api/v1/namespaces/{name}/finalize changes spec.finalizers only. */
export function prepareFinalize(o: JsonObject, old: JsonObject): void {
  const finalizers = obj(o.spec).finalizers ?? null;
  for (const k of Object.keys(o)) if (k !== 'kind' && k !== 'apiVersion') delete o[k];
  Object.assign(o, structuredClone(old));
  o.spec = { ...obj(o.spec), finalizers };
}
