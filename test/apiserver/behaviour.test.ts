// Server behaviour the transcript does not pin but controllers rely on.
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call -- the assertions walk JSON answers typed `any` in helpers.ts */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer } from '../../src/apiserver/index.js';
import type { ApiServer } from '../../src/apiserver/index.js';
import { WatchStream, call, service } from './helpers.js';

let server: ApiServer;
let url: string;
beforeAll(async () => {
  server = await startApiServer({ nodePortRange: [30000, 30009] });
  url = server.url;
});
afterAll(async () => {
  await server.close();
});

const ns = (name: string): Record<string, unknown> => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name },
});
const cm = (name: string, labels: Record<string, string> = {}): Record<string, unknown> => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, labels },
  data: { k: 'v' },
});

describe('lists', () => {
  it('pages with limit/continue at one revision, remainingItemCount only without selectors', async () => {
    await call(url, 'POST', '/api/v1/namespaces', ns('paging'));
    for (let i = 0; i < 7; i++)
      await call(
        url,
        'POST',
        '/api/v1/namespaces/paging/configmaps',
        cm(`c${i}`, { even: String(i % 2 === 0) }),
      );
    const p1 = await call(url, 'GET', '/api/v1/namespaces/paging/configmaps?limit=3');
    expect(p1.body.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual([
      'c0',
      'c1',
      'c2',
    ]);
    expect(p1.body.metadata.remainingItemCount).toBe(4);
    // A write between pages does not show up in later pages.
    await call(url, 'POST', '/api/v1/namespaces/paging/configmaps', cm('c9'));
    const p2 = await call(
      url,
      'GET',
      `/api/v1/namespaces/paging/configmaps?limit=3&continue=${p1.body.metadata.continue}`,
    );
    const p3 = await call(
      url,
      'GET',
      `/api/v1/namespaces/paging/configmaps?limit=3&continue=${p2.body.metadata.continue}`,
    );
    expect(p3.body.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['c6']);
    expect(p3.body.metadata).toEqual({ resourceVersion: p1.body.metadata.resourceVersion });
    const sel = await call(
      url,
      'GET',
      '/api/v1/namespaces/paging/configmaps?limit=2&labelSelector=even%3Dtrue',
    );
    expect(sel.body.items).toHaveLength(2);
    expect(sel.body.metadata.continue).toBeTruthy();
    expect(sel.body.metadata.remainingItemCount).toBeUndefined();
  });

  it('rejects unsupported field selectors and bad label selectors with 400', async () => {
    const f = await call(url, 'GET', '/api/v1/services?fieldSelector=spec.foo%3Dbar');
    expect(f.status).toBe(400);
    expect(f.body.message).toBe('field label not supported: spec.foo');
    expect(
      (await call(url, 'GET', '/api/v1/services?fieldSelector=spec.type%3DClusterIP')).body.items,
    ).toHaveLength(1);
    expect((await call(url, 'GET', '/api/v1/services?labelSelector=a%20in')).status).toBe(400);
  });

  it('answers a future resourceVersion with 504 Too large resource version', async () => {
    const r = await call(url, 'GET', '/api/v1/namespaces?resourceVersion=999999&resourceVersionMatch=Exact');
    expect(r.status).toBe(504);
    expect(r.body.message).toMatch(/^Too large resource version: 999999, current: \d+$/);
  });
});

describe('namespaces', () => {
  it('404 for content in a missing namespace, 403 in a terminating one; system ones are immortal', async () => {
    const missing = await call(url, 'POST', '/api/v1/namespaces/nope/configmaps', cm('x'));
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe('namespaces "nope" not found');
    await call(url, 'POST', '/api/v1/namespaces', ns('doomed'));
    const del = await call(url, 'DELETE', '/api/v1/namespaces/doomed');
    expect(del.status).toBe(200);
    expect(del.body.status.phase).toBe('Terminating');
    expect(del.body.metadata.deletionTimestamp).toBeTruthy();
    const blocked = await call(url, 'POST', '/api/v1/namespaces/doomed/configmaps', cm('x'));
    expect(blocked.status).toBe(403);
    expect(blocked.body.message).toBe(
      'configmaps "x" is forbidden: unable to create new content in namespace doomed because it is being terminated',
    );
    expect(blocked.body.details.causes).toEqual([
      {
        reason: 'NamespaceTerminating',
        message: 'namespace doomed is being terminated',
        field: 'metadata.namespace',
      },
    ]);
    // Still Terminating: no namespace controller empties spec.finalizers.
    expect((await call(url, 'GET', '/api/v1/namespaces/doomed')).body.status.phase).toBe('Terminating');
    const immortal = await call(url, 'DELETE', '/api/v1/namespaces/kube-system');
    expect(immortal.status).toBe(403);
    expect(immortal.body.message).toBe(
      'namespaces "kube-system" is forbidden: this namespace may not be deleted',
    );
  });
});

describe('writes', () => {
  it('keeps an object with finalizers until they are removed, then deletes it', async () => {
    const body = { ...cm('held'), metadata: { name: 'held', finalizers: ['example.com/hold'] } };
    const created = await call(url, 'POST', '/api/v1/namespaces/default/configmaps', body);
    const w = new WatchStream(
      url,
      `/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${created.body.metadata.resourceVersion}`,
    );
    const del = await call(url, 'DELETE', '/api/v1/namespaces/default/configmaps/held');
    expect(del.status).toBe(200);
    expect(del.body.metadata.deletionTimestamp).toBeTruthy();
    expect(del.body.metadata.deletionGracePeriodSeconds).toBe(0);
    const again = await call(url, 'GET', '/api/v1/namespaces/default/configmaps/held');
    expect(again.status).toBe(200);
    await call(
      url,
      'PATCH',
      '/api/v1/namespaces/default/configmaps/held',
      { metadata: { finalizers: null } },
      'application/merge-patch+json',
    );
    expect((await call(url, 'GET', '/api/v1/namespaces/default/configmaps/held')).status).toBe(404);
    await w.until((s) => s.events.length === 2);
    expect(w.events.map((e) => e.type)).toEqual(['MODIFIED', 'DELETED']);
    w.close();
  });

  it('deleting without finalizers answers a Success Status for most kinds', async () => {
    await call(url, 'POST', '/api/v1/namespaces/default/configmaps', cm('gone'));
    const del = await call(url, 'DELETE', '/api/v1/namespaces/default/configmaps/gone');
    expect(del.body).toMatchObject({
      kind: 'Status',
      status: 'Success',
      details: { name: 'gone', kind: 'configmaps' },
    });
  });

  it('warns about unknown fields, and rejects them with fieldValidation=Strict', async () => {
    const body = { ...cm('unknowns'), spec: { nope: 1 } };
    const warned = await call(url, 'POST', '/api/v1/namespaces/default/configmaps', body);
    expect(warned.status).toBe(201);
    expect(warned.headers.warning).toBe('299 - "unknown field \\"spec\\""');
    const strict = await call(url, 'POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Strict', {
      ...body,
      metadata: { name: 'strict' },
    });
    expect(strict.status).toBe(400);
    expect(strict.body.message).toBe('strict decoding error: unknown field "spec"');
  });

  it('answers type errors with 400 and the Go decoder message', async () => {
    const r = await call(
      url,
      'POST',
      '/api/v1/namespaces/default/services',
      service('typed', { ports: [{ port: '80' }] }),
    );
    expect(r.status).toBe(400);
    expect(r.body.message).toBe(
      'Service in version "v1" cannot be handled as a Service: json: cannot unmarshal string into Go struct field ServicePort.spec.ports.port of type int32',
    );
  });

  it('dry-run writes nothing and generateName picks a free name', async () => {
    const dry = await call(url, 'POST', '/api/v1/namespaces/default/configmaps?dryRun=All', cm('dry'));
    expect(dry.status).toBe(201);
    expect((await call(url, 'GET', '/api/v1/namespaces/default/configmaps/dry')).status).toBe(404);
    const gen = await call(url, 'POST', '/api/v1/namespaces/default/configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { generateName: 'gen-' },
    });
    expect(gen.body.metadata.name).toMatch(/^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('a no-op update keeps the resourceVersion and sends no watch event', async () => {
    const created = await call(url, 'POST', '/api/v1/namespaces/default/configmaps', cm('noop'));
    const rv = created.body.metadata.resourceVersion as string;
    const patched = await call(
      url,
      'PATCH',
      '/api/v1/namespaces/default/configmaps/noop',
      { data: { k: 'v' } },
      'application/merge-patch+json',
    );
    expect(patched.body.metadata.resourceVersion).toBe(rv);
  });
});

describe('services', () => {
  it('allocates unique node ports, reports conflicts, releases on delete and type change', async () => {
    const a = await call(url, 'POST', '/api/v1/namespaces/default/services', service('np-a'));
    const port = a.body.spec.ports[0].nodePort as number;
    const clash = await call(
      url,
      'POST',
      '/api/v1/namespaces/default/services',
      service('np-b', { ports: [{ port: 80, nodePort: port }] }),
    );
    expect(clash.status).toBe(422);
    expect(clash.body.details.causes).toEqual([
      {
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${port}: provided port is already allocated`,
        field: 'spec.ports[0].nodePort',
      },
    ]);
    // LoadBalancer → ClusterIP drops the node port and frees it.
    const toCIP = await call(
      url,
      'PATCH',
      '/api/v1/namespaces/default/services/np-a',
      { spec: { type: 'ClusterIP', externalTrafficPolicy: null, allocateLoadBalancerNodePorts: null } },
      'application/merge-patch+json',
    );
    expect(toCIP.status).toBe(200);
    expect(toCIP.body.spec.ports[0].nodePort).toBeUndefined();
    const b = await call(
      url,
      'POST',
      '/api/v1/namespaces/default/services',
      service('np-b', { ports: [{ port: 80, nodePort: port }] }),
    );
    expect(b.status).toBe(201);
    await call(url, 'DELETE', '/api/v1/namespaces/default/services/np-b');
    const c = await call(
      url,
      'POST',
      '/api/v1/namespaces/default/services',
      service('np-c', { ports: [{ port: 80, nodePort: port }] }),
    );
    expect(c.status).toBe(201);
  });

  it('gives externalTrafficPolicy Local LoadBalancers a healthCheckNodePort', async () => {
    const r = await call(
      url,
      'POST',
      '/api/v1/namespaces/default/services',
      service('local', { externalTrafficPolicy: 'Local' }),
    );
    expect(r.status).toBe(201);
    expect(r.body.spec.healthCheckNodePort).toBeGreaterThanOrEqual(30000);
  });

  it('keeps ipMode and defaults it to VIP (current Kubernetes); validates ingress IPs', async () => {
    await call(
      url,
      'POST',
      '/api/v1/namespaces/default/services',
      service('ipmode', { allocateLoadBalancerNodePorts: false }),
    );
    const set = await call(
      url,
      'PATCH',
      '/api/v1/namespaces/default/services/ipmode/status',
      { status: { loadBalancer: { ingress: [{ ip: '192.0.2.5' }, { ip: '192.0.2.6', ipMode: 'Proxy' }] } } },
      'application/merge-patch+json',
    );
    expect(set.body.status.loadBalancer.ingress).toEqual([
      { ip: '192.0.2.5', ipMode: 'VIP' },
      { ip: '192.0.2.6', ipMode: 'Proxy' },
    ]);
    const bad = await call(
      url,
      'PATCH',
      '/api/v1/namespaces/default/services/ipmode/status',
      { status: { loadBalancer: { ingress: [{ ip: 'not-an-ip' }] } } },
      'application/merge-patch+json',
    );
    expect(bad.status).toBe(422);
    expect(bad.body.details.causes[0].field).toBe('status.loadBalancer.ingress[0].ip');
  });
});

describe('routing', () => {
  it('answers unknown paths with the mux 404 and unsupported methods with 405', async () => {
    const r = await call(url, 'GET', '/apis/nope.example.com/v1/things');
    expect(r.status).toBe(404);
    expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(r.text).toBe('404 page not found\n');
    const m = await call(url, 'DELETE', '/api/v1/namespaces/default/services');
    expect(m.status).toBe(405);
  });

  it('serves discovery for kubectl', async () => {
    const v1 = await call(url, 'GET', '/api/v1');
    const svc = v1.body.resources.find((r: { name: string }) => r.name === 'services');
    expect(svc).toMatchObject({ namespaced: true, kind: 'Service', shortNames: ['svc'] });
    expect(v1.body.resources.map((r: { name: string }) => r.name)).toContain('services/status');
    const apis = await call(url, 'GET', '/apis');
    expect(apis.body.groups.map((g: { name: string }) => g.name)).toEqual([
      'events.k8s.io',
      'coordination.k8s.io',
      'discovery.k8s.io',
      'apiextensions.k8s.io',
    ]);
    expect((await call(url, 'GET', '/version')).body.major).toBe('1');
  });
});

describe('malformed requests', () => {
  it('answers a path with a malformed percent escape with the 404 page, not a 500', async () => {
    for (const path of ['/%ff%fe', '/api/v1/namespaces/%ff/services', '/apis/%E0%A4%A/v1']) {
      const r = await call(url, 'GET', path);
      expect(r.status, path).toBe(404);
    }
    expect((await call(url, 'GET', '/healthz')).status).toBe(200);
  });
});
