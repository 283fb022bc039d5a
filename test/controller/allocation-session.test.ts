// AllocationSession.extend() must decide new Services exactly as a full allocate() over the
// whole snapshot would, once the earlier decisions are written back. Checked over many seeded
// random clusters (pools with and without rules, sharing keys, requested IPs, dual-stack, class).
import type { V1Service } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { allocate, AllocationSession, type AllocationInput } from '../../src/controller/allocator.js';
import { parsePools } from '../../src/controller/pools.js';
import { serviceView } from '../../src/controller/service-view.js';
import { applyOutcome, pool, svc, type ServiceOptions } from './fixtures.js';

/** Small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const POOLS = parsePools([
  pool('a-small', ['192.0.2.0/29', '2001:db8::/126']),
  pool('b-rule', ['192.0.2.64/29'], { serviceAllocation: { priority: 1, namespaces: ['team'] } }),
  pool('c-manual', ['192.0.2.128/30'], { autoAssign: false }),
  pool('d-v6', ['2001:db8:1::/125'], { avoidBuggyIPs: true }),
]).valid;

function randomService(r: () => number, name: string, created: number): V1Service {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const o: ServiceOptions = { ns: pick(['default', 'team']), created };
  const policy = pick(['SingleStack', 'SingleStack', 'PreferDualStack', 'RequireDualStack'] as const);
  o.policy = policy;
  o.families = policy === 'SingleStack' ? [pick(['IPv4', 'IPv4', 'IPv6'] as const)] : ['IPv4', 'IPv6'];
  if (r() < 0.2) o.pool = pick(['a-small', 'b-rule', 'c-manual', 'd-v6', 'missing']);
  if (r() < 0.3) {
    o.share = pick(['k1', 'k2']);
    o.ports = [pick(['TCP/80', 'TCP/443', 'UDP/53'])];
  }
  if (r() < 0.1) o.ips = pick(['192.0.2.1', '192.0.2.130', '198.51.100.1', '2001:db8::2']);
  if (r() < 0.05) o.lbClass = 'other';
  if (r() < 0.05) o.type = 'ClusterIP';
  return svc(name, o);
}

function input(services: readonly V1Service[]): AllocationInput {
  return { pools: POOLS, namespaceLabels: new Map(), services: services.map(serviceView) };
}

describe('AllocationSession.extend', () => {
  it('decides new Services as a full allocation over the written-back snapshot would', () => {
    let extended = 0;
    let compared = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const r = rng(seed);
      const old = Array.from({ length: Math.floor(r() * 12) }, (_, i) => randomService(r, `old-${i}`, i));
      const session = new AllocationSession(input(old));
      const written = old.map((s) =>
        applyOutcome(s, session.plan.services.get(`${s.metadata?.namespace}/${s.metadata?.name}`)),
      );
      const fresh = Array.from({ length: 1 + Math.floor(r() * 6) }, (_, i) =>
        randomService(r, `new-${i}`, 100 + i),
      );
      const inc = session.extend(fresh.map(serviceView));
      if (!inc) continue;
      extended++;
      const full = allocate(input([...written, ...fresh]));
      for (const s of fresh) {
        const key = `${s.metadata?.namespace}/${s.metadata?.name}`;
        expect(inc.services.get(key), `seed ${seed} ${key}`).toEqual(full.services.get(key));
        compared++;
      }
      // Nothing already decided moves, and the pool counts agree.
      for (const s of written) {
        const key = `${s.metadata?.namespace}/${s.metadata?.name}`;
        const o = full.services.get(key);
        if (o?.kind === 'assigned') expect(o.changed, `seed ${seed} ${key}`).toBe(false);
      }
      expect(inc.pools, `seed ${seed}`).toEqual(full.pools);
    }
    // The property must actually have been exercised, not declined every time.
    expect(extended).toBeGreaterThan(200);
    expect(compared).toBeGreaterThan(600);
  });

  it('declines when the round released an address, or a new Service is not plainly new', () => {
    // Another class now, but it still shows our IP: released this round, free only in the next.
    const leaving = svc('leaving', { status: ['192.0.2.1'], marked: 'a-small', lbClass: 'other' });
    const releasing = new AllocationSession(input([leaving]));
    expect(releasing.plan.services.get('default/leaving')?.kind).toBe('release');
    expect(releasing.extend([serviceView(svc('n'))])).toBeUndefined();

    const clean = new AllocationSession(input([svc('a')]));
    expect(clean.extend([serviceView(svc('a'))])).toBeUndefined(); // already known
    expect(clean.extend([serviceView(svc('b', { status: ['192.0.2.3'] }))])).toBeUndefined();
    expect(clean.extend([serviceView(svc('c'))])?.services.get('default/c')?.kind).toBe('assigned');
  });
});
