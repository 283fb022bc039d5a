// The allocator's working state for one allocate() call: where an address lives (which pool, which
// entry), who uses it, which addresses are off limits this round, and where the next free address
// of each pool entry is. Lookups are by bigint per family; free-address search walks a cursor per
// pool entry past used addresses only, so huge IPv6 ranges are never enumerated.
import { formatIP, isBuggyIP, type IPAddress, type IPFamily } from '../net/ip.js';
import { InvariantError } from './invariant.js';
import type { ParsedPool, PoolRange } from './pools.js';

export interface Holder {
  readonly key: string;
  readonly sharingKey: string;
  readonly backendKey: string;
  readonly ports: readonly string[];
}

export interface Location {
  readonly pool: ParsedPool;
  readonly range: PoolRange;
}

/** An address in use by one Service, or by several that share it. */
export interface IPUse extends Location {
  readonly addr: IPAddress;
  readonly sharingKey: string;
  readonly backendKey: string;
  /** In the order they took the address; all have the sharing and backend key above. */
  readonly holders: Holder[];
}

export interface Reservation {
  readonly by: string;
  readonly why: string;
}

export type Verdict =
  { readonly ok: true } | { readonly ok: false; readonly by: string; readonly why: string };

interface Interval {
  readonly first: bigint;
  readonly last: bigint;
  readonly loc: Location;
}

const byFamily = <T>(make: () => T): Record<IPFamily, T> => ({ IPv4: make(), IPv6: make() });

export class AddressBook {
  readonly #intervals: Record<IPFamily, Interval[]> = byFamily(() => []);
  readonly #uses: Record<IPFamily, Map<bigint, IPUse>> = byFamily(() => new Map());
  readonly #reserved: Record<IPFamily, Map<bigint, Reservation>> = byFamily(() => new Map());
  readonly #bySharingKey = new Map<string, Set<IPUse>>();
  readonly #cursors = new Map<PoolRange, bigint>();

  constructor(pools: readonly ParsedPool[]) {
    for (const pool of pools) {
      for (const range of pool.ranges)
        this.#intervals[range.family].push({ first: range.first, last: range.last, loc: { pool, range } });
    }
    for (const list of Object.values(this.#intervals)) {
      list.sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
      for (let i = 1; i < list.length; i++) {
        const prev = list[i - 1];
        const cur = list[i];
        if (prev && cur && cur.first <= prev.last) {
          throw new InvariantError(
            `pools ${prev.loc.pool.name} and ${cur.loc.pool.name} overlap; parsePools must reject one`,
          );
        }
      }
    }
  }

  /** The pool entry holding `addr`, or undefined when no pool has it. */
  locate(addr: IPAddress): Location | undefined {
    const list = this.#intervals[addr.family];
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const iv = list[mid];
      if (!iv) break;
      if (addr.value < iv.first) hi = mid - 1;
      else if (addr.value > iv.last) lo = mid + 1;
      else return iv.loc;
    }
    return undefined;
  }

  use(addr: IPAddress): IPUse | undefined {
    return this.#uses[addr.family].get(addr.value);
  }

  reservation(addr: IPAddress): Reservation | undefined {
    return this.#reserved[addr.family].get(addr.value);
  }

  /** Keeps `addr` out of this round's choices (its current holder's status is being cleared). */
  reserve(addr: IPAddress, by: string, why: string): void {
    if (this.use(addr) || this.reservation(addr)) return;
    this.#reserved[addr.family].set(addr.value, { by, why });
  }

  /** May `holder` use `addr` next to its current users? Says who is in the way and why if not. */
  check(addr: IPAddress, holder: Holder): Verdict {
    const reserved = this.reservation(addr);
    if (reserved && reserved.by !== holder.key) return { ok: false, by: reserved.by, why: reserved.why };
    const use = this.use(addr);
    if (!use) return { ok: true };
    const first = use.holders.find((h) => h.key !== holder.key)?.key;
    if (first === undefined) return { ok: true };
    if (use.sharingKey === '') return { ok: false, by: first, why: `${first} does not allow sharing` };
    if (holder.sharingKey === '') return { ok: false, by: first, why: 'this Service has no sharing key' };
    if (use.sharingKey !== holder.sharingKey) {
      return {
        ok: false,
        by: first,
        why: `sharing keys differ: "${holder.sharingKey}" vs "${use.sharingKey}"`,
      };
    }
    if (use.backendKey !== holder.backendKey) {
      return {
        ok: false,
        by: first,
        why: 'externalTrafficPolicy or pod selectors differ (Local Services may share only when they select the same pods)',
      };
    }
    for (const other of use.holders) {
      if (other.key === holder.key) continue;
      const clashes = holder.ports.filter((p) => other.ports.includes(p));
      if (clashes.length > 0)
        return { ok: false, by: other.key, why: `ports overlap: ${clashes.join(', ')}` };
    }
    return { ok: true };
  }

  take(addr: IPAddress, loc: Location, holder: Holder): void {
    const verdict = this.check(addr, holder);
    if (!verdict.ok)
      throw new InvariantError(`take of ${formatIP(addr)} by ${holder.key} refused: ${verdict.why}`);
    this.#reserved[addr.family].delete(addr.value);
    let use = this.use(addr);
    if (!use) {
      use = {
        pool: loc.pool,
        range: loc.range,
        addr,
        sharingKey: holder.sharingKey,
        backendKey: holder.backendKey,
        holders: [],
      };
      this.#uses[addr.family].set(addr.value, use);
      if (holder.sharingKey !== '') {
        let set = this.#bySharingKey.get(holder.sharingKey);
        if (!set) this.#bySharingKey.set(holder.sharingKey, (set = new Set()));
        set.add(use);
      }
    }
    if (!use.holders.some((h) => h.key === holder.key)) use.holders.push(holder);
  }

  /** Drops `holder` from `addr`; the address is then reserved for the rest of this round. */
  release(addr: IPAddress, holder: Holder, why: string): void {
    const use = this.use(addr);
    const at = use?.holders.findIndex((h) => h.key === holder.key) ?? -1;
    if (!use || at < 0)
      throw new InvariantError(`release of ${formatIP(addr)} by ${holder.key}, which does not hold it`);
    use.holders.splice(at, 1);
    if (use.holders.length > 0) return;
    this.#uses[addr.family].delete(addr.value);
    this.#bySharingKey.get(use.sharingKey)?.delete(use);
    this.reserve(addr, holder.key, why);
  }

  /** The first address of `pool` and `family` that nobody uses, in spec order, or undefined. */
  firstFree(pool: ParsedPool, family: IPFamily): { addr: IPAddress; loc: Location } | undefined {
    const uses = this.#uses[family];
    const reserved = this.#reserved[family];
    const skipBuggy = pool.avoidBuggyIPs && family === 'IPv4';
    for (const range of pool.ranges) {
      if (range.family !== family) continue;
      let v = this.#cursors.get(range) ?? range.first;
      // Cursors only move past taken addresses; nothing is freed behind one (release reserves).
      while (v <= range.last && ((skipBuggy && isBuggyIP(family, v)) || uses.has(v) || reserved.has(v))) v++;
      this.#cursors.set(range, v);
      if (v <= range.last) return { addr: { family, value: v }, loc: { pool, range } };
    }
    return undefined;
  }

  /**
   * The best address already used under `holder`'s sharing key that `holder` may join: earliest
   * pool in `poolRank`, then spec order within the pool.
   */
  findShared(
    holder: Holder,
    family: IPFamily,
    poolRank: ReadonlyMap<string, number>,
  ): { addr: IPAddress; loc: Location } | undefined {
    if (holder.sharingKey === '') return undefined;
    let best: IPUse | undefined;
    let bestRank = 0;
    for (const use of this.#bySharingKey.get(holder.sharingKey) ?? []) {
      const rank = poolRank.get(use.pool.name);
      if (use.addr.family !== family || rank === undefined) continue;
      if (use.pool.avoidBuggyIPs && isBuggyIP(family, use.addr.value)) continue;
      if (!this.check(use.addr, holder).ok) continue;
      const better =
        !best ||
        rank < bestRank ||
        (rank === bestRank &&
          (use.range.index < best.range.index ||
            (use.range.index === best.range.index && use.addr.value < best.addr.value)));
      if (better) {
        best = use;
        bestRank = rank;
      }
    }
    return best ? { addr: best.addr, loc: best } : undefined;
  }

  /** Addresses in use or reserved, per pool name and family. */
  countInUse(): Map<string, Record<IPFamily, number>> {
    const counts = new Map<string, Record<IPFamily, number>>();
    const bump = (pool: string, family: IPFamily): void => {
      let c = counts.get(pool);
      if (!c) counts.set(pool, (c = { IPv4: 0, IPv6: 0 }));
      c[family]++;
    };
    for (const family of ['IPv4', 'IPv6'] as const) {
      for (const use of this.#uses[family].values()) bump(use.pool.name, family);
      for (const value of this.#reserved[family].keys()) {
        const loc = this.locate({ family, value });
        if (loc && !(loc.pool.avoidBuggyIPs && isBuggyIP(family, value))) bump(loc.pool.name, family);
      }
    }
    return counts;
  }
}
