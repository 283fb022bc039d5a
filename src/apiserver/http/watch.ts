// Watch streams: chunked JSON lines served from the resource's watch cache, with the cacher's
// semantics: replay from a resourceVersion, synthetic ADDED without one, too-old as an ERROR
// event in a 200 stream, selector transitions as ADDED/DELETED, bookmarks, and timeouts.
import type { ServerResponse } from 'node:http';
import { tooLargeResourceVersion } from '../errors.js';
import type { ListOptions } from '../registry/options.js';
import { parseRV } from '../registry/options.js';
import type { Registry } from '../registry/rest.js';
import type { Resource } from '../registry/types.js';
import { withResourceVersion } from '../storage/store.js';
import type { StoredObject } from '../storage/store.js';
import { TooOld } from '../storage/watchcache.js';
import type { CacheEvent, CacheWatcher } from '../storage/watchcache.js';

export interface WatchRegistry {
  add(w: OpenWatch): void;
  delete(w: OpenWatch): void;
}

export interface OpenWatch {
  path: string;
  /** abrupt end: the socket is destroyed, as a dropped connection would be */
  drop(): void;
  /** clean end of the stream */
  end(): void;
}

/** kube-apiserver's default: minRequestTimeout (30 min) times a random factor in [1, 2). */
const MIN_REQUEST_TIMEOUT_S = 1800;
const BOOKMARK_FREQUENCY_MS = 60_000;
/** a watcher this far behind is cut off, like the cacher's unresponsive-watcher close */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

function objectJson(res: Resource, rec: StoredObject): string {
  if (res.storageIsView) return rec.json;
  return JSON.stringify(res.codec.fromStorage(rec.obj));
}

function line(type: string, objJson: string): string {
  return `{"type":"${type}","object":${objJson}}\n`;
}

function tooOldLine(requested: number, oldest: number): string {
  return line(
    'ERROR',
    JSON.stringify({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `too old resource version: ${requested} (${oldest})`,
      reason: 'Expired',
      code: 410,
    }),
  );
}

export async function serveWatch(
  httpRes: ServerResponse,
  res: Resource,
  ns: string,
  o: ListOptions,
  registry: Registry,
  open: WatchRegistry,
  path: string,
  viewId: string,
  /** how an object is written in this watch (Table watches print rows) */
  encode?: (rec: StoredObject) => string,
): Promise<void> {
  const store = res.store;
  const cache = store.watchCache;
  const objJson = encode ?? ((rec: StoredObject): string => objectJson(res, rec));
  const inScope = (rec: StoredObject): boolean =>
    (!ns || rec.namespace === ns) && registry.matches(res, rec, o);
  let backlog: string[] = [];
  let lastRV: number;
  let tooOld: TooOld | undefined;
  const initialState =
    o.resourceVersion === undefined || o.resourceVersion === '0' || o.sendInitialEvents === true;
  if (!initialState) {
    const rv = parseRV(o.resourceVersion ?? '0');
    if (rv > store.revision.current) {
      await registry.waitForRV(store, rv).catch(() => {
        throw tooLargeResourceVersion(rv, store.revision.current);
      });
    }
  } else if (o.sendInitialEvents && o.resourceVersion !== undefined && o.resourceVersion !== '0') {
    await registry.waitForRV(store, parseRV(o.resourceVersion));
  }
  // From here on everything up to registering the watcher runs in one tick: no event can slip
  // between the backlog and the live stream.
  const watcherLines: string[] = [];
  let sentRV = 0;
  const emit = (ev: CacheEvent): void => {
    const newMatch = ev.type !== 'DELETED' && inScope(ev.obj);
    const oldMatch = ev.prev !== undefined && inScope(ev.prev);
    let type: string;
    let json: string;
    if (newMatch && !oldMatch) type = 'ADDED';
    else if (newMatch && oldMatch) type = 'MODIFIED';
    else if (oldMatch) type = 'DELETED';
    else return;
    const key = `${viewId}|${type}`;
    const cached = ev.lines.get(key);
    if (cached !== undefined) {
      watcherLines.push(cached);
      sentRV = ev.rv;
      return;
    }
    if (type === 'DELETED' && ev.type !== 'DELETED' && ev.prev) {
      const prevObj = withResourceVersion(ev.prev.obj, ev.rv, store.sortedWrites);
      json = objJson({ ...ev.prev, obj: prevObj, json: JSON.stringify(prevObj), rv: ev.rv });
    } else json = objJson(ev.obj);
    const l = line(type, json);
    ev.lines.set(key, l);
    watcherLines.push(l);
    sentRV = ev.rv;
  };
  if (initialState) {
    for (const rec of store.list(ns || undefined))
      if (registry.matches(res, rec, o)) backlog.push(line('ADDED', objJson(rec)));
    lastRV = store.revision.current;
  } else {
    lastRV = parseRV(o.resourceVersion ?? '0');
    try {
      for (const ev of cache.since(lastRV)) emit(ev);
      backlog = watcherLines.splice(0);
    } catch (e) {
      if (!(e instanceof TooOld)) throw e;
      tooOld = e;
    }
  }
  httpRes.statusCode = 200;
  httpRes.setHeader('Content-Type', 'application/json');
  httpRes.setHeader('Cache-Control', 'no-cache, private');
  httpRes.setHeader('Transfer-Encoding', 'chunked');
  if (tooOld) {
    httpRes.end(tooOldLine(tooOld.requested, tooOld.oldest));
    return;
  }
  sentRV = Math.max(sentRV, lastRV);
  let closed = false;
  const timers: NodeJS.Timeout[] = [];
  const flush = (): void => {
    if (closed || watcherLines.length === 0) return;
    const chunk = watcherLines.length === 1 ? (watcherLines[0] as string) : watcherLines.join('');
    watcherLines.length = 0;
    httpRes.write(chunk);
    if (httpRes.writableLength > MAX_BUFFERED_BYTES) handle.drop();
  };
  const watcher: CacheWatcher = {
    onEvent(ev) {
      if (closed || ev.rv <= lastRV) return;
      emit(ev);
      flush();
    },
    terminate() {
      handle.end();
    },
  };
  const cleanup = (): void => {
    if (closed) return;
    closed = true;
    for (const t of timers) clearTimeout(t);
    cache.removeWatcher(watcher);
    open.delete(handle);
  };
  const handle: OpenWatch = {
    path,
    drop() {
      cleanup();
      httpRes.destroy();
    },
    end() {
      cleanup();
      httpRes.end();
    },
  };
  cache.addWatcher(watcher);
  open.add(handle);
  httpRes.on('close', cleanup);
  httpRes.flushHeaders();
  if (backlog.length) httpRes.write(backlog.join(''));
  if (o.sendInitialEvents) {
    // The end of the initial state, marked as WatchList clients expect.
    const bm = res.codec.bookmark(lastRV);
    const meta = bm.metadata as Record<string, unknown>;
    meta.annotations = { 'k8s.io/initial-events-end': 'true' };
    httpRes.write(line('BOOKMARK', JSON.stringify(bm)));
  }

  const timeoutMs =
    (o.timeoutSeconds !== undefined && o.timeoutSeconds > 0
      ? o.timeoutSeconds
      : MIN_REQUEST_TIMEOUT_S * (1 + Math.random())) * 1000;
  const deadline = Date.now() + timeoutMs;
  timers.push(setTimeout(() => handle.end(), timeoutMs));
  if (o.allowWatchBookmarks) {
    // Bookmarks go out every minute and about 2 s before the deadline, and only when this
    // resource has seen something newer than what the watcher was last sent.
    const schedule = (): void => {
      const now = Date.now();
      let next = now + BOOKMARK_FREQUENCY_MS;
      const preTimeout = deadline - 2000;
      if (preTimeout < next) next = preTimeout;
      if (next <= now) return;
      timers.push(
        setTimeout(() => {
          if (closed) return;
          const rv = cache.lastEventRV;
          if (rv > sentRV) {
            httpRes.write(line('BOOKMARK', JSON.stringify(res.codec.bookmark(rv))));
            sentRV = rv;
          }
          schedule();
        }, next - now),
      );
    };
    schedule();
  }
}
