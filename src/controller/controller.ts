// The controller's reconcile loop (the imperative shell around the pure allocator).
//
// watch (informer caches) → snapshot → allocate() → diff against each Service → writes
//
// Every pass recomputes the whole plan from a snapshot, so decisions never depend on event order.
// The loop allocates nothing until every cache has synced and this replica leads: a restarted or
// newly elected controller first sees every IP already in Service status, so no IP ever moves or
// is handed out twice. Writes are conditional on resourceVersion; a conflict re-reads the Service
// and lets the next pass decide again.
import type { V1Namespace, V1Service } from '@kubernetes/client-node';
import type { EventRecorder } from '../k8s/events.js';
import { objectRef } from '../k8s/events.js';
import type { IPAddressPool } from '../k8s/ironlb-types.js';
import type { Labels } from '../k8s/label-selector.js';
import { IP_ADDRESS_POOL_KIND, IRONLB_API_VERSION } from '../k8s/names.js';
import type { Logger } from '../log/logger.js';
import type { ControllerMetrics } from '../metrics/registry.js';
import { AllocationSession, type AllocationPlan, type ServiceOutcome } from './allocator.js';
import { parsePools, validityCondition, type PoolsResult } from './pools.js';
import { desiredServiceState, serviceMatches, type DesiredServiceState } from './service-status.js';
import { sameDecisionInputs, serviceView, ServiceViewCache } from './service-view.js';
import { ConflictError, NotFoundError } from '../k8s/errors.js';
import { errorCode, type PoolStatusWriter, type ServiceWriter } from './writers.js';
import { poolStatusFor, samePoolStatus } from './pool-status.js';

/** What the loop reads: an informer cache, or a fake in tests. */
export interface ObjectSource<T> {
  list(): readonly T[];
  /** By "namespace/name". */
  get(key: string): T | undefined;
  on(event: 'add' | 'update' | 'delete', handler: (obj: T) => void): () => void;
  readonly synced: Promise<void>;
}

export interface ControllerOptions {
  services: ObjectSource<V1Service>;
  pools: ObjectSource<IPAddressPool>;
  namespaces: ObjectSource<V1Namespace>;
  serviceWriter: ServiceWriter;
  poolWriter: PoolStatusWriter;
  /** A consistent (quorum) read of every Service, used once when leadership starts. */
  freshServices?: () => Promise<readonly V1Service[]>;
  events: EventRecorder;
  metrics: ControllerMetrics;
  log: Logger;
  /** spec.loadBalancerClass this controller serves; undefined serves Services without a class. */
  lbClass?: string;
  /** Install namespace holding the pools. */
  namespace: string;
  /** Status/annotation writes in flight at once. */
  concurrency?: number;
  /** How long pool status writes are held back to batch count changes. */
  poolStatusDelayMs?: number;
  now?: () => number;
}

const SERVICE_API = 'v1';

interface Backoff {
  attempts: number;
  until: number;
}

export class ServiceController {
  readonly #o: Required<Omit<ControllerOptions, 'lbClass' | 'freshServices'>> &
    Pick<ControllerOptions, 'lbClass' | 'freshServices'>;
  readonly #views = new ServiceViewCache();
  /** Services as our own writes returned them, until the cache catches up. */
  readonly #written = new Map<string, V1Service>();
  readonly #queue = new Set<string>();
  readonly #inFlight = new Set<string>();
  readonly #again = new Set<string>();
  readonly #backoff = new Map<string, Backoff>();
  /** Last AllocationFailed reason reported per Service, so a pass does not repeat the Event. */
  readonly #reportedFailure = new Map<string, string>();
  readonly #reportedPoolProblem = new Map<string, string>();
  readonly #unsubscribe: (() => void)[] = [];
  readonly #poolSeen = new Map<string, string>();
  readonly #namespaceSeen = new Map<string, string>();
  #plan: AllocationPlan | undefined;
  /** The last full round, which new Services can extend until something else changes. */
  #session: AllocationSession | undefined;
  #fullNeeded = true;
  /** Services added since the last round. */
  readonly #added = new Set<string>();
  #allocated = 0;
  #pools: { key: string; result: PoolsResult } | undefined;
  #active = false;
  #synced = false;
  #scheduled: NodeJS.Timeout | undefined;
  #passRunning = false;
  #passWanted = false;
  #lastPassMs = 0;
  #lastPassEnd = 0;
  #poolTimer: NodeJS.Timeout | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #retryDue = 0;
  #stopped = false;
  #idleWaiters: (() => void)[] = [];

  constructor(opts: ControllerOptions) {
    this.#o = { concurrency: 32, poolStatusDelayMs: 200, now: () => Date.now(), ...opts };
  }

  /** Subscribes to the sources; resolves once all of them have synced. */
  async start(): Promise<void> {
    const kick = (): void => this.#schedule();
    // Only changes that can alter a decision start a pass: the echo of our own status write,
    // a pool's status update or a namespace's annotation change cannot.
    this.#unsubscribe.push(
      this.#o.services.on('add', (svc) => {
        // A new Service alone can be decided on top of the last round (AllocationSession.extend).
        this.#added.add(keyOf(svc));
        this.#schedule(false);
      }),
      this.#o.services.on('delete', (svc) => {
        const key = keyOf(svc);
        this.#written.delete(key);
        this.#reportedFailure.delete(key);
        this.#backoff.delete(key);
        kick();
      }),
      this.#o.services.on('update', (svc) => {
        if (!this.#isEchoOfOurWrite(svc) && !this.#changesNoDecision(svc)) kick();
      }),
      this.#o.pools.on('add', kick),
      this.#o.pools.on('delete', kick),
      this.#o.pools.on('update', (pool) => {
        if (
          this.#changedSince(this.#poolSeen, pool, () => [pool.metadata?.generation, pool.metadata?.labels])
        )
          kick();
      }),
      this.#o.namespaces.on('add', kick),
      this.#o.namespaces.on('delete', kick),
      this.#o.namespaces.on('update', (ns) => {
        if (this.#changedSince(this.#namespaceSeen, ns, () => [ns.metadata?.labels])) kick();
      }),
    );
    await Promise.all([this.#o.services.synced, this.#o.pools.synced, this.#o.namespaces.synced]);
    this.#synced = true;
    this.#o.metrics.configLoaded.set(1);
    this.#o.log.info('caches synced');
    this.#schedule();
  }

  /** Leadership gained: allocation may start (after a fresh read of every Service). */
  async activate(): Promise<void> {
    if (this.#o.freshServices) {
      // The cache may lag behind the previous leader's last writes; a quorum read closes that gap.
      const fresh = await this.#o.freshServices();
      for (const svc of fresh) this.#noteWritten(svc);
    }
    this.#active = true;
    this.#o.metrics.leader.set(1);
    this.#o.log.info('allocation active');
    this.#schedule();
  }

  /** Leadership lost: stop writing at once. Writes in flight finish; nothing new starts. */
  deactivate(): void {
    this.#active = false;
    this.#o.metrics.leader.set(0);
    this.#queue.clear();
    this.#o.log.info('allocation paused (not leader)');
  }

  stop(): void {
    this.#stopped = true;
    this.deactivate();
    for (const u of this.#unsubscribe.splice(0)) u();
    clearTimeout(this.#scheduled);
    clearTimeout(this.#poolTimer);
    clearTimeout(this.#retryTimer);
  }

  get ready(): boolean {
    return this.#synced;
  }

  /** The plan of the latest pass (for tests and the status CLI). */
  get plan(): AllocationPlan | undefined {
    return this.#plan;
  }

  /** Resolves when no pass is pending or running and no write is queued or in flight. */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #isIdle(): boolean {
    return (
      !this.#scheduled &&
      !this.#passWanted &&
      !this.#passRunning &&
      this.#queue.size === 0 &&
      this.#inFlight.size === 0
    );
  }

  #notifyIdle(): void {
    if (!this.#isIdle()) return;
    for (const w of this.#idleWaiters.splice(0)) w();
  }

  /** `full`: the change may affect any decision, so the next pass recomputes every one. */
  #schedule(full = true): void {
    if (full) this.#fullNeeded = true;
    if (this.#stopped || this.#scheduled || !this.#synced) return;
    if (this.#queue.size > 0) {
      // Writes from the last plan are still waiting: a new pass would cost O(Services) and add
      // little. Decide again as soon as they have gone out, with every change since in one batch.
      this.#passWanted = true;
      return;
    }
    // A pass costs time proportional to the number of Services; spacing passes by their own
    // duration keeps the loop at most a third busy during a burst while single changes go at once.
    const wait = Math.max(0, this.#lastPassEnd + 2 * this.#lastPassMs - this.#o.now());
    this.#scheduled = setTimeout(() => {
      this.#scheduled = undefined;
      this.#pass();
    }, wait);
  }

  #pass(): void {
    this.#passWanted = false;
    if (!this.#active || this.#stopped) {
      this.#notifyIdle();
      return;
    }
    this.#passRunning = true;
    const started = performance.now();
    try {
      const extended =
        !this.#fullNeeded && this.#session !== undefined && this.#extendWithAdded(this.#session);
      if (!extended) this.#fullPass();
    } catch (err) {
      // An InvariantError or a bug: log loudly, keep serving, try again later.
      this.#o.log.error({ err }, 'allocation pass failed');
      this.#retryLater(1000);
    } finally {
      this.#lastPassMs = performance.now() - started;
      this.#lastPassEnd = this.#o.now();
      this.#o.metrics.reconcileSeconds.set(this.#lastPassMs / 1000);
      this.#o.metrics.reconcilePasses.inc();
      this.#o.metrics.reconcilePassSeconds.inc(this.#lastPassMs / 1000);
      this.#passRunning = false;
    }
    this.#pump();
    this.#notifyIdle();
  }

  /** Recomputes every decision from the whole snapshot (a new AllocationSession). */
  #fullPass(): void {
    const services = this.#snapshotServices();
    const pools = this.#parsedPools();
    const namespaceLabels = new Map<string, Labels>();
    for (const ns of this.#o.namespaces.list()) {
      if (ns.metadata?.name) namespaceLabels.set(ns.metadata.name, ns.metadata.labels ?? {});
    }
    const views = services.map((s) => this.#views.view(s));
    this.#views.sweep();
    this.#session = undefined;
    const session = new AllocationSession({
      pools: pools.valid,
      invalidPools: pools.invalid,
      namespaceLabels,
      lbClass: this.#o.lbClass,
      services: views,
    });
    this.#session = session;
    this.#fullNeeded = false;
    this.#added.clear();
    const plan = session.plan;
    this.#plan = plan;
    let allocated = 0;
    for (let i = 0; i < services.length; i++) {
      const svc = services[i] as V1Service;
      const key = (views[i] as { key: string }).key;
      const outcome = plan.services.get(key);
      if (outcome?.kind === 'assigned') allocated++;
      this.#review(key, svc, outcome);
    }
    this.#allocated = allocated;
    this.#o.metrics.servicesAllocated.set(allocated);
    this.#publishPoolMetrics(plan);
    this.#schedulePoolStatus();
  }

  /** Reports and queues what `outcome` asks of one Service. */
  #review(key: string, svc: V1Service, outcome: ServiceOutcome | undefined): void {
    if (outcome?.kind === 'failed' || this.#reportedFailure.has(key)) this.#reportFailure(key, svc, outcome);
    if (!serviceMatches(svc, outcome)) this.#enqueue(key);
  }

  /**
   * Only Services were added since the last round: decide just those on top of it. False when
   * the session declines (the caller then runs a full round).
   */
  #extendWithAdded(session: AllocationSession): boolean {
    const added: V1Service[] = [];
    for (const key of this.#added) {
      const svc = this.#currentFast(key);
      if (svc) added.push(svc);
    }
    if (added.length === 0) return false;
    const plan = session.extend(added.map((s) => this.#views.view(s)));
    if (!plan) return false;
    this.#added.clear();
    this.#plan = plan;
    for (const svc of added) {
      const key = keyOf(svc);
      const outcome = plan.services.get(key);
      if (outcome?.kind === 'assigned') this.#allocated++;
      this.#review(key, svc, outcome);
    }
    this.#o.metrics.servicesAllocated.set(this.#allocated);
    this.#publishPoolMetrics(plan);
    this.#schedulePoolStatus();
    return true;
  }

  /** Informer contents with our own newer writes laid over them. */
  #snapshotServices(): V1Service[] {
    const out: V1Service[] = [];
    for (const svc of this.#o.services.list()) {
      const mine = this.#written.get(keyOf(svc));
      out.push(mine && supersedes(mine, svc) ? mine : svc);
    }
    return out;
  }

  #parsedPools(): PoolsResult {
    const objs = this.#o.pools
      .list()
      .filter((p) => (p.metadata?.namespace ?? this.#o.namespace) === this.#o.namespace);
    // Pools change rarely; reparse only when some pool's resourceVersion changed.
    const key = objs.map((p) => `${p.metadata?.uid ?? ''}@${p.metadata?.resourceVersion ?? ''}`).join(',');
    if (this.#pools?.key !== key) {
      const result = parsePools(objs);
      this.#pools = { key, result };
      this.#reportPoolProblems(objs, result);
    }
    return this.#pools.result;
  }

  #reportPoolProblems(objs: readonly IPAddressPool[], result: PoolsResult): void {
    let invalid = 0;
    for (const pool of objs) {
      const name = pool.metadata?.name ?? '';
      const problems = result.problems.get(name) ?? [];
      const summary = result.invalid.get(name);
      if (summary !== undefined) invalid++;
      const text = problems.map((p) => `${p.field}: ${p.message}`).join('; ');
      const seen = this.#reportedPoolProblem.get(name);
      if (text === (seen ?? '')) continue;
      this.#reportedPoolProblem.set(name, text);
      if (problems.length === 0) continue;
      const ref = objectRef(IP_ADDRESS_POOL_KIND, IRONLB_API_VERSION, pool);
      const condition = validityCondition(problems);
      this.#o.events.event(
        ref,
        'Warning',
        summary !== undefined ? 'InvalidConfiguration' : 'ConfigurationWarning',
        condition.message ?? text,
      );
      this.#o.log.warn(
        { pool: name, problems },
        summary !== undefined ? 'pool disabled: invalid' : 'pool warnings',
      );
    }
    for (const name of [...this.#reportedPoolProblem.keys()]) {
      if (!result.problems.has(name)) this.#reportedPoolProblem.delete(name);
    }
    this.#o.metrics.poolsInvalid.set(invalid);
    this.#o.metrics.configStale.set(invalid > 0 ? 1 : 0);
  }

  #reportFailure(key: string, svc: V1Service, outcome: ServiceOutcome | undefined): void {
    if (outcome?.kind !== 'failed') {
      this.#reportedFailure.delete(key);
      return;
    }
    if (this.#reportedFailure.get(key) === outcome.reason) return;
    this.#reportedFailure.set(key, outcome.reason);
    this.#o.metrics.allocationFailures.inc({ reason: outcome.code });
    this.#o.events.event(
      objectRef('Service', SERVICE_API, svc),
      'Warning',
      'AllocationFailed',
      outcome.reason,
    );
    this.#o.log.warn({ service: key, code: outcome.code }, outcome.reason);
  }

  #publishPoolMetrics(plan: AllocationPlan): void {
    this.#o.metrics.addressesTotal.reset();
    this.#o.metrics.addressesInUse.reset();
    for (const s of plan.pools) {
      this.#o.metrics.addressesTotal.set({ pool: s.pool, family: 'IPv4' }, s.totalIPv4);
      this.#o.metrics.addressesTotal.set({ pool: s.pool, family: 'IPv6' }, s.totalIPv6);
      this.#o.metrics.addressesInUse.set({ pool: s.pool, family: 'IPv4' }, s.assignedIPv4);
      this.#o.metrics.addressesInUse.set({ pool: s.pool, family: 'IPv6' }, s.assignedIPv6);
    }
  }

  // ---- Service writes ----

  #enqueue(key: string): void {
    if (this.#inFlight.has(key)) {
      this.#again.add(key);
      return;
    }
    const b = this.#backoff.get(key);
    if (b && b.until > this.#o.now()) {
      this.#retryLater(b.until - this.#o.now());
      return;
    }
    this.#queue.add(key);
  }

  #pump(): void {
    while (this.#active && this.#inFlight.size < this.#o.concurrency && this.#queue.size > 0) {
      const key = this.#queue.values().next().value as string;
      this.#queue.delete(key);
      this.#inFlight.add(key);
      void this.#writeService(key).finally(() => {
        this.#inFlight.delete(key);
        if (this.#again.delete(key)) this.#schedule();
        this.#pump();
        if (this.#passWanted && this.#queue.size === 0) {
          this.#passWanted = false;
          this.#schedule(false); // the flags already say whether the pass must be full
        }
        this.#notifyIdle();
      });
    }
  }

  async #writeService(key: string): Promise<void> {
    const svc = this.#currentFast(key);
    const outcome = this.#plan?.services.get(key);
    if (!svc || !this.#active) return;
    const desired = desiredServiceState(svc, outcome);
    if (desired.matches) return;
    try {
      const after = await this.#apply(svc, desired);
      this.#backoff.delete(key);
      this.#announce(svc, after, desired, outcome);
    } catch (err) {
      this.#onWriteError(key, err);
    }
  }

  async #apply(svc: V1Service, desired: DesiredServiceState): Promise<V1Service> {
    this.#o.metrics.k8sUpdates.inc({ resource: 'services/status' });
    const after = await this.#o.serviceWriter.write(svc, {
      ingress: desired.ingressChanged ? desired.ingress : undefined,
      annotations: desired.annotationsChanged ? desired.annotations : undefined,
    });
    this.#noteWritten(after);
    return after;
  }

  #announce(
    before: V1Service,
    after: V1Service,
    desired: DesiredServiceState,
    outcome: ServiceOutcome | undefined,
  ): void {
    if (!desired.ingressChanged) return;
    const key = keyOf(after);
    const ref = objectRef('Service', SERVICE_API, after);
    const ips = desired.ingress.map((i) => i.ip ?? '');
    const had = (before.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '').filter((ip) => ip !== '');
    if (ips.length > 0) {
      const pools =
        outcome?.kind === 'assigned' ? [...new Set(outcome.ips.map((i) => i.pool))].join(',') : '';
      this.#o.events.event(
        ref,
        'Normal',
        'IPAllocated',
        `Assigned IP ${JSON.stringify(ips)} from pool ${pools}`,
      );
      this.#o.log.info({ service: key, ips, pools }, 'IP allocated');
    }
    const removed = had.filter((ip) => !ips.includes(ip));
    if (removed.length > 0) {
      const why = outcome?.kind === 'release' || outcome?.kind === 'failed' ? `: ${outcome.reason}` : '';
      this.#o.events.event(ref, 'Normal', 'ClearAssignment', `Released IP ${JSON.stringify(removed)}${why}`);
      this.#o.log.info({ service: key, removed }, 'IP released');
    }
  }

  #onWriteError(key: string, err: unknown): void {
    const code = errorCode(err);
    this.#o.metrics.k8sUpdateErrors.inc({ resource: 'services', code });
    if (err instanceof ConflictError) {
      // Someone changed the Service since our snapshot: read it again and decide again.
      this.#o.log.debug({ service: key }, 'write conflict, re-reading');
      const [namespace, name] = splitKey(key);
      this.#o.serviceWriter.get(namespace, name).then(
        (fresh) => {
          if (fresh) this.#noteWritten(fresh);
          this.#again.add(key);
          this.#schedule();
        },
        (e: unknown) => this.#onWriteError(key, e),
      );
      return;
    }
    if (err instanceof NotFoundError) {
      this.#written.delete(key);
      return;
    }
    const prev = this.#backoff.get(key)?.attempts ?? 0;
    const delay = Math.min(30_000, 250 * 2 ** prev);
    this.#backoff.set(key, { attempts: prev + 1, until: this.#o.now() + delay });
    this.#o.log.warn({ service: key, code, err: String(err), retryInMs: delay }, 'Service write failed');
    this.#retryLater(delay);
  }

  #retryLater(ms: number): void {
    if (this.#stopped) return;
    const due = this.#o.now() + ms;
    // One timer serves every pending retry: keep it at the earliest due time.
    if (this.#retryTimer && this.#retryDue <= due) return;
    clearTimeout(this.#retryTimer);
    this.#retryDue = due;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#schedule();
    }, ms);
  }

  // ---- overlay of our own writes ----

  #noteWritten(svc: V1Service): void {
    if (svc.metadata?.managedFields !== undefined) delete svc.metadata.managedFields; // as the informer does
    const key = keyOf(svc);
    const cached = this.#cachedFast(key);
    if (cached && !newerThan(svc, cached)) return;
    this.#written.set(key, svc);
  }

  /** True when `svc` is exactly what our last write returned; forgets the overlay once caught up. */
  #isEchoOfOurWrite(svc: V1Service): boolean {
    const key = keyOf(svc);
    const mine = this.#written.get(key);
    if (!mine || newerThan(mine, svc)) return false;
    this.#written.delete(key);
    return mine.metadata?.resourceVersion === svc.metadata?.resourceVersion;
  }

  /**
   * An update that leaves every allocation input as it was and shows the state the plan wants:
   * our own write landing (also when the watch delivers it before the write's answer arrives).
   */
  #changesNoDecision(svc: V1Service): boolean {
    const uid = svc.metadata?.uid;
    const outcome = this.#plan?.services.get(keyOf(svc));
    if (!uid || !outcome || !serviceMatches(svc, outcome)) return false;
    const before = this.#views.previous(uid);
    return before !== undefined && sameDecisionInputs(before, serviceView(svc));
  }

  /** Did the decision-relevant part of an object change since we last saw it? */
  #changedSince(
    seen: Map<string, string>,
    obj: { metadata?: { uid?: string } },
    relevant: () => unknown,
  ): boolean {
    const uid = obj.metadata?.uid ?? '';
    const digest = JSON.stringify(relevant());
    if (seen.get(uid) === digest) return false;
    seen.set(uid, digest);
    return true;
  }

  // ---- pool status ----

  #schedulePoolStatus(): void {
    if (this.#poolTimer || this.#stopped) return;
    this.#poolTimer = setTimeout(() => {
      this.#poolTimer = undefined;
      void this.#writePoolStatuses();
    }, this.#o.poolStatusDelayMs);
  }

  async #writePoolStatuses(): Promise<void> {
    if (!this.#active || !this.#plan || !this.#pools) return;
    const stats = new Map(this.#plan.pools.map((s) => [s.pool, s]));
    for (const pool of this.#o.pools.list()) {
      const name = pool.metadata?.name ?? '';
      if ((pool.metadata?.namespace ?? this.#o.namespace) !== this.#o.namespace) continue;
      const desired = poolStatusFor(
        pool,
        stats.get(name),
        this.#pools.result.problems.get(name) ?? [],
        this.#o.now(),
      );
      if (samePoolStatus(pool.status, desired)) continue;
      this.#o.metrics.k8sUpdates.inc({ resource: 'ipaddresspools/status' });
      try {
        await this.#o.poolWriter.writeStatus(this.#o.namespace, name, desired);
      } catch (err) {
        this.#o.metrics.k8sUpdateErrors.inc({ resource: 'ipaddresspools/status', code: errorCode(err) });
        if (!(err instanceof NotFoundError)) {
          this.#o.log.warn({ pool: name, err: String(err) }, 'pool status write failed');
          this.#schedulePoolStatus();
        }
      }
    }
  }

  // ---- lookups by key ----

  #cachedFast(key: string): V1Service | undefined {
    return this.#o.services.get(key);
  }

  #currentFast(key: string): V1Service | undefined {
    const cached = this.#cachedFast(key);
    const mine = this.#written.get(key);
    if (!cached) return undefined;
    return mine && supersedes(mine, cached) ? mine : cached;
  }
}

export function keyOf(svc: { metadata?: { namespace?: string; name?: string } }): string {
  return `${svc.metadata?.namespace ?? ''}/${svc.metadata?.name ?? ''}`;
}

function splitKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}

/**
 * Should our written copy stand in for the cached one? Only for the same object (a Service deleted
 * and created again, or an API server that lost its state, has a new uid) and a newer version.
 */
function supersedes(mine: V1Service, cached: V1Service): boolean {
  return mine.metadata?.uid === cached.metadata?.uid && newerThan(mine, cached);
}

/**
 * Is a newer than b? resourceVersions are opaque to clients in general, but kube-apiserver's are
 * etcd revisions (decimal integers, increasing); compare numerically when both are, else treat any
 * difference as "a is newer" so our own write wins until the cache shows the same version.
 */
export function newerThan(a: V1Service, b: V1Service): boolean {
  const ra = a.metadata?.resourceVersion ?? '';
  const rb = b.metadata?.resourceVersion ?? '';
  if (/^\d+$/.test(ra) && /^\d+$/.test(rb)) {
    return ra.length !== rb.length ? ra.length > rb.length : ra > rb;
  }
  return ra !== rb;
}
