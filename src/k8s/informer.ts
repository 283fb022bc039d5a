// A supervised list+watch cache over client-node 1.4's ListWatch (what makeInformer builds).
//
// How client-node 1.4's ListWatch behaves (read from dist/cache.js and dist/watch.js):
// - start() emits `connect`, lists when it has no resourceVersion, then opens the watch. It
//   resolves once the watch answered (any status) — or right after a failed list. A failure does
//   not reject start(): it is reported through `error`.
// - A watch that ends cleanly (server timeout) is reopened from the last resourceVersion at once.
// - 410 Gone, as an HTTP status or as an ERROR event with code 410 in a 200 stream (what real
//   servers send), clears the resourceVersion, so the next round relists; the relist emits
//   `delete` for objects that vanished and `update` for changed ones.
// - Any other failure (list rejection, non-200 watch answer, a cut connection: node-fetch's
//   "Premature close") emits `error` and the informer stays stopped. Calling start() again
//   resumes from the last resourceVersion.
// - The watch request has no client-side timeout and sends no timeoutSeconds: a silently dead
//   connection would hang forever. GuardedWatch below adds timeoutSeconds.
// - stop() aborts the watch request only once it has answered (a watch still connecting is
//   leaked; GuardedWatch fixes that), and the abort itself is then reported as an `error`.
// - Errors thrown before the request (kubeconfig auth, e.g. an unreadable token file) escape as
//   a rejection, which on an automatic reconnect nobody awaits. GuardedWatch below turns those
//   into `error` events.
// - An exception in an event handler is swallowed by the watch line parser, and during a relist
//   it aborts the relist. Handlers are therefore wrapped and their exceptions logged.
// - Listed objects come from the typed APIs as class instances (Date fields), watched objects as
//   plain JSON (string dates). The list sources below convert lists to plain JSON so the cache
//   holds one shape.
import {
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  ListWatch,
  Watch,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  type ListPromise,
  type V1EndpointSlice,
  type V1Lease,
  type V1Namespace,
  type V1Node,
  type V1Service,
} from '@kubernetes/client-node';
import type { Logger } from '../log/logger.js';
import { apiStatusCode, describeApiError } from './client.js';
import { realClock, type Clock, type Timer } from './clock.js';

/** Where to list and watch one kind of object. */
export interface ListWatchSource<T extends KubernetesObject> {
  /** Collection path, e.g. /api/v1/services; the watch adds ?watch=true&resourceVersion=... */
  path: string;
  list: ListPromise<T>;
  /** Must match what `list` filters on, or the cache will mix filtered and unfiltered objects. */
  labelSelector?: string;
}

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor: number;
  /** Relative spread: 0.4 gives delays in [0.8, 1.2] × the nominal value. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.4 };

export interface SupervisedInformerOptions<T extends KubernetesObject> {
  kc: KubeConfig;
  source: ListWatchSource<T>;
  /**
   * Applied in place to every listed or watched object before it enters the cache (client-go's
   * TransformFunc). Default: dropManagedFields, which nothing in ironlb reads and which is often
   * the larger part of an object.
   */
  transform?: ((obj: T) => void) | null;
  /** Added to the log line when a list answers 404 (e.g. "install the CRDs"): the usual cause. */
  notFoundHint?: string;
  /** For logs and metrics. Default: the source path. */
  name?: string;
  log: Logger;
  clock?: Clock;
  random?: () => number;
  backoff?: Partial<BackoffOptions>;
  /**
   * Server-side timeout for each watch request, so a silently dead connection is noticed and
   * reopened (client-node sends none). A function is called per request. Default: a random 5–10
   * minutes, like client-go. null: send none.
   */
  watchTimeoutSeconds?: number | (() => number) | null;
}

export type InformerEvent = 'add' | 'update' | 'delete';

/** The default transform: managedFields are bookkeeping for server-side apply, unused here. */
export function dropManagedFields(obj: KubernetesObject): void {
  if (obj.metadata?.managedFields !== undefined) delete obj.metadata.managedFields;
}

/** The cache key client-go uses: "namespace/name", or "name" for cluster-scoped objects. */
export function objectKey(obj: KubernetesObject): string {
  const ns = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? '';
  return ns ? `${ns}/${name}` : name;
}

export class SupervisedInformer<T extends KubernetesObject> {
  readonly name: string;
  /** Resolves after the first complete list is in the cache; rejects if stopped before that. */
  readonly synced: Promise<void>;

  readonly #lw: ListWatch<T>;
  readonly #watch: GuardedWatch;
  readonly #log: Logger;
  readonly #notFoundHint: string | undefined;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #backoff: BackoffOptions;
  #resolveSynced!: () => void;
  #rejectSynced!: (err: Error) => void;
  #hasSynced = false;
  #state: 'idle' | 'running' | 'backoff' | 'stopped' = 'idle';
  /** Consecutive failures since the last success; drives the backoff. */
  #failures = 0;
  #restarts = 0;
  #lists = 0;
  #lastError: unknown = undefined;
  #timer: Timer | null = null;
  /** Incremented per start attempt, so late outcomes of an old attempt are ignored. */
  #attempt = 0;

  constructor(opts: SupervisedInformerOptions<T>) {
    this.name = opts.name ?? opts.source.path;
    this.#notFoundHint = opts.notFoundHint;
    this.#log = opts.log.child({ informer: this.name });
    this.#clock = opts.clock ?? realClock;
    this.#random = opts.random ?? Math.random;
    this.#backoff = { ...DEFAULT_BACKOFF, ...opts.backoff };
    this.synced = new Promise<void>((resolve, reject) => {
      this.#resolveSynced = resolve;
      this.#rejectSynced = reject;
    });
    // Nobody may be waiting; a stop before sync must not become an unhandled rejection.
    this.synced.catch(() => undefined);

    const timeout =
      opts.watchTimeoutSeconds === undefined
        ? () => 300 + Math.floor(this.#random() * 300)
        : opts.watchTimeoutSeconds;
    const watch = new GuardedWatch(opts.kc, (): Record<string, number> => {
      const t = typeof timeout === 'function' ? timeout() : timeout;
      return t === null ? {} : { timeoutSeconds: t };
    });
    const list = opts.source.list;
    const transform = opts.transform === undefined ? dropManagedFields : opts.transform;
    if (transform) watch.transform = transform as (obj: unknown) => void;
    const trackedList: ListPromise<T> = async () => {
      const result = await list();
      if (transform) for (const item of result.items) transform(item);
      this.#lists++;
      // A relist follows a 410 (watch window expired): worth knowing when a cluster churns.
      if (this.#lists > 1)
        this.#log.info({ objects: result.items.length, lists: this.#lists }, 'informer: relisted');
      this.#failures = 0; // a successful list is progress: restart backoff from the bottom
      // ListWatch fills its cache synchronously right after this promise settles; a macrotask
      // later every item is in, so `synced` never resolves over a partial cache.
      setImmediate(() => this.#markSynced());
      return result;
    };
    this.#watch = watch;
    this.#lw = new ListWatch(opts.source.path, watch, trackedList, false, opts.source.labelSelector);
    this.#lw.on('error', (err?: unknown) => this.#onError(err));
    this.#lw.on('connect', () => this.#log.debug('informer: connecting'));
  }

  /** Starts listing and watching. Await `synced` for the first complete list. */
  start(): void {
    if (this.#state !== 'idle') return;
    this.#run();
  }

  /** Stops for good: no more events, restarts or timers. */
  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    this.#watch.stopped = true;
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
    if (!this.#hasSynced) this.#rejectSynced(new Error(`informer ${this.name} stopped before it synced`));
    await this.#lw.stop();
  }

  get hasSynced(): boolean {
    return this.#hasSynced;
  }

  /** Times the informer was restarted after an error (for metrics). */
  get restarts(): number {
    return this.#restarts;
  }

  /** Completed lists, the first one included (a relist follows a 410). */
  get lists(): number {
    return this.#lists;
  }

  get lastError(): unknown {
    return this.#lastError;
  }

  list(): readonly T[] {
    return this.#lw.list();
  }

  /** By objectKey(): "namespace/name", or "name" for cluster-scoped objects. */
  get(key: string): T | undefined {
    const slash = key.indexOf('/');
    return slash < 0 ? this.#lw.get(key) : this.#lw.get(key.slice(slash + 1), key.slice(0, slash));
  }

  /**
   * Subscribes to cache changes; returns the unsubscribe function. `update` fires only when the
   * resourceVersion changed. A handler that throws is logged and does not disturb the informer.
   */
  on(event: InformerEvent, handler: (obj: T) => void): () => void {
    const safe = (obj: T): void => {
      if (this.#state === 'stopped') return;
      try {
        handler(obj);
      } catch (err) {
        this.#log.error({ err, event, key: objectKey(obj) }, 'informer: event handler threw');
      }
    };
    this.#lw.on(event, safe);
    return () => this.#lw.off(event, safe);
  }

  #run(): void {
    if (this.#state === 'stopped') return;
    this.#state = 'running';
    const attempt = ++this.#attempt;
    this.#lw.start().then(
      () => {
        // Resolved without an error in between: the watch is open, which counts as progress.
        if (this.#attempt === attempt && this.#state === 'running') this.#failures = 0;
      },
      (err: unknown) => this.#onError(err),
    );
  }

  #onError(err: unknown): void {
    // After stop() the aborted request reports itself as an error; one failure per attempt.
    if (this.#state !== 'running') return;
    this.#state = 'backoff';
    this.#lastError = err;
    const delayMs = this.#nextDelay();
    this.#failures++;
    this.#restarts++;
    const hint = apiStatusCode(err) === 404 ? this.#notFoundHint : undefined;
    this.#log.warn(
      {
        err: describeApiError(err),
        restarts: this.#restarts,
        delayMs: Math.round(delayMs),
        ...(hint ? { hint } : {}),
      },
      'informer: list/watch failed; restarting after backoff',
    );
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = null;
      this.#run();
    }, delayMs);
  }

  #nextDelay(): number {
    const b = this.#backoff;
    const nominal = Math.min(b.maxMs, b.initialMs * b.factor ** this.#failures);
    const spread = 1 + b.jitter * (this.#random() - 0.5) * 2;
    return Math.min(b.maxMs, nominal * spread);
  }

  #markSynced(): void {
    if (this.#hasSynced || this.#state === 'stopped') return;
    this.#hasSynced = true;
    this.#log.info({ objects: this.#lw.list().length }, 'informer: synced');
    this.#resolveSynced();
  }
}

/**
 * client-node's Watch with three fixes: extra query parameters (timeoutSeconds, bookmarks);
 * failures before the request is sent reported through `done` instead of escaping as rejections;
 * and a watch whose answer arrives after stop() is aborted (ListWatch.stop() only aborts a
 * request that has already answered, so a stop during connect leaked a live watch).
 */
class GuardedWatch extends Watch {
  readonly #extra: () => Record<string, string | number | boolean>;
  stopped = false;
  transform: ((obj: unknown) => void) | undefined;

  constructor(kc: KubeConfig, extra: () => Record<string, string | number | boolean>) {
    super(kc);
    this.#extra = extra;
  }

  override async watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    // The base class types watch objects as any; the cache layer narrows them.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    callback: (phase: string, apiObj: any, watchObj?: any) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    try {
      // Bookmarks keep the resourceVersion fresh on quiet collections, so fewer 410s on reconnect.
      const transform = this.transform;
      const controller = await super.watch(
        path,
        { allowWatchBookmarks: true, ...this.#extra(), ...queryParams },
        transform
          ? // eslint-disable-next-line @typescript-eslint/no-explicit-any -- same contract as the base class
            (phase: string, apiObj: any, watchObj?: any) => {
              if (apiObj && typeof apiObj === 'object' && phase !== 'ERROR' && phase !== 'BOOKMARK')
                transform(apiObj);
              callback(phase, apiObj, watchObj);
            }
          : callback,
        done,
      );
      if (this.stopped) controller.abort();
      return controller;
    } catch (err) {
      done(err);
      return new AbortController();
    }
  }
}

// ---- list sources -----------------------------------------------------------------------------

export interface SourceOptions {
  labelSelector?: string;
}

/** Typed API lists hold class instances with Date fields; the watch sends plain JSON. */
function plain<T extends KubernetesObject>(list: {
  items: T[];
  metadata?: unknown;
}): KubernetesListObject<T> {
  return JSON.parse(JSON.stringify(list)) as KubernetesListObject<T>;
}

export function servicesSource(kc: KubeConfig, opts: SourceOptions = {}): ListWatchSource<V1Service> {
  const api = kc.makeApiClient(CoreV1Api);
  const { labelSelector } = opts;
  return {
    path: '/api/v1/services',
    labelSelector,
    list: async () => plain(await api.listServiceForAllNamespaces({ labelSelector })),
  };
}

export function namespacesSource(kc: KubeConfig, opts: SourceOptions = {}): ListWatchSource<V1Namespace> {
  const api = kc.makeApiClient(CoreV1Api);
  const { labelSelector } = opts;
  return {
    path: '/api/v1/namespaces',
    labelSelector,
    list: async () => plain(await api.listNamespace({ labelSelector })),
  };
}

export function nodesSource(kc: KubeConfig, opts: SourceOptions = {}): ListWatchSource<V1Node> {
  const api = kc.makeApiClient(CoreV1Api);
  const { labelSelector } = opts;
  return {
    path: '/api/v1/nodes',
    labelSelector,
    list: async () => plain(await api.listNode({ labelSelector })),
  };
}

export function endpointSlicesSource(
  kc: KubeConfig,
  opts: SourceOptions = {},
): ListWatchSource<V1EndpointSlice> {
  const api = kc.makeApiClient(DiscoveryV1Api);
  const { labelSelector } = opts;
  return {
    path: '/apis/discovery.k8s.io/v1/endpointslices',
    labelSelector,
    list: async () => plain(await api.listEndpointSliceForAllNamespaces({ labelSelector })),
  };
}

/** Leases in one namespace, or in all namespaces when `namespace` is omitted. */
export function leasesSource(
  kc: KubeConfig,
  opts: SourceOptions & { namespace?: string } = {},
): ListWatchSource<V1Lease> {
  const api = kc.makeApiClient(CoordinationV1Api);
  const { labelSelector, namespace } = opts;
  if (namespace === undefined) {
    return {
      path: '/apis/coordination.k8s.io/v1/leases',
      labelSelector,
      list: async () => plain(await api.listLeaseForAllNamespaces({ labelSelector })),
    };
  }
  return {
    path: `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases`,
    labelSelector,
    list: async () => plain(await api.listNamespacedLease({ namespace, labelSelector })),
  };
}

export interface CustomResourceRef {
  group: string;
  version: string;
  plural: string;
  /** One namespace; omit for cluster-scoped resources or all namespaces (same REST path). */
  namespace?: string;
}

/** Custom resources; T is the caller's declared CR type (the API returns untyped JSON). */
export function customResourceSource<T extends KubernetesObject>(
  kc: KubeConfig,
  ref: CustomResourceRef,
  opts: SourceOptions = {},
): ListWatchSource<T> {
  const api = kc.makeApiClient(CustomObjectsApi);
  const { group, version, plural, namespace } = ref;
  const { labelSelector } = opts;
  const base = `/apis/${encodeURIComponent(group)}/${encodeURIComponent(version)}`;
  if (namespace === undefined) {
    // listClusterCustomObject hits /apis/{g}/{v}/{plural}, which for a namespaced resource lists
    // all namespaces. (1.4's listCustomObjectForAllNamespaces has the same path plus a stray
    // '#' fragment from the OpenAPI spec.)
    return {
      path: `${base}/${encodeURIComponent(plural)}`,
      labelSelector,
      // The generated method returns Promise<any>: the server's JSON list, untouched.
      list: async () =>
        (await api.listClusterCustomObject({
          group,
          version,
          plural,
          labelSelector,
        })) as KubernetesListObject<T>,
    };
  }
  return {
    path: `${base}/namespaces/${encodeURIComponent(namespace)}/${encodeURIComponent(plural)}`,
    labelSelector,
    list: async () =>
      (await api.listNamespacedCustomObject({
        group,
        version,
        namespace,
        plural,
        labelSelector,
      })) as KubernetesListObject<T>,
  };
}
