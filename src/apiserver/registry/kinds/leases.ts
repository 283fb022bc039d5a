// coordination.k8s.io/v1 Leases: MicroTime fields, create-on-update, and updates that must
// carry a resourceVersion (leader election relies on that compare-and-swap).
import { invalid, notSupported } from '../../fielderrors.js';
import type { FieldError } from '../../fielderrors.js';
import type { ObjectStore } from '../../storage/store.js';
import { Lease } from '../../types/apis.js';
import type { JsonObject } from '../../types/model.js';
import { validateObjectMeta } from '../../validation/meta.js';
import { nameIsDNSSubdomain } from '../../validation/names.js';
import { builtin, obj } from '../builtin.js';
import type { Resource } from '../types.js';

function validateLease(o: JsonObject): FieldError[] {
  const errs = validateObjectMeta(obj(o.metadata), true, nameIsDNSSubdomain);
  const spec = obj(o.spec);
  if (typeof spec.leaseDurationSeconds === 'number' && spec.leaseDurationSeconds <= 0)
    errs.push(invalid('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0'));
  if (typeof spec.leaseTransitions === 'number' && spec.leaseTransitions < 0)
    errs.push(invalid('spec.leaseTransitions', spec.leaseTransitions, 'must be greater than or equal to 0'));
  if (typeof spec.strategy === 'string' && !['OldestEmulationVersion'].includes(spec.strategy))
    errs.push(notSupported('spec.strategy', spec.strategy, ['OldestEmulationVersion']));
  return errs;
}

export function leasesResource(store: ObjectStore): Resource {
  return builtin({
    group: 'coordination.k8s.io',
    version: 'v1',
    plural: 'leases',
    singular: 'lease',
    kind: 'Lease',
    namespaced: true,
    store,
    type: Lease,
    allowCreateOnUpdate: true,
    allowUnconditionalUpdate: false,
    strategy: {
      validate: (o) => validateLease(o),
      validateUpdate: (o) => validateLease(o),
    },
  });
}
