// kube-apiserver's storage compactor: every interval, compact etcd history to the revision seen
// at the previous tick, so history (for Exact lists and continue tokens) stays bounded.
import type { Revision } from '../storage/store.js';

export class Compactor {
  private timer: NodeJS.Timeout | undefined;
  private last = 0;

  constructor(
    private readonly revision: Revision,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    if (this.intervalMs <= 0) return;
    this.last = this.revision.current;
    this.timer = setInterval(() => {
      if (this.last > 0) this.revision.compact(this.last);
      this.last = this.revision.current;
    }, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** Periodic expiry of TTL'd objects (Events). */
export class Expirer {
  private timer: NodeJS.Timeout | undefined;
  constructor(
    private readonly sweep: () => void,
    private readonly intervalMs: number,
  ) {}
  start(): void {
    this.timer = setInterval(this.sweep, this.intervalMs);
    this.timer.unref();
  }
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
