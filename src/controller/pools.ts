// Parsing and semantic validation of IPAddressPool objects: valid pools come out parsed, every pool's
// problems come out as values (for a condition and an Event). One bad pool never disables another,
// and when two pools overlap the newer one is disabled, so adding a pool cannot break a working one.
import type { V1Condition } from '@kubernetes/client-node';
import type { IPAddressPool } from '../k8s/ironlb-types.js';
import { compileSelectorList, type CompiledSelector, type Labels } from '../k8s/label-selector.js';
import { CONDITION_VALID } from '../k8s/names.js';
import {
  countBuggyIPs,
  formatRange,
  IPV4_MAPPED_RANGE,
  parseAddressEntry,
  rangeSize,
  rangesOverlap,
  type IPFamily,
  type IPRange,
} from '../net/ip.js';
import { compareAged, timestampMs } from './ordering.js';

export interface PoolRange extends IPRange {
  /** Index of the entry in spec.addresses; addresses are handed out in that order. */
  readonly index: number;
  /** The entry as written. */
  readonly text: string;
}

export interface ServiceAllocationRule {
  /** Lower first; undefined sorts after every number. */
  readonly priority: number | undefined;
  readonly namespaces: ReadonlySet<string>;
  readonly namespaceSelectors: readonly CompiledSelector[];
  readonly serviceSelectors: readonly CompiledSelector[];
}

export interface ParsedPool {
  readonly name: string;
  readonly labels: Labels;
  readonly createdMs: number;
  readonly autoAssign: boolean;
  readonly avoidBuggyIPs: boolean;
  /** In spec order; within a pool they never overlap. */
  readonly ranges: readonly PoolRange[];
  readonly allocation: ServiceAllocationRule | undefined;
  /** Usable addresses per family (after avoidBuggyIPs). */
  readonly capacity: Readonly<Record<IPFamily, bigint>>;
}

export type PoolProblemReason =
  | 'InvalidSpec'
  | 'NoAddresses'
  | 'InvalidAddress'
  | 'InvalidRange'
  | 'MixedFamilies'
  | 'IPv4MappedAddress'
  | 'HostBitsSet'
  | 'OverlapWithinPool'
  | 'OverlapWithPool'
  | 'InvalidPriority'
  | 'InvalidNamespace'
  | 'InvalidSelector';

export interface PoolProblem {
  /** Errors disable the pool; warnings are reported and the pool works. */
  readonly severity: 'error' | 'warning';
  readonly reason: PoolProblemReason;
  /** Path inside the object, e.g. "spec.addresses[1]". */
  readonly field: string;
  readonly message: string;
}

export interface PoolsResult {
  /** Usable pools, sorted by name. */
  readonly valid: readonly ParsedPool[];
  /** Problems of every pool by name (an empty list for a clean pool), in input order. */
  readonly problems: ReadonlyMap<string, readonly PoolProblem[]>;
  /** Disabled pools by name, with a one-line summary (used in allocation failure messages). */
  readonly invalid: ReadonlyMap<string, string>;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

interface Draft {
  readonly name: string;
  readonly key: string; // for compareAged
  readonly createdMs: number;
  readonly ranges: PoolRange[];
  readonly problems: PoolProblem[];
  pool: Omit<ParsedPool, 'ranges' | 'capacity' | 'name' | 'createdMs'> | undefined;
}

const error = (reason: PoolProblemReason, field: string, message: string): PoolProblem => ({
  severity: 'error',
  reason,
  field,
  message,
});

function parseAllocation(raw: unknown, problems: PoolProblem[]): ServiceAllocationRule | undefined {
  const base = 'spec.serviceAllocation';
  if (raw === undefined || raw === null) return undefined;
  if (!isRecord(raw)) {
    problems.push(error('InvalidSpec', base, `${base} must be an object`));
    return undefined;
  }
  let priority: number | undefined;
  const p = raw['priority'];
  if (p !== undefined && p !== null) {
    if (typeof p !== 'number' || !Number.isSafeInteger(p) || p < 0) {
      problems.push(
        error(
          'InvalidPriority',
          `${base}.priority`,
          `priority must be a whole number of 0 or more (got ${JSON.stringify(p)})`,
        ),
      );
    } else {
      priority = p;
    }
  }
  const namespaces = new Set<string>();
  const ns = raw['namespaces'];
  if (ns !== undefined && ns !== null) {
    if (!Array.isArray(ns)) {
      problems.push(
        error('InvalidNamespace', `${base}.namespaces`, 'namespaces must be a list of namespace names'),
      );
    } else {
      ns.forEach((n: unknown, i) => {
        if (typeof n !== 'string' || n.length > 63 || !DNS_LABEL.test(n)) {
          problems.push(
            error(
              'InvalidNamespace',
              `${base}.namespaces[${i}]`,
              `${JSON.stringify(n)} is not a valid namespace name`,
            ),
          );
        } else if (namespaces.has(n)) {
          problems.push({
            severity: 'warning',
            reason: 'InvalidNamespace',
            field: `${base}.namespaces[${i}]`,
            message: `namespace "${n}" is listed twice`,
          });
        } else {
          namespaces.add(n);
        }
      });
    }
  }
  const nsSel = compileSelectorList(raw['namespaceSelectors'], `${base}.namespaceSelectors`);
  const svcSel = compileSelectorList(raw['serviceSelectors'], `${base}.serviceSelectors`);
  for (const e of nsSel.errors) problems.push(error('InvalidSelector', `${base}.namespaceSelectors`, e));
  for (const e of svcSel.errors) problems.push(error('InvalidSelector', `${base}.serviceSelectors`, e));
  return { priority, namespaces, namespaceSelectors: nsSel.selectors, serviceSelectors: svcSel.selectors };
}

function draftPool(obj: IPAddressPool, position: number): Draft {
  // Everything is re-checked at run time: the API server may hold objects that predate our schema.
  const raw: unknown = obj;
  const meta = isRecord(raw) && isRecord(raw['metadata']) ? raw['metadata'] : {};
  const rawName = meta['name'];
  const name = typeof rawName === 'string' && rawName !== '' ? rawName : `<unnamed #${position}>`;
  const creation = meta['creationTimestamp'];
  const createdMs = timestampMs(
    creation instanceof Date || typeof creation === 'string' ? creation : undefined,
  );
  const draft: Draft = { name, key: name, createdMs, ranges: [], problems: [], pool: undefined };
  const { problems } = draft;
  if (name !== rawName) problems.push(error('InvalidSpec', 'metadata.name', 'the pool has no name'));

  const spec = isRecord(raw) ? raw['spec'] : undefined;
  if (!isRecord(spec)) {
    problems.push(error('InvalidSpec', 'spec', 'spec must be an object'));
    return draft;
  }
  const addresses = spec['addresses'];
  if (!Array.isArray(addresses) || addresses.length === 0) {
    problems.push(
      error('NoAddresses', 'spec.addresses', 'spec.addresses must list at least one CIDR or range'),
    );
  } else {
    addresses.forEach((entry: unknown, index) => {
      const field = `spec.addresses[${index}]`;
      const parsed = parseAddressEntry(entry as string);
      if (!parsed.ok) {
        const reason: PoolProblemReason =
          parsed.code === 'mixedFamilies'
            ? 'MixedFamilies'
            : parsed.code === 'backwards'
              ? 'InvalidRange'
              : 'InvalidAddress';
        problems.push(error(reason, field, parsed.error));
        return;
      }
      const text = entry as string;
      const { range } = parsed.value;
      if (rangesOverlap(range, IPV4_MAPPED_RANGE)) {
        problems.push(
          error(
            'IPv4MappedAddress',
            field,
            `"${text}" includes IPv4-mapped IPv6 addresses (::ffff:0:0/96); write IPv4 addresses in IPv4 form`,
          ),
        );
        return;
      }
      if (parsed.value.hostBitsSet) {
        // MetalLB (Go's net.ParseCIDR) silently uses the network; we do the same but say so.
        problems.push({
          severity: 'warning',
          reason: 'HostBitsSet',
          field,
          message: `"${text}" has host bits set; it is used as ${formatRange(range)}`,
        });
      }
      draft.ranges.push({ ...range, index, text });
    });
  }
  const sorted = [...draft.ranges].sort((a, b) =>
    a.family !== b.family
      ? a.family === 'IPv4'
        ? -1
        : 1
      : a.first < b.first
        ? -1
        : a.first > b.first
          ? 1
          : 0,
  );
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    const cur = sorted[i];
    if (prev && cur && rangesOverlap(prev, cur)) {
      const [a, b] = prev.index < cur.index ? [prev, cur] : [cur, prev];
      problems.push(
        error(
          'OverlapWithinPool',
          `spec.addresses[${b.index}]`,
          `"${b.text}" overlaps "${a.text}" (spec.addresses[${a.index}]) in the same pool`,
        ),
      );
    }
  }

  for (const flag of ['autoAssign', 'avoidBuggyIPs'] as const) {
    const v = spec[flag];
    if (v !== undefined && v !== null && typeof v !== 'boolean') {
      problems.push(error('InvalidSpec', `spec.${flag}`, `${flag} must be true or false`));
    }
  }
  const allocation = parseAllocation(spec['serviceAllocation'], problems);
  const labels = isRecord(meta['labels']) ? (meta['labels'] as Labels) : {};
  draft.pool = {
    labels,
    autoAssign: spec['autoAssign'] !== false,
    avoidBuggyIPs: spec['avoidBuggyIPs'] === true,
    allocation,
  };
  return draft;
}

function capacityOf(ranges: readonly PoolRange[], avoidBuggyIPs: boolean): Record<IPFamily, bigint> {
  const capacity: Record<IPFamily, bigint> = { IPv4: 0n, IPv6: 0n };
  for (const r of ranges) capacity[r.family] += rangeSize(r) - (avoidBuggyIPs ? countBuggyIPs(r) : 0n);
  return capacity;
}

/**
 * Parses and validates the pools of one namespace (names are unique there). A pool with an error is
 * left out of `valid` and reported; the others work. Overlaps between pools disable the newer pool
 * (creationTimestamp, then name), checked against every older pool's parsable ranges (valid or not),
 * so fixing an old pool never disables a pool that worked.
 */
export function parsePools(pools: readonly IPAddressPool[]): PoolsResult {
  const drafts = pools.map((p, i) => draftPool(p, i));
  const older: PoolRange[] = [];
  const ownerOf = new Map<PoolRange, string>();
  for (const d of [...drafts].sort(compareAged)) {
    for (const r of d.ranges) {
      const clash = older.find((o) => rangesOverlap(o, r));
      if (clash) {
        d.problems.push(
          error(
            'OverlapWithPool',
            `spec.addresses[${r.index}]`,
            `"${r.text}" overlaps "${clash.text}" of pool "${ownerOf.get(clash) ?? '?'}", which is older; remove the overlap`,
          ),
        );
      }
    }
    for (const r of d.ranges) {
      older.push(r);
      ownerOf.set(r, d.name);
    }
  }

  const valid: ParsedPool[] = [];
  const problems = new Map<string, readonly PoolProblem[]>();
  const invalid = new Map<string, string>();
  for (const d of drafts) {
    problems.set(d.name, d.problems);
    const errors = d.problems.filter((p) => p.severity === 'error');
    if (errors.length > 0 || !d.pool) {
      invalid.set(d.name, summarize(errors));
      continue;
    }
    valid.push({
      ...d.pool,
      name: d.name,
      createdMs: d.createdMs,
      ranges: d.ranges,
      capacity: capacityOf(d.ranges, d.pool.avoidBuggyIPs),
    });
  }
  valid.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { valid, problems, invalid };
}

const MAX_MESSAGE = 1024;

function summarize(problems: readonly ConfigProblem[]): string {
  const text = problems.map((p) => `${p.field}: ${p.message}`).join('; ');
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text;
}

/** A configuration problem of any of our kinds (pools, advertisements). */
export interface ConfigProblem {
  readonly severity: 'error' | 'warning';
  readonly reason: string;
  readonly field: string;
  readonly message: string;
}

/** The `Valid` condition for an object's problems, without lastTransitionTime (time is the caller's). */
export function validityCondition(
  problems: readonly ConfigProblem[],
  observedGeneration?: number,
  okMessage = 'the pool is in use',
): Omit<V1Condition, 'lastTransitionTime'> {
  const errors = problems.filter((p) => p.severity === 'error');
  const warnings = problems.filter((p) => p.severity === 'warning');
  const base = observedGeneration === undefined ? {} : { observedGeneration };
  if (errors.length > 0) {
    return {
      ...base,
      type: CONDITION_VALID,
      status: 'False',
      reason: errors[0]?.reason ?? 'Invalid',
      message: summarize(errors),
    };
  }
  if (warnings.length > 0) {
    return {
      ...base,
      type: CONDITION_VALID,
      status: 'True',
      reason: 'ValidWithWarnings',
      message: summarize(warnings),
    };
  }
  return { ...base, type: CONDITION_VALID, status: 'True', reason: 'Valid', message: okMessage };
}
