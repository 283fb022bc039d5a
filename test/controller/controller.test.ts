// The reconcile loop with in-memory sources and a recording writer: what it writes, when, and how
// it reacts to conflicts, failures, deletions and leadership changes. No API server, no sleeps
// beyond the loop's own zero-delay timers (controller.idle() says when it has settled).
import type { V1Namespace, V1Service } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { ServiceController, type ObjectSource } from '../../src/controller/controller.js';
import type { PoolStatusWriter, ServiceChange, ServiceWriter } from '../../src/controller/writers.js';
import { ConflictError, NotFoundError } from '../../src/k8s/errors.js';
import { EventRecorder, type EventSink } from '../../src/k8s/events.js';
import type { IPAddressPool, IPAddressPoolStatus } from '../../src/k8s/ironlb-types.js';
import { ANNOTATIONS } from '../../src/k8s/names.js';
import { createLogger } from '../../src/log/logger.js';
import { createControllerMetrics } from '../../src/metrics/registry.js';
import { pool, svc } from './fixtures.js';

type Handler<T> = (obj: T) => void;

class MemorySource<
  T extends { metadata?: { namespace?: string; name?: string } },
> implements ObjectSource<T> {
  readonly items = new Map<string, T>();
  readonly #handlers = {
    add: new Set<Handler<T>>(),
    update: new Set<Handler<T>>(),
    delete: new Set<Handler<T>>(),
  };
  readonly synced = Promise.resolve();
  static key(o: { metadata?: { namespace?: string; name?: string } }): string {
    return `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
  }
  list(): readonly T[] {
    return [...this.items.values()];
  }
  get(key: string): T | undefined {
    return this.items.get(key);
  }
  on(event: 'add' | 'update' | 'delete', handler: Handler<T>): () => void {
    this.#handlers[event].add(handler);
    return () => this.#handlers[event].delete(handler);
  }
  put(obj: T): void {
    const key = MemorySource.key(obj);
    const ev = this.items.has(key) ? 'update' : 'add';
    this.items.set(key, obj);
    for (const h of this.#handlers[ev]) h(obj);
  }
  remove(key: string): void {
    const obj = this.items.get(key);
    if (!obj) return;
    this.items.delete(key);
    for (const h of this.#handlers.delete) h(obj);
  }
}

/** A tiny API: resourceVersions, conditional writes, scripted failures; echoes writes to the source. */
class FakeServiceApi implements ServiceWriter {
  rv = 100;
  writes: { key: string; change: ServiceChange }[] = [];
  failures: Error[] = [];
  constructor(readonly source: MemorySource<V1Service>) {}

  create(s: V1Service): V1Service {
    const obj = {
      ...s,
      metadata: { ...s.metadata, uid: `uid-${s.metadata?.name}`, resourceVersion: String(++this.rv) },
    };
    this.source.put(obj);
    return obj;
  }

  write(s: V1Service, change: ServiceChange): Promise<V1Service> {
    const key = MemorySource.key(s);
    this.writes.push({ key, change });
    const failure = this.failures.shift();
    if (failure) return Promise.reject(failure);
    const cur = this.source.get(key);
    if (!cur) return Promise.reject(new NotFoundError(key));
    if (cur.metadata?.resourceVersion !== s.metadata?.resourceVersion)
      return Promise.reject(new ConflictError(key));
    const annotations = { ...cur.metadata?.annotations };
    for (const [k, v] of Object.entries(change.annotations ?? {})) {
      if (v === null) delete annotations[k];
      else annotations[k] = v;
    }
    const next: V1Service = {
      ...cur,
      metadata: { ...cur.metadata, annotations, resourceVersion: String(++this.rv) },
      status:
        change.ingress === undefined
          ? cur.status
          : { loadBalancer: change.ingress.length > 0 ? { ingress: change.ingress } : {} },
    };
    // The watch echo arrives a little later than the answer, as from a real API server.
    setTimeout(() => this.source.put(next), 1);
    return Promise.resolve(next);
  }

  get(namespace: string, name: string): Promise<V1Service | undefined> {
    return Promise.resolve(this.source.get(`${namespace}/${name}`));
  }
}

class NullPoolWriter implements PoolStatusWriter {
  statuses = new Map<string, IPAddressPoolStatus>();
  writeStatus(_ns: string, name: string, status: IPAddressPoolStatus): Promise<void> {
    this.statuses.set(name, status);
    return Promise.resolve();
  }
}

function setup(pools: IPAddressPool[]) {
  const services = new MemorySource<V1Service>();
  const poolSource = new MemorySource<IPAddressPool>();
  const namespaces = new MemorySource<V1Namespace>();
  for (const p of pools)
    poolSource.put({
      ...p,
      metadata: { ...p.metadata, uid: `pool-${p.metadata.name}`, resourceVersion: '1' },
    });
  namespaces.put({ metadata: { name: 'default', uid: 'ns-default', labels: {} } });
  const api = new FakeServiceApi(services);
  const events: { reason: string; message: string }[] = [];
  const sink: EventSink = {
    create: (_ns, e) => {
      events.push({ reason: e.reason ?? '', message: e.message ?? '' });
      return Promise.resolve(e);
    },
    bump: () => Promise.resolve(),
  };
  const log = createLogger('silent');
  const controller = new ServiceController({
    services,
    pools: poolSource,
    namespaces,
    serviceWriter: api,
    poolWriter: new NullPoolWriter(),
    events: new EventRecorder({ sink, component: 'test', instance: 't', log }),
    metrics: createControllerMetrics(),
    log,
    namespace: 'ironlb-system',
    poolStatusDelayMs: 0,
  });
  return { services, api, events, controller };
}

const ips = (s: V1Service | undefined): string[] =>
  (s?.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '');
async function settle(c: ServiceController): Promise<void> {
  // Writes echo through timers; wait until the loop is idle twice in a row.
  for (let i = 0; i < 3; i++) {
    await c.idle();
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('ServiceController', () => {
  it('allocates nothing before it leads, then writes status and the pool annotation in one write', async () => {
    const { services, api, controller } = setup([pool('lab', ['192.0.2.0/30'])]);
    api.create(svc('a', { created: 1 }));
    await controller.start();
    await settle(controller);
    expect(api.writes).toEqual([]);

    await controller.activate();
    await settle(controller);
    const a = services.get('default/a');
    expect(ips(a)).toEqual(['192.0.2.0']);
    expect(a?.status?.loadBalancer?.ingress?.[0]?.ipMode).toBe('VIP');
    expect(a?.metadata?.annotations?.[ANNOTATIONS.ipAllocatedFromPool]).toBe('lab');
    expect(api.writes).toHaveLength(1);
    controller.stop();
  });

  it('re-reads and decides again after a 409, and retries after a 500', async () => {
    const { services, api, controller } = setup([pool('lab', ['192.0.2.0/30'])]);
    api.create(svc('a', { created: 1 }));
    api.failures.push(new ConflictError('stale'), new Error('HTTP 500'));
    await controller.start();
    await controller.activate();
    await settle(controller);
    await new Promise((r) => setTimeout(r, 400)); // the 500's backoff is 250 ms
    await settle(controller);
    expect(ips(services.get('default/a'))).toEqual(['192.0.2.0']);
    expect(api.writes.length).toBe(3);
    controller.stop();
  });

  it('stops writing when leadership is lost', async () => {
    const { api, controller } = setup([pool('lab', ['192.0.2.0/30'])]);
    await controller.start();
    await controller.activate();
    controller.deactivate();
    api.create(svc('late', { created: 5 }));
    await settle(controller);
    expect(api.writes).toEqual([]);
    controller.stop();
  });

  it('reports an exhausted pool once, then allocates when an IP frees up', async () => {
    const { services, api, events, controller } = setup([pool('one', ['192.0.2.1/32'])]);
    api.create(svc('a', { created: 1 }));
    api.create(svc('b', { created: 2 }));
    await controller.start();
    await controller.activate();
    await settle(controller);
    expect(ips(services.get('default/a'))).toEqual(['192.0.2.1']);
    expect(ips(services.get('default/b'))).toEqual([]);
    const failures = events.filter((e) => e.reason === 'AllocationFailed');
    expect(failures).toHaveLength(1);
    expect(failures[0]?.message).toMatch(/one/);

    services.remove('default/a');
    await settle(controller);
    expect(ips(services.get('default/b'))).toEqual(['192.0.2.1']);
    expect(events.filter((e) => e.reason === 'IPAllocated')).toHaveLength(2);
    controller.stop();
  });

  it('releases the IP and our annotation when a Service stops being a LoadBalancer', async () => {
    const { services, api, events, controller } = setup([pool('lab', ['192.0.2.0/30'])]);
    api.create(svc('a', { created: 1 }));
    await controller.start();
    await controller.activate();
    await settle(controller);
    const a = services.get('default/a') as V1Service;
    api.create({ ...a, spec: { ...a.spec, type: 'ClusterIP' } });
    await settle(controller);
    const after = services.get('default/a');
    expect(ips(after)).toEqual([]);
    expect(after?.metadata?.annotations?.[ANNOTATIONS.ipAllocatedFromPool]).toBeUndefined();
    expect(events.some((e) => e.reason === 'ClearAssignment')).toBe(true);
    controller.stop();
  });

  it('does not react to the echo of its own write with another write', async () => {
    const { api, controller } = setup([pool('lab', ['192.0.2.0/28'])]);
    await controller.start();
    await controller.activate();
    for (let i = 0; i < 5; i++) api.create(svc(`s${i}`, { created: i }));
    await settle(controller);
    expect(api.writes).toHaveLength(5);
    controller.stop();
  });
});
