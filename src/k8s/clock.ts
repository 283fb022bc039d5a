// Time as an injected port: timing logic (leases, backoff) is tested with a manual clock that the
// test advances, never with sleeps.

/** Opaque handle returned by Clock.setTimeout. */
export interface Timer {
  readonly __timer: unique symbol;
}

export interface Clock {
  /** Wall-clock milliseconds since the epoch. Only for timestamps written into objects. */
  now(): number;
  /** Monotonic milliseconds from an arbitrary origin. For every duration and deadline. */
  monotonic(): number;
  setTimeout(fn: () => void, ms: number): Timer;
  clearTimeout(timer: Timer): void;
}

/** The process clock. Durations use performance.now() so a wall-clock step (NTP) cannot fake expiry. */
export const realClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, Math.max(0, ms)) as unknown as Timer,
  clearTimeout: (timer) => clearTimeout(timer as unknown as NodeJS.Timeout),
};

/**
 * Resolves after `ms` on `clock`, or as soon as `signal` aborts (it resolves then too: callers
 * check `signal.aborted`, so an abort is never an unhandled rejection).
 */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const onAbort = (): void => {
      clock.clearTimeout(timer);
      resolve();
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

interface PendingTimer {
  id: number;
  due: number;
  fn: () => void;
}

/** Lets every promise chain that is not waiting on real I/O run to its next await on a timer. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 2; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * A clock that moves only when a test calls `advance`. Timers fire in due order (ties in creation
 * order) and pending promise chains settle after each one, so code that awaits and then schedules
 * the next timer behaves as it would in real time.
 */
export class ManualClock implements Clock {
  #mono = 0;
  readonly #wallOrigin: number;
  #nextId = 1;
  readonly #timers = new Map<number, PendingTimer>();

  constructor(wallOriginMs = Date.UTC(2026, 11, 2, 1, 2, 3, 123)) {
    this.#wallOrigin = wallOriginMs;
  }

  now(): number {
    return this.#wallOrigin + this.#mono;
  }

  monotonic(): number {
    return this.#mono;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    const id = this.#nextId++;
    this.#timers.set(id, { id, due: this.#mono + Math.max(0, ms), fn });
    return id as unknown as Timer;
  }

  clearTimeout(timer: Timer): void {
    this.#timers.delete(timer as unknown as number);
  }

  /** Number of timers not yet fired or cleared. */
  pendingTimers(): number {
    return this.#timers.size;
  }

  /** Delays (from now) of the pending timers, soonest first. */
  pendingDelays(): number[] {
    return [...this.#timers.values()].map((t) => t.due - this.#mono).sort((a, b) => a - b);
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const target = this.#mono + Math.max(0, ms);
    for (;;) {
      await settle();
      let next: PendingTimer | undefined;
      for (const t of this.#timers.values()) {
        if (
          t.due <= target &&
          (next === undefined || t.due < next.due || (t.due === next.due && t.id < next.id))
        ) {
          next = t;
        }
      }
      if (next === undefined) break;
      this.#timers.delete(next.id);
      this.#mono = next.due;
      next.fn();
    }
    this.#mono = target;
    await settle();
  }

  /**
   * A view on this clock whose wall time is off by `offsetMs` (a machine with a skewed clock).
   * Monotonic time and timers are shared, as real time passes equally for every machine.
   */
  skewed(offsetMs: number): Clock {
    return {
      now: () => this.now() + offsetMs,
      monotonic: () => this.monotonic(),
      setTimeout: (fn, ms) => this.setTimeout(fn, ms),
      clearTimeout: (timer) => this.clearTimeout(timer),
    };
  }
}
