// Leader election on a coordination.k8s.io/v1 Lease, with client-go's semantics:
// - A candidate never trusts timestamps written by others. It takes over only after it has seen
//   the same lease record, unchanged, for leaseDurationSeconds on its own monotonic clock.
// - Every write carries the observed resourceVersion, so of two racing candidates one gets 409.
// - The leader renews every retryPeriod. Its term ends renewDeadline after the *send* time of its
//   last successful write. The send time comes before the server commits, and every other
//   candidate observes the record after the commit. With renewDeadline < leaseDuration the old
//   leader has always stopped before anyone else can take over, whatever the latencies.
// - On graceful stop the leader waits for its work to end, then releases the lease (empty holder,
//   leaseDurationSeconds 1), so a standby takes over at once instead of after leaseDuration.
import type { Logger } from '../log/logger.js';
import { realClock, sleep, type Clock, type Timer } from './clock.js';
import { AlreadyExistsError, ConflictError, NotFoundError } from './errors.js';

/** Spec fields the elector reads and writes. Unknown fields (strategy, preferredHolder) are kept. */
export interface LeaseSpecFields {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  /** MicroTime: RFC 3339 with exactly 6 fractional digits. */
  acquireTime?: string;
  /** MicroTime: RFC 3339 with exactly 6 fractional digits. */
  renewTime?: string;
  leaseTransitions?: number;
  [field: string]: unknown;
}

/** A Lease as the elector sees it. Metadata is passed back unchanged on replace (labels, uid, ...). */
export interface LeaseObject {
  metadata: { name: string; namespace: string; resourceVersion?: string; [field: string]: unknown };
  spec: LeaseSpecFields;
}

/** Storage port. Implementations throw the typed errors below and anything else for other failures. */
export interface LeaseStore {
  get(namespace: string, name: string): Promise<LeaseObject | null>;
  create(lease: LeaseObject): Promise<LeaseObject>;
  /** Must be conditional on metadata.resourceVersion (ConflictError when stale). */
  replace(lease: LeaseObject): Promise<LeaseObject>;
}

export { AlreadyExistsError, ConflictError, NotFoundError };
/** A store call that did not answer within requestTimeoutMs; it may or may not have been applied. */
export class StoreTimeoutError extends Error {
  override readonly name = 'StoreTimeoutError';
}

/** Formats epoch milliseconds as a Kubernetes MicroTime (the API server rejects other precisions). */
export function formatMicroTime(epochMs: number): string {
  // toISOString always gives 3 fractional digits and a Z; pad to microseconds.
  return new Date(epochMs).toISOString().replace(/Z$/, '000Z');
}

export interface LeaderElectorOptions {
  store: LeaseStore;
  clock?: Clock;
  namespace: string;
  name: string;
  /** Unique per candidate process, e.g. the pod name. */
  identity: string;
  /** How long others wait before taking over an unrenewed lease. Default 15 s. */
  leaseDurationMs?: number;
  /** The leader steps down if it could not renew for this long. Default 10 s. */
  renewDeadlineMs?: number;
  /** Interval between renewals and (jittered) between acquisition attempts. Default 2 s. */
  retryPeriodMs?: number;
  /** Bound on one store call. Default renewDeadlineMs. */
  requestTimeoutMs?: number;
  /** Release the lease when run()'s signal aborts. Default true. */
  releaseOnCancel?: boolean;
  /** Random source in [0, 1) for jitter; injected by tests. */
  random?: () => number;
  log: Logger;
  /**
   * Called when this candidate becomes leader. `signal` aborts when leadership ends. If it returns
   * a promise, a graceful stop waits for it (up to renewDeadlineMs) before releasing the lease;
   * a rejection ends leadership.
   */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  /** Called once at the end of every leadership term, right after its signal aborts. */
  onStoppedLeading(): void;
  /** Called when the observed holder changes to a non-empty identity (including our own). */
  onNewLeader?(identity: string): void;
}

/** Same factor as client-go's wait.JitterUntil in the acquire loop: waits are retryPeriod × [1, 2.2). */
const JITTER_FACTOR = 1.2;

interface Term {
  readonly controller: AbortController;
  /** Monotonic time at which this term ends unless a renewal moves it. */
  deadline: number;
  timer: Timer | null;
  ended: boolean;
  /** Release the lease once the term is over (graceful stop or failed work). */
  release: boolean;
  work: Promise<void>;
}

type Raced<T> =
  { aborted: true } | { aborted: false; ok: true; value: T } | { aborted: false; ok: false; error: unknown };

export class LeaderElector {
  readonly #store: LeaseStore;
  readonly #clock: Clock;
  readonly #ns: string;
  readonly #name: string;
  readonly #id: string;
  readonly #leaseMs: number;
  readonly #renewDeadlineMs: number;
  readonly #retryMs: number;
  readonly #requestTimeoutMs: number;
  readonly #releaseOnCancel: boolean;
  readonly #random: () => number;
  readonly #log: Logger;
  readonly #cb: Pick<LeaderElectorOptions, 'onStartedLeading' | 'onStoppedLeading' | 'onNewLeader'>;

  #observed: LeaseObject | null = null;
  /** Monotonic time at which #observed last changed. */
  #observedAt = 0;
  #leader: string | null = null;
  #term: Term | null = null;
  /** After a failed renewal the cached resourceVersion may be stale: read before the next write. */
  #refreshBeforeRenew = false;
  #running = false;

  constructor(opts: LeaderElectorOptions) {
    this.#leaseMs = opts.leaseDurationMs ?? 15_000;
    this.#renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
    this.#retryMs = opts.retryPeriodMs ?? 2_000;
    this.#requestTimeoutMs = opts.requestTimeoutMs ?? this.#renewDeadlineMs;
    validateTimings(this.#leaseMs, this.#renewDeadlineMs, this.#retryMs, this.#requestTimeoutMs);
    if (opts.identity === '') throw new Error('leader election: identity must not be empty');
    this.#store = opts.store;
    this.#clock = opts.clock ?? realClock;
    this.#ns = opts.namespace;
    this.#name = opts.name;
    this.#id = opts.identity;
    this.#releaseOnCancel = opts.releaseOnCancel ?? true;
    this.#random = opts.random ?? Math.random;
    this.#log = opts.log.child({ lease: `${opts.namespace}/${opts.name}`, identity: opts.identity });
    this.#cb = opts;
  }

  /** True while this candidate holds an unexpired term. */
  isLeader(): boolean {
    const t = this.#term;
    return t !== null && !t.ended && this.#clock.monotonic() < t.deadline;
  }

  /** The holder of the lease as last observed ('' holders, i.e. released leases, give null). */
  leader(): string | null {
    return this.#leader;
  }

  /**
   * Campaigns, leads, and campaigns again after losing leadership, until `signal` aborts. Resolves
   * once leadership (if any) has ended and the lease has been released.
   */
  async run(signal: AbortSignal): Promise<void> {
    if (this.#running) throw new Error('leader election: run() is already active');
    this.#running = true;
    try {
      while (!signal.aborted) {
        const term = await this.#acquire(signal);
        if (term === null) break;
        await this.#lead(term, signal);
        await this.#finishTerm(term);
        // A short pause so a candidate that just lost does not hammer the API server.
        if (!signal.aborted) await sleep(this.#clock, this.#jittered(), signal);
      }
      if (this.#releaseOnCancel && this.#observed?.spec.holderIdentity === this.#id) {
        // We stepped down without releasing (e.g. renewals failed); releasing is still safe
        // because the write is conditional on the resourceVersion we last saw.
        await this.#release();
      }
    } finally {
      this.#running = false;
    }
  }

  // ---- acquisition ------------------------------------------------------------------------

  async #acquire(signal: AbortSignal): Promise<Term | null> {
    while (!signal.aborted) {
      const term = await this.#tryAcquire(signal);
      if (term !== null) return term;
      await sleep(this.#clock, this.#jittered(), signal);
    }
    return null;
  }

  async #tryAcquire(signal: AbortSignal): Promise<Term | null> {
    // Two rounds: an AlreadyExists on create means someone created it meanwhile; read it at once.
    for (let round = 0; round < 2; round++) {
      let current: LeaseObject | null;
      try {
        current = await this.#call(() => this.#store.get(this.#ns, this.#name));
      } catch (err) {
        this.#log.warn({ err: describeError(err) }, 'leader election: reading the lease failed');
        return null;
      }
      const nowMicro = formatMicroTime(this.#clock.now());
      if (current === null) {
        const lease: LeaseObject = {
          metadata: { namespace: this.#ns, name: this.#name },
          spec: {
            holderIdentity: this.#id,
            leaseDurationSeconds: this.#leaseSeconds(),
            acquireTime: nowMicro,
            renewTime: nowMicro,
            leaseTransitions: 0,
          },
        };
        const sentAt = this.#clock.monotonic();
        try {
          const created = await this.#call(() => this.#store.create(lease));
          this.#observe(created);
          return this.#begin(sentAt, signal);
        } catch (err) {
          if (err instanceof AlreadyExistsError) continue;
          this.#log.warn({ err: describeError(err) }, 'leader election: creating the lease failed');
          return null;
        }
      }

      this.#observe(current);
      const holder = current.spec.holderIdentity ?? '';
      if (holder !== '' && holder !== this.#id && !this.#observedExpired()) return null;

      const mine = holder === this.#id;
      const transitions = current.spec.leaseTransitions ?? 0;
      const next: LeaseObject = {
        metadata: { ...current.metadata },
        spec: {
          ...current.spec,
          holderIdentity: this.#id,
          leaseDurationSeconds: this.#leaseSeconds(),
          acquireTime: mine ? (current.spec.acquireTime ?? nowMicro) : nowMicro,
          renewTime: nowMicro,
          leaseTransitions: mine ? transitions : transitions + 1,
        },
      };
      const sentAt = this.#clock.monotonic();
      try {
        const updated = await this.#call(() => this.#store.replace(next));
        this.#observe(updated);
        if (!mine)
          this.#log.info(
            { previous: holder || null, transitions: transitions + 1 },
            'leader election: took over the lease',
          );
        return this.#begin(sentAt, signal);
      } catch (err) {
        if (err instanceof ConflictError) {
          this.#log.debug('leader election: another candidate wrote the lease first');
        } else {
          this.#log.warn({ err: describeError(err) }, 'leader election: acquiring the lease failed');
        }
        return null;
      }
    }
    return null;
  }

  /** Starts a term after a successful write sent at `sentAt`. */
  async #begin(sentAt: number, signal: AbortSignal): Promise<Term | null> {
    const deadline = sentAt + this.#renewDeadlineMs;
    if (signal.aborted) {
      // We hold the lease but are shutting down: hand it back instead of leading.
      if (this.#releaseOnCancel) await this.#release();
      return null;
    }
    if (this.#clock.monotonic() >= deadline) {
      // The write took longer than the renew deadline: our term would already be over.
      this.#log.warn('leader election: acquisition answered too late; retrying');
      return null;
    }
    const term: Term = {
      controller: new AbortController(),
      deadline,
      timer: null,
      ended: false,
      release: false,
      work: Promise.resolve(),
    };
    this.#term = term;
    this.#refreshBeforeRenew = false;
    this.#armDeadline(term);
    this.#log.info('leader election: started leading');
    const termSignal = term.controller.signal;
    // An async wrapper turns a synchronous throw into a rejection too.
    term.work = (async () => {
      await this.#cb.onStartedLeading(termSignal);
    })().catch((err: unknown) => {
      this.#log.error({ err: describeError(err) }, 'leader election: leader work failed; stepping down');
      term.release = true;
      this.#stepDown(term, 'leader work failed');
    });
    return term;
  }

  // ---- leading ----------------------------------------------------------------------------

  async #lead(term: Term, signal: AbortSignal): Promise<void> {
    const stop = AbortSignal.any([signal, term.controller.signal]);
    while (!term.ended) {
      await sleep(this.#clock, this.#retryMs, stop);
      if (term.ended) return;
      if (signal.aborted) {
        term.release = this.#releaseOnCancel;
        this.#stepDown(term, 'shutting down', 'info');
        return;
      }
      await this.#renew(term);
    }
  }

  async #renew(term: Term): Promise<void> {
    let base = this.#observed;
    if (this.#refreshBeforeRenew || base === null) {
      const got = await this.#race(
        this.#call(() => this.#store.get(this.#ns, this.#name)),
        term.controller.signal,
      );
      if (got.aborted) return;
      if (!got.ok) {
        this.#log.warn(
          { err: describeError(got.error), ...this.#remaining(term) },
          'leader election: renewal failed',
        );
        return;
      }
      if (got.value === null) {
        this.#stepDown(term, 'the lease was deleted');
        return;
      }
      this.#observe(got.value);
      if (got.value.spec.holderIdentity !== this.#id) {
        this.#stepDown(term, 'the lease has another holder');
        return;
      }
      base = got.value;
    }
    const next: LeaseObject = {
      metadata: { ...base.metadata },
      spec: {
        ...base.spec,
        holderIdentity: this.#id,
        leaseDurationSeconds: this.#leaseSeconds(),
        renewTime: formatMicroTime(this.#clock.now()),
      },
    };
    const sentAt = this.#clock.monotonic();
    const res = await this.#race(
      this.#call(() => this.#store.replace(next)),
      term.controller.signal,
    );
    if (res.aborted || term.ended) return; // the term ended while waiting: a late answer changes nothing
    if (res.ok) {
      this.#observe(res.value);
      this.#refreshBeforeRenew = false;
      term.deadline = Math.max(term.deadline, sentAt + this.#renewDeadlineMs);
      this.#armDeadline(term);
      return;
    }
    if (res.error instanceof ConflictError) {
      // Someone else wrote the lease: we cannot prove nobody else now believes it leads.
      this.#stepDown(term, 'conflict on renewal: the lease was modified by someone else');
    } else if (res.error instanceof NotFoundError) {
      this.#stepDown(term, 'the lease was deleted');
    } else {
      this.#refreshBeforeRenew = true;
      this.#log.warn(
        { err: describeError(res.error), ...this.#remaining(term) },
        'leader election: renewal failed',
      );
    }
  }

  #armDeadline(term: Term): void {
    if (term.timer !== null) this.#clock.clearTimeout(term.timer);
    term.timer = this.#clock.setTimeout(
      () => this.#stepDown(term, 'could not renew the lease within the renew deadline'),
      term.deadline - this.#clock.monotonic(),
    );
  }

  #stepDown(term: Term, reason: string, level: 'info' | 'warn' = 'warn'): void {
    if (term.ended) return;
    term.ended = true;
    if (term.timer !== null) this.#clock.clearTimeout(term.timer);
    term.timer = null;
    if (this.#term === term) this.#term = null;
    this.#log[level]({ reason }, 'leader election: stopped leading');
    term.controller.abort(new Error(reason));
    try {
      this.#cb.onStoppedLeading();
    } catch (err) {
      this.#log.error({ err: describeError(err) }, 'leader election: onStoppedLeading threw');
    }
  }

  /** After a term: wait for the leader's work (bounded), then release the lease if asked to. */
  async #finishTerm(term: Term): Promise<void> {
    if (!term.release) return;
    // Work protected by the lease must end before someone else may start it.
    const timeout = new AbortController();
    const timer = this.#clock.setTimeout(() => timeout.abort(), this.#renewDeadlineMs);
    const waited = await this.#race(term.work, timeout.signal);
    this.#clock.clearTimeout(timer);
    if (waited.aborted) this.#log.warn('leader election: leader work did not stop in time; releasing anyway');
    await this.#release();
  }

  async #release(): Promise<void> {
    const obs = this.#observed;
    if (obs === null || obs.spec.holderIdentity !== this.#id) return;
    const nowMicro = formatMicroTime(this.#clock.now());
    const released: LeaseObject = {
      metadata: { ...obs.metadata },
      spec: {
        ...obs.spec,
        holderIdentity: '',
        leaseDurationSeconds: 1,
        acquireTime: nowMicro,
        renewTime: nowMicro,
      },
    };
    try {
      this.#observe(await this.#call(() => this.#store.replace(released)));
      this.#log.info('leader election: released the lease');
    } catch (err) {
      // A conflict means someone else already wrote it: nothing left to release.
      this.#log.warn({ err: describeError(err) }, 'leader election: releasing the lease failed');
    }
  }

  // ---- observation ------------------------------------------------------------------------

  #observe(lease: LeaseObject): void {
    const prev = this.#observed;
    if (prev === null || recordChanged(prev, lease)) this.#observedAt = this.#clock.monotonic();
    this.#observed = lease;
    const holder = lease.spec.holderIdentity ?? '';
    if (holder !== (this.#leader ?? '')) {
      this.#leader = holder === '' ? null : holder;
      if (holder !== '') {
        this.#log.info({ leader: holder }, 'leader election: new leader observed');
        try {
          this.#cb.onNewLeader?.(holder);
        } catch (err) {
          this.#log.error({ err: describeError(err) }, 'leader election: onNewLeader threw');
        }
      }
    }
  }

  /** True once the observed record has stayed unchanged for its lease duration on our clock. */
  #observedExpired(): boolean {
    const secs = this.#observed?.spec.leaseDurationSeconds ?? 0;
    const durationMs = secs > 0 ? secs * 1000 : this.#leaseMs;
    return this.#clock.monotonic() >= this.#observedAt + durationMs;
  }

  // ---- helpers ----------------------------------------------------------------------------

  #leaseSeconds(): number {
    // Rounded up: others must never see a shorter lease than the one our deadline assumes.
    return Math.ceil(this.#leaseMs / 1000);
  }

  #jittered(): number {
    return this.#retryMs * (1 + JITTER_FACTOR * this.#random());
  }

  #remaining(term: Term): { msLeftInTerm: number } {
    return { msLeftInTerm: Math.max(0, Math.round(term.deadline - this.#clock.monotonic())) };
  }

  /** One store call, bounded by requestTimeoutMs on our clock. */
  async #call<T>(fn: () => Promise<T>): Promise<T> {
    let timer: Timer | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = this.#clock.setTimeout(
        () => reject(new StoreTimeoutError(`lease store call timed out after ${this.#requestTimeoutMs} ms`)),
        this.#requestTimeoutMs,
      );
    });
    try {
      return await Promise.race([Promise.resolve().then(fn), timedOut]);
    } finally {
      if (timer !== undefined) this.#clock.clearTimeout(timer);
    }
  }

  /** Waits for `p` unless `signal` aborts first; `p` keeps running and its outcome is dropped. */
  #race<T>(p: Promise<T>, signal: AbortSignal): Promise<Raced<T>> {
    return new Promise((resolve) => {
      if (signal.aborted) {
        p.catch(() => undefined);
        resolve({ aborted: true });
        return;
      }
      const onAbort = (): void => resolve({ aborted: true });
      signal.addEventListener('abort', onAbort, { once: true });
      p.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve({ aborted: false, ok: true, value });
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          resolve({ aborted: false, ok: false, error });
        },
      );
    });
  }
}

function validateTimings(
  leaseMs: number,
  renewDeadlineMs: number,
  retryMs: number,
  requestTimeoutMs: number,
): void {
  for (const [k, v] of Object.entries({ leaseMs, renewDeadlineMs, retryMs, requestTimeoutMs })) {
    if (!Number.isFinite(v) || v <= 0) throw new Error(`leader election: ${k} must be a positive number`);
  }
  if (leaseMs < 1000)
    throw new Error('leader election: leaseDuration must be at least 1 s (the Lease stores seconds)');
  if (leaseMs <= renewDeadlineMs)
    throw new Error('leader election: leaseDuration must be greater than renewDeadline');
  if (renewDeadlineMs <= JITTER_FACTOR * retryMs) {
    throw new Error(`leader election: renewDeadline must be greater than retryPeriod × ${JITTER_FACTOR}`);
  }
}

/** Any write counts as a sign of life, so the resourceVersion is compared as well as the spec. */
function recordChanged(a: LeaseObject, b: LeaseObject): boolean {
  return (
    a.metadata.resourceVersion !== b.metadata.resourceVersion ||
    a.spec.holderIdentity !== b.spec.holderIdentity ||
    a.spec.renewTime !== b.spec.renewTime ||
    a.spec.acquireTime !== b.spec.acquireTime ||
    a.spec.leaseDurationSeconds !== b.spec.leaseDurationSeconds ||
    a.spec.leaseTransitions !== b.spec.leaseTransitions
  );
}

function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message.split('\n')[0] ?? ''}`;
  return String(err);
}
