import type { V1LoadBalancerIngress, V1Service } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { ServiceOutcome } from '../../src/controller/allocator.js';
import {
  desiredServiceState,
  poolAnnotationValue,
  serviceMatches,
} from '../../src/controller/service-status.js';
import { ANNOTATIONS } from '../../src/k8s/names.js';
import { deepFreeze, svc } from './fixtures.js';

const POOL = ANNOTATIONS.ipAllocatedFromPool;
const withIngress = (s: V1Service, ingress: V1LoadBalancerIngress[]): V1Service => ({
  ...s,
  status: { loadBalancer: { ingress } },
});
const assigned = (ips: [string, string][], changed = true): ServiceOutcome => ({
  kind: 'assigned',
  ips: ips.map(([ip, pool]) => ({ ip, pool, family: ip.includes(':') ? 'IPv6' : 'IPv4' })),
  changed,
});

const rows: [
  rule: string,
  service: V1Service,
  outcome: ServiceOutcome | undefined,
  want: { ingress?: V1LoadBalancerIngress[]; annotations?: Record<string, string | null>; matches: boolean },
][] = [
  [
    'new assignment: ingress with ipMode VIP and the pool annotation',
    svc('s'),
    assigned([['192.0.2.1', 'a']]),
    { ingress: [{ ip: '192.0.2.1', ipMode: 'VIP' }], annotations: { [POOL]: 'a' }, matches: false },
  ],
  [
    'already written: nothing to do',
    svc('s', { status: ['192.0.2.1'], marked: 'a' }),
    assigned([['192.0.2.1', 'a']], false),
    { matches: true },
  ],
  [
    'an API server that drops ipMode does not cause endless rewrites',
    withIngress(svc('s', { marked: 'a' }), [{ ip: '192.0.2.1' }]),
    assigned([['192.0.2.1', 'a']], false),
    { matches: true },
  ],
  [
    'only the annotation is stale',
    svc('s', { status: ['192.0.2.1'], marked: 'old' }),
    assigned([['192.0.2.1', 'a']], false),
    { annotations: { [POOL]: 'a' }, matches: false },
  ],
  [
    'dual-stack from two pools: both named, in IP order',
    svc('s'),
    assigned([
      ['2001:db8::1', 'v6'],
      ['192.0.2.1', 'v4'],
    ]),
    {
      ingress: [
        { ip: '2001:db8::1', ipMode: 'VIP' },
        { ip: '192.0.2.1', ipMode: 'VIP' },
      ],
      annotations: { [POOL]: 'v6,v4' },
      matches: false,
    },
  ],
  [
    'family order matters',
    svc('s', { status: ['192.0.2.1', '2001:db8::1'], marked: 'a' }),
    assigned([
      ['2001:db8::1', 'a'],
      ['192.0.2.1', 'a'],
    ]),
    { matches: false },
  ],
  [
    'extra fields in our ingress entry are rewritten',
    withIngress(svc('s', { marked: 'a' }), [
      { ip: '192.0.2.1', ipMode: 'VIP', ports: [{ port: 80, protocol: 'TCP' }] },
    ]),
    assigned([['192.0.2.1', 'a']], false),
    { ingress: [{ ip: '192.0.2.1', ipMode: 'VIP' }], matches: false },
  ],
  [
    'failed: status and annotation are cleared',
    svc('s', { status: ['192.0.2.1'], marked: 'a' }),
    { kind: 'failed', code: 'PoolExhausted', reason: 'full' },
    { ingress: [], annotations: { [POOL]: null }, matches: false },
  ],
  [
    'failed and already clear: nothing to do',
    svc('s'),
    { kind: 'failed', code: 'PoolExhausted', reason: 'full' },
    { matches: true },
  ],
  [
    'release: our IPs and annotation go, foreign entries stay',
    withIngress(svc('s', { type: 'ClusterIP', marked: 'a' }), [
      { ip: '192.0.2.1', ipMode: 'VIP' },
      { hostname: 'lb.example' },
    ]),
    { kind: 'release', reason: 'not a LoadBalancer', ips: ['192.0.2.1'] },
    { ingress: [{ hostname: 'lb.example' }], annotations: { [POOL]: null }, matches: false },
  ],
  [
    'release with the annotation only',
    svc('s', { type: 'ClusterIP', marked: 'a' }),
    { kind: 'release', reason: 'not a LoadBalancer', ips: [] },
    { annotations: { [POOL]: null }, matches: false },
  ],
  ['ignore: leave it alone', svc('s', { status: ['192.0.2.1'] }), { kind: 'ignore' }, { matches: true }],
  ['no outcome: leave it alone', svc('s', { status: ['192.0.2.1'] }), undefined, { matches: true }],
];

describe('desiredServiceState', () => {
  it.each(rows)('%s', (_rule, service, outcome, want) => {
    const d = desiredServiceState(deepFreeze(service), outcome);
    expect(d.matches).toBe(want.matches);
    if (want.ingress) {
      expect(d.ingress).toEqual(want.ingress);
      expect(d.ingressChanged).toBe(true);
    }
    if (want.annotations) expect(d.annotations).toEqual(want.annotations);
    expect(d.annotationsChanged).toBe(Object.keys(d.annotations).length > 0);
    expect(d.matches).toBe(!d.ingressChanged && !d.annotationsChanged);
  });

  it('poolAnnotationValue lists each pool once', () => {
    expect(poolAnnotationValue([{ pool: 'a' }, { pool: 'a' }])).toBe('a');
    expect(poolAnnotationValue([{ pool: 'b' }, { pool: 'a' }])).toBe('b,a');
  });
});

describe('serviceMatches (the allocation-free check the controller runs every pass)', () => {
  it.each(rows)('agrees with desiredServiceState: %s', (_rule, service, outcome) => {
    expect(serviceMatches(service, outcome)).toBe(desiredServiceState(service, outcome).matches);
  });

  it('agrees with desiredServiceState over a grid of statuses, annotations and outcomes', () => {
    const ingresses: V1LoadBalancerIngress[][] = [
      [],
      [{ ip: '192.0.2.1' }],
      [{ ip: '192.0.2.1', ipMode: 'VIP' }],
      [{ ip: '192.0.2.1', ipMode: 'Proxy' }],
      [
        { ip: '192.0.2.1', ipMode: 'VIP' },
        { ip: '2001:db8::1', ipMode: 'VIP' },
      ],
      [{ hostname: 'lb.example' }],
      [{ ip: '192.0.2.2', ports: [{ port: 80, protocol: 'TCP' }] }],
    ];
    const annotations = [undefined, 'a', 'a,b', 'b'];
    const outcomes: (ServiceOutcome | undefined)[] = [
      undefined,
      { kind: 'ignore' },
      assigned([['192.0.2.1', 'a']]),
      assigned([
        ['192.0.2.1', 'a'],
        ['2001:db8::1', 'b'],
      ]),
      assigned([
        ['192.0.2.1', 'a'],
        ['2001:db8::1', 'a'],
      ]),
      assigned([]),
      { kind: 'failed', code: 'PoolExhausted', reason: 'full' },
      { kind: 'release', reason: 'gone', ips: ['192.0.2.1'] },
      { kind: 'release', reason: 'gone', ips: [] },
    ];
    let checked = 0;
    for (const ingress of ingresses) {
      for (const a of annotations) {
        const base = svc('s');
        const s0 = withIngress(
          { ...base, metadata: { ...base.metadata, annotations: a === undefined ? {} : { [POOL]: a } } },
          ingress,
        );
        for (const o of outcomes) {
          expect(serviceMatches(s0, o), JSON.stringify({ ingress, a, o })).toBe(
            desiredServiceState(s0, o).matches,
          );
          checked++;
        }
      }
    }
    expect(checked).toBe(ingresses.length * annotations.length * outcomes.length);
  });
});
