// Table-driven tests of the pure allocator. Every row runs on deep-frozen inputs and is also checked
// for: the same plan with the Services in reverse order (determinism), no illegal sharing, and a
// second round over the written-back Services that moves nothing (restart safety).
import type { V1Service } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  allocate,
  type AllocationInput,
  type AllocationPlan,
  type PoolStats,
} from '../../src/controller/allocator.js';
import { parsePools } from '../../src/controller/pools.js';
import { serviceView, ServiceViewCache } from '../../src/controller/service-view.js';
import type { IPAddressPool } from '../../src/k8s/ironlb-types.js';
import {
  applyOutcome,
  assertNoIllegalSharing,
  deepFreeze,
  pool,
  render,
  renderPlan,
  selector,
  svc,
  textOf,
} from './fixtures.js';

interface World {
  pools: IPAddressPool[];
  services: V1Service[];
  namespaces?: Record<string, Record<string, string>>;
  lbClass?: string;
}

interface Expectation {
  /** Service key ("ns/name"; "default/" may be left out) → render() text. */
  expect: Record<string, string>;
  /** Service key → regex over the outcome's reason and warnings. */
  why?: Record<string, RegExp>;
  /** Pool name → some of its stats. */
  stats?: Record<string, Partial<PoolStats>>;
  conflicts?: number;
}

interface Row extends World, Expectation {
  rule: string;
}

const keyOf = (k: string): string => (k.includes('/') ? k : `default/${k}`);

function inputFor(world: World, services = world.services): AllocationInput {
  const parsed = parsePools(deepFreeze(world.pools));
  return deepFreeze({
    pools: parsed.valid,
    invalidPools: parsed.invalid,
    namespaceLabels: new Map(Object.entries(world.namespaces ?? {})),
    lbClass: world.lbClass,
    services: deepFreeze(services).map(serviceView),
  });
}

function check(world: World, e: Expectation): AllocationPlan {
  const input = inputFor(world);
  const plan = allocate(input);
  const got: Record<string, string> = {};
  for (const k of Object.keys(e.expect)) got[k] = render(plan.services.get(keyOf(k)));
  expect(got).toEqual(e.expect);
  for (const [k, re] of Object.entries(e.why ?? {})) expect(textOf(plan.services.get(keyOf(k)))).toMatch(re);
  for (const [name, stats] of Object.entries(e.stats ?? {})) {
    expect(plan.pools.find((p) => p.pool === name)).toMatchObject(stats);
  }
  if (e.conflicts !== undefined) expect(plan.conflicts).toHaveLength(e.conflicts);

  // Determinism: input order does not matter, and the same input gives the same plan.
  expect(allocate(inputFor(world, [...world.services].reverse()))).toEqual(plan);
  expect(allocate(input)).toEqual(plan);
  assertNoIllegalSharing(input, plan);

  // Restart safety: after the controller wrote the plan back, nothing that has an IP moves.
  const written = world.services.map((s) =>
    applyOutcome(s, plan.services.get(keyOf(`${s.metadata?.namespace}/${s.metadata?.name}`))),
  );
  const again = allocate(inputFor(world, written));
  for (const [key, o] of plan.services) {
    if (o.kind !== 'assigned') continue;
    const next = again.services.get(key);
    expect(next?.kind, key).toBe('assigned');
    if (next?.kind !== 'assigned') continue;
    for (const ip of o.ips) expect(next.ips, key).toContainEqual(ip);
    if (next.ips.length === o.ips.length) expect(next.changed, key).toBe(false);
  }
  return plan;
}

const v4 = pool('a', ['192.0.2.10-192.0.2.13']);
const v6 = pool('v6', ['2001:db8::10-2001:db8::13']);
const general = pool('general', ['198.51.100.10-198.51.100.13']);
const dual = (o: Parameters<typeof svc>[1] = {}): Parameters<typeof svc>[1] => ({
  families: ['IPv4', 'IPv6'],
  policy: 'PreferDualStack',
  ...o,
});

const rows: Row[] = [
  // --- address order -----------------------------------------------------------------------------
  {
    rule: 'first free address of the only pool (a CIDR network address is an ordinary address)',
    pools: [pool('a', ['192.0.2.0/30'])],
    services: [svc('s1')],
    expect: { s1: '192.0.2.0@a *' },
    stats: { a: { assignedIPv4: 1, availableIPv4: 3, totalIPv4: 4, totalIPv6: 0 } },
  },
  {
    rule: 'pending Services are served oldest first',
    pools: [v4],
    services: [svc('new', { created: 5 }), svc('old', { created: 1 })],
    expect: { old: '192.0.2.10@a *', new: '192.0.2.11@a *' },
  },
  {
    rule: 'equal age: namespace/name order decides',
    pools: [v4],
    services: [svc('x', { ns: 'b' }), svc('y', { ns: 'a' })],
    expect: { 'a/y': '192.0.2.10@a *', 'b/x': '192.0.2.11@a *' },
  },
  {
    rule: 'addresses come in the order the entries are written, each low to high',
    pools: [pool('a', ['192.0.2.20/31', '192.0.2.10-192.0.2.11'])],
    services: [svc('s1', { created: 1 }), svc('s2', { created: 2 }), svc('s3', { created: 3 })],
    expect: { s1: '192.0.2.20@a *', s2: '192.0.2.21@a *', s3: '192.0.2.10@a *' },
  },
  {
    rule: 'exhausted pool: the newest Service waits with a reason',
    pools: [pool('a', ['192.0.2.10/32'])],
    services: [svc('s1', { created: 1 }), svc('s2', { created: 2 })],
    expect: { s1: '192.0.2.10@a *', s2: 'fail PoolExhausted' },
    why: { s2: /no free IPv4 address is left in pool "a"/ },
    stats: { a: { assignedIPv4: 1, availableIPv4: 0 } },
  },
  {
    rule: 'no pool at all',
    pools: [],
    services: [svc('s1')],
    expect: { s1: 'fail NoPoolForService' },
    why: { s1: /no IPAddressPool offers IPv4 addresses to default\/s1/ },
  },
  {
    rule: 'avoidBuggyIPs skips .0 and .255 across a /24 boundary',
    pools: [pool('a', ['192.0.2.254-192.0.3.1'], { avoidBuggyIPs: true })],
    services: [svc('s1', { created: 1 }), svc('s2', { created: 2 }), svc('s3', { created: 3 })],
    expect: { s1: '192.0.2.254@a *', s2: '192.0.3.1@a *', s3: 'fail PoolExhausted' },
    stats: { a: { totalIPv4: 2, availableIPv4: 0 } },
  },
  {
    rule: 'avoidBuggyIPs applies whatever the prefix length',
    pools: [pool('a', ['192.0.2.0/31'], { avoidBuggyIPs: true })],
    services: [svc('s1')],
    expect: { s1: '192.0.2.1@a *' },
    stats: { a: { totalIPv4: 1 } },
  },
  {
    rule: 'avoidBuggyIPs never affects IPv6',
    pools: [pool('a', ['2001:db8::ff-2001:db8::100'], { avoidBuggyIPs: true })],
    services: [svc('s1', { families: ['IPv6'] })],
    expect: { s1: '2001:db8::ff@a *' },
  },

  // --- requested IPs -----------------------------------------------------------------------------
  {
    rule: 'spec.loadBalancerIP inside a pool',
    pools: [v4],
    services: [svc('s1', { lbIP: '192.0.2.12' })],
    expect: { s1: '192.0.2.12@a *' },
  },
  {
    rule: 'ironlb.io/loadBalancerIPs with one IP',
    pools: [v4],
    services: [svc('s1', { ips: ' 192.0.2.13 ' })],
    expect: { s1: '192.0.2.13@a *' },
  },
  {
    rule: 'requested IP outside every pool',
    pools: [v4],
    services: [svc('s1', { lbIP: '203.0.113.5' })],
    expect: { s1: 'fail RequestedIPNotInPool' },
    why: { s1: /requested IP 203\.0\.113\.5 is not in any IPAddressPool/ },
  },
  {
    rule: 'requested IP taken by a Service that does not share',
    pools: [v4],
    services: [
      svc('s1', { created: 1, status: ['192.0.2.10'], marked: 'a' }),
      svc('s2', { created: 2, lbIP: '192.0.2.10' }),
    ],
    expect: { s1: '192.0.2.10@a', s2: 'fail RequestedIPInUse' },
    why: {
      s2: /requested IP 192\.0\.2\.10 is already used by default\/s1 \(default\/s1 does not allow sharing\)/,
    },
  },
  {
    rule: 'requested IP taken: same sharing key but ports overlap',
    pools: [v4],
    services: [
      svc('s1', { created: 1, share: 'k', ports: ['TCP/80', 'TCP/443'] }),
      svc('s2', { created: 2, share: 'k', ports: ['TCP/80'], lbIP: '192.0.2.10' }),
    ],
    expect: { s1: '192.0.2.10@a *', s2: 'fail RequestedIPInUse' },
    why: { s2: /already used by default\/s1 \(ports overlap: TCP\/80\)/ },
  },
  {
    rule: 'requested IP shared: same key, disjoint ports',
    pools: [v4],
    services: [
      svc('s1', { created: 1, share: 'k', ports: ['TCP/80'] }),
      svc('s2', { created: 2, share: 'k', ports: ['TCP/443'], ips: '192.0.2.10' }),
    ],
    expect: { s1: '192.0.2.10@a *', s2: '192.0.2.10@a *' },
  },
  {
    rule: 'both spec.loadBalancerIP and the annotation is an error',
    pools: [v4],
    services: [svc('s1', { lbIP: '192.0.2.10', ips: '192.0.2.10' })],
    expect: { s1: 'fail InvalidRequest' },
    why: { s1: /either spec\.loadBalancerIP or the ironlb\.io\/loadBalancerIPs annotation, not both/ },
  },
  {
    rule: 'garbage in the annotation',
    pools: [v4],
    services: [svc('s1', { ips: '192.0.2.300' })],
    expect: { s1: 'fail InvalidRequest' },
    why: { s1: /0 to 255/ },
  },
  {
    rule: 'two addresses of one family in the annotation',
    pools: [v4],
    services: [svc('s1', { ips: '192.0.2.10,192.0.2.11' })],
    expect: { s1: 'fail InvalidRequest' },
    why: { s1: /two IPv4 addresses/ },
  },
  {
    rule: 'requested family does not fit a SingleStack IPv4 Service',
    pools: [v4, v6],
    services: [svc('s1', { ips: '2001:db8::10' })],
    expect: { s1: 'fail InvalidRequest' },
    why: { s1: /an IPv6 address, but the Service is SingleStack IPv4/ },
  },
  {
    rule: 'IPv4-mapped IPv6 request is refused with the IPv4 spelling',
    pools: [v4],
    services: [svc('s1', { lbIP: '::ffff:192.0.2.10' })],
    expect: { s1: 'fail InvalidRequest' },
    why: { s1: /write 192\.0\.2\.10 instead/ },
  },
  {
    rule: 'requested IP from an autoAssign: false pool is allowed',
    pools: [pool('manual', ['192.0.2.10/31'], { autoAssign: false })],
    services: [svc('s1', { lbIP: '192.0.2.11' })],
    expect: { s1: '192.0.2.11@manual *' },
  },
  {
    rule: 'requested .0 address of an avoidBuggyIPs pool',
    pools: [pool('a', ['192.0.2.0/24'], { avoidBuggyIPs: true })],
    services: [svc('s1', { lbIP: '192.0.2.0' })],
    expect: { s1: 'fail RequestedIPNotInPool' },
    why: { s1: /ends in \.0 or \.255, which pool "a" excludes \(avoidBuggyIPs\)/ },
  },
  {
    rule: 'requested IP of a pool that serves other namespaces',
    pools: [pool('team', ['192.0.2.10/31'], { serviceAllocation: { namespaces: ['team'] } })],
    services: [svc('s1', { lbIP: '192.0.2.10' })],
    expect: { s1: 'fail PoolNotAllowed' },
    why: { s1: /pool "team" serves only Services in namespaces "team"/ },
  },
  {
    rule: 'requested IP and pool annotation disagree',
    pools: [v4, general],
    services: [svc('s1', { lbIP: '192.0.2.10', pool: 'general' })],
    expect: { s1: 'fail RequestedIPNotInPool' },
    why: { s1: /belongs to pool "a", but ironlb\.io\/address-pool asks for pool "general"/ },
  },
  {
    rule: 'requested IP that a Service being released still shows waits a round',
    pools: [v4],
    services: [
      svc('gone', { type: 'ClusterIP', status: ['192.0.2.10'], marked: 'a' }),
      svc('s1', { lbIP: '192.0.2.10' }),
    ],
    expect: { gone: 'release', s1: 'fail RequestedIPInUse' },
    why: { s1: /default\/gone is being released/ },
  },

  // --- pool annotation ---------------------------------------------------------------------------
  {
    rule: 'pool annotation picks the named pool',
    pools: [v4, general],
    services: [svc('s1', { pool: 'general' })],
    expect: { s1: '198.51.100.10@general *' },
  },
  {
    rule: 'autoAssign: false pools are not used automatically',
    pools: [pool('manual', ['192.0.2.10/31'], { autoAssign: false })],
    services: [svc('s1')],
    expect: { s1: 'fail NoPoolForService' },
    why: {
      s1: /"manual" has autoAssign: false and must be named with the ironlb\.io\/address-pool annotation/,
    },
  },
  {
    rule: 'autoAssign: false pool used through the annotation',
    pools: [pool('manual', ['192.0.2.10/31'], { autoAssign: false }), general],
    services: [svc('s1', { pool: 'manual' }), svc('s2')],
    expect: { s1: '192.0.2.10@manual *', s2: '198.51.100.10@general *' },
  },
  {
    rule: 'unknown pool in the annotation',
    pools: [v4],
    services: [svc('s1', { pool: 'nope' })],
    expect: { s1: 'fail UnknownPool' },
    why: { s1: /pool "nope" named by ironlb\.io\/address-pool does not exist/ },
  },
  {
    rule: 'annotation names an invalid pool',
    pools: [v4, pool('broken', ['192.0.2.30-192.0.2.20'])],
    services: [svc('s1', { pool: 'broken' })],
    expect: { s1: 'fail UnknownPool' },
    why: { s1: /pool "broken" named by ironlb\.io\/address-pool is invalid: .*backwards/ },
  },
  {
    rule: 'annotated pool without the family',
    pools: [v4],
    services: [svc('s1', { pool: 'a', families: ['IPv6'] })],
    expect: { s1: 'fail NoPoolForService' },
    why: { s1: /has no usable IPv6 addresses/ },
  },
  {
    rule: 'annotated pool exhausted (other pools are not tried)',
    pools: [pool('small', ['192.0.2.10/32']), general],
    services: [svc('s1', { created: 1, pool: 'small' }), svc('s2', { created: 2, pool: 'small' })],
    expect: { s1: '192.0.2.10@small *', s2: 'fail PoolExhausted' },
  },

  {
    rule: 'pool annotation naming a pool that serves other namespaces',
    pools: [pool('team', ['192.0.2.10/31'], { serviceAllocation: { namespaces: ['team'] } })],
    services: [svc('s1', { pool: 'team' })],
    expect: { s1: 'fail PoolNotAllowed' },
    why: { s1: /pool "team" serves only Services in namespaces "team"/ },
  },

  // --- sharing -----------------------------------------------------------------------------------
  {
    rule: 'sharing: same key and disjoint ports share one IP',
    pools: [v4],
    services: [
      svc('s1', { created: 1, share: 'k', ports: ['TCP/80'] }),
      svc('s2', { created: 2, share: 'k', ports: ['TCP/443'] }),
    ],
    expect: { s1: '192.0.2.10@a *', s2: '192.0.2.10@a *' },
  },
  {
    rule: 'sharing: the shared IP wins over an earlier free address',
    pools: [v4],
    services: [
      svc('s1', { created: 1, share: 'k', ports: ['TCP/80'], status: ['192.0.2.12'], marked: 'a' }),
      svc('s2', { created: 2, share: 'k', ports: ['TCP/443'] }),
    ],
    expect: { s1: '192.0.2.12@a', s2: '192.0.2.12@a *' },
  },
  {
    rule: 'sharing: TCP and UDP on one port number do not clash',
    pools: [v4],
    services: [
      svc('dns-tcp', { created: 1, share: 'dns', ports: ['TCP/53'] }),
      svc('dns-udp', { created: 2, share: 'dns', ports: ['UDP/53'] }),
    ],
    expect: { 'dns-tcp': '192.0.2.10@a *', 'dns-udp': '192.0.2.10@a *' },
  },
  {
    rule: 'sharing conflict: same key but overlapping ports',
    pools: [v4],
    services: [
      svc('s1', { created: 1, share: 'k', ports: ['TCP/80'] }),
      svc('s2', { created: 2, share: 'k', ports: ['TCP/80', 'TCP/8080'] }),
    ],
    expect: { s1: '192.0.2.10@a *', s2: '192.0.2.11@a *' },
  },
  {
    rule: 'sharing conflict: different keys',
    pools: [v4],
    services: [
      svc('s1', { created: 1, share: 'k1', ports: ['TCP/80'] }),
      svc('s2', { created: 2, share: 'k2', ports: ['TCP/443'] }),
    ],
    expect: { s1: '192.0.2.10@a *', s2: '192.0.2.11@a *' },
  },
  {
    rule: 'sharing conflict: Local Services selecting different pods',
    pools: [v4],
    services: [
      svc('s1', { created: 1, share: 'k', ports: ['TCP/80'], local: { app: 'one' } }),
      svc('s2', { created: 2, share: 'k', ports: ['TCP/443'], local: { app: 'two' } }),
    ],
    expect: { s1: '192.0.2.10@a *', s2: '192.0.2.11@a *' },
  },
  {
    rule: 'sharing: Local Services selecting the same pods share',
    pools: [v4],
    services: [
      svc('s1', { created: 1, share: 'k', ports: ['TCP/80'], local: { app: 'web', tier: 'x' } }),
      svc('s2', { created: 2, share: 'k', ports: ['TCP/443'], local: { tier: 'x', app: 'web' } }),
    ],
    expect: { s1: '192.0.2.10@a *', s2: '192.0.2.10@a *' },
  },
  {
    rule: 'sharing conflict: a Local Service and a Cluster Service',
    pools: [v4],
    services: [
      svc('s1', { created: 1, share: 'k', ports: ['TCP/80'], local: {} }),
      svc('s2', { created: 2, share: 'k', ports: ['TCP/443'] }),
    ],
    expect: { s1: '192.0.2.10@a *', s2: '192.0.2.11@a *' },
  },
  {
    rule: 'sharing never crosses into a pool the Service may not use',
    pools: [pool('team', ['192.0.2.10/32'], { serviceAllocation: { namespaces: ['team'] } }), general],
    services: [
      svc('s1', { ns: 'team', created: 1, share: 'k', ports: ['TCP/80'] }),
      svc('s2', { created: 2, share: 'k', ports: ['TCP/443'] }),
    ],
    expect: { 'team/s1': '192.0.2.10@team *', s2: '198.51.100.10@general *' },
  },

  // --- pool preference -----------------------------------------------------------------------------
  {
    rule: 'priority: lower number first',
    pools: [
      pool('p2', ['192.0.2.10/32'], { serviceAllocation: { priority: 2 } }),
      pool('p1', ['198.51.100.10/32'], { serviceAllocation: { priority: 1 } }),
    ],
    services: [svc('s1')],
    expect: { s1: '198.51.100.10@p1 *' },
  },
  {
    rule: 'pools with a priority come before matching pools without one',
    pools: [
      pool('a-unset', ['192.0.2.10/32'], { serviceAllocation: { namespaces: ['default'] } }),
      pool('z-five', ['198.51.100.10/32'], { serviceAllocation: { priority: 5 } }),
    ],
    services: [svc('s1', { created: 1 }), svc('s2', { created: 2 })],
    expect: { s1: '198.51.100.10@z-five *', s2: '192.0.2.10@a-unset *' },
  },
  {
    rule: 'equal priority: pool name order',
    pools: [
      pool('b', ['192.0.2.10/32'], { serviceAllocation: { priority: 1 } }),
      pool('a', ['198.51.100.10/32'], { serviceAllocation: { priority: 1 } }),
    ],
    services: [svc('s1')],
    expect: { s1: '198.51.100.10@a *' },
  },
  {
    rule: 'a matching serviceAllocation pool beats general autoAssign pools',
    pools: [
      pool('aaa', ['192.0.2.10/32']),
      pool('zzz', ['198.51.100.10/32'], { serviceAllocation: { namespaces: ['team'] } }),
    ],
    services: [svc('s1', { ns: 'team' })],
    expect: { 'team/s1': '198.51.100.10@zzz *' },
  },
  {
    rule: 'general autoAssign pools in name order (MetalLB: random)',
    pools: [pool('b', ['192.0.2.10/32']), pool('a', ['198.51.100.10/32'])],
    services: [svc('s1', { created: 1 }), svc('s2', { created: 2 })],
    expect: { s1: '198.51.100.10@a *', s2: '192.0.2.10@b *' },
  },
  {
    rule: 'a full preferred pool spills over to the next pool',
    pools: [pool('team', ['192.0.2.10/32'], { serviceAllocation: { priority: 1 } }), general],
    services: [svc('s1', { created: 1 }), svc('s2', { created: 2 })],
    expect: { s1: '192.0.2.10@team *', s2: '198.51.100.10@general *' },
  },
  {
    rule: 'a namespace-restricted pool serves nobody else',
    pools: [pool('team', ['192.0.2.10/32'], { serviceAllocation: { namespaces: ['team'] } })],
    services: [svc('s1')],
    expect: { s1: 'fail NoPoolForService' },
    why: { s1: /"team" serve other Services \(serviceAllocation\)/ },
  },
  {
    rule: 'namespaceSelectors match namespace labels',
    pools: [
      pool('gold', ['192.0.2.10/32'], {
        serviceAllocation: { namespaceSelectors: [selector({ tier: 'gold' })] },
      }),
      general,
    ],
    namespaces: { rich: { tier: 'gold' }, poor: { tier: 'bronze' } },
    services: [svc('s1', { ns: 'rich' }), svc('s2', { ns: 'poor' })],
    expect: { 'rich/s1': '192.0.2.10@gold *', 'poor/s2': '198.51.100.10@general *' },
  },
  {
    rule: 'namespaceSelectors see kubernetes.io/metadata.name even when the snapshot lacks it',
    pools: [
      pool('a', ['192.0.2.10/32'], {
        serviceAllocation: { namespaceSelectors: [selector({ 'kubernetes.io/metadata.name': 'team' })] },
      }),
    ],
    services: [svc('s1', { ns: 'team' })],
    expect: { 'team/s1': '192.0.2.10@a *' },
  },
  {
    rule: 'serviceSelectors match Service labels',
    pools: [
      pool('web', ['192.0.2.10/32'], { serviceAllocation: { serviceSelectors: [selector({ app: 'web' })] } }),
      general,
    ],
    services: [
      svc('s1', { created: 1, labels: { app: 'web' } }),
      svc('s2', { created: 2, labels: { app: 'db' } }),
    ],
    expect: { s1: '192.0.2.10@web *', s2: '198.51.100.10@general *' },
  },
  {
    rule: 'namespaces and serviceSelectors must both match',
    pools: [
      pool('both', ['192.0.2.10/31'], {
        serviceAllocation: { namespaces: ['team'], serviceSelectors: [selector({ app: 'web' })] },
      }),
      general,
    ],
    services: [
      svc('web', { ns: 'team', labels: { app: 'web' } }),
      svc('db', { ns: 'team', labels: { app: 'db' } }),
      svc('web', { ns: 'other', labels: { app: 'web' } }),
    ],
    expect: {
      'team/web': '192.0.2.10@both *',
      'other/web': '198.51.100.10@general *',
      'team/db': '198.51.100.11@general *',
    },
  },

  // --- families -----------------------------------------------------------------------------------
  {
    rule: 'SingleStack IPv6',
    pools: [v4, v6],
    services: [svc('s1', { families: ['IPv6'] })],
    expect: { s1: '2001:db8::10@v6 *' },
  },
  {
    rule: 'SingleStack IPv4 never takes from IPv6-only pools',
    pools: [v6],
    services: [svc('s1')],
    expect: { s1: 'fail NoPoolForService' },
  },
  {
    rule: 'RequireDualStack takes each family, here from per-family pools, in ipFamilies order',
    pools: [v4, v6],
    services: [svc('s1', { families: ['IPv6', 'IPv4'], policy: 'RequireDualStack' })],
    expect: { s1: '2001:db8::10@v6,192.0.2.10@a *' },
  },
  {
    rule: 'a dual-family pool serves both families',
    pools: [pool('both', ['192.0.2.10/32', '2001:db8::10/128'])],
    services: [svc('s1', dual())],
    expect: { s1: '192.0.2.10@both,2001:db8::10@both *' },
  },
  {
    rule: 'RequireDualStack fails cleanly without IPv6 and consumes nothing',
    pools: [v4],
    services: [svc('s1', { created: 1, ...dual({ policy: 'RequireDualStack' }) }), svc('s2', { created: 2 })],
    expect: { s1: 'fail NoPoolForService', s2: '192.0.2.10@a *' },
    why: { s1: /RequireDualStack needs an IPv4 and an IPv6 address: no IPAddressPool offers IPv6/ },
  },
  {
    rule: 'RequireDualStack holding IPv4 but unable to get IPv6 fails and frees the IPv4 (after this round)',
    pools: [v4],
    services: [svc('s1', dual({ policy: 'RequireDualStack', status: ['192.0.2.10'], marked: 'a' }))],
    expect: { s1: 'fail NoPoolForService' },
    why: { s1: /RequireDualStack needs an IPv4 and an IPv6 address/ },
    stats: { a: { assignedIPv4: 1 } },
  },
  {
    rule: 'PreferDualStack gets both families',
    pools: [v4, v6],
    services: [svc('s1', dual())],
    expect: { s1: '192.0.2.10@a,2001:db8::10@v6 *' },
  },
  {
    rule: 'PreferDualStack degrades when IPv6 is exhausted, with a note',
    pools: [v4, pool('v6', ['2001:db8::10/128'])],
    services: [svc('s1', { created: 1, families: ['IPv6'] }), svc('s2', { created: 2, ...dual() })],
    expect: { s1: '2001:db8::10@v6 *', s2: '192.0.2.10@a *' },
    why: { s2: /PreferDualStack: no IPv6 address for now: no free IPv6 address is left in pool "v6"/ },
  },
  {
    rule: 'PreferDualStack degrades to IPv6 when IPv4 is exhausted',
    pools: [pool('a', ['192.0.2.10/32']), v6],
    services: [svc('s1', { created: 1 }), svc('s2', { created: 2, ...dual() })],
    expect: { s1: '192.0.2.10@a *', s2: '2001:db8::10@v6 *' },
  },
  {
    rule: 'PreferDualStack with neither family fails',
    pools: [],
    services: [svc('s1', dual())],
    expect: { s1: 'fail NoPoolForService' },
  },
  {
    rule: 'PreferDualStack on a single-stack cluster (ipFamilies has one entry) asks for one family only',
    pools: [v4, v6],
    services: [svc('s1', { families: ['IPv4'], policy: 'PreferDualStack' })],
    expect: { s1: '192.0.2.10@a *' },
  },
  {
    rule: 'PreferDualStack with one requested IP gets exactly that',
    pools: [v4, v6],
    services: [svc('s1', dual({ ips: '2001:db8::12' }))],
    expect: { s1: '2001:db8::12@v6 *' },
  },
  {
    rule: 'RequireDualStack with both IPs requested (in either order)',
    pools: [v4, v6],
    services: [svc('s1', dual({ policy: 'RequireDualStack', ips: '2001:db8::12, 192.0.2.12' }))],
    expect: { s1: '192.0.2.12@a,2001:db8::12@v6 *' },
  },
  {
    rule: 'RequireDualStack with one requested IP is an error',
    pools: [v4, v6],
    services: [svc('s1', dual({ policy: 'RequireDualStack', lbIP: '192.0.2.12' }))],
    expect: { s1: 'fail InvalidRequest' },
    why: { s1: /must give one IPv4 and one IPv6 address/ },
  },
  {
    rule: 'PreferDualStack keeps the requested family it can get',
    pools: [v4, v6],
    services: [
      svc('s0', { created: 0, families: ['IPv6'], status: ['2001:db8::12'], marked: 'v6' }),
      svc('s1', { created: 1, ...dual({ ips: '192.0.2.12,2001:db8::12' }) }),
    ],
    expect: { s0: '2001:db8::12@v6', s1: '192.0.2.12@a *' },
    why: { s1: /requested IP 2001:db8::12 is already used by default\/s0/ },
  },
  {
    rule: 'huge IPv6 pool: no enumeration, counts capped',
    pools: [pool('big', ['2001:db8::/32'])],
    services: [
      svc('far', { created: 0, families: ['IPv6'], status: ['2001:db8:ffff::1'], marked: 'big' }),
      svc('s1', { created: 1, families: ['IPv6'] }),
      svc('s2', { created: 2, families: ['IPv6'], status: ['2001:db8::'], marked: 'big' }),
    ],
    expect: { far: '2001:db8:ffff::1@big', s1: '2001:db8::1@big *', s2: '2001:db8::@big' },
    stats: {
      big: { assignedIPv6: 3, totalIPv6: Number.MAX_SAFE_INTEGER, availableIPv6: Number.MAX_SAFE_INTEGER },
    },
  },

  // --- class and type ------------------------------------------------------------------------------
  {
    rule: 'class: not a LoadBalancer and never ours → ignore',
    pools: [v4],
    services: [svc('s1', { type: 'ClusterIP' }), svc('s2', { type: 'NodePort', status: ['192.0.2.10'] })],
    expect: { s1: 'ignore', s2: 'ignore' },
  },
  {
    rule: 'class: no class configured → Services with a class are not ours',
    pools: [v4],
    services: [svc('s1', { lbClass: 'other.io/lb' }), svc('s2')],
    expect: { s1: 'ignore', s2: '192.0.2.10@a *' },
  },
  {
    rule: 'class: a class configured → only that class is ours',
    pools: [v4],
    lbClass: 'ironlb.io/l2',
    services: [
      svc('mine', { lbClass: 'ironlb.io/l2' }),
      svc('none'),
      svc('theirs', { lbClass: 'other.io/lb' }),
    ],
    expect: { mine: '192.0.2.10@a *', none: 'ignore', theirs: 'ignore' },
  },
  {
    rule: 'class: no longer a LoadBalancer but carries our annotation → release',
    pools: [v4],
    services: [svc('s1', { type: 'ClusterIP', status: ['192.0.2.10'], marked: 'a' })],
    expect: { s1: 'release' },
    why: { s1: /no longer of type LoadBalancer/ },
  },
  {
    rule: 'class: another class but carries our annotation → release',
    pools: [v4],
    lbClass: 'ironlb.io/l2',
    services: [svc('s1', { status: ['192.0.2.10'], marked: 'a' })],
    expect: { s1: 'release' },
    why: { s1: /has no loadBalancerClass; this controller handles class "ironlb\.io\/l2"/ },
  },
  {
    rule: 'released IPs are not handed out again in the same round',
    pools: [v4],
    services: [
      svc('gone', { created: 1, type: 'ClusterIP', status: ['192.0.2.10'], marked: 'a' }),
      svc('s1', { created: 2 }),
    ],
    expect: { gone: 'release', s1: '192.0.2.11@a *' },
    stats: { a: { assignedIPv4: 2 } },
  },
  {
    rule: "another implementation's Service in our range keeps its IP off limits",
    pools: [v4],
    services: [svc('theirs', { lbClass: 'other.io/lb', status: ['192.0.2.10'] }), svc('s1')],
    expect: { theirs: 'ignore', s1: '192.0.2.11@a *' },
  },

  // --- IPs already in status -------------------------------------------------------------------------
  {
    rule: 'held: status IP is kept although it is not the first free one',
    pools: [v4],
    services: [svc('s1', { status: ['192.0.2.12'], marked: 'a' })],
    expect: { s1: '192.0.2.12@a' },
  },
  {
    rule: 'held: status IP in an autoAssign: false pool is kept (autoAssign only governs new picks)',
    pools: [pool('manual', ['192.0.2.10/31'], { autoAssign: false })],
    services: [svc('s1', { status: ['192.0.2.11'], marked: 'manual' })],
    expect: { s1: '192.0.2.11@manual' },
  },
  {
    rule: 'held: restart with a full pool moves nothing; the pending Service waits',
    pools: [pool('a', ['192.0.2.10/31'])],
    services: [
      svc('s3', { created: 3 }),
      svc('s2', { created: 2, status: ['192.0.2.10'], marked: 'a' }),
      svc('s1', { created: 1, status: ['192.0.2.11'], marked: 'a' }),
    ],
    expect: { s1: '192.0.2.11@a', s2: '192.0.2.10@a', s3: 'fail PoolExhausted' },
  },
  {
    rule: 'held: an IP that left every pool is replaced, with a note',
    pools: [v4],
    services: [svc('s1', { status: ['203.0.113.9'], marked: 'old' })],
    expect: { s1: '192.0.2.10@a *' },
    why: { s1: /IP 203\.0\.113\.9 is released: it is no longer in any IPAddressPool/ },
  },
  {
    rule: 'held: pool now restricted to other namespaces → released and re-allocated',
    pools: [pool('team', ['192.0.2.10/32'], { serviceAllocation: { namespaces: ['team'] } }), general],
    services: [svc('s1', { status: ['192.0.2.10'], marked: 'team' })],
    expect: { s1: '198.51.100.10@general *' },
    why: { s1: /serves only Services in namespaces "team"/ },
    stats: { team: { assignedIPv4: 1 } }, // reserved until the status is rewritten
  },
  {
    rule: 'held: pool annotation now names another pool → moves',
    pools: [v4, general],
    services: [svc('s1', { pool: 'general', status: ['192.0.2.10'], marked: 'a' })],
    expect: { s1: '198.51.100.10@general *' },
  },
  {
    rule: 'held: requested IP changed → moves to the requested IP',
    pools: [v4],
    services: [svc('s1', { lbIP: '192.0.2.13', status: ['192.0.2.10'], marked: 'a' })],
    expect: { s1: '192.0.2.13@a *' },
  },
  {
    rule: 'held: avoidBuggyIPs turned on → a .0 address is replaced',
    pools: [pool('a', ['192.0.2.0/30'], { avoidBuggyIPs: true })],
    services: [svc('s1', { status: ['192.0.2.0'], marked: 'a' })],
    expect: { s1: '192.0.2.1@a *' },
  },
  {
    rule: 'held: two Services show one IP → the older keeps it, the other is re-allocated and reported',
    pools: [v4],
    services: [
      svc('newer', { created: 2, status: ['192.0.2.10'], marked: 'a' }),
      svc('older', { created: 1, status: ['192.0.2.10'], marked: 'a' }),
    ],
    expect: { older: '192.0.2.10@a', newer: '192.0.2.11@a *' },
    why: { newer: /also held by default\/older, which keeps it as the older claim/ },
    conflicts: 1,
  },
  {
    rule: 'held: two Services properly sharing one IP both keep it',
    pools: [v4],
    services: [
      svc('s2', { created: 2, share: 'k', ports: ['TCP/443'], status: ['192.0.2.10'], marked: 'a' }),
      svc('s1', { created: 1, share: 'k', ports: ['TCP/80'], status: ['192.0.2.10'], marked: 'a' }),
    ],
    expect: { s1: '192.0.2.10@a', s2: '192.0.2.10@a' },
    conflicts: 0,
  },
  {
    rule: 'held: garbage in status is replaced',
    pools: [v4],
    services: [svc('s1', { status: ['not-an-ip'] })],
    expect: { s1: '192.0.2.10@a *' },
    why: { s1: /"not-an-ip" is not an IP address/ },
  },
  {
    rule: 'held: a non-canonical status IP is rewritten canonically',
    pools: [v6],
    services: [svc('s1', { families: ['IPv6'], status: ['2001:DB8:0::10'], marked: 'v6' })],
    expect: { s1: '2001:db8::10@v6 *' },
  },
  {
    rule: 'held: SingleStack now, two IPs in status → the primary family stays',
    pools: [v4, v6],
    services: [svc('s1', { status: ['192.0.2.11', '2001:db8::11'], marked: 'a,v6' })],
    expect: { s1: '192.0.2.11@a *' },
  },
  {
    rule: 'held: PreferDualStack holding one family gains the other when there is room',
    pools: [v4, v6],
    services: [svc('s1', dual({ status: ['192.0.2.12'], marked: 'a' }))],
    expect: { s1: '192.0.2.12@a,2001:db8::10@v6 *' },
  },
];

describe('allocate: rules', () => {
  it.each(rows.map((r) => [r.rule, r] as const))('%s', (_rule, row) => {
    check(row, row);
  });
});

interface Step extends Expectation {
  rule: string;
  pools?: IPAddressPool[];
  lbClass?: string | undefined;
  change?: (services: V1Service[]) => V1Service[];
}

interface Scenario {
  name: string;
  pools: IPAddressPool[];
  services: V1Service[];
  steps: Step[];
}

const replace =
  (name: string, next: (s: V1Service) => V1Service) =>
  (services: V1Service[]): V1Service[] =>
    services.map((s) => (s.metadata?.name === name ? next(s) : s));
const withSpec =
  (patch: Partial<NonNullable<V1Service['spec']>>) =>
  (s: V1Service): V1Service => ({ ...s, spec: { ...s.spec, ...patch } });

const scenarios: Scenario[] = [
  {
    name: 'restart: the written plan is stable whatever the order',
    pools: [pool('a', ['192.0.2.10-192.0.2.12'])],
    services: [svc('s1', { created: 1 }), svc('s2', { created: 2 }), svc('s3', { created: 3 })],
    steps: [
      {
        rule: 'first allocation',
        expect: { s1: '192.0.2.10@a *', s2: '192.0.2.11@a *', s3: '192.0.2.12@a *' },
      },
      {
        rule: 'restart with reversed order and a new Service: nothing moves, the newcomer waits',
        change: (ss) => [svc('s0', { created: 0 }), ...ss.reverse()],
        expect: { s0: 'fail PoolExhausted', s1: '192.0.2.10@a', s2: '192.0.2.11@a', s3: '192.0.2.12@a' },
      },
    ],
  },
  {
    name: 'pool shrink releases what left, the rest stays',
    pools: [pool('a', ['192.0.2.10-192.0.2.12'])],
    services: [svc('s1', { created: 1 }), svc('s2', { created: 2 }), svc('s3', { created: 3 })],
    steps: [
      { rule: 'allocate', expect: { s1: '192.0.2.10@a *', s2: '192.0.2.11@a *', s3: '192.0.2.12@a *' } },
      {
        rule: 'shrink a, add b: only s3 moves',
        pools: [pool('a', ['192.0.2.10-192.0.2.11']), pool('b', ['198.51.100.10/32'], { created: 5 })],
        expect: { s1: '192.0.2.10@a', s2: '192.0.2.11@a', s3: '198.51.100.10@b *' },
        why: { s3: /no longer in any IPAddressPool/ },
      },
    ],
  },
  {
    name: 'pool deletion re-allocates from what remains, then waits',
    pools: [pool('a', ['192.0.2.10/32']), pool('b', ['198.51.100.10/32'])],
    services: [svc('s1', { created: 1 }), svc('s2', { created: 2 })],
    steps: [
      { rule: 'allocate', expect: { s1: '192.0.2.10@a *', s2: '198.51.100.10@b *' } },
      {
        rule: 'delete a: s1 cannot move (b is full) and waits',
        pools: [pool('b', ['198.51.100.10/32'])],
        expect: { s1: 'fail PoolExhausted', s2: '198.51.100.10@b' },
        why: { s1: /IP 192\.0\.2\.10 is released: it is no longer in any IPAddressPool/ },
      },
      {
        rule: 'recreate a: s1 gets it back',
        pools: [pool('a', ['192.0.2.10/32'], { created: 9 }), pool('b', ['198.51.100.10/32'])],
        expect: { s1: '192.0.2.10@a *', s2: '198.51.100.10@b' },
      },
    ],
  },
  {
    name: 'type change away and back',
    pools: [pool('a', ['192.0.2.10-192.0.2.11'])],
    services: [svc('s1', { created: 1 })],
    steps: [
      { rule: 'allocate', expect: { s1: '192.0.2.10@a *' } },
      {
        rule: 'type ClusterIP → release (IP and annotation cleared); a newcomer does not get the IP yet',
        change: (ss) => [...replace('s1', withSpec({ type: 'ClusterIP' }))(ss), svc('s2', { created: 2 })],
        expect: { s1: 'release', s2: '192.0.2.11@a *' },
      },
      {
        rule: 'after the release the Service is ignored',
        expect: { s1: 'ignore', s2: '192.0.2.11@a' },
      },
      {
        rule: 'back to LoadBalancer: allocated again',
        change: replace('s1', withSpec({ type: 'LoadBalancer' })),
        expect: { s1: '192.0.2.10@a *', s2: '192.0.2.11@a' },
      },
    ],
  },
  {
    name: "the controller's class changes",
    pools: [pool('a', ['192.0.2.10/32'])],
    services: [svc('s1')],
    steps: [
      { rule: 'no class: allocate', expect: { s1: '192.0.2.10@a *' } },
      {
        rule: 'class set: our annotated Service is released',
        lbClass: 'ironlb.io/l2',
        expect: { s1: 'release' },
      },
      { rule: 'then ignored', lbClass: 'ironlb.io/l2', expect: { s1: 'ignore' } },
    ],
  },
  {
    name: 'PreferDualStack upgrades once the missing family frees up',
    pools: [pool('a', ['192.0.2.10/32']), pool('v6', ['2001:db8::10/128'])],
    services: [svc('hog', { created: 1, families: ['IPv6'] }), svc('s1', { created: 2, ...dual() })],
    steps: [
      { rule: 'IPv6 exhausted: degrade', expect: { hog: '2001:db8::10@v6 *', s1: '192.0.2.10@a *' } },
      {
        rule: 'the IPv6 holder goes away: its IP is released this round',
        change: replace('hog', withSpec({ type: 'ClusterIP' })),
        expect: { hog: 'release', s1: '192.0.2.10@a' },
      },
      {
        rule: 'next round: the IPv4 stays, IPv6 is added',
        expect: { hog: 'ignore', s1: '192.0.2.10@a,2001:db8::10@v6 *' },
      },
    ],
  },
  {
    name: 'a newer overlapping pool never disturbs an older one',
    pools: [pool('a', ['192.0.2.10/31'], { created: 1 })],
    services: [svc('s1')],
    steps: [
      { rule: 'allocate from a', expect: { s1: '192.0.2.10@a *' } },
      {
        rule: 'add b overlapping a: b is invalid, s1 unchanged',
        pools: [pool('a', ['192.0.2.10/31'], { created: 1 }), pool('b', ['192.0.2.0/24'], { created: 2 })],
        expect: { s1: '192.0.2.10@a' },
      },
    ],
  },
  {
    name: 'sharing partners leave independently',
    pools: [pool('a', ['192.0.2.10-192.0.2.11'])],
    services: [
      svc('s1', { created: 1, share: 'k', ports: ['TCP/80'] }),
      svc('s2', { created: 2, share: 'k', ports: ['TCP/443'] }),
    ],
    steps: [
      { rule: 'share', expect: { s1: '192.0.2.10@a *', s2: '192.0.2.10@a *' } },
      {
        rule: 's1 stops being a LoadBalancer: s2 keeps the shared IP',
        change: replace('s1', withSpec({ type: 'ClusterIP' })),
        expect: { s1: 'release', s2: '192.0.2.10@a' },
      },
      {
        rule: 's2 changes its ports to clash with nobody: still kept',
        change: replace('s2', withSpec({ ports: [{ port: 80, protocol: 'TCP' }] })),
        expect: { s1: 'ignore', s2: '192.0.2.10@a' },
      },
    ],
  },
];

describe('allocate: scenarios', () => {
  it.each(scenarios.map((s) => [s.name, s] as const))('%s', (_name, scenario) => {
    let services = scenario.services;
    let pools = scenario.pools;
    let lbClass: string | undefined;
    for (const step of scenario.steps) {
      if (step.pools) pools = step.pools;
      if ('lbClass' in step) lbClass = step.lbClass;
      if (step.change) services = step.change(structuredClone(services));
      const world: World = lbClass === undefined ? { pools, services } : { pools, services, lbClass };
      const plan = check(world, step);
      services = services.map((s) =>
        applyOutcome(s, plan.services.get(`${s.metadata?.namespace}/${s.metadata?.name}`)),
      );
    }
  });
});

describe('allocate: invariants and edges', () => {
  it('throws InvariantError when a Service appears twice', () => {
    const view = serviceView(svc('s1'));
    expect(() => allocate({ pools: [], namespaceLabels: new Map(), services: [view, view] })).toThrow(
      /appears twice/,
    );
  });

  it('throws InvariantError when given overlapping pools', () => {
    const a = parsePools([pool('a', ['192.0.2.0/24'])]).valid;
    const b = parsePools([pool('b', ['192.0.2.128/25'])]).valid;
    expect(() => allocate({ pools: [...a, ...b], namespaceLabels: new Map(), services: [] })).toThrow(
      /overlap/,
    );
  });

  it('lists ours oldest first, then the others by key, and every pool by name', () => {
    const services = [
      svc('x', { type: 'ClusterIP' }),
      svc('b', { created: 2 }),
      svc('a', { ns: 'z', created: 1 }),
      svc('c', { created: 2 }),
      svc('w', { type: 'NodePort' }),
    ];
    const plan = allocate(inputFor({ pools: [general, v4], services }));
    expect([...plan.services.keys()]).toEqual(['z/a', 'default/b', 'default/c', 'default/w', 'default/x']);
    expect(plan.pools.map((p) => p.pool)).toEqual(['a', 'general']);
    expect(renderPlan(plan)).toEqual({
      'z/a': '192.0.2.10@a *',
      'default/b': '192.0.2.11@a *',
      'default/c': '192.0.2.12@a *',
      'default/w': 'ignore',
      'default/x': 'ignore',
    });
  });

  it('ServiceViewCache reuses a view per uid+resourceVersion and forgets unseen Services on sweep', () => {
    const cache = new ServiceViewCache();
    const s1 = svc('s1');
    const v1 = cache.view(s1);
    expect(cache.view(structuredClone(s1))).toBe(v1);
    const bumped = { ...s1, metadata: { ...s1.metadata, resourceVersion: '2' } };
    expect(cache.view(bumped)).not.toBe(v1);
    cache.sweep();
    expect(cache.size).toBe(1);
    cache.sweep();
    expect(cache.size).toBe(0);
  });

  it('derives families from clusterIPs when ipFamilies is missing, and both for PreferDualStack', () => {
    const base = svc('s1');
    const noFamilies = { ...base, spec: { ...base.spec, ipFamilies: undefined, clusterIPs: ['fd00::1'] } };
    expect(serviceView(noFamilies).families).toEqual(['IPv6']);
    const prefer = { ...noFamilies, spec: { ...noFamilies.spec, ipFamilyPolicy: 'PreferDualStack' } };
    expect(serviceView(prefer).families).toEqual(['IPv6', 'IPv4']);
  });
});
