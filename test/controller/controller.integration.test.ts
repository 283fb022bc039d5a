// The real controller process (dist/src/cli/main.js) against the in-repo API server, through the
// real @kubernetes/client-node code: allocation, restarts, leader election, API faults.
import type { CoreV1Event, V1Lease } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { L2Advertisement } from '../../src/k8s/ironlb-types.js';
import { ANNOTATIONS, DEFAULT_NAMESPACE } from '../../src/k8s/names.js';
import { startControllerProcess, type ControllerProcess } from '../support/controller-process.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { waitFor } from '../support/wait.js';

// Short lease timings keep the takeover tests quick; their ratios are the production defaults'.
const LEASE_MS = 3000;
const SMALL_WATCH_CACHE = 20;
const FAST_LEASE = ['--lease-duration', '3s', '--renew-deadline', '2s', '--retry-period', '400ms'];

let cluster: TestCluster;
const processes: ControllerProcess[] = [];

function controller(identity: string, args: string[] = FAST_LEASE): ControllerProcess {
  const p = startControllerProcess(cluster.kubeconfigFile, identity, args);
  processes.push(p);
  return p;
}

async function allIngress(namespace: string): Promise<Map<string, string[]>> {
  const list = await cluster.core.listNamespacedService({ namespace });
  return new Map(
    list.items.map((s) => [
      s.metadata?.name ?? '',
      (s.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? ''),
    ]),
  );
}

async function waitAllAllocated(
  namespace: string,
  count: number,
  timeoutMs = 20_000,
): Promise<Map<string, string[]>> {
  return waitFor(
    `${count} Services in ${namespace} with an IP`,
    async () => {
      const m = await allIngress(namespace);
      const done = [...m.values()].filter((ips) => ips.length > 0).length;
      return done === count ? m : undefined;
    },
    timeoutMs,
  );
}

function expectUnique(m: Map<string, string[]>): void {
  const all = [...m.values()].flat();
  expect(new Set(all).size).toBe(all.length);
}

async function leaseHolder(): Promise<string | undefined> {
  try {
    const lease: V1Lease = await cluster.coordination.readNamespacedLease({
      namespace: DEFAULT_NAMESPACE,
      name: 'ironlb-controller',
    });
    return lease.spec?.holderIdentity || undefined;
  } catch {
    return undefined;
  }
}

async function events(namespace: string, reason: string): Promise<CoreV1Event[]> {
  const list = await cluster.core.listNamespacedEvent({ namespace });
  return list.items.filter((e) => e.reason === reason);
}

beforeEach(async () => {
  cluster = await startTestCluster();
});

afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.kill('SIGKILL')));
  await cluster.close();
});

describe('controller against the API server', () => {
  it('allocates IPs to new Services and reports them in status, annotations and Events', async () => {
    await cluster.createPool('lab', { addresses: ['192.0.2.10-192.0.2.19'] });
    await cluster.createNamespace('shop');
    const c = controller('c1');
    for (let i = 0; i < 5; i++) await cluster.createService('shop', `web${i}`);
    const ips = await waitAllAllocated('shop', 5);
    expectUnique(ips);
    expect([...ips.values()].flat().sort()).toEqual([
      '192.0.2.10',
      '192.0.2.11',
      '192.0.2.12',
      '192.0.2.13',
      '192.0.2.14',
    ]);
    const svc = await cluster.core.readNamespacedService({ namespace: 'shop', name: 'web0' });
    expect(svc.status?.loadBalancer?.ingress?.[0]?.ipMode).toBe('VIP');
    await waitFor('pool annotation', async () => {
      const s = await cluster.core.readNamespacedService({ namespace: 'shop', name: 'web0' });
      return s.metadata?.annotations?.[ANNOTATIONS.ipAllocatedFromPool] === 'lab';
    });
    await waitFor('IPAllocated events', async () => (await events('shop', 'IPAllocated')).length === 5);
    await waitFor('pool status counts', async () => {
      const pool = await cluster.getPool('lab');
      return pool.status?.assignedIPv4 === 5 && pool.status.availableIPv4 === 5;
    });
    expect(await c.metric('ironlb_allocator_addresses_in_use_total')).toBe(5);
    expect(await c.metric('ironlb_controller_leader_bool')).toBe(1);
  });

  it('keeps every IP across a restart, even with changes made while it was down', async () => {
    await cluster.createPool('lab', { addresses: ['192.0.2.0/27'] });
    await cluster.createNamespace('apps');
    const first = controller('c1');
    for (let i = 0; i < 20; i++) await cluster.createService('apps', `s${String(i).padStart(2, '0')}`);
    const before = await waitAllAllocated('apps', 20);
    expectUnique(before);
    await first.kill('SIGKILL');

    // While no controller runs: free a low address and add Services that sort before the others.
    await cluster.core.deleteNamespacedService({ namespace: 'apps', name: 's00' });
    before.delete('s00');
    for (const name of ['a-new', 'b-new']) await cluster.createService('apps', name);

    controller('c2');
    const after = await waitAllAllocated('apps', 21);
    for (const [name, ips] of before) expect(after.get(name), name).toEqual(ips);
    expectUnique(after);
  });

  it('marks an invalid pool with a condition and an Event while valid pools keep working', async () => {
    await cluster.createPool('good', { addresses: ['198.51.100.0/30'] });
    // The CRD schema already refuses non-address text; these pass it but make no sense.
    await cluster.createPool('bad', { addresses: ['198.51.100.20-198.51.100.10', '198.51.100.300/32'] });
    await cluster.createNamespace('web');
    controller('c1');
    await cluster.createService('web', 'one');
    const ips = await waitAllAllocated('web', 1);
    expect(ips.get('one')).toEqual(['198.51.100.0']);
    const bad = await waitFor('Valid=False on the bad pool', async () => {
      const p = await cluster.getPool('bad');
      const cond = p.status?.conditions?.find((c) => c.type === 'Valid');
      return cond?.status === 'False' ? cond : undefined;
    });
    expect(bad.message).toMatch(/198\.51\.100\.20-198\.51\.100\.10/);
    expect(bad.message).toMatch(/198\.51\.100\.300/);
    const good = await cluster.getPool('good');
    expect(good.status?.conditions?.find((c) => c.type === 'Valid')?.status).toBe('True');
    await waitFor(
      'InvalidConfiguration event',
      async () => (await events(DEFAULT_NAMESPACE, 'InvalidConfiguration')).length > 0,
    );

    // L2Advertisements are validated too: a missing pool is a warning, a bad interface an error.
    const adv = (name: string, spec: Record<string, unknown>) =>
      cluster.custom.createNamespacedCustomObject({
        group: 'ironlb.io',
        version: 'v1',
        namespace: DEFAULT_NAMESPACE,
        plural: 'l2advertisements',
        body: { apiVersion: 'ironlb.io/v1', kind: 'L2Advertisement', metadata: { name }, spec },
      });
    const advValid = (name: string) =>
      waitFor(`Valid condition on L2Advertisement ${name}`, async () => {
        const obj = (await cluster.custom.getNamespacedCustomObject({
          group: 'ironlb.io',
          version: 'v1',
          namespace: DEFAULT_NAMESPACE,
          plural: 'l2advertisements',
          name,
        })) as L2Advertisement;
        return obj.status?.conditions?.find((c) => c.type === 'Valid');
      });
    await adv('typo', { ipAddressPools: ['good', 'nonexistent'] });
    await adv('broken', { interfaces: ['..'] });
    const typo = await advValid('typo');
    expect([typo.status, typo.reason]).toEqual(['True', 'ValidWithWarnings']);
    expect(typo.message).toMatch(/nonexistent/);
    const broken = await advValid('broken');
    expect([broken.status, broken.reason]).toEqual(['False', 'InvalidInterface']);
  });

  it('reports AllocationFailed when a pool is exhausted and allocates once space frees up', async () => {
    await cluster.createPool('tiny', { addresses: ['203.0.113.1/32'] });
    await cluster.createNamespace('x');
    controller('c1');
    await cluster.createService('x', 'first');
    await waitAllAllocated('x', 1);
    await cluster.createService('x', 'second');
    const failed = await waitFor('AllocationFailed', async () => (await events('x', 'AllocationFailed'))[0]);
    expect(failed.involvedObject?.name).toBe('second');
    expect(failed.message).toMatch(/tiny/);
    await cluster.core.deleteNamespacedService({ namespace: 'x', name: 'first' });
    const ips = await waitAllAllocated('x', 1);
    expect(ips.get('second')).toEqual(['203.0.113.1']);
  });

  it('elects one leader among two racing replicas under injected 409s, with no duplicate IP', async () => {
    await cluster.createPool('lab', { addresses: ['192.0.2.0/24'] });
    await cluster.createNamespace('race');
    // Conflicts on Lease writes and on Service status writes while both replicas start.
    cluster.server.faults.failNext({ method: 'PUT', path: '/leases/', status: 409, times: 3 });
    cluster.server.faults.failNext({ method: 'POST', path: '/leases', status: 409, times: 1 });
    cluster.server.faults.failNext({
      method: 'PATCH',
      path: /\/services\/[^/]+\/status/,
      status: 409,
      times: 10,
    });
    const a = controller('a');
    const b = controller('b');
    const creates: Promise<unknown>[] = [];
    for (let i = 0; i < 60; i++) creates.push(cluster.createService('race', `svc${i}`));
    await Promise.all(creates);
    const ips = await waitAllAllocated('race', 60);
    expectUnique(ips);
    const holder = await waitFor('a lease holder', leaseHolder);
    expect(['a', 'b']).toContain(holder);
    const leaders = [
      await a.metric('ironlb_controller_leader_bool'),
      await b.metric('ironlb_controller_leader_bool'),
    ];
    expect(leaders.sort()).toEqual([0, 1]);
  });

  it('fails over to the standby within the lease duration when the leader is killed', async () => {
    await cluster.createPool('lab', { addresses: ['192.0.2.0/28'] });
    await cluster.createNamespace('ha');
    const a = controller('a');
    await waitFor('a leads', async () => (await leaseHolder()) === 'a');
    const b = controller('b');
    await waitFor('b synced', async () => (await b.metric('ironlb_k8s_client_config_loaded_bool')) === 1);
    await cluster.createService('ha', 'before');
    await waitAllAllocated('ha', 1);

    await a.kill('SIGKILL');
    const killedAt = Date.now();
    await waitFor('b leads', async () => (await leaseHolder()) === 'b', LEASE_MS * 3);
    const takeoverMs = Date.now() - killedAt;
    // b must wait out the lease (≤ 3 s after a's last renew), then wins within one jittered retry
    // period (≤ 2.2 × 400 ms); the rest is slack for a busy machine.
    expect(takeoverMs).toBeLessThanOrEqual(LEASE_MS + 2000);
    await cluster.createService('ha', 'after');
    const ips = await waitAllAllocated('ha', 2);
    expectUnique(ips);
    expect(ips.get('before')).toEqual(['192.0.2.0']);
  });

  it('hands over at once when the leader shuts down gracefully', async () => {
    await cluster.createNamespace('ha');
    const a = controller('a');
    await waitFor('a leads', async () => (await leaseHolder()) === 'a');
    controller('b');
    await a.kill('SIGTERM');
    const stoppedAt = Date.now();
    await waitFor('b leads', async () => (await leaseHolder()) === 'b', LEASE_MS * 3);
    expect(Date.now() - stoppedAt).toBeLessThan(LEASE_MS);
  });

  it('recovers from dropped watches, 500s and an expired watch position', async () => {
    await cluster.close();
    cluster = await startTestCluster({ watchCacheSize: SMALL_WATCH_CACHE });
    await cluster.createPool('lab', { addresses: ['192.0.2.0/28'] });
    await cluster.createNamespace('flaky');
    const c = controller('c1');
    await cluster.createService('flaky', 'one');
    await waitAllAllocated('flaky', 1);

    // The watch connections break; the informers must notice and resume.
    expect(cluster.server.faults.dropWatches()).toBeGreaterThan(0);
    await cluster.createService('flaky', 'two');
    await waitAllAllocated('flaky', 2);

    // The API server answers 500 to the controller's next Service watches and lists (they span all
    // namespaces): the informer stops, and must be restarted with backoff.
    cluster.server.faults.failNext({ method: 'GET', path: '/api/v1/services', status: 500, times: 3 });
    cluster.server.faults.dropWatches();
    await cluster.createService('flaky', 'three');
    await waitAllAllocated('flaky', 3);

    // The watch breaks and cannot come back at once while the Services watch window (kept small
    // in this cluster) moves past the informer's position: its resumed watch is told "too old
    // resource version" (410), so it must relist and carry on.
    cluster.server.faults.failNext({
      method: 'GET',
      path: '/api/v1/services?',
      watch: true,
      status: 500,
      times: 2,
    });
    cluster.server.faults.dropWatches((p) => p.startsWith('/api/v1/services'));
    await cluster.createNamespace('noise');
    for (let i = 0; i < 3 * SMALL_WATCH_CACHE; i++) {
      await cluster.createService('noise', `n${i}`, { type: 'ClusterIP' });
    }
    await cluster.createService('flaky', 'after-410');
    await waitAllAllocated('flaky', 4);
    expect(c.logs.some((l) => l.msg === 'informer: relisted' && l.informer === 'services')).toBe(true);

    // Status writes fail for a while: retried with backoff, never dropped.
    cluster.server.faults.failNext({ method: 'PATCH', path: '/status', status: 500, times: 3 });
    await cluster.createService('flaky', 'four');
    const ips = await waitAllAllocated('flaky', 5);
    expectUnique(ips);
    expect(await c.metric('ironlb_k8s_client_update_errors_total')).toBeGreaterThanOrEqual(1);
  });
});
