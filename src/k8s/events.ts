// Records core/v1 Events about objects, the way kubectl describe shows them.
// Repeats of the same (object, type, reason, message) within a while are folded into one Event
// whose count and lastTimestamp grow, as client-go's recorder does, so a flapping condition
// cannot flood the API server. Events are best effort: a failed write is logged, never retried
// forever, and never blocks the caller.
import type { CoreV1Event, KubernetesObject, V1ObjectReference } from '@kubernetes/client-node';
import type { Logger } from '../log/logger.js';

export type EventType = 'Normal' | 'Warning';

export interface EventSink {
  create(namespace: string, event: CoreV1Event): Promise<CoreV1Event>;
  /** Merge-patches count/lastTimestamp of an existing Event; rejects (e.g. 404) when it is gone. */
  bump(namespace: string, name: string, count: number, lastTimestamp: Date): Promise<void>;
}

export interface EventRecorderOptions {
  sink: EventSink;
  component: string; // e.g. "ironlb-controller"
  instance: string; // e.g. pod name
  log: Logger;
  now?: () => Date;
  /** Fold identical events seen again within this window (default 10 minutes, like client-go). */
  foldWindowMs?: number;
  /** Drop new events while this many writes are in flight (protects the API server). */
  maxInFlight?: number;
}

interface Folded {
  namespace: string;
  name: string;
  count: number;
  last: number;
}

const FOLD_CACHE_LIMIT = 4096;

export class EventRecorder {
  readonly #opts: Required<Omit<EventRecorderOptions, 'now'>> & { now: () => Date };
  readonly #folded = new Map<string, Folded>();
  #inFlight = 0;
  #sequence = 0;
  #dropped = 0;

  constructor(opts: EventRecorderOptions) {
    this.#opts = { foldWindowMs: 600_000, maxInFlight: 64, now: () => new Date(), ...opts };
  }

  /** Number of events dropped because too many writes were in flight. */
  get dropped(): number {
    return this.#dropped;
  }

  event(ref: V1ObjectReference, type: EventType, reason: string, message: string): void {
    const namespace = ref.namespace || 'default';
    const key = `${ref.uid ?? `${namespace}/${ref.name ?? ''}`}\u0000${type}\u0000${reason}\u0000${message}`;
    const now = this.#opts.now();
    const folded = this.#folded.get(key);
    if (this.#inFlight >= this.#opts.maxInFlight) {
      this.#dropped++;
      this.#opts.log.warn(
        { reason, object: `${namespace}/${ref.name ?? ''}` },
        'event dropped: too many in flight',
      );
      return;
    }
    if (folded && now.getTime() - folded.last < this.#opts.foldWindowMs) {
      folded.count++;
      folded.last = now.getTime();
      this.#track(
        this.#opts.sink.bump(folded.namespace, folded.name, folded.count, now).catch((err: unknown) => {
          // The Event may have been garbage collected (TTL): start a fresh one next time.
          this.#folded.delete(key);
          this.#opts.log.debug({ err, reason }, 'event bump failed');
        }),
      );
      return;
    }
    // Like client-go: the object's name and a nanosecond timestamp in hex (kept unique per process).
    const nanos = BigInt(now.getTime()) * 1_000_000n + BigInt(this.#sequence++ % 1_000_000);
    const name = `${ref.name ?? 'unknown'}.${nanos.toString(16)}`;
    const ts = now;
    const event: CoreV1Event = {
      metadata: { name, namespace },
      involvedObject: ref,
      reason,
      message,
      type,
      count: 1,
      firstTimestamp: ts,
      lastTimestamp: ts,
      source: { component: this.#opts.component },
      reportingComponent: this.#opts.component,
      reportingInstance: this.#opts.instance,
    };
    if (this.#folded.size >= FOLD_CACHE_LIMIT) {
      const oldest = this.#folded.keys().next().value;
      if (oldest !== undefined) this.#folded.delete(oldest);
    }
    this.#folded.set(key, { namespace, name, count: 1, last: now.getTime() });
    this.#track(
      this.#opts.sink.create(namespace, event).then(
        () => undefined,
        (err: unknown) => {
          this.#folded.delete(key);
          this.#opts.log.warn(
            { err: String(err), reason, object: `${namespace}/${ref.name ?? ''}` },
            'event write failed',
          );
        },
      ),
    );
  }

  #track(p: Promise<void>): void {
    this.#inFlight++;
    void p.finally(() => {
      this.#inFlight--;
    });
  }
}

/** A reference to an object for Events; list items carry no kind/apiVersion, so callers name them. */
export function objectRef(kind: string, apiVersion: string, obj: KubernetesObject): V1ObjectReference {
  const m = obj.metadata ?? {};
  return {
    kind,
    apiVersion,
    name: m.name,
    namespace: m.namespace,
    uid: m.uid,
    resourceVersion: m.resourceVersion,
  };
}
