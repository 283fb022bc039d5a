import type { V1Service } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { sameDecisionInputs, serviceView } from '../../src/controller/service-view.js';
import { ANNOTATIONS } from '../../src/k8s/names.js';
import { svc } from './fixtures.js';

const base = svc('web', { labels: { app: 'web' }, share: 'k', ports: ['TCP/80'] });
const withAnnotation = (s: V1Service, k: string, v: string): V1Service => ({
  ...s,
  metadata: { ...s.metadata, annotations: { ...s.metadata?.annotations, [k]: v } },
});

describe('sameDecisionInputs', () => {
  it.each<[string, V1Service, boolean]>([
    ['identical', base, true],
    [
      'only status changed (our write landing)',
      { ...base, status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } } },
      true,
    ],
    ['only our pool annotation changed', withAnnotation(base, ANNOTATIONS.ipAllocatedFromPool, 'lab'), true],
    ['an unrelated annotation changed', withAnnotation(base, 'note', 'x'), true],
    [
      'labels changed (serviceSelectors)',
      { ...base, metadata: { ...base.metadata, labels: { app: 'api' } } },
      false,
    ],
    ['requested IP added', withAnnotation(base, ANNOTATIONS.loadBalancerIPs, '192.0.2.7'), false],
    ['pool annotation added', withAnnotation(base, ANNOTATIONS.addressPool, 'other'), false],
    ['sharing key changed', withAnnotation(base, ANNOTATIONS.allowSharedIP, 'k2'), false],
    ['ports changed', svc('web', { labels: { app: 'web' }, share: 'k', ports: ['TCP/81'] }), false],
    ['type changed', { ...base, spec: { ...base.spec, type: 'ClusterIP' } }, false],
    ['class set', { ...base, spec: { ...base.spec, loadBalancerClass: 'x' } }, false],
    ['family policy changed', { ...base, spec: { ...base.spec, ipFamilyPolicy: 'PreferDualStack' } }, false],
    ['traffic policy Local', { ...base, spec: { ...base.spec, externalTrafficPolicy: 'Local' } }, false],
  ])('%s → %s', (_rule, changed, same) => {
    expect(sameDecisionInputs(serviceView(base), serviceView(changed))).toBe(same);
  });
});
