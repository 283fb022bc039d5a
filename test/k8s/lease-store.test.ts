// CoordinationLeaseStore over real HTTP against a stand-in Lease endpoint that answers like the
// API server (transcript steps 63–67): 6-digit MicroTimes or 400, RV-conditional PUT or 409
// Conflict, duplicate POST 409 AlreadyExists, 404 NotFound.
import { CoordinationV1Api, KubeConfig, V1MicroTime } from '@kubernetes/client-node';
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AlreadyExistsError,
  ConflictError,
  LeaderElector,
  NotFoundError,
  type LeaseObject,
} from '../../src/k8s/leader-election.js';
import { CoordinationLeaseStore } from '../../src/k8s/lease-store.js';
import { createLogger } from '../../src/log/logger.js';
import { json, StandInServer, status, waitFor, type RecordedRequest } from './support/stand-in-server.js';

const NS = 'ironlb-system';
const MICRO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}(Z|[+-]\d{2}:\d{2})$/;
const BASE = `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases`;

interface WireLease {
  metadata: { name: string; namespace?: string; resourceVersion?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
}

function leaseRoute(): {
  route: (req: RecordedRequest, res: ServerResponse) => boolean;
  leases: Map<string, WireLease>;
} {
  const leases = new Map<string, WireLease>();
  let rv = 500;
  const route = (req: RecordedRequest, res: ServerResponse): boolean => {
    if (!req.path.startsWith(BASE)) return false;
    const name = req.path.slice(BASE.length + 1);
    const body = req.body === '' ? undefined : (JSON.parse(req.body) as WireLease);
    for (const f of ['acquireTime', 'renewTime']) {
      const v = body?.spec?.[f];
      if (v !== undefined && (typeof v !== 'string' || !MICRO.test(v))) {
        status(
          res,
          400,
          'BadRequest',
          `Lease in version "v1" cannot be handled as a Lease: parsing time ${JSON.stringify(v)}`,
        );
        return true;
      }
    }
    const notFound = (n: string): void =>
      status(res, 404, 'NotFound', `leases.coordination.k8s.io "${n}" not found`, {
        name: n,
        group: 'coordination.k8s.io',
        kind: 'leases',
      });
    if (req.method === 'GET') {
      const l = leases.get(name);
      if (l === undefined) notFound(name);
      else json(res, 200, { kind: 'Lease', apiVersion: 'coordination.k8s.io/v1', ...l });
      return true;
    }
    if (req.method === 'POST' && body !== undefined) {
      const n = body.metadata.name;
      if (leases.has(n)) {
        status(res, 409, 'AlreadyExists', `leases.coordination.k8s.io "${n}" already exists`, {
          name: n,
          group: 'coordination.k8s.io',
          kind: 'leases',
        });
        return true;
      }
      const stored = {
        ...body,
        metadata: { ...body.metadata, namespace: NS, resourceVersion: String(++rv) },
      };
      leases.set(n, stored);
      json(res, 201, stored);
      return true;
    }
    if (req.method === 'PUT' && body !== undefined) {
      const cur = leases.get(name);
      if (cur === undefined) {
        notFound(name);
        return true;
      }
      if (body.metadata.resourceVersion !== cur.metadata.resourceVersion) {
        status(
          res,
          409,
          'Conflict',
          `Operation cannot be fulfilled on leases.coordination.k8s.io "${name}": the object has been modified; please apply your changes to the latest version and try again`,
          { name, group: 'coordination.k8s.io', kind: 'leases' },
        );
        return true;
      }
      const stored = { ...body, metadata: { ...body.metadata, resourceVersion: String(++rv) } };
      leases.set(name, stored);
      json(res, 200, stored);
      return true;
    }
    return false;
  };
  return { route, leases };
}

let server: StandInServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(): Promise<{
  s: StandInServer;
  kc: KubeConfig;
  store: CoordinationLeaseStore;
  leases: Map<string, WireLease>;
}> {
  const { route, leases } = leaseRoute();
  const s = await StandInServer.start({ route });
  server = s;
  const kc = new KubeConfig();
  kc.loadFromString(s.kubeconfig());
  return { s, kc, store: new CoordinationLeaseStore(kc.makeApiClient(CoordinationV1Api)), leases };
}

const writes = (s: StandInServer): RecordedRequest[] =>
  s.requests.filter((r) => r.method === 'POST' || r.method === 'PUT');

describe('CoordinationLeaseStore', () => {
  it('sends MicroTimes verbatim with 6 digits and maps 404/409 to typed errors', async () => {
    const { s, store } = await setup();
    expect(await store.get(NS, 'x')).toBeNull();

    const lease: LeaseObject = {
      metadata: { namespace: NS, name: 'x', labels: { app: 'ironlb' } },
      spec: {
        holderIdentity: 'a',
        leaseDurationSeconds: 15,
        acquireTime: '2026-12-02T01:02:03.123456Z',
        renewTime: '2026-12-02T01:02:03.123456Z',
        leaseTransitions: 0,
      },
    };
    const created = await store.create(lease);
    expect(created.metadata.resourceVersion).toBe('501');
    const sent = JSON.parse(writes(s)[0]?.body ?? '{}') as WireLease;
    expect(sent.spec?.renewTime).toBe('2026-12-02T01:02:03.123456Z');
    expect(sent).toMatchObject({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' });

    const read = await store.get(NS, 'x');
    expect(read?.spec.renewTime).toBe('2026-12-02T01:02:03.123456Z');
    expect(read?.metadata.labels).toEqual({ app: 'ironlb' });

    await expect(store.create(lease)).rejects.toBeInstanceOf(AlreadyExistsError);

    if (read === null) throw new Error('unreachable');
    const renewed = await store.replace({
      ...read,
      spec: { ...read.spec, renewTime: '2026-12-02T01:02:05.000000Z' },
    });
    expect(renewed.metadata.resourceVersion).toBe('502');
    expect(renewed.metadata.labels).toEqual({ app: 'ironlb' }); // metadata survives the PUT
    // The stale resourceVersion now conflicts.
    await expect(store.replace(read)).rejects.toBeInstanceOf(ConflictError);
    await expect(
      store.replace({ ...read, metadata: { ...read.metadata, name: 'gone' } }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('passes a server 400 through untyped (a 3-digit time would be rejected)', async () => {
    const { store } = await setup();
    const err: unknown = await store
      .create({
        metadata: { namespace: NS, name: 'bad' },
        spec: { holderIdentity: 'a', renewTime: '2026-12-02T01:02:03.123Z' },
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 400 });
  });

  it('shows client-node 1.4 MicroTime handling: Date gives 3 digits (400), V1MicroTime 6, reads give strings', async () => {
    const { s, kc } = await setup();
    const api = kc.makeApiClient(CoordinationV1Api);
    const t = Date.UTC(2026, 11, 2, 1, 2, 3, 123);
    const plainDate = new Date(t); // V1MicroTime adds no members, so the type accepts a Date
    await expect(
      api.createNamespacedLease({
        namespace: NS,
        body: { metadata: { name: 'd' }, spec: { renewTime: plainDate } },
      }),
    ).rejects.toMatchObject({ code: 400 });
    expect((JSON.parse(writes(s).at(-1)?.body ?? '{}') as WireLease).spec?.renewTime).toBe(
      '2026-12-02T01:02:03.123Z',
    );

    await api.createNamespacedLease({
      namespace: NS,
      body: { metadata: { name: 'm' }, spec: { renewTime: new V1MicroTime(t) } },
    });
    expect((JSON.parse(writes(s).at(-1)?.body ?? '{}') as WireLease).spec?.renewTime).toBe(
      '2026-12-02T01:02:03.123000Z',
    );
    const read = await api.readNamespacedLease({ namespace: NS, name: 'm' });
    expect(typeof read.spec?.renewTime).toBe('string'); // despite the V1MicroTime type
  });

  it('drives a real LeaderElector over HTTP: create, renew, release', async () => {
    const { s, store, leases } = await setup();
    const ac = new AbortController();
    let leading = false;
    const el = new LeaderElector({
      store,
      namespace: NS,
      name: 'ironlb-controller',
      identity: 'node-a',
      leaseDurationMs: 1_000,
      renewDeadlineMs: 600,
      retryPeriodMs: 100,
      log: createLogger('silent'),
      onStartedLeading: () => {
        leading = true;
      },
      onStoppedLeading: () => {
        leading = false;
      },
    });
    const done = el.run(ac.signal);
    await waitFor(() => writes(s).length >= 4, 5_000, 'a few renewals');
    expect(leading).toBe(true);
    expect(el.isLeader()).toBe(true);
    ac.abort();
    await done;
    expect(leading).toBe(false);
    const stored = leases.get('ironlb-controller');
    expect(stored?.spec).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1, leaseTransitions: 0 });
    for (const w of writes(s)) {
      const spec = (JSON.parse(w.body) as WireLease).spec ?? {};
      expect(spec.renewTime).toMatch(MICRO);
      expect(spec.acquireTime).toMatch(MICRO);
    }
    expect(s.requests.every((r) => r.path.startsWith(BASE))).toBe(true);
  });
});
