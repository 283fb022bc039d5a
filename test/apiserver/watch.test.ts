/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-return -- the assertions walk JSON answers typed `any` in helpers.ts */
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

describe('watch', () => {
  it('resumes from the last resourceVersion after a dropped connection, losing nothing', async () => {
    server = await startApiServer();
    const url = server.url;
    await call(url, 'POST', SVC, service('a'));
    const list = await call(url, 'GET', SVC);
    const w1 = new WatchStream(url, `${SVC}?watch=1&resourceVersion=${list.body.metadata.resourceVersion}`);
    await call(url, 'POST', SVC, service('b'));
    await w1.until((w) => w.events.length === 1);
    const lastRV = w1.events[0]?.object.metadata.resourceVersion as string;
    expect(server.faults.dropWatches()).toBe(1);
    await w1.until((w) => w.ended || w.errored);
    // Changes while nobody watches...
    await call(url, 'POST', SVC, service('c'));
    await call(
      url,
      'PATCH',
      `${SVC}/a`,
      { metadata: { labels: { x: 'y' } } },
      'application/merge-patch+json',
    );
    await call(url, 'DELETE', `${SVC}/b`);
    // ...are replayed in order by a watch from the last seen RV.
    const w2 = new WatchStream(url, `${SVC}?watch=1&resourceVersion=${lastRV}`);
    await w2.until((w) => w.events.length === 3);
    expect(w2.events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual([
      'ADDED c',
      'MODIFIED a',
      'DELETED b',
    ]);
    const rvs = w2.events.map((e) => Number(e.object.metadata.resourceVersion));
    expect([...rvs].sort((x, y) => x - y)).toEqual(rvs);
    w2.close();
  });

  it('sends ADDED/DELETED when an object moves in or out of a label selector', async () => {
    server = await startApiServer();
    const url = server.url;
    await call(url, 'POST', SVC, service('a'));
    const w = new WatchStream(url, `${SVC}?watch=1&labelSelector=pool%3Dblue`);
    await call(
      url,
      'PATCH',
      `${SVC}/a`,
      { metadata: { labels: { pool: 'blue' } } },
      'application/merge-patch+json',
    );
    await call(
      url,
      'PATCH',
      `${SVC}/a`,
      { metadata: { labels: { pool: 'green' } } },
      'application/merge-patch+json',
    );
    await w.until((s) => s.events.length === 2);
    expect(w.events.map((e) => e.type)).toEqual(['ADDED', 'DELETED']);
    // The DELETED object is the last state that matched, stamped with the change's revision.
    expect(w.events[1]?.object.metadata.labels.pool).toBe('blue');
    w.close();
  });

  it('sends a bookmark about 2 s before the timeout, only when something newer happened', async () => {
    server = await startApiServer();
    const url = server.url;
    const rv = (await call(url, 'GET', SVC)).body.metadata.resourceVersion as string;
    const quiet = new WatchStream(
      url,
      `${SVC}?watch=1&resourceVersion=${rv}&allowWatchBookmarks=true&timeoutSeconds=3`,
    );
    const busy = new WatchStream(
      url,
      `${SVC}?watch=1&resourceVersion=${rv}&allowWatchBookmarks=true&timeoutSeconds=3&fieldSelector=metadata.name%3Dnone`,
    );
    const started = Date.now();
    await new Promise((r) => setTimeout(r, 200));
    const created = await call(url, 'POST', SVC, service('x'));
    await busy.until((s) => s.events.some((e) => e.type === 'BOOKMARK'), 3000);
    const at = Date.now() - started;
    expect(at).toBeGreaterThanOrEqual(800);
    expect(at).toBeLessThan(2500);
    const bm = busy.events.find((e) => e.type === 'BOOKMARK');
    expect(bm?.object).toEqual({
      kind: 'Service',
      apiVersion: 'v1',
      metadata: { resourceVersion: created.body.metadata.resourceVersion, creationTimestamp: null },
      spec: {},
      status: { loadBalancer: {} },
    });
    await quiet.until((s) => s.ended, 4000);
    await busy.until((s) => s.ended, 4000);
    // The quiet watcher saw the ADDED event itself, so it is not behind: no bookmark.
    expect(quiet.events.map((e) => e.type)).toEqual(['ADDED']);
    expect(busy.events.filter((e) => e.type !== 'BOOKMARK')).toEqual([]);
  });

  it('answers a watch from before the bounded window with a 410 ERROR event in a 200 stream', async () => {
    server = await startApiServer({ watchCacheSize: 5 });
    const url = server.url;
    const first = await call(url, 'POST', SVC, service('s0'));
    const rv0 = first.body.metadata.resourceVersion as string;
    for (let i = 1; i <= 8; i++) await call(url, 'POST', SVC, service(`s${i}`));
    const w = new WatchStream(url, `${SVC}?watch=1&resourceVersion=${rv0}`);
    await w.until((s) => s.ended);
    expect(w.status).toBe(200);
    expect(w.events).toHaveLength(1);
    expect(w.events[0]?.type).toBe('ERROR');
    expect(w.events[0]?.object).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
    expect(w.events[0]?.object.message).toMatch(new RegExp(`^too old resource version: ${rv0} \\(\\d+\\)$`));
    // The last five events are still served.
    const recent = Number(rv0) + 3;
    const w2 = new WatchStream(url, `${SVC}?watch=1&resourceVersion=${recent}&timeoutSeconds=1`);
    await w2.until((s) => s.ended, 3000);
    expect(w2.events.map((e) => e.object.metadata.name)).toEqual(['s4', 's5', 's6', 's7', 's8']);
  });

  it('ends cleanly at timeoutSeconds and the stream is chunked JSON lines', async () => {
    server = await startApiServer();
    const res = await fetch(`${server.url}${SVC}?watch=1&timeoutSeconds=1`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    const text = await res.text();
    expect(
      text
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { type: string }).type),
    ).toEqual(['ADDED']);
  });

  it('sendInitialEvents streams the state, then an initial-events-end bookmark', async () => {
    server = await startApiServer();
    const w = new WatchStream(
      server.url,
      `${SVC}?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1`,
    );
    await w.until((s) => s.ended, 3000);
    expect(w.events.map((e) => e.type)).toEqual(['ADDED', 'BOOKMARK']);
    expect(w.events[1]?.object.metadata.annotations).toEqual({ 'k8s.io/initial-events-end': 'true' });
  });
});
