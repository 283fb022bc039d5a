// The watch cache of one resource: a bounded window of recent events and the open watchers.
// Like kube-apiserver's cacher it starts at the revision it was created at, so watches from
// older revisions are "too old", and it forgets its oldest events once the window is full.
import type { StoredObject } from './stored-object.js';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface CacheEvent {
  readonly type: EventType;
  readonly rv: number;
  /** state after the event (for DELETED: the last state, stamped with the delete revision) */
  readonly obj: StoredObject;
  /** state before the event */
  readonly prev: StoredObject | undefined;
  /** serialised watch lines, per API view, made once and shared by all watchers of that view */
  readonly lines: Map<string, string>;
}

export interface CacheWatcher {
  onEvent(ev: CacheEvent): void;
  /** server-side close of every watch, e.g. when the resource goes away */
  terminate(): void;
}

export class TooOld extends Error {
  constructor(
    readonly requested: number,
    readonly oldest: number,
  ) {
    super(`too old resource version: ${requested} (${oldest})`);
  }
}

export class WatchCache {
  private readonly ring: (CacheEvent | undefined)[];
  private start = 0;
  private count = 0;
  private readonly watchers = new Set<CacheWatcher>();
  /** newest event revision seen by this resource (bookmarks report it) */
  lastEventRV = 0;

  constructor(
    readonly capacity: number,
    /** revision the cache was initialised at: it can serve watches from here on */
    private windowStart: number,
  ) {
    this.ring = new Array<CacheEvent | undefined>(Math.max(1, capacity));
  }

  /** Starts the window afresh at `rv`, as a cache initialised from a list at that revision. */
  reset(rv: number): void {
    this.ring.fill(undefined);
    this.start = 0;
    this.count = 0;
    this.windowStart = rv;
    this.lastEventRV = 0;
  }

  get oldestServable(): number {
    return this.windowStart;
  }

  add(type: EventType, obj: StoredObject, prev: StoredObject | undefined): void {
    const ev: CacheEvent = { type, rv: obj.rv, obj, prev, lines: new Map() };
    if (this.count === this.ring.length) {
      const evicted = this.ring[this.start] as CacheEvent;
      this.windowStart = evicted.rv;
      this.start = (this.start + 1) % this.ring.length;
      this.count--;
    }
    this.ring[(this.start + this.count) % this.ring.length] = ev;
    this.count++;
    this.lastEventRV = ev.rv;
    for (const w of [...this.watchers]) w.onEvent(ev);
  }

  /** Events after `rv`, oldest first; throws TooOld when the window no longer reaches back. */
  since(rv: number): CacheEvent[] {
    if (rv < this.windowStart) throw new TooOld(rv, this.windowStart);
    // Binary search for the first event newer than rv.
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.at(mid) as CacheEvent).rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    const out: CacheEvent[] = [];
    for (let i = lo; i < this.count; i++) out.push(this.at(i) as CacheEvent);
    return out;
  }

  private at(i: number): CacheEvent | undefined {
    return this.ring[(this.start + i) % this.ring.length];
  }

  addWatcher(w: CacheWatcher): void {
    this.watchers.add(w);
  }
  removeWatcher(w: CacheWatcher): void {
    this.watchers.delete(w);
  }
  get watcherCount(): number {
    return this.watchers.size;
  }
  closeAll(): void {
    for (const w of [...this.watchers]) w.terminate();
    this.watchers.clear();
  }
}
