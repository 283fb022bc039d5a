/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment -- the assertions walk JSON answers typed `any` in helpers.ts */
// Protobuf request bodies as kubectl's typed generators send them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer } from '../../src/apiserver/index.js';
import type { ApiServer } from '../../src/apiserver/index.js';
import type { call } from './helpers.js';

function varint(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}
const field = (num: number, payload: Buffer | string): Buffer => {
  const b = typeof payload === 'string' ? Buffer.from(payload) : payload;
  return Buffer.concat([varint((num << 3) | 2), varint(b.length), b]);
};
const int = (num: number, v: number): Buffer => Buffer.concat([varint(num << 3), varint(v)]);
const entry = (num: number, k: string, v: string): Buffer =>
  field(num, Buffer.concat([field(1, k), field(2, v)]));

function envelope(apiVersion: string, kind: string, raw: Buffer): Buffer {
  const typeMeta = Buffer.concat([field(1, apiVersion), field(2, kind)]);
  return Buffer.concat([Buffer.from('k8s\0'), field(1, typeMeta), field(2, raw)]);
}

const PROTO = 'application/vnd.kubernetes.protobuf';
let server: ApiServer;
beforeAll(async () => {
  server = await startApiServer();
});
afterAll(async () => {
  await server.close();
});

async function post(path: string, body: Buffer): Promise<Awaited<ReturnType<typeof call>>> {
  const res = await fetch(server.url + path, {
    method: 'POST',
    headers: { 'content-type': PROTO, accept: `${PROTO},application/json` },
    body,
  });
  return { status: res.status, headers: {}, body: await res.json(), text: '' };
}

describe('protobuf request bodies', () => {
  it('creates a Namespace and a LoadBalancer Service from protobuf, answering JSON', async () => {
    const ns = await post('/api/v1/namespaces', envelope('v1', 'Namespace', field(1, field(1, 'proto-ns'))));
    expect(ns.status).toBe(201);
    expect(ns.body.metadata.labels).toEqual({ 'kubernetes.io/metadata.name': 'proto-ns' });
    const port = Buffer.concat([
      field(1, 'http'),
      field(2, 'TCP'),
      int(3, 80),
      field(4, Buffer.concat([int(1, 0), int(2, 8080)])),
    ]);
    const spec = Buffer.concat([field(1, port), entry(2, 'app', 'web'), field(4, 'LoadBalancer')]);
    const meta = Buffer.concat([field(1, 'web'), entry(11, 'app', 'web')]);
    const svc = await post(
      '/api/v1/namespaces/proto-ns/services',
      envelope('v1', 'Service', Buffer.concat([field(1, meta), field(2, spec)])),
    );
    expect(svc.status).toBe(201);
    expect(svc.body.spec.ports).toEqual([
      {
        name: 'http',
        protocol: 'TCP',
        port: 80,
        targetPort: 8080,
        nodePort: svc.body.spec.ports[0].nodePort,
      },
    ]);
    expect(svc.body.spec.selector).toEqual({ app: 'web' });
  });

  it('rejects protobuf for kinds it cannot read, and garbage', async () => {
    const lease = await post(
      '/apis/coordination.k8s.io/v1/namespaces/default/leases',
      envelope('coordination.k8s.io/v1', 'Lease', field(1, field(1, 'x'))),
    );
    expect(lease.status).toBe(415);
    const junk = await post('/api/v1/namespaces', Buffer.from('not protobuf'));
    expect(junk.status).toBe(400);
  });
});
