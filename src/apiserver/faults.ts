// Fault injection for tests: canned Status errors for matching requests, dropped watch
// connections, added latency, and a request counter.
import { forCode } from './errors.js';
import type { StatusError } from './errors.js';
import type { OpenWatch } from './http/watch.js';

export interface FaultRule {
  method?: string;
  /** substring of, or regex over, the URL path plus query */
  path?: string | RegExp;
  /** true: only watch requests; false: only non-watch requests */
  watch?: boolean;
  status: number;
  /** how many requests to fail; default 1; Infinity allowed */
  times?: number;
}

export interface Faults {
  failNext(rule: FaultRule): void;
  dropWatches(filter?: (path: string) => boolean): number;
  setLatency(ms: number): void;
  clear(): void;
  readonly requests: number;
}

interface ActiveRule extends FaultRule {
  left: number;
}

export class FaultInjector implements Faults {
  private rules: ActiveRule[] = [];
  latencyMs = 0;
  private count = 0;
  readonly watches = new Set<OpenWatch>();

  get requests(): number {
    return this.count;
  }

  countRequest(): void {
    this.count++;
  }

  failNext(rule: FaultRule): void {
    this.rules.push({ ...rule, left: rule.times ?? 1 });
  }

  dropWatches(filter?: (path: string) => boolean): number {
    let n = 0;
    for (const w of [...this.watches]) {
      if (filter && !filter(w.path)) continue;
      w.drop();
      n++;
    }
    return n;
  }

  setLatency(ms: number): void {
    this.latencyMs = Math.max(0, ms);
  }

  clear(): void {
    this.rules = [];
    this.latencyMs = 0;
  }

  /** The error to answer with, if a rule matches (and is consumed). */
  match(method: string, pathAndQuery: string, isWatch: boolean): StatusError | undefined {
    for (const r of this.rules) {
      if (r.left <= 0) continue;
      if (r.method && r.method.toUpperCase() !== method) continue;
      if (r.watch !== undefined && r.watch !== isWatch) continue;
      if (r.path !== undefined) {
        const ok = typeof r.path === 'string' ? pathAndQuery.includes(r.path) : r.path.test(pathAndQuery);
        if (!ok) continue;
      }
      r.left--;
      this.rules = this.rules.filter((x) => x.left > 0);
      return forCode(r.status);
    }
    return undefined;
  }
}
