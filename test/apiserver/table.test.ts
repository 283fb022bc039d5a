/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call -- the assertions walk JSON answers typed `any` in helpers.ts */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { humanDuration } from '../../src/apiserver/http/table.js';
import { startApiServer } from '../../src/apiserver/index.js';
import type { ApiServer } from '../../src/apiserver/index.js';
import { call, service } from './helpers.js';

const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
let server: ApiServer;
beforeAll(async () => {
  server = await startApiServer();
});
afterAll(async () => {
  await server.close();
});

describe('server-side printing for kubectl get', () => {
  it('prints Services with kube-apiserver columns', async () => {
    await call(server.url, 'POST', '/api/v1/namespaces/default/services', service('web'));
    await call(
      server.url,
      'PATCH',
      '/api/v1/namespaces/default/services/web/status',
      { status: { loadBalancer: { ingress: [{ ip: '192.0.2.7' }] } } },
      'application/merge-patch+json',
    );
    const r = await call(
      server.url,
      'GET',
      '/api/v1/namespaces/default/services/web',
      undefined,
      'application/json',
      {
        accept: TABLE,
      },
    );
    expect(r.body.kind).toBe('Table');
    expect(r.body.columnDefinitions.map((c: { name: string }) => c.name)).toEqual([
      'Name',
      'Type',
      'Cluster-IP',
      'External-IP',
      'Port(s)',
      'Age',
      'Selector',
    ]);
    const cells = r.body.rows[0].cells as unknown[];
    expect(cells.slice(0, 4)).toEqual(['web', 'LoadBalancer', expect.stringMatching(/^10\./), '192.0.2.7']);
    expect(cells[4]).toMatch(/^80:\d+\/TCP$/);
    expect(cells[6]).toBe('app=web');
    expect(r.body.rows[0].object).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { name: 'web' } });
  });

  it('formats ages like kubectl', () => {
    expect([5e3, 125e3, 600e3, 3 * 3600e3 + 60e3, 50 * 3600e3, 400 * 86400e3].map(humanDuration)).toEqual([
      '5s',
      '2m5s',
      '10m',
      '3h1m',
      '2d2h',
      '400d',
    ]);
  });
});
