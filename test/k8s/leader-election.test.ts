import { describe, expect, it } from 'vitest';
import { ManualClock, type Clock } from '../../src/k8s/clock.js';
import { formatMicroTime, LeaderElector, type LeaderElectorOptions } from '../../src/k8s/leader-election.js';
import { createLogger } from '../../src/log/logger.js';
import { FakeLeaseStore, type Fault } from './support/fake-lease-store.js';

const NS = 'ironlb-system';
const NAME = 'ironlb-controller';
const log = createLogger('silent');

interface Candidate {
  id: string;
  el: LeaderElector;
  /** Fake-clock instants of the callbacks. */
  started: number[];
  stopped: number[];
  newLeaders: string[];
  /** Aborts run() and resolves when it returned. */
  stop(): Promise<void>;
  done: Promise<void>;
}

function candidate(
  id: string,
  clock: ManualClock,
  store: FakeLeaseStore,
  extra: Partial<LeaderElectorOptions> & { skewMs?: number } = {},
): Candidate {
  const started: number[] = [];
  const stopped: number[] = [];
  const newLeaders: string[] = [];
  const c: Clock = extra.skewMs === undefined ? clock : clock.skewed(extra.skewMs);
  const { onStartedLeading, onStoppedLeading, ...rest } = extra;
  const el = new LeaderElector({
    store: store.client(id),
    clock: c,
    namespace: NS,
    name: NAME,
    identity: id,
    log,
    random: () => 0.5,
    onNewLeader: (h) => newLeaders.push(h),
    ...rest,
    onStartedLeading: (signal) => {
      started.push(clock.monotonic());
      return onStartedLeading?.(signal);
    },
    onStoppedLeading: () => {
      stopped.push(clock.monotonic());
      onStoppedLeading?.();
    },
  });
  const ac = new AbortController();
  let finished = false;
  const done = el.run(ac.signal).finally(() => {
    finished = true;
  });
  return {
    id,
    el,
    started,
    stopped,
    newLeaders,
    done,
    // Never call two of these concurrently: each one advances the shared clock.
    stop: async () => {
      ac.abort();
      for (let i = 0; i < 3_000 && !finished; i++) await clock.advance(i === 0 ? 0 : 10);
      await done;
    },
  };
}

/** Advances in small steps until `pred` holds; returns the fake time it took. */
async function advanceUntil(
  clock: ManualClock,
  pred: () => boolean,
  maxMs: number,
  stepMs = 50,
): Promise<number> {
  const start = clock.monotonic();
  while (!pred()) {
    if (clock.monotonic() - start > maxMs)
      throw new Error(`condition not met within ${maxMs} ms of fake time`);
    await clock.advance(stepMs);
  }
  return clock.monotonic() - start;
}

/** Deterministic PRNG (mulberry32) so a failing interleaving can be replayed from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('formatMicroTime', () => {
  it('always writes exactly 6 fractional digits in UTC', () => {
    expect(formatMicroTime(Date.UTC(2026, 11, 2, 1, 2, 3, 123))).toBe('2026-12-02T01:02:03.123000Z');
    expect(formatMicroTime(Date.UTC(2026, 0, 1))).toBe('2026-01-01T00:00:00.000000Z');
  });
});

describe('LeaderElector timings', () => {
  const base = {
    store: new FakeLeaseStore(new ManualClock()).client('a'),
    namespace: NS,
    name: NAME,
    identity: 'a',
    log,
  };
  const cbs = { onStartedLeading: () => undefined, onStoppedLeading: () => undefined };
  it('rejects renewDeadline >= leaseDuration and renewDeadline <= 1.2 × retryPeriod', () => {
    expect(
      () => new LeaderElector({ ...base, ...cbs, leaseDurationMs: 10_000, renewDeadlineMs: 10_000 }),
    ).toThrow(/leaseDuration must be greater than renewDeadline/);
    expect(
      () => new LeaderElector({ ...base, ...cbs, renewDeadlineMs: 2_400, retryPeriodMs: 2_000 }),
    ).toThrow(/renewDeadline must be greater than retryPeriod/);
    expect(
      () =>
        new LeaderElector({
          ...base,
          ...cbs,
          leaseDurationMs: 500,
          renewDeadlineMs: 400,
          retryPeriodMs: 100,
        }),
    ).toThrow(/at least 1 s/);
    expect(() => new LeaderElector({ ...base, ...cbs })).not.toThrow();
  });
});

describe('LeaderElector', () => {
  it('creates the lease and leads when it is absent', async () => {
    const clock = new ManualClock();
    const store = new FakeLeaseStore(clock);
    const a = candidate('a', clock, store);
    await clock.advance(0);

    expect(a.el.isLeader()).toBe(true);
    expect(a.el.leader()).toBe('a');
    expect(a.started).toEqual([0]);
    expect(a.newLeaders).toEqual(['a']);
    const lease = store.peek(NS, NAME);
    expect(lease?.spec).toMatchObject({ holderIdentity: 'a', leaseDurationSeconds: 15, leaseTransitions: 0 });
    expect(lease?.spec.acquireTime).toBe('2026-12-02T01:02:03.123000Z');
    expect(lease?.spec.renewTime).toBe(lease?.spec.acquireTime);
    await a.stop();
  });

  it('keeps leading while renewals succeed', async () => {
    const clock = new ManualClock();
    const store = new FakeLeaseStore(clock);
    const a = candidate('a', clock, store);
    await clock.advance(0);
    const renewTimes = new Set<string>();
    for (let i = 0; i < 300; i++) {
      await clock.advance(1_000);
      expect(a.el.isLeader()).toBe(true);
      renewTimes.add(store.peek(NS, NAME)?.spec.renewTime ?? '');
    }
    // One renewal every 2 s for 5 minutes.
    expect(store.writes.filter((w) => w.op === 'replace')).toHaveLength(150);
    expect(renewTimes.size).toBe(151); // plus the one written at creation
    expect(a.stopped).toEqual([]);
    expect(store.peek(NS, NAME)?.spec.leaseTransitions).toBe(0);
    await a.stop();
  });

  it('makes a second candidate wait while the leader renews', async () => {
    const clock = new ManualClock();
    const store = new FakeLeaseStore(clock);
    const a = candidate('a', clock, store);
    await clock.advance(0);
    const b = candidate('b', clock, store);
    await clock.advance(120_000);
    expect(a.el.isLeader()).toBe(true);
    expect(b.el.isLeader()).toBe(false);
    expect(b.started).toEqual([]);
    expect(b.el.leader()).toBe('a');
    expect(b.newLeaders).toEqual(['a']);
    await b.stop();
    await a.stop();
  });

  it('takes over an expired lease after leaseDuration on its own clock, bumping leaseTransitions', async () => {
    const clock = new ManualClock();
    const store = new FakeLeaseStore(clock);
    const a = candidate('a', clock, store, { releaseOnCancel: false });
    await clock.advance(0);
    const b = candidate('b', clock, store);
    await clock.advance(10_000);
    const acquiredByA = store.peek(NS, NAME)?.spec.acquireTime;

    await a.stop(); // dies without releasing
    const lastWriteByA = store.writes.filter((w) => w.client === 'a').at(-1)?.at ?? NaN;
    await advanceUntil(clock, () => b.el.isLeader(), 30_000);

    const takeover = b.started[0] ?? NaN;
    // b must have seen the last record unchanged for 15 s; it polls every 2 s × [1, 2.2).
    expect(takeover - lastWriteByA).toBeGreaterThanOrEqual(15_000);
    expect(takeover - lastWriteByA).toBeLessThanOrEqual(15_000 + 4_400 + 50);
    const lease = store.peek(NS, NAME);
    expect(lease?.spec.holderIdentity).toBe('b');
    expect(lease?.spec.leaseTransitions).toBe(1);
    expect(lease?.spec.acquireTime).not.toBe(acquiredByA);
    expect(lease?.spec.acquireTime).toBe(formatMicroTime(clock.now() - (clock.monotonic() - takeover)));
    expect(b.newLeaders).toEqual(['a', 'b']);
    await b.stop();
  });

  it('steps down when renewals fail for renewDeadline, before anyone can take over', async () => {
    const clock = new ManualClock();
    const store = new FakeLeaseStore(clock);
    let signal: AbortSignal | undefined;
    const a = candidate('a', clock, store, {
      onStartedLeading: (s) => {
        signal = s;
      },
    });
    await clock.advance(0);
    const b = candidate('b', clock, store);
    await clock.advance(9_000);
    const lastOk = store.writes.filter((w) => w.client === 'a').at(-1)?.at ?? NaN;

    store.injector = (op, client) => (client === 'a' ? { kind: 'error', status: 500 } : undefined);
    await advanceUntil(clock, () => !a.el.isLeader(), 20_000, 10);
    expect(signal?.aborted).toBe(true);
    expect(a.stopped).toHaveLength(1);
    // The write at lastOk was sent at lastOk (no latency): the term ends exactly 10 s later.
    expect(a.stopped[0]).toBe(lastOk + 10_000);

    await advanceUntil(clock, () => b.el.isLeader(), 30_000);
    expect(b.started[0]).toBeGreaterThanOrEqual(lastOk + 15_000);
    expect((b.started[0] ?? 0) - (a.stopped[0] ?? 0)).toBeGreaterThanOrEqual(5_000);

    // When a's API access heals, it finds b leading and waits.
    store.injector = undefined;
    await clock.advance(30_000);
    expect(a.el.isLeader()).toBe(false);
    expect(a.el.leader()).toBe('b');
    await a.stop();
    await b.stop();
  });

  it('counts a term from the send time of its last renewal, so a late answer cannot stretch it', async () => {
    const clock = new ManualClock();
    const store = new FakeLeaseStore(clock);
    const a = candidate('a', clock, store);
    await clock.advance(0);
    const b = candidate('b', clock, store);
    await clock.advance(5_000);
    // a's renewal at 6 s commits at once but its answer takes 7 s; then a is cut off.
    let slowOnce = true;
    store.latency = (op, client) => {
      if (client === 'a' && op === 'replace' && slowOnce) {
        slowOnce = false;
        return [0, 7_000];
      }
      return [0, 0];
    };
    await clock.advance(1_000);
    store.partitioned.add('a');
    const commit = store.writes.filter((w) => w.client === 'a').at(-1)?.at;
    expect(commit).toBe(6_000);

    await advanceUntil(clock, () => b.el.isLeader(), 30_000, 10);
    expect(a.stopped).toEqual([16_000]); // 6 s + renewDeadline, although the answer came at 13 s
    expect(b.started[0]).toBeGreaterThanOrEqual(6_000 + 15_000);
    await a.stop();
    await b.stop();
  });

  it('steps down at once on a 409 during renewal and re-acquires only through a fresh read', async () => {
    const clock = new ManualClock();
    const store = new FakeLeaseStore(clock);
    const a = candidate('a', clock, store);
    await clock.advance(0);
    await clock.advance(4_000);
    store.failNext({ kind: 'conflict' }, { op: 'replace', client: 'a' });
    const t = clock.monotonic();
    await advanceUntil(clock, () => a.stopped.length === 1, 3_000, 10);
    expect(a.stopped[0]).toBe(t + 2_000); // the very next renewal
    expect(a.el.isLeader()).toBe(false);
    // The lease still names a, nobody else wrote it: a reads it and takes it back, same holder,
    // so leaseTransitions does not move.
    await advanceUntil(clock, () => a.started.length === 2, 10_000);
    expect(store.peek(NS, NAME)?.spec).toMatchObject({ holderIdentity: 'a', leaseTransitions: 0 });
    await a.stop();
  });

  it('steps down when the lease was taken by someone else meanwhile', async () => {
    const clock = new ManualClock();
    const store = new FakeLeaseStore(clock);
    const a = candidate('a', clock, store);
    await clock.advance(1_000);
    const cur = store.peek(NS, NAME);
    if (cur === undefined) throw new Error('no lease');
    // Another implementation overwrites it (e.g. a misconfigured peer).
    store.put({ ...cur, spec: { ...cur.spec, holderIdentity: 'intruder', leaseTransitions: 1 } });
    await clock.advance(1_000);
    expect(a.stopped).toHaveLength(1);
    expect(a.el.isLeader()).toBe(false);
    await clock.advance(5_000);
    expect(a.el.leader()).toBe('intruder');
    expect(a.started).toHaveLength(1);
    await a.stop();
  });

  it('creates only once when two candidates start together (AlreadyExists, then re-read)', async () => {
    const clock = new ManualClock();
    const store = new FakeLeaseStore(clock);
    store.latency = () => [5, 5];
    const a = candidate('a', clock, store);
    const b = candidate('b', clock, store);
    await clock.advance(100);
    expect([a.el.isLeader(), b.el.isLeader()].filter(Boolean)).toHaveLength(1);
    expect(store.writes.filter((w) => w.op === 'create')).toHaveLength(1);
    await clock.advance(60_000);
    expect(a.started.length + b.started.length).toBe(1);
    await a.stop();
    await b.stop();
  });

  it('releases on graceful stop, after the leader work ended, so a standby takes over at once', async () => {
    const clock = new ManualClock();
    const store = new FakeLeaseStore(clock);
    let workEnded = NaN;
    const a = candidate('a', clock, store, {
      // The work needs 300 ms to wind down after its signal aborts.
      onStartedLeading: (signal) =>
        new Promise<void>((resolve) => {
          signal.addEventListener('abort', () =>
            clock.setTimeout(() => {
              workEnded = clock.monotonic();
              resolve();
            }, 300),
          );
        }),
    });
    await clock.advance(0);
    const b = candidate('b', clock, store);
    await clock.advance(7_000);

    const stopAt = clock.monotonic();
    await a.stop();
    const release = store.writes.at(-1);
    expect(release).toMatchObject({ client: 'a', holder: '', at: workEnded });
    expect(workEnded).toBe(stopAt + 300);
    expect(store.peek(NS, NAME)?.spec.leaseDurationSeconds).toBe(1);

    const waited = await advanceUntil(clock, () => b.el.isLeader(), 15_000);
    expect(waited).toBeLessThanOrEqual(4_400 + 50); // one jittered retry, not a 15 s expiry
    expect(store.peek(NS, NAME)?.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    await b.stop();
  });

  it('ignores remote timestamps: skewed clocks neither speed up nor block a takeover', async () => {
    for (const ghostRenew of ['2020-01-01T00:00:00.000000Z', '2099-01-01T00:00:00.000000Z']) {
      const clock = new ManualClock();
      const store = new FakeLeaseStore(clock);
      store.put({
        metadata: { namespace: NS, name: NAME },
        spec: {
          holderIdentity: 'ghost',
          leaseDurationSeconds: 15,
          renewTime: ghostRenew,
          acquireTime: ghostRenew,
        },
      });
      const b = candidate('b', clock, store, { skewMs: 3_600_000 });
      const waited = await advanceUntil(clock, () => b.el.isLeader(), 30_000);
      expect(waited).toBeGreaterThanOrEqual(15_000);
      expect(waited).toBeLessThanOrEqual(15_000 + 4_400 + 50);
      await b.stop();
    }
  });

  it('is unaffected by clock skew between live candidates', async () => {
    const clock = new ManualClock();
    const store = new FakeLeaseStore(clock);
    // a's wall clock is an hour behind, c's an hour ahead: their renewTimes look stale or future.
    const a = candidate('a', clock, store, { skewMs: -3_600_000 });
    await clock.advance(0);
    const c = candidate('c', clock, store, { skewMs: 3_600_000 });
    await clock.advance(60_000);
    expect(a.el.isLeader()).toBe(true);
    expect(c.el.isLeader()).toBe(false);
    expect(store.peek(NS, NAME)?.spec.renewTime?.startsWith('2026-12-02T00:')).toBe(true);

    store.partitioned.add('a');
    const cut = clock.monotonic();
    await advanceUntil(clock, () => c.el.isLeader(), 40_000);
    expect((a.stopped[0] ?? NaN) - cut).toBeLessThanOrEqual(10_000);
    expect((c.started[0] ?? NaN) - (a.stopped[0] ?? NaN)).toBeGreaterThanOrEqual(5_000);
    await a.stop();
    await c.stop();
  });

  it('never has two leaders at once, over many random interleavings of latency, errors and 409s', async () => {
    const TRIALS = 60;
    let acquisitions = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      const rand = rng(1000 + trial);
      let chaos = true;
      const clock = new ManualClock();
      const store = new FakeLeaseStore(clock);
      store.latency = () => {
        // Some answers arrive later than leaseDuration - renewDeadline after the commit.
        const slow = chaos && rand() < 0.06;
        return slow ? [rand() * 3_000, 4_000 + rand() * 6_000] : [rand() * 400, rand() * 400];
      };
      store.injector = (): Fault | undefined => {
        if (!chaos) return undefined;
        const r = rand();
        if (r < 0.08) return { kind: 'error', status: 500 };
        if (r < 0.14) return { kind: 'conflict' };
        if (r < 0.18) return { kind: 'lostResponse' };
        if (r < 0.2) return { kind: 'hang' };
        return undefined;
      };

      const active = new Set<string>();
      const violations: string[] = [];
      const cands: Candidate[] = [];
      for (const id of ['a', 'b', 'c']) {
        cands.push(
          candidate(id, clock, store, {
            skewMs: Math.round((rand() - 0.5) * 7_200_000),
            random: rand,
            onStartedLeading: (signal) => {
              if (active.size > 0)
                violations.push(`t=${clock.monotonic()} ${id} started while ${[...active].join()} led`);
              const others = cands.filter((c) => c.id !== id && c.el.isLeader()).map((c) => c.id);
              if (others.length > 0)
                violations.push(`t=${clock.monotonic()} ${id} started while ${others.join()} isLeader()`);
              active.add(id);
              signal.addEventListener('abort', () => active.delete(id));
            },
          }),
        );
      }

      const end = 180_000;
      while (clock.monotonic() < end) {
        if (clock.monotonic() > 120_000) chaos = false;
        const r = rand();
        // Occasionally cut a candidate (most often the leader) off the API server for a while.
        if (r < 0.02) {
          const leader = cands.find((c) => c.el.isLeader());
          const victim = leader !== undefined && rand() < 0.7 ? leader : cands[Math.floor(rand() * 3)];
          if (victim !== undefined) store.partitioned.add(victim.id);
        } else if (r < 0.03 || !chaos) store.partitioned.clear();
        await clock.advance(rand() * 300);
        const leaders = cands.filter((c) => c.el.isLeader()).map((c) => c.id);
        if (leaders.length > 1) violations.push(`t=${clock.monotonic()} isLeader() on ${leaders.join()}`);
      }
      expect(violations, `seed ${1000 + trial}`).toEqual([]);
      // Liveness: after 60 s without faults there is exactly one leader.
      expect(
        cands.filter((c) => c.el.isLeader()),
        `seed ${1000 + trial}`,
      ).toHaveLength(1);
      acquisitions += cands.reduce((n, c) => n + c.started.length, 0);
      for (const c of cands) await c.stop();
    }
    expect(acquisitions).toBeGreaterThan(TRIALS);
  });
});
