/* eslint-disable @typescript-eslint/no-unsafe-member-access -- the assertions walk JSON answers typed `any` in helpers.ts */
import { afterEach, describe, expect, it } from 'vitest';
import { startApiServer } from '../../src/apiserver/index.js';
import type { ApiServer } from '../../src/apiserver/index.js';
import { WatchStream, call, service } from './helpers.js';

let server: ApiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const SVC = '/api/v1/namespaces/default/services';

describe('fault injection', () => {
  it('answers matching requests with a proper Status, the given number of times', async () => {
    server = await startApiServer();
    const url = server.url;
    server.faults.failNext({ method: 'POST', path: '/services', status: 500, times: 2 });
    const a = await call(url, 'POST', SVC, service('a'));
    const b = await call(url, 'POST', SVC, service('a'));
    const c = await call(url, 'POST', SVC, service('a'));
    expect([a.status, b.status, c.status]).toEqual([500, 500, 201]);
    expect(a.body).toMatchObject({
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      reason: 'InternalError',
      code: 500,
    });
    expect(a.headers['content-type']).toBe('application/json');
  });

  it.each([
    [409, 'Conflict'],
    [429, 'TooManyRequests'],
    [503, 'ServiceUnavailable'],
    [504, 'Timeout'],
  ])('status %i has reason %s', async (code, reason) => {
    server = await startApiServer();
    server.faults.failNext({ status: code });
    const r = await call(server.url, 'GET', SVC);
    expect(r.status).toBe(code);
    expect(r.body.reason).toBe(reason);
    if (code === 429) expect(r.headers['retry-after']).toBe('1');
  });

  it('matches regexes and watch/non-watch requests separately; clear() forgets rules', async () => {
    server = await startApiServer();
    const url = server.url;
    server.faults.failNext({ path: /\/services\?/, watch: true, status: 503, times: Infinity });
    expect((await call(url, 'GET', `${SVC}?limit=5`)).status).toBe(200);
    expect((await call(url, 'GET', `${SVC}?watch=1&timeoutSeconds=1`)).status).toBe(503);
    expect((await call(url, 'GET', `${SVC}?watch=1&timeoutSeconds=1`)).status).toBe(503);
    server.faults.clear();
    expect((await call(url, 'GET', `${SVC}?watch=1&timeoutSeconds=1`)).status).toBe(200);
  });

  it('drops only the watches the filter picks and counts requests', async () => {
    server = await startApiServer();
    const url = server.url;
    const before = server.faults.requests;
    const svcWatch = new WatchStream(url, `${SVC}?watch=1`);
    const nodeWatch = new WatchStream(url, '/api/v1/nodes?watch=1');
    await svcWatch.until((w) => w.events.length > 0);
    await new Promise((r) => setTimeout(r, 100));
    expect(server.faults.dropWatches((p) => p.includes('/services'))).toBe(1);
    await svcWatch.until((w) => w.ended || w.errored);
    expect(nodeWatch.ended).toBe(false);
    expect(server.faults.dropWatches()).toBe(1);
    expect(server.faults.requests - before).toBe(2);
  });

  it('adds latency to every answer', async () => {
    server = await startApiServer();
    server.faults.setLatency(150);
    const t = Date.now();
    await call(server.url, 'GET', '/version');
    expect(Date.now() - t).toBeGreaterThanOrEqual(140);
  });
});
