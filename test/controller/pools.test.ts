// Tables for pool parsing/validation (src/controller/pools.ts) and L2Advertisement validation
// (src/k8s/l2-advertisement.ts).
import { describe, expect, it } from 'vitest';
import { parsePools, validityCondition, type PoolProblemReason } from '../../src/controller/pools.js';
import type { IPAddressPool, L2Advertisement } from '../../src/k8s/ironlb-types.js';
import {
  advertisesPool,
  interfaceNameProblem,
  validateL2Advertisement,
} from '../../src/k8s/l2-advertisement.js';
import { deepFreeze, pool } from './fixtures.js';

const garbage = (spec: unknown, name = 'g'): IPAddressPool =>
  ({
    apiVersion: 'ironlb.io/v1',
    kind: 'IPAddressPool',
    metadata: { name },
    spec,
  }) as IPAddressPool;

describe('parsePools: one pool at a time', () => {
  const rows: [
    rule: string,
    p: IPAddressPool,
    valid: boolean,
    problem?: PoolProblemReason,
    message?: RegExp,
  ][] = [
    ['IPv4 CIDR', pool('p', ['192.0.2.0/24']), true],
    ['IPv6 CIDR and a range', pool('p', ['2001:db8::/120', '192.0.2.10-192.0.2.20']), true],
    [
      'host bits set: used as the network, with a warning',
      pool('p', ['192.0.2.77/24']),
      true,
      'HostBitsSet',
      /used as 192\.0\.2\.0-192\.0\.2\.255/,
    ],
    [
      'range start after end',
      pool('p', ['192.0.2.20-192.0.2.10']),
      false,
      'InvalidRange',
      /start 192\.0\.2\.20 is after end/,
    ],
    ['range mixing families', pool('p', ['192.0.2.1-2001:db8::1']), false, 'MixedFamilies', /mixes families/],
    [
      'garbage string',
      pool('p', ['192.0.2.0/24', 'banana']),
      false,
      'InvalidAddress',
      /"banana" is neither a CIDR/,
    ],
    ['bad prefix length', pool('p', ['192.0.2.0/40']), false, 'InvalidAddress', /prefix length/],
    ['bare address', pool('p', ['192.0.2.1']), false, 'InvalidAddress', /192\.0\.2\.1\/32/],
    ['IPv4-mapped IPv6 CIDR', pool('p', ['::ffff:192.0.2.0/120']), false, 'IPv4MappedAddress', /IPv4 form/],
    [
      'overlap inside one pool',
      pool('p', ['192.0.2.0/24', '192.0.2.128-192.0.2.130']),
      false,
      'OverlapWithinPool',
      /overlaps "192\.0\.2\.0\/24"/,
    ],
    ['the same entry twice', pool('p', ['192.0.2.0/28', '192.0.2.0/28']), false, 'OverlapWithinPool'],
    ['no addresses', pool('p', []), false, 'NoAddresses'],
    ['addresses not a list', garbage({ addresses: '192.0.2.0/24' }), false, 'NoAddresses'],
    ['no spec at all', garbage(undefined), false, 'InvalidSpec'],
    [
      'an address that is not a string',
      garbage({ addresses: [42] }),
      false,
      'InvalidAddress',
      /must be a string/,
    ],
    [
      'autoAssign not a boolean',
      garbage({ addresses: ['192.0.2.0/24'], autoAssign: 'yes' }),
      false,
      'InvalidSpec',
    ],
    [
      'negative priority',
      pool('p', ['192.0.2.0/24'], { serviceAllocation: { priority: -1 } }),
      false,
      'InvalidPriority',
    ],
    [
      'fractional priority',
      pool('p', ['192.0.2.0/24'], { serviceAllocation: { priority: 1.5 } }),
      false,
      'InvalidPriority',
    ],
    [
      'priority 0 is the highest, and valid',
      pool('p', ['192.0.2.0/24'], { serviceAllocation: { priority: 0 } }),
      true,
    ],
    [
      'bad namespace name',
      pool('p', ['192.0.2.0/24'], { serviceAllocation: { namespaces: ['Team_A'] } }),
      false,
      'InvalidNamespace',
    ],
    [
      'namespace listed twice: a warning',
      pool('p', ['192.0.2.0/24'], { serviceAllocation: { namespaces: ['a', 'a'] } }),
      true,
      'InvalidNamespace',
      /listed twice/,
    ],
    [
      'bad service selector',
      pool('p', ['192.0.2.0/24'], {
        serviceAllocation: { serviceSelectors: [{ matchExpressions: [{ key: 'a', operator: 'In' }] }] },
      }),
      false,
      'InvalidSelector',
      /serviceSelectors\[0\]\.matchExpressions\[0\]\.values must not be empty/,
    ],
    [
      'bad namespace selector',
      pool('p', ['192.0.2.0/24'], {
        serviceAllocation: { namespaceSelectors: [{ matchLabels: { 'a b': 'c' } }] },
      }),
      false,
      'InvalidSelector',
    ],
    [
      'serviceAllocation not an object',
      garbage({ addresses: ['192.0.2.0/24'], serviceAllocation: [] }),
      false,
      'InvalidSpec',
    ],
  ];
  it.each(rows)('%s', (_rule, p, valid, problem, message) => {
    const r = parsePools(deepFreeze([p]));
    const name = p.metadata.name ?? '';
    expect(r.valid.map((v) => v.name)).toEqual(valid ? [name] : []);
    expect(r.invalid.has(name)).toBe(!valid);
    const problems = r.problems.get(name) ?? [];
    if (problem) {
      const hit = problems.find((x) => x.reason === problem);
      expect(hit, JSON.stringify(problems)).toBeDefined();
      if (message) expect(hit?.message).toMatch(message);
      expect(hit?.severity).toBe(valid ? 'warning' : 'error');
    } else {
      expect(problems).toEqual([]);
    }
  });

  it('parses flags, allocation and capacity', () => {
    const [p] = parsePools([
      pool('p', ['192.0.2.0/24', '2001:db8::/64'], {
        autoAssign: false,
        avoidBuggyIPs: true,
        serviceAllocation: {
          priority: 3,
          namespaces: ['a'],
          serviceSelectors: [{ matchLabels: { app: 'x' } }],
        },
      }),
    ]).valid;
    expect(p?.autoAssign).toBe(false);
    expect(p?.avoidBuggyIPs).toBe(true);
    expect(p?.capacity).toEqual({ IPv4: 254n, IPv6: 2n ** 64n });
    expect(p?.allocation?.priority).toBe(3);
    expect([...(p?.allocation?.namespaces ?? [])]).toEqual(['a']);
    expect(p?.allocation?.serviceSelectors).toHaveLength(1);
    expect(p?.ranges.map((r) => [r.index, r.text])).toEqual([
      [0, '192.0.2.0/24'],
      [1, '2001:db8::/64'],
    ]);
  });

  it('defaults: autoAssign true, avoidBuggyIPs false, no serviceAllocation', () => {
    const [p] = parsePools([pool('p', ['192.0.2.0/24'])]).valid;
    expect(p).toMatchObject({ autoAssign: true, avoidBuggyIPs: false, allocation: undefined });
  });
});

describe('parsePools: pools against each other', () => {
  const rows: [rule: string, pools: IPAddressPool[], valid: string[], invalid: Record<string, RegExp>][] = [
    [
      'overlap: the newer pool is the invalid one',
      [pool('new', ['192.0.2.128/25'], { created: 2 }), pool('old', ['192.0.2.0/24'], { created: 1 })],
      ['old'],
      { new: /overlaps "192\.0\.2\.0\/24" of pool "old", which is older/ },
    ],
    [
      'overlap with equal age: the later name is the invalid one',
      [pool('b', ['192.0.2.0/24']), pool('a', ['192.0.2.5-192.0.2.6'])],
      ['a'],
      { b: /of pool "a"/ },
    ],
    [
      'an older invalid pool still blocks a newer overlapping one (nothing flips when it is fixed)',
      [pool('old', ['192.0.2.0/24', 'junk'], { created: 1 }), pool('new', ['192.0.2.0/25'], { created: 2 })],
      [],
      { old: /junk/, new: /of pool "old"/ },
    ],
    [
      'one bad pool never disables the others',
      [pool('good', ['192.0.2.0/24']), pool('bad', ['10.0.0.9-10.0.0.1']), pool('v6', ['2001:db8::/64'])],
      ['good', 'v6'],
      { bad: /backwards/ },
    ],
    [
      'adjacent pools do not overlap',
      [pool('a', ['192.0.2.0/25']), pool('b', ['192.0.2.128/25'])],
      ['a', 'b'],
      {},
    ],
    ['IPv4 and IPv6 never overlap', [pool('a', ['0.0.0.0/0']), pool('b', ['2000::/3'])], ['a', 'b'], {}],
  ];
  it.each(rows)('%s', (_rule, pools, valid, invalid) => {
    const r = parsePools(deepFreeze(pools));
    expect(r.valid.map((p) => p.name)).toEqual(valid);
    expect([...r.invalid.keys()].sort()).toEqual(Object.keys(invalid).sort());
    for (const [name, re] of Object.entries(invalid)) expect(r.invalid.get(name)).toMatch(re);
  });

  it('a pool without a name is reported, not thrown on', () => {
    const r = parsePools([{ ...pool('x', ['192.0.2.0/24']), metadata: {} }]);
    expect(r.valid).toEqual([]);
    expect([...r.invalid.values()][0]).toMatch(/no name/);
  });
});

describe('validityCondition', () => {
  it.each([
    ['clean', [], 'True', 'Valid'],
    [
      'warnings only',
      [{ severity: 'warning', reason: 'HostBitsSet', field: 'f', message: 'm' }],
      'True',
      'ValidWithWarnings',
    ],
    [
      'errors win and give the reason',
      [
        { severity: 'warning', reason: 'HostBitsSet', field: 'f', message: 'm' },
        { severity: 'error', reason: 'InvalidRange', field: 'spec.addresses[1]', message: 'backwards' },
      ],
      'False',
      'InvalidRange',
    ],
  ] as const)('%s', (_rule, problems, status, reason) => {
    const c = validityCondition(problems, 4);
    expect(c).toMatchObject({ type: 'Valid', status, reason, observedGeneration: 4 });
    if (status === 'False') expect(c.message).toBe('spec.addresses[1]: backwards');
  });
});

describe('validateL2Advertisement', () => {
  const adv = (spec: unknown): L2Advertisement =>
    ({
      apiVersion: 'ironlb.io/v1',
      kind: 'L2Advertisement',
      metadata: { name: 'adv' },
      spec,
    }) as L2Advertisement;
  const known = new Set(['a', 'b']);
  const rows: [rule: string, a: L2Advertisement, usable: boolean, problem?: string, message?: RegExp][] = [
    ['empty spec: announce everything from everywhere', adv(undefined), true],
    ['known pools and interfaces', adv({ ipAddressPools: ['a'], interfaces: ['eth0', 'bond0.100'] }), true],
    [
      'missing pool is a warning only',
      adv({ ipAddressPools: ['a', 'c'] }),
      true,
      'UnknownPool',
      /pool "c" does not exist/,
    ],
    ['pool listed twice is a warning', adv({ ipAddressPools: ['a', 'a'] }), true, 'InvalidPoolName', /twice/],
    ['pool name syntax', adv({ ipAddressPools: ['A_B'] }), false, 'InvalidPoolName'],
    [
      'interface name too long',
      adv({ interfaces: ['a-very-long-ifname'] }),
      false,
      'InvalidInterface',
      /1 to 15/,
    ],
    ['interface name with a slash', adv({ interfaces: ['eth/0'] }), false, 'InvalidInterface'],
    ['interface "."', adv({ interfaces: ['.'] }), false, 'InvalidInterface'],
    ['interfaces not a list', adv({ interfaces: 'eth0' }), false, 'InvalidInterface', /must be a list/],
    [
      'bad node selector',
      adv({ nodeSelectors: [{ matchExpressions: [{ key: 'x', operator: 'Gt' }] }] }),
      false,
      'InvalidSelector',
    ],
    [
      'bad pool selector',
      adv({ ipAddressPoolSelectors: [{ matchLabels: { '': 'x' } }] }),
      false,
      'InvalidSelector',
    ],
    ['spec not an object', adv('all'), false, 'InvalidSpec'],
  ];
  it.each(rows)('%s', (_rule, a, usable, problem, message) => {
    const r = validateL2Advertisement(deepFreeze(a), known);
    expect(r.parsed !== undefined).toBe(usable);
    if (problem) {
      const hit = r.problems.find((p) => p.reason === problem);
      expect(hit, JSON.stringify(r.problems)).toBeDefined();
      if (message) expect(hit?.message).toMatch(message);
    } else {
      expect(r.problems).toEqual([]);
    }
  });

  it('selects pools by name, by selector, or all', () => {
    const all = validateL2Advertisement(adv({}), known).parsed;
    const named = validateL2Advertisement(adv({ ipAddressPools: ['a'] }), known).parsed;
    const sel = validateL2Advertisement(
      adv({ ipAddressPoolSelectors: [{ matchLabels: { zone: 'x' } }] }),
      known,
    ).parsed;
    expect(all && advertisesPool(all, 'b', {})).toBe(true);
    expect(named && advertisesPool(named, 'a', {})).toBe(true);
    expect(named && advertisesPool(named, 'b', {})).toBe(false);
    expect(sel && advertisesPool(sel, 'b', { zone: 'x' })).toBe(true);
    expect(sel && advertisesPool(sel, 'a', {})).toBe(false);
  });

  it('interface names follow Linux rules', () => {
    expect(interfaceNameProblem('eth0')).toBeUndefined();
    expect(interfaceNameProblem('enp0s31f6.100')).toBeUndefined();
    expect(interfaceNameProblem('')).toMatch(/1 to 15/);
    expect(interfaceNameProblem('a b')).toMatch(/whitespace/);
    expect(interfaceNameProblem('eth:1')).toMatch(/":"/);
  });
});
