// The real @kubernetes/client-node against the in-repo server: typed calls, merge patch of the
// status subresource, and an informer through add/update/delete and a 410 relist.
import {
  CoordinationV1Api,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  V1MicroTime,
  makeInformer,
  setHeaderOptions,
} from '@kubernetes/client-node';
import type { V1Service } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { startApiServer } from '../../src/apiserver/index.js';
import type { ApiServer } from '../../src/apiserver/index.js';
import { call } from './helpers.js';

let server: ApiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function client(s: ApiServer): { kc: KubeConfig; core: CoreV1Api } {
  const kc = new KubeConfig();
  kc.loadFromString(s.kubeconfig());
  return { kc, core: kc.makeApiClient(CoreV1Api) };
}

const lb = (name: string): V1Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, labels: { app: name } },
  spec: {
    type: 'LoadBalancer',
    selector: { app: name },
    ports: [{ name: 'http', port: 80, targetPort: 8080 }],
  },
});

async function eventually(pred: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('@kubernetes/client-node against the in-repo API server', () => {
  it('creates, lists, patches status (merge patch) and deletes Services', async () => {
    server = await startApiServer({ token: 'secret-token' });
    const { core } = client(server);
    const created = await core.createNamespacedService({ namespace: 'default', body: lb('web') });
    expect(created.spec?.clusterIP).toMatch(/^10\./);
    expect(created.spec?.ports?.[0]?.nodePort).toBeGreaterThanOrEqual(30000);
    const list = await core.listNamespacedService({ namespace: 'default', labelSelector: 'app=web' });
    expect(list.items.map((s) => s.metadata?.name)).toEqual(['web']);
    // client-node sends json-patch+json by default; a header option picks the patch type.
    const patched = await core.patchNamespacedServiceStatus(
      {
        name: 'web',
        namespace: 'default',
        body: { status: { loadBalancer: { ingress: [{ ip: '192.0.2.10', ipMode: 'VIP' }] } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(patched.status?.loadBalancer?.ingress).toEqual([{ ip: '192.0.2.10', ipMode: 'VIP' }]);
    const sm = await core.patchNamespacedService(
      { name: 'web', namespace: 'default', body: { spec: { ports: [{ port: 80, targetPort: 9090 }] } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    expect(sm.spec?.ports?.[0]?.targetPort).toBe(9090);
    expect(sm.spec?.ports?.[0]?.name).toBe('http');
    await core.deleteNamespacedService({ name: 'web', namespace: 'default' });
    await expect(core.readNamespacedService({ name: 'web', namespace: 'default' })).rejects.toMatchObject({
      code: 404,
    });
    // Without the token: 401 for a wrong one, 403 for none.
    expect(
      (
        await call(server.url, 'GET', '/api/v1/services', undefined, 'application/json', {
          authorization: 'Bearer nope',
        })
      ).status,
    ).toBe(401);
    expect((await call(server.url, 'GET', '/api/v1/services')).status).toBe(403);
    expect((await call(server.url, 'GET', '/healthz')).status).toBe(200);
  });

  it('needs V1MicroTime for MicroTime fields: a plain Date has 3 fractional digits and is a 400', async () => {
    server = await startApiServer();
    const { kc } = client(server);
    const leases = kc.makeApiClient(CoordinationV1Api);
    const spec = { holderIdentity: 'a', leaseDurationSeconds: 15 };
    const ok = await leases.createNamespacedLease({
      namespace: 'default',
      body: {
        metadata: { name: 'micro' },
        spec: { ...spec, renewTime: new V1MicroTime('2024-01-01T00:00:01.5Z') },
      },
    });
    // client-node hands MicroTime fields back as the wire string.
    expect(ok.spec?.renewTime as unknown).toBe('2024-01-01T00:00:01.500000Z');
    await expect(
      leases.createNamespacedLease({
        namespace: 'default',
        body: {
          metadata: { name: 'milli' },
          spec: { ...spec, renewTime: new Date('2024-01-01T00:00:01.5Z') },
        },
      }),
    ).rejects.toMatchObject({ code: 400 });
  });

  it('feeds an informer adds, updates and deletes, and the informer relists after a 410', async () => {
    server = await startApiServer({ watchCacheSize: 8 });
    const { kc, core } = client(server);
    await core.createNamespace({ body: { metadata: { name: 'informer' } } });
    await core.createNamespacedService({ namespace: 'informer', body: lb('first') });
    const informer = makeInformer(kc, '/api/v1/namespaces/informer/services', () =>
      core.listNamespacedService({ namespace: 'informer' }),
    );
    const seen: string[] = [];
    const errors: unknown[] = [];
    informer.on('add', (s) => seen.push(`add ${s.metadata?.name}`));
    informer.on('update', (s) => seen.push(`update ${s.metadata?.name}`));
    informer.on('delete', (s) => seen.push(`delete ${s.metadata?.name}`));
    informer.on('error', (e) => errors.push(e));
    await informer.start();
    await eventually(() => seen.includes('add first'));
    await core.createNamespacedService({ namespace: 'informer', body: lb('second') });
    await core.patchNamespacedService(
      { name: 'second', namespace: 'informer', body: { metadata: { labels: { v: '2' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await core.deleteNamespacedService({ name: 'first', namespace: 'informer' });
    await eventually(() => seen.includes('delete first'));
    expect(seen).toEqual(['add first', 'add second', 'update second', 'delete first']);

    // client-node reports a dropped watch as an error and stops; meanwhile more changes happen
    // than the watch cache holds.
    expect(server.faults.dropWatches()).toBe(1);
    await eventually(() => errors.length === 1);
    for (let i = 0; i < 12; i++)
      await core.createNamespacedService({ namespace: 'informer', body: lb(`bulk${i}`) });
    await core.deleteNamespacedService({ name: 'second', namespace: 'informer' });
    // Restarted from its old resourceVersion it gets "too old" (410), relists, and catches up.
    await informer.start();
    await eventually(() => informer.list('informer').length === 12 && seen.includes('delete second'));
    expect(
      informer
        .list('informer')
        .map((s) => s.metadata?.name)
        .sort(),
    ).toEqual(Array.from({ length: 12 }, (_, i) => `bulk${i}`).sort());
    await informer.stop();
  });
});
