// The IP allocator: a pure function from a full snapshot (valid pools, namespace labels, every
// Service) to a plan (per Service: assigned / failed / release / ignore; per pool: counts).
//
// Rules, in the order they apply:
// 1. Services that are not ours (not type LoadBalancer, or another loadBalancerClass) are released
//    when they carry our ironlb.io/ip-allocated-from-pool annotation (proof that we wrote their
//    status), and ignored otherwise.
// 2. Status is the source of truth. Services that already show IPs are processed first, oldest first
//    (creationTimestamp, then namespace/name), and keep every IP that is still in a pool, allowed for
//    them and compatible with the IP's earlier holders. A restart therefore never moves an IP; when
//    two Services claim one IP incompatibly the older keeps it and the conflict is reported.
// 3. Then every Service gets its missing families, oldest first: the requested IP, else (sharing
//    key) an IP already shared under the key, else the first free address of the first pool in
//    order. Pool order: the annotated pool only; otherwise pools whose serviceAllocation matches, by
//    priority then name, followed by the other autoAssign pools by name.
// 4. SingleStack and RequireDualStack Services get every family or nothing (what they held is
//    freed); PreferDualStack keeps what it can get and notes what is missing, and gains the
//    missing family in a later round once there is room. An invalid request (spec.loadBalancerIP
//    and the annotation together, garbage, a family the Service does not have) fails the Service.
// autoAssign only governs automatic picks: a held or requested IP may come from an autoAssign:
// false pool. A pool's serviceAllocation, by contrast, binds every path (held, requested, named).
// IPs dropped this round (and IPs shown by Services being released, or by other implementations'
// Services inside our pools) are not handed out again in the same round: their holders' status is
// still being cleared, and one address must never show on two Services of different owners.
import type { Labels } from '../k8s/label-selector.js';
import { anySelectorMatches, formatSelector } from '../k8s/label-selector.js';
import { ANNOTATIONS } from '../k8s/names.js';
import { formatIP, isBuggyIP, sameIP, type IPAddress, type IPFamily } from '../net/ip.js';
import { AddressBook, type Location } from './address-book.js';
import { InvariantError } from './invariant.js';
import { compareAged } from './ordering.js';
import type { ParsedPool } from './pools.js';
import type { ServiceView } from './service-view.js';

export { InvariantError };

export interface AllocationInput {
  /** Valid pools (parsePools().valid); they must not overlap. */
  readonly pools: readonly ParsedPool[];
  /** Disabled pools and why (parsePools().invalid), to explain failures that name them. */
  readonly invalidPools?: ReadonlyMap<string, string>;
  /** Labels of each namespace, for serviceAllocation.namespaceSelectors. */
  readonly namespaceLabels: ReadonlyMap<string, Labels>;
  /** This controller's loadBalancerClass; undefined = it serves Services without a class. */
  readonly lbClass?: string | undefined;
  /** Every Service the controller sees, in any order. */
  readonly services: readonly ServiceView[];
}

export interface AssignedIP {
  /** Canonical text. */
  readonly ip: string;
  readonly family: IPFamily;
  readonly pool: string;
}

export type FailureCode =
  | 'InvalidRequest'
  | 'RequestedIPNotInPool'
  | 'RequestedIPInUse'
  | 'UnknownPool'
  | 'PoolNotAllowed'
  | 'NoPoolForService'
  | 'PoolExhausted';

export type ServiceOutcome =
  | {
      readonly kind: 'assigned';
      /** In the Service's family order (spec.ipFamilies). */
      readonly ips: readonly AssignedIP[];
      /** The IPs differ from status.loadBalancer.ingress. */
      readonly changed: boolean;
      readonly warnings?: readonly string[];
    }
  | {
      /** The Service gets no IP; any it showed is freed. */
      readonly kind: 'failed';
      readonly code: FailureCode;
      /** A sentence the user can act on. */
      readonly reason: string;
      readonly warnings?: readonly string[];
    }
  | {
      /** Not ours any more: clear our annotation and these status IPs. */
      readonly kind: 'release';
      readonly reason: string;
      readonly ips: readonly string[];
    }
  | { readonly kind: 'ignore' };

export interface PoolStats {
  readonly pool: string;
  /** In use, including addresses being released this round. Capped at Number.MAX_SAFE_INTEGER. */
  readonly assignedIPv4: number;
  readonly availableIPv4: number;
  readonly totalIPv4: number;
  readonly assignedIPv6: number;
  readonly availableIPv6: number;
  readonly totalIPv6: number;
}

export interface IPConflict {
  readonly ip: string;
  readonly keptBy: string;
  readonly lostBy: string;
  readonly reason: string;
}

export interface AllocationPlan {
  /**
   * Every input Service by "namespace/name": ours in allocation order (oldest first), then the
   * others by key. The order does not depend on the input order.
   */
  readonly services: ReadonlyMap<string, ServiceOutcome>;
  /** Every valid pool, by name. */
  readonly pools: readonly PoolStats[];
  /** IPs two Services showed in their status that could not both keep. */
  readonly conflicts: readonly IPConflict[];
}

type Choice =
  | { readonly ok: true; readonly addr: IPAddress; readonly loc: Location }
  | { readonly ok: false; readonly family: IPFamily; readonly code: FailureCode; readonly reason: string };

interface Held {
  readonly addr: IPAddress;
  readonly pool: string;
  /** Canonical text. */
  readonly text: string;
}

interface Reservation {
  readonly addr: IPAddress;
  readonly by: string;
  readonly why: string;
}

const IGNORE: ServiceOutcome = Object.freeze({ kind: 'ignore' });

const METADATA_NAME_LABEL = 'kubernetes.io/metadata.name';
const MAX_NAMES = 5;

const byName = (a: ParsedPool, b: ParsedPool): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const capCount = (n: bigint): number =>
  n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n < 0n ? 0n : n);

function nameList(names: readonly string[]): string {
  const shown = names.slice(0, MAX_NAMES).map((n) => `"${n}"`);
  return names.length > MAX_NAMES
    ? `${shown.join(', ')} and ${names.length - MAX_NAMES} more`
    : shown.join(', ');
}

function notOursBecause(svc: ServiceView, lbClass: string | undefined): string | undefined {
  if (!svc.isLoadBalancer) return 'the Service is no longer of type LoadBalancer';
  if (svc.lbClass !== lbClass) {
    const theirs = svc.lbClass === undefined ? 'no loadBalancerClass' : `loadBalancerClass "${svc.lbClass}"`;
    const ours = lbClass === undefined ? 'Services without a class' : `class "${lbClass}"`;
    return `the Service has ${theirs}; this controller handles ${ours}`;
  }
  return undefined;
}

/** One allocate() call's working state. */
class Round {
  readonly book: AddressBook;
  readonly conflicts: IPConflict[] = [];
  readonly #input: AllocationInput;
  readonly #byName: ReadonlyMap<string, ParsedPool>;
  readonly #rulePools: readonly ParsedPool[];
  readonly #generalPools: readonly ParsedPool[];
  readonly #nsLabels = new Map<string, Labels>();

  constructor(input: AllocationInput) {
    this.#input = input;
    this.book = new AddressBook(input.pools);
    this.#byName = new Map(input.pools.map((p) => [p.name, p]));
    const priority = (p: ParsedPool): number => p.allocation?.priority ?? Number.POSITIVE_INFINITY;
    this.#rulePools = input.pools
      .filter((p) => p.autoAssign && p.allocation)
      .sort((a, b) => priority(a) - priority(b) || byName(a, b));
    this.#generalPools = input.pools.filter((p) => p.autoAssign && !p.allocation).sort(byName);
  }

  get pools(): readonly ParsedPool[] {
    return this.#input.pools;
  }

  #namespaceLabels(ns: string): Labels {
    let labels = this.#nsLabels.get(ns);
    if (!labels) {
      // The API server sets this label on every namespace; add it when the snapshot lacks it.
      labels = { ...this.#input.namespaceLabels.get(ns), [METADATA_NAME_LABEL]: ns };
      this.#nsLabels.set(ns, labels);
    }
    return labels;
  }

  /** Why the pool's serviceAllocation refuses this Service, or undefined. */
  ruleRefuses(svc: ServiceView, pool: ParsedPool): string | undefined {
    const rule = pool.allocation;
    if (!rule) return undefined;
    if (rule.namespaces.size > 0 || rule.namespaceSelectors.length > 0) {
      const inList = rule.namespaces.has(svc.namespace);
      if (!inList && !anySelectorMatches(rule.namespaceSelectors, this.#namespaceLabels(svc.namespace))) {
        const parts: string[] = [];
        if (rule.namespaces.size > 0) parts.push(`namespaces ${nameList([...rule.namespaces].sort())}`);
        if (rule.namespaceSelectors.length > 0) {
          parts.push(`namespaces matching ${rule.namespaceSelectors.map(formatSelector).join(' or ')}`);
        }
        return `pool "${pool.name}" serves only Services in ${parts.join(' or ')}`;
      }
    }
    if (rule.serviceSelectors.length > 0 && !anySelectorMatches(rule.serviceSelectors, svc.labels)) {
      return `pool "${pool.name}" serves only Services matching ${rule.serviceSelectors.map(formatSelector).join(' or ')}`;
    }
    return undefined;
  }

  /** Why this Service may not hold `addr` from `pool` (besides sharing), with the failure code. */
  refusal(
    svc: ServiceView,
    pool: ParsedPool,
    addr: IPAddress,
  ): { code: FailureCode; reason: string } | undefined {
    if (svc.requested.kind === 'ips' && !svc.requested.ips.some((ip) => sameIP(ip, addr))) {
      const wanted = svc.requested.ips.map(formatIP).join(', ');
      return { code: 'InvalidRequest', reason: `${svc.requested.source} asks for ${wanted}` };
    }
    if (svc.pool !== undefined && svc.pool !== pool.name) {
      return {
        code: 'RequestedIPNotInPool',
        reason: `${formatIP(addr)} belongs to pool "${pool.name}", but ${ANNOTATIONS.addressPool} asks for pool "${svc.pool}"`,
      };
    }
    const refused = this.ruleRefuses(svc, pool);
    return refused === undefined ? undefined : { code: 'PoolNotAllowed', reason: refused };
  }

  /** Pools an unrequested, unannotated Service may draw from, best first. */
  orderedPools(svc: ServiceView): ParsedPool[] {
    return [...this.#rulePools.filter((p) => this.ruleRefuses(svc, p) === undefined), ...this.#generalPools];
  }

  #noPool(svc: ServiceView, family: IPFamily): string {
    const hints: string[] = [];
    const withFamily = this.#input.pools.filter((p) => p.capacity[family] > 0n);
    const manual = withFamily.filter((p) => !p.autoAssign).map((p) => p.name);
    if (manual.length > 0) {
      hints.push(
        `${nameList(manual)} ${manual.length > 1 ? 'have' : 'has'} autoAssign: false and must be named with the ${ANNOTATIONS.addressPool} annotation`,
      );
    }
    const restricted = withFamily
      .filter((p) => p.autoAssign && this.ruleRefuses(svc, p) !== undefined)
      .map((p) => p.name);
    if (restricted.length > 0) hints.push(`${nameList(restricted)} serve other Services (serviceAllocation)`);
    const invalid = [...(this.#input.invalidPools?.keys() ?? [])].sort();
    if (invalid.length > 0) hints.push(`${nameList(invalid)} ${invalid.length > 1 ? 'are' : 'is'} invalid`);
    const base = `no IPAddressPool offers ${family} addresses to ${svc.key}`;
    return hints.length > 0 ? `${base}; ${hints.join('; ')}` : base;
  }

  /** An address of `family` for `svc`, not yet taken. */
  choose(svc: ServiceView, family: IPFamily, ordered: () => ParsedPool[]): Choice {
    const failure = (code: FailureCode, reason: string): Choice => ({ ok: false, family, code, reason });
    if (svc.requested.kind === 'ips') {
      const addr = svc.requested.ips.find((ip) => ip.family === family);
      if (!addr) throw new InvariantError(`${svc.key} wants ${family} but requested no such IP`);
      const text = formatIP(addr);
      const loc = this.book.locate(addr);
      if (!loc) {
        const invalid = this.#input.invalidPools?.size ?? 0;
        const hint = invalid > 0 ? ' (invalid pools are not used)' : '';
        return failure('RequestedIPNotInPool', `requested IP ${text} is not in any IPAddressPool${hint}`);
      }
      if (loc.pool.avoidBuggyIPs && isBuggyIP(family, addr.value)) {
        return failure(
          'RequestedIPNotInPool',
          `requested IP ${text} ends in .0 or .255, which pool "${loc.pool.name}" excludes (avoidBuggyIPs)`,
        );
      }
      const refused = this.refusal(svc, loc.pool, addr);
      if (refused) return failure(refused.code, `requested IP ${text} cannot be used: ${refused.reason}`);
      const verdict = this.book.check(addr, svc);
      if (!verdict.ok)
        return failure(
          'RequestedIPInUse',
          `requested IP ${text} is already used by ${verdict.by} (${verdict.why})`,
        );
      return { ok: true, addr, loc };
    }

    let candidates: ParsedPool[];
    if (svc.pool !== undefined) {
      const pool = this.#byName.get(svc.pool);
      const named = `pool "${svc.pool}" named by ${ANNOTATIONS.addressPool}`;
      if (!pool) {
        const invalid = this.#input.invalidPools?.get(svc.pool);
        return failure(
          'UnknownPool',
          invalid !== undefined ? `${named} is invalid: ${invalid}` : `${named} does not exist`,
        );
      }
      const refused = this.ruleRefuses(svc, pool);
      if (refused !== undefined) return failure('PoolNotAllowed', refused);
      if (pool.capacity[family] === 0n)
        return failure('NoPoolForService', `${named} has no usable ${family} addresses`);
      candidates = [pool];
    } else {
      candidates = ordered().filter((p) => p.capacity[family] > 0n);
      if (candidates.length === 0) return failure('NoPoolForService', this.#noPool(svc, family));
    }
    const rank = new Map(candidates.map((p, i) => [p.name, i]));
    const shared = this.book.findShared(svc, family, rank);
    if (shared) return { ok: true, ...shared };
    for (const pool of candidates) {
      const free = this.book.firstFree(pool, family);
      if (free) return { ok: true, ...free };
    }
    const sharing =
      svc.sharingKey === '' ? '' : ` and no ${family} address shared under "${svc.sharingKey}" fits`;
    const where =
      candidates.length > 1
        ? `pools ${nameList(candidates.map((p) => p.name))}`
        : `pool "${candidates[0]?.name ?? ''}"`;
    return failure('PoolExhausted', `no free ${family} address is left in ${where}${sharing}`);
  }
}

/** Per-Service working state of one round. */
interface Claim {
  readonly svc: ServiceView;
  readonly held: Partial<Record<IPFamily, Held>>;
  notes: string[] | undefined;
}

function note(claim: Claim, text: string): void {
  (claim.notes ??= []).push(text);
}

/** Phase 1: keep the IPs status shows, when still allowed and not claimed by an older Service. */
function keepStatusIPs(round: Round, claim: Claim, later: Reservation[]): void {
  const { svc, held } = claim;
  const { book } = round;
  for (const s of svc.status) {
    const addr = s.addr;
    if (!addr) {
      note(claim, `status IP "${s.text}" is not an IP address; it is replaced`);
      continue;
    }
    const drop = (why: string): void => {
      note(claim, `IP ${s.text} is released: ${why}`);
      later.push({ addr, by: svc.key, why: `${svc.key} is giving it up` });
    };
    if (!svc.families.includes(addr.family)) {
      drop(`the Service (${svc.policy} ${svc.families.join('/')}) has no ${addr.family} address`);
      continue;
    }
    if (held[addr.family]) {
      drop(`the status already lists an ${addr.family} address`);
      continue;
    }
    const loc = book.locate(addr);
    if (!loc) {
      note(claim, `IP ${s.text} is released: it is no longer in any IPAddressPool`);
      continue;
    }
    if (loc.pool.avoidBuggyIPs && isBuggyIP(addr.family, addr.value)) {
      drop(`it ends in .0 or .255, which pool "${loc.pool.name}" avoids (avoidBuggyIPs)`);
      continue;
    }
    const refused = round.refusal(svc, loc.pool, addr);
    if (refused) {
      drop(refused.reason);
      continue;
    }
    const verdict = book.check(addr, svc);
    if (!verdict.ok) {
      const ip = formatIP(addr);
      round.conflicts.push({ ip, keptBy: verdict.by, lostBy: svc.key, reason: verdict.why });
      note(
        claim,
        `IP ${ip} is also held by ${verdict.by}, which keeps it as the older claim (${verdict.why}); this Service gets another`,
      );
      continue;
    }
    book.take(addr, loc, svc);
    held[addr.family] = { addr, pool: loc.pool.name, text: s.canonical ? s.text : formatIP(addr) };
  }
}

/** Phase 2: give the Service its missing families, or fail it (freeing what it held). */
function complete(round: Round, claim: Claim): ServiceOutcome {
  const { svc, held } = claim;
  const { book } = round;
  const fail = (code: FailureCode, reason: string): ServiceOutcome => {
    for (const h of Object.values(held)) book.release(h.addr, svc, `${svc.key} failed allocation`);
    return claim.notes
      ? { kind: 'failed', code, reason, warnings: claim.notes }
      : { kind: 'failed', code, reason };
  };
  if (svc.requested.kind === 'invalid') return fail('InvalidRequest', svc.requested.reason);

  let ordered: ParsedPool[] | undefined;
  const lazyOrder = (): ParsedPool[] => (ordered ??= round.orderedPools(svc));
  const chosen: Partial<Record<IPFamily, { addr: IPAddress; loc: Location }>> = {};
  const failures: Extract<Choice, { ok: false }>[] = [];
  let got = 0;
  for (const family of svc.families) {
    if (held[family]) {
      got++;
      continue;
    }
    const c = round.choose(svc, family, lazyOrder);
    if (c.ok) {
      chosen[family] = c;
      got++;
    } else {
      failures.push(c);
    }
  }
  const first = failures[0];
  if (first) {
    if (svc.policy !== 'PreferDualStack' || got === 0) {
      const reason = failures.map((f) => f.reason).join('; ');
      return fail(
        first.code,
        svc.policy === 'RequireDualStack'
          ? `RequireDualStack needs an IPv4 and an IPv6 address: ${reason}`
          : reason,
      );
    }
    for (const f of failures) note(claim, `PreferDualStack: no ${f.family} address for now: ${f.reason}`);
  }
  const ips: AssignedIP[] = [];
  for (const family of svc.families) {
    const h = held[family];
    const c = chosen[family];
    if (h) {
      ips.push({ ip: h.text, family, pool: h.pool });
    } else if (c) {
      book.take(c.addr, c.loc, svc);
      ips.push({ ip: formatIP(c.addr), family, pool: c.loc.pool.name });
    }
  }
  let changed = ips.length !== svc.status.length;
  for (let i = 0; !changed && i < ips.length; i++) changed = svc.status[i]?.text !== ips[i]?.ip;
  return claim.notes
    ? { kind: 'assigned', ips, changed, warnings: claim.notes }
    : { kind: 'assigned', ips, changed };
}

export function allocate(input: AllocationInput): AllocationPlan {
  return new AllocationSession(input).plan;
}

/**
 * A full allocation round that can then take more Services without recomputing everything.
 *
 * `extend(views)` gives IPs to Services created since the round, as a full allocate() over the
 * old snapshot plus them would (they are the newest, pending, so they are decided last), in time
 * proportional to the new Services instead of all of them. It declines (returns undefined) when
 * that equivalence does not hold: the round released or reserved addresses (a later full round
 * would see them freed), or a new Service shows IPs, carries our annotation or is already known.
 * Still pure: no I/O, no clock; the session is the round's in-memory state.
 */
export class AllocationSession {
  readonly #round: Round;
  readonly #lbClass: string | undefined;
  readonly #extendable: boolean;
  readonly #known = new Set<string>();
  #plan: AllocationPlan;

  constructor(input: AllocationInput) {
    const round = new Round(input);
    this.#round = round;
    const { book } = round;
    const seen = this.#known;
    const others: [string, ServiceOutcome][] = [];
    const claims: Claim[] = [];
    const later: Reservation[] = [];
    const lbClass = (this.#lbClass = input.lbClass || undefined);

    for (const svc of input.services) {
      if (seen.has(svc.key)) throw new InvariantError(`Service ${svc.key} appears twice in the snapshot`);
      seen.add(svc.key);
      const why = notOursBecause(svc, lbClass);
      if (why === undefined) {
        claims.push({ svc, held: {}, notes: undefined });
      } else if (svc.markedOurs) {
        for (const s of svc.status)
          if (s.addr) later.push({ addr: s.addr, by: svc.key, why: `${svc.key} is being released` });
        others.push([svc.key, { kind: 'release', reason: why, ips: svc.status.map((s) => s.text) }]);
      } else {
        if (svc.isLoadBalancer) {
          const owner =
            svc.lbClass === undefined ? 'without a loadBalancerClass' : `of class "${svc.lbClass}"`;
          for (const s of svc.status) {
            if (s.addr && book.locate(s.addr))
              later.push({ addr: s.addr, by: svc.key, why: `${svc.key} (${owner}) shows it` });
          }
        }
        others.push([svc.key, IGNORE]);
      }
    }
    claims.sort((a, b) => compareAged(a.svc, b.svc));

    for (const claim of claims) if (claim.svc.status.length > 0) keepStatusIPs(round, claim, later);
    // Reserved only now, so that a kept IP always wins over a stale copy of it elsewhere.
    for (const r of later) book.reserve(r.addr, r.by, r.why);
    const services = new Map<string, ServiceOutcome>();
    let failed = false;
    for (const claim of claims) {
      const outcome = complete(round, claim);
      if (outcome.kind === 'failed' && claim.svc.status.length > 0) failed = true;
      services.set(claim.svc.key, outcome);
    }
    others.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [key, outcome] of others) services.set(key, outcome);
    // A Service that lost its IPs this round freed them only from the next round on.
    this.#extendable = later.length === 0 && round.conflicts.length === 0 && !failed;
    this.#plan = { services, pools: poolStats(input.pools, book), conflicts: round.conflicts };
  }

  get plan(): AllocationPlan {
    return this.#plan;
  }

  /** The plan with `views` (Services created since) decided too, or undefined (run allocate()). */
  extend(views: readonly ServiceView[]): AllocationPlan | undefined {
    if (!this.#extendable) return undefined;
    const fresh = [...views].sort(compareAged);
    for (const svc of fresh) {
      if (this.#known.has(svc.key) || svc.status.length > 0 || svc.markedOurs) return undefined;
    }
    const services = new Map(this.#plan.services);
    for (const svc of fresh) {
      this.#known.add(svc.key);
      const outcome =
        notOursBecause(svc, this.#lbClass) === undefined
          ? complete(this.#round, { svc, held: {}, notes: undefined })
          : IGNORE;
      services.set(svc.key, outcome);
    }
    this.#plan = {
      services,
      pools: poolStats(this.#round.pools, this.#round.book),
      conflicts: this.#plan.conflicts,
    };
    return this.#plan;
  }
}

function poolStats(pools: readonly ParsedPool[], book: AddressBook): PoolStats[] {
  const counts = book.countInUse();
  return [...pools].sort(byName).map((p): PoolStats => {
    const c = counts.get(p.name) ?? { IPv4: 0, IPv6: 0 };
    return {
      pool: p.name,
      assignedIPv4: c.IPv4,
      availableIPv4: capCount(p.capacity.IPv4 - BigInt(c.IPv4)),
      totalIPv4: capCount(p.capacity.IPv4),
      assignedIPv6: c.IPv6,
      availableIPv6: capCount(p.capacity.IPv6 - BigInt(c.IPv6)),
      totalIPv6: capCount(p.capacity.IPv6),
    };
  });
}
