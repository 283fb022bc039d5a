import { Registry, Counter } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { parseHostPort, startHealthServer, type HealthServer } from '../../src/http/health-server.js';

describe('parseHostPort', () => {
  it.each([
    ['0.0.0.0:7472', { host: '0.0.0.0', port: 7472 }],
    [':9000', { host: '0.0.0.0', port: 9000 }],
    ['[::1]:0', { host: '::1', port: 0 }],
    ['localhost:80', { host: 'localhost', port: 80 }],
  ])('%s', (text, want) => {
    expect(parseHostPort(text)).toEqual(want);
  });
  it.each(['7472', 'host:', 'host:99999', '[::1]'])('rejects %j', (text) => {
    expect(() => parseHostPort(text)).toThrow(/invalid address/);
  });
});

describe('health server', () => {
  let server: HealthServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('serves metrics, liveness and readiness', async () => {
    const registry = new Registry();
    new Counter({ name: 'ironlb_test_total', help: 'test', registers: [registry] }).inc(3);
    let ready = false;
    server = await startHealthServer({
      address: '127.0.0.1:0',
      registry,
      healthy: () => true,
      ready: () => (ready ? undefined : 'caches not synced'),
    });
    const base = `http://127.0.0.1:${server.port}`;
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^ironlb_test_total 3$/m);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const notReady = await fetch(`${base}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.text()).toContain('caches not synced');
    ready = true;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
  });
});
