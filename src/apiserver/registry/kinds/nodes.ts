// core/v1 Nodes: cluster scoped, status kept on create, the TaintNodesByCondition admission
// taint (node.kubernetes.io/not-ready:NoSchedule), and the status subresource.
import { GoRepr, duplicate, forbidden, invalid, notSupported, required, tooMany } from '../../fielderrors.js';
import type { FieldError } from '../../fielderrors.js';
import type { ObjectStore } from '../../storage/store.js';
import { Node } from '../../types/core.js';
import type { JsonObject } from '../../types/model.js';
import { validateObjectMeta } from '../../validation/meta.js';
import {
  CIDR_MSG,
  isQualifiedName,
  isValidLabelValue,
  nameIsDNSSubdomain,
  parseCIDR,
} from '../../validation/names.js';
import { arr, builtin, obj, text } from '../builtin.js';
import type { Resource } from '../types.js';

const EFFECTS = ['NoExecute', 'NoSchedule', 'PreferNoSchedule'];

function validateTaints(taints: unknown[]): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  taints.forEach((raw, i) => {
    const t = obj(raw);
    const p = `spec.taints[${i}]`;
    const key = text(t.key);
    for (const m of isQualifiedName(key)) errs.push(invalid(`${p}.key`, key, m));
    const value = text(t.value);
    for (const m of isValidLabelValue(value)) errs.push(invalid(`${p}.value`, value, m));
    const effect = text(t.effect);
    if (!effect) errs.push(required(`${p}.effect`));
    else if (!EFFECTS.includes(effect)) errs.push(notSupported(`${p}.effect`, effect, EFFECTS));
    const k = `${key}/${effect}`;
    if (seen.has(k))
      errs.push(
        duplicate(
          p,
          new GoRepr(
            `core.Taint{Key:${JSON.stringify(key)}, Value:${JSON.stringify(value)}, Effect:${JSON.stringify(effect)}, TimeAdded:<nil>}`,
          ),
        ),
      );
    seen.add(k);
  });
  return errs;
}

function validateNode(n: JsonObject): FieldError[] {
  const errs = validateObjectMeta(obj(n.metadata), false, nameIsDNSSubdomain);
  const spec = obj(n.spec);
  errs.push(...validateTaints(arr(spec.taints)));
  const cidrs = arr(spec.podCIDRs).map(text);
  cidrs.forEach((c, i) => {
    if (!parseCIDR(c)) errs.push(invalid(`spec.podCIDRs[${i}]`, c, CIDR_MSG));
  });
  if (cidrs.length > 2) errs.push(tooMany('spec.podCIDRs', cidrs.length, 2));
  if (cidrs.length > 0 && text(spec.podCIDR) !== cidrs[0])
    errs.push(
      invalid(
        'spec.podCIDRs',
        new GoRepr(`[]string{${cidrs.map((c) => JSON.stringify(c)).join(', ')}}`),
        'first value must match `podCIDR`',
      ),
    );
  return errs;
}

export function nodesResource(store: ObjectStore): Resource {
  return builtin({
    group: '',
    version: 'v1',
    plural: 'nodes',
    singular: 'node',
    kind: 'Node',
    namespaced: false,
    shortNames: ['no'],
    subresources: ['status'],
    store,
    type: Node,
    fieldLabels: ['spec.unschedulable'],
    fieldSet: (o) => ({ 'spec.unschedulable': obj(o.spec).unschedulable === true ? 'true' : 'false' }),
    defaults(o) {
      const st = obj(o.status);
      if (st.capacity && !st.allocatable) {
        st.allocatable = structuredClone(st.capacity);
        o.status = st;
      }
    },
    strategy: {
      admitCreate(o) {
        const spec = obj(o.spec);
        const taints = arr(spec.taints).map(obj);
        if (!taints.some((t) => t.key === 'node.kubernetes.io/not-ready' && t.effect === 'NoSchedule')) {
          taints.push({ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' });
          o.spec = { ...spec, taints };
        }
      },
      prepareForCreate(o) {
        const spec = obj(o.spec);
        delete spec.configSource;
        o.spec = spec;
        const st = obj(o.status);
        delete st.config;
        o.status = st;
      },
      prepareForUpdate(o, old) {
        o.status = structuredClone(old.status ?? {});
      },
      validate: (o) => validateNode(o),
      validateUpdate(o, old) {
        const errs = validateNode(o);
        const spec = obj(o.spec);
        const oldSpec = obj(old.spec);
        if (text(oldSpec.podCIDR) && text(spec.podCIDR) !== text(oldSpec.podCIDR))
          errs.push(
            forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'),
          );
        if (text(oldSpec.providerID) && text(spec.providerID) !== text(oldSpec.providerID))
          errs.push(
            forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'),
          );
        return errs;
      },
      validateStatusUpdate: () => [],
    },
  });
}
