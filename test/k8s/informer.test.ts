// The supervised informer against a stand-in API server (the in-repo API server did not exist
// yet when this was written): real client-node code over real HTTP.
import { KubeConfig, type V1Service } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import {
  objectKey,
  servicesSource,
  SupervisedInformer,
  type BackoffOptions,
} from '../../src/k8s/informer.js';
import { createLogger } from '../../src/log/logger.js';
import { service, StandInServer, waitFor } from './support/stand-in-server.js';

const log = createLogger('silent');
const BACKOFF: Partial<BackoffOptions> = { initialMs: 40, factor: 2, maxMs: 1_000, jitter: 0 };

let server: StandInServer | undefined;
let informer: SupervisedInformer<V1Service> | undefined;

afterEach(async () => {
  await informer?.stop();
  informer = undefined;
  await server?.close();
  server = undefined;
});

async function setup(
  opts: { expiredAs?: 'event' | 'http' } = {},
): Promise<{ s: StandInServer; inf: SupervisedInformer<V1Service> }> {
  const s = await StandInServer.start(opts);
  server = s;
  const kc = new KubeConfig();
  kc.loadFromString(s.kubeconfig());
  const inf = new SupervisedInformer({
    kc,
    source: servicesSource(kc),
    log,
    backoff: BACKOFF,
    name: 'services',
  });
  informer = inf;
  return { s, inf };
}

function names(inf: SupervisedInformer<V1Service>): string[] {
  return inf
    .list()
    .map((o) => objectKey(o))
    .sort();
}

const watches = (s: StandInServer): number[] => s.requests.filter((r) => r.watch).map((r) => r.at);
const lists = (s: StandInServer) => s.requests.filter((r) => !r.watch && r.path === '/api/v1/services');

describe('SupervisedInformer', () => {
  it('resolves synced after the first complete list, with every object cached and announced', async () => {
    const { s, inf } = await setup();
    s.upsert(service('a', 'one'));
    s.upsert(service('a', 'two'));
    s.upsert(service('b', 'three'));
    const added: string[] = [];
    inf.on('add', (o) => added.push(objectKey(o)));
    expect(inf.hasSynced).toBe(false);
    inf.start();
    await inf.synced;
    expect(inf.hasSynced).toBe(true);
    expect(names(inf)).toEqual(['a/one', 'a/two', 'b/three']);
    expect(added.sort()).toEqual(['a/one', 'a/two', 'b/three']);
    expect(inf.get('b/three')?.spec?.type).toBe('LoadBalancer');
    expect(inf.get('b/missing')).toBeUndefined();
    // Listed objects are plain JSON like watched ones (typed lists would carry Date instances).
    expect(typeof inf.get('a/one')?.metadata?.creationTimestamp).toBe('string');

    // The watch continues from the list's resourceVersion.
    await waitFor(() => s.watchCount() === 1, 5_000, 'watch');
    const watchReq = s.requests.find((r) => r.watch);
    expect(watchReq?.query.get('resourceVersion')).toBe('103');
    expect(watchReq?.query.get('allowWatchBookmarks')).toBe('true');
    expect(Number(watchReq?.query.get('timeoutSeconds'))).toBeGreaterThanOrEqual(300);

    const updated: string[] = [];
    const deleted: string[] = [];
    inf.on('update', (o) => updated.push(objectKey(o)));
    inf.on('delete', (o) => deleted.push(objectKey(o)));
    s.upsert(service('a', 'one', { loadBalancerIP: '192.0.2.1' }));
    s.remove('a', 'two');
    s.upsert(service('c', 'four'));
    await waitFor(() => names(inf).join() === 'a/one,b/three,c/four', 5_000, 'watched changes');
    expect(updated).toEqual(['a/one']);
    expect(deleted).toEqual(['a/two']);
    expect(inf.restarts).toBe(0);
  });

  it('rejects synced when stopped before the first list completed', async () => {
    const { s, inf } = await setup();
    s.faults.failNext({ status: 500, watch: false, times: 1_000 });
    inf.start();
    await waitFor(() => inf.restarts >= 2, 5_000, 'restarts');
    await inf.stop();
    await expect(inf.synced).rejects.toThrow(/stopped before it synced/);
    expect(inf.hasSynced).toBe(false);
  });

  it('restarts after a 500 with exponential backoff, then resumes from its resourceVersion', async () => {
    const { s, inf } = await setup();
    s.upsert(service('a', 'one'));
    s.faults.failNext({ status: 500, watch: true, times: 4 });
    inf.start();
    await inf.synced;
    await waitFor(() => s.watchCount() === 1, 10_000, 'watch after failures');
    expect(inf.restarts).toBe(4);
    const ts = watches(s);
    expect(ts).toHaveLength(5);
    const gaps = ts.slice(1).map((t, i) => t - (ts[i] ?? 0));
    // 40, 80, 160, 320 ms (jitter 0); timers never fire early.
    [40, 80, 160, 320].forEach((min, i) => expect(gaps[i]).toBeGreaterThanOrEqual(min - 1));
    expect(gaps[3]).toBeGreaterThan(gaps[0] ?? Infinity);
    // One list only: restarts resume the watch from the last resourceVersion.
    expect(lists(s)).toHaveLength(1);
    expect(s.requests.filter((r) => r.watch).every((r) => r.query.get('resourceVersion') === '101')).toBe(
      true,
    );
    expect(String(inf.lastError)).toMatch(/Internal Server Error/);

    s.upsert(service('a', 'two'));
    await waitFor(() => inf.get('a/two') !== undefined, 5_000, 'event after recovery');
  });

  it('resets the backoff after a successful connect', async () => {
    const { s, inf } = await setup();
    s.faults.failNext({ status: 500, watch: true, times: 3 });
    inf.start();
    await waitFor(() => s.watchCount() === 1, 10_000, 'watch');
    const before = watches(s).length;
    s.faults.failNext({ status: 503, watch: true, times: 1 });
    s.faults.dropWatches();
    await waitFor(() => s.watchCount() === 1 && watches(s).length >= before + 2, 10_000, 'second recovery');
    const ts = watches(s);
    const gap = (ts.at(-1) ?? 0) - (ts.at(-2) ?? 0);
    // Back at the first step (40 ms), not at the fourth (320 ms).
    expect(gap).toBeGreaterThanOrEqual(39);
    expect(gap).toBeLessThan(300);
  });

  it('restarts after a failed list and syncs once the list works', async () => {
    const { s, inf } = await setup();
    s.upsert(service('a', 'one'));
    s.faults.failNext({ status: 500, watch: false, times: 2 });
    inf.start();
    await inf.synced;
    expect(inf.restarts).toBe(2);
    expect(lists(s)).toHaveLength(3);
    expect(names(inf)).toEqual(['a/one']);
  });

  it('recovers after the watch connection is cut, without relisting', async () => {
    const { s, inf } = await setup();
    s.upsert(service('a', 'one'));
    inf.start();
    await inf.synced;
    await waitFor(() => s.watchCount() === 1, 5_000, 'watch');
    s.faults.dropWatches();
    s.upsert(service('a', 'two'));
    await waitFor(() => inf.get('a/two') !== undefined, 5_000, 'event after the cut');
    // client-node sees the cut as an error ("Premature close") and stops; the supervisor restarts it.
    expect(inf.restarts).toBe(1);
    expect(String(inf.lastError)).toMatch(/Premature close/);
    expect(lists(s)).toHaveLength(1);
    const resumed = s.requests.filter((r) => r.watch).at(-1);
    expect(resumed?.query.get('resourceVersion')).toBe('101');
  });

  for (const expiredAs of ['event', 'http'] as const) {
    it(`relists after 410 (${expiredAs === 'event' ? 'ERROR event in a 200 stream' : 'HTTP 410'}), announcing what changed`, async () => {
      const { s, inf } = await setup({ expiredAs });
      s.upsert(service('a', 'keep'));
      s.upsert(service('a', 'change'));
      s.upsert(service('a', 'vanish'));
      inf.start();
      await inf.synced;
      await waitFor(() => s.watchCount() === 1, 5_000, 'watch');
      const events: string[] = [];
      inf.on('add', (o) => events.push(`add ${objectKey(o)}`));
      inf.on('update', (o) => events.push(`update ${objectKey(o)}`));
      inf.on('delete', (o) => events.push(`delete ${objectKey(o)}`));

      // All in one tick, so the client cannot reconnect in between: cut, change, compact.
      s.faults.dropWatches();
      s.upsert(service('a', 'change', { loadBalancerIP: '192.0.2.7' }));
      s.remove('a', 'vanish');
      s.upsert(service('a', 'new'));
      s.compact();

      await waitFor(() => lists(s).length === 2 && inf.get('a/new') !== undefined, 10_000, 'relist');
      expect(names(inf)).toEqual(['a/change', 'a/keep', 'a/new']);
      expect(events.sort()).toEqual(['add a/new', 'delete a/vanish', 'update a/change']);
      expect(inf.lists).toBe(2);
      // One restart for the cut; the 410 itself is handled inside client-node (no error event).
      expect(inf.restarts).toBe(1);
      // The relist resumes watching from the new list's resourceVersion.
      await waitFor(() => s.watchCount() === 1, 5_000, 'watch after relist');
      expect(
        s.requests
          .filter((r) => r.watch)
          .at(-1)
          ?.query.get('resourceVersion'),
      ).toBe(s.resourceVersion);
    });
  }

  it('keeps working when a handler throws', async () => {
    const { s, inf } = await setup();
    let calls = 0;
    inf.on('add', () => {
      calls++;
      throw new Error('handler bug');
    });
    const seen: string[] = [];
    inf.on('add', (o) => seen.push(objectKey(o)));
    s.upsert(service('a', 'one'));
    inf.start();
    await inf.synced;
    s.upsert(service('a', 'two'));
    await waitFor(() => seen.length === 2, 5_000, 'second add');
    expect(calls).toBe(2);
    expect(names(inf)).toEqual(['a/one', 'a/two']);
  });

  it('stops a watch whose answer was still pending when stop() was called', async () => {
    const { s, inf } = await setup();
    s.stallWatchHeaders = true;
    inf.start();
    await inf.synced;
    await waitFor(() => s.watchCount() === 1, 5_000, 'watch request');
    const seen: string[] = [];
    inf.on('add', (o) => seen.push(objectKey(o)));
    await inf.stop();
    s.upsert(service('a', 'late')); // releases the held headers together with an event
    await waitFor(() => s.watchCount() === 0, 5_000, 'the leaked watch to close');
    expect(seen).toEqual([]);
    expect(inf.restarts).toBe(0);
  });

  it('stops for good: no events, no restarts', async () => {
    const { s, inf } = await setup();
    inf.start();
    await inf.synced;
    await waitFor(() => s.watchCount() === 1, 5_000, 'watch');
    const seen: string[] = [];
    inf.on('add', (o) => seen.push(objectKey(o)));
    await inf.stop();
    s.upsert(service('a', 'late'));
    await new Promise((r) => setTimeout(r, 200));
    expect(seen).toEqual([]);
    expect(inf.restarts).toBe(0);
    expect(s.requests.filter((r) => r.watch)).toHaveLength(1);
  });
});
