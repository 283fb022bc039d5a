// A tiny stand-in for the Kubernetes API server: one list+watch collection (Services across all
// namespaces at /api/v1/services) plus a hook for ad-hoc routes. It follows the real protocol
// where the informer depends on it (see /work/shared/k8s-protocol): decimal resourceVersions that
// grow with every write; lists whose items carry no kind/apiVersion; chunked watch streams with
// one {"type","object"} per line; a watch without RV (or RV 0) starts with synthetic ADDED events;
// a watch from an RV older than the kept history gets HTTP 200 and one ERROR event (Status 410
// Expired), then the stream ends; timeoutSeconds ends the stream cleanly.
// Faults: answer the next requests with an error status, cut open watches, compact history.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  at: number;
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
  watch: boolean;
}

interface Obj {
  metadata: { name: string; namespace?: string; resourceVersion?: string; [k: string]: unknown };
  [k: string]: unknown;
}

interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  rv: number;
  object: Obj;
}

interface Fault {
  status: number;
  watch: boolean | undefined;
  times: number;
}

export type ExtraRoute = (req: RecordedRequest, res: ServerResponse) => boolean;

export interface StandInOptions {
  /** How an expired watch RV is answered: an ERROR event in a 200 stream (real servers) or HTTP 410. */
  expiredAs?: 'event' | 'http';
  token?: string;
  route?: ExtraRoute;
}

const COLLECTION = '/api/v1/services';

export class StandInServer {
  readonly requests: RecordedRequest[] = [];
  expiredAs: 'event' | 'http';
  stallWatchHeaders = false;
  #rv = 100;
  /** Watches from an RV below this get 410. */
  #oldestRv = 100;
  readonly #objects = new Map<string, Obj>();
  #history: WatchEvent[] = [];
  readonly #watchers = new Set<{ res: ServerResponse; send: (e: WatchEvent) => void }>();
  readonly #faults: Fault[] = [];
  readonly #sockets = new Set<Socket>();
  readonly #server = createServer((req, res) => this.#handle(req, res));
  readonly #token: string;
  readonly #route: ExtraRoute | undefined;
  url = '';

  private constructor(opts: StandInOptions) {
    this.expiredAs = opts.expiredAs ?? 'event';
    this.#token = opts.token ?? 'stand-in-token';
    this.#route = opts.route;
    this.#server.on('connection', (s) => {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
  }

  static async start(opts: StandInOptions = {}): Promise<StandInServer> {
    const s = new StandInServer(opts);
    await new Promise<void>((resolve) => s.#server.listen(0, '127.0.0.1', resolve));
    s.url = `http://127.0.0.1:${(s.#server.address() as AddressInfo).port}`;
    return s;
  }

  kubeconfig(): string {
    return JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      // client-node 1.4 refuses http:// servers unless insecure-skip-tls-verify is set.
      clusters: [{ name: 'stand-in', cluster: { server: this.url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'stand-in', user: { token: this.#token } }],
      contexts: [{ name: 'stand-in', context: { cluster: 'stand-in', user: 'stand-in' } }],
      'current-context': 'stand-in',
    });
  }

  get resourceVersion(): string {
    return String(this.#rv);
  }

  upsert(obj: Obj): Obj {
    const key = `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
    const type = this.#objects.has(key) ? 'MODIFIED' : 'ADDED';
    const stored = structuredClone(obj);
    stored.metadata.resourceVersion = String(++this.#rv);
    this.#objects.set(key, stored);
    this.#emit({ type, rv: this.#rv, object: stored });
    return stored;
  }

  remove(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    const obj = this.#objects.get(key);
    if (obj === undefined) return;
    this.#objects.delete(key);
    const gone = structuredClone(obj);
    gone.metadata.resourceVersion = String(++this.#rv);
    this.#emit({ type: 'DELETED', rv: this.#rv, object: gone });
  }

  /** Forgets the watch history, as etcd compaction does: older RVs now get 410. */
  compact(): void {
    this.#history = [];
    this.#oldestRv = this.#rv;
  }

  readonly faults = {
    /** Answers the next `times` matching requests (watch only, list only, or any) with `status`. */
    failNext: (f: { status: number; watch?: boolean; times?: number }): void => {
      this.#faults.push({ status: f.status, watch: f.watch, times: f.times ?? 1 });
    },
    /** Cuts every open watch connection without ending the stream properly. */
    dropWatches: (): void => {
      for (const w of this.#watchers) w.res.socket?.destroy();
      this.#watchers.clear();
    },
  };

  watchCount(): number {
    return this.#watchers.size;
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #emit(e: WatchEvent): void {
    this.#history.push(e);
    for (const w of this.#watchers) w.send(e);
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stand-in');
      const watch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
      const rec: RecordedRequest = {
        at: performance.now(),
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        watch,
      };
      this.requests.push(rec);
      if (req.headers.authorization !== `Bearer ${this.#token}`) {
        status(res, 401, 'Unauthorized', 'Unauthorized');
        return;
      }
      const fault = this.#faults.find((f) => f.watch === undefined || f.watch === watch);
      if (fault !== undefined) {
        if (--fault.times <= 0) this.#faults.splice(this.#faults.indexOf(fault), 1);
        status(res, fault.status, 'InternalError', 'injected fault');
        return;
      }
      if (this.#route?.(rec, res) === true) return;
      if (rec.method === 'GET' && rec.path === COLLECTION) {
        if (watch) this.#watch(rec, res);
        else this.#list(res);
        return;
      }
      status(res, 404, 'NotFound', 'the server could not find the requested resource');
    });
  }

  #list(res: ServerResponse): void {
    const items = [...this.#objects.values()].sort((a, b) => key(a).localeCompare(key(b)));
    json(res, 200, {
      kind: 'ServiceList',
      apiVersion: 'v1',
      metadata: { resourceVersion: String(this.#rv) },
      items,
    });
  }

  #watch(rec: RecordedRequest, res: ServerResponse): void {
    const rvParam = rec.query.get('resourceVersion') ?? '';
    const from = rvParam === '' ? 0 : Number(rvParam);
    if (from !== 0 && from < this.#oldestRv) {
      const expired = {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `too old resource version: ${from} (${this.#oldestRv})`,
        reason: 'Expired',
        code: 410,
      };
      if (this.expiredAs === 'http') {
        json(res, 410, expired);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
      res.end(`${JSON.stringify({ type: 'ERROR', object: expired })}\n`);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    // The real server flushes the headers at once; `stallWatchHeaders` holds them back until the
    // first event, to exercise clients that act while a watch request is still unanswered.
    if (!this.stallWatchHeaders) res.flushHeaders();
    const send = (e: WatchEvent): void => {
      res.write(
        `${JSON.stringify({ type: e.type, object: { kind: 'Service', apiVersion: 'v1', ...e.object } })}\n`,
      );
    };
    if (from === 0) {
      for (const o of this.#objects.values())
        send({ type: 'ADDED', rv: Number(o.metadata.resourceVersion), object: o });
    } else {
      for (const e of this.#history) if (e.rv > from) send(e);
    }
    const watcher = { res, send };
    this.#watchers.add(watcher);
    const timeout = Number(rec.query.get('timeoutSeconds') ?? '0');
    const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
    res.on('close', () => {
      if (timer !== undefined) clearTimeout(timer);
      this.#watchers.delete(watcher);
    });
  }
}

function key(o: Obj): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

export function json(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function status(
  res: ServerResponse,
  code: number,
  reason: string,
  message: string,
  details?: unknown,
): void {
  json(res, code, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details === undefined ? {} : { details }),
    code,
  });
}

/** A minimal Service object. */
export function service(namespace: string, name: string, extra: Record<string, unknown> = {}): Obj {
  return {
    metadata: { name, namespace, uid: `uid-${namespace}-${name}`, creationTimestamp: '2026-12-02T01:02:03Z' },
    spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }], ...extra },
    status: { loadBalancer: {} },
  };
}

/** Polls `pred` every few ms until it holds or `ms` pass. */
export async function waitFor(pred: () => boolean, ms = 5_000, what = 'condition'): Promise<void> {
  const end = performance.now() + ms;
  while (!pred()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
