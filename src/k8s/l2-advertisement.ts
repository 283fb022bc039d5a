// Parsing and validation of L2Advertisement objects. Shared by the controller (which reports problems
// on the object) and the agent (which announces by the parsed form), hence it lives in k8s/.
// A reference to a pool that does not exist (yet) is a warning: the advertisement still works for
// the pools that do.
import type { L2Advertisement } from './ironlb-types.js';
import {
  compileSelectorList,
  type CompiledSelector,
  type Labels,
  anySelectorMatches,
} from './label-selector.js';

export interface ParsedL2Advertisement {
  readonly name: string;
  /** Pools named in spec.ipAddressPools. */
  readonly poolNames: ReadonlySet<string>;
  readonly poolSelectors: readonly CompiledSelector[];
  /** Empty = every node. */
  readonly nodeSelectors: readonly CompiledSelector[];
  /** Empty = every eligible interface. */
  readonly interfaces: readonly string[];
}

export type L2ProblemReason =
  'InvalidSpec' | 'UnknownPool' | 'InvalidPoolName' | 'InvalidSelector' | 'InvalidInterface';

export interface L2Problem {
  readonly severity: 'error' | 'warning';
  readonly reason: L2ProblemReason;
  readonly field: string;
  readonly message: string;
}

export interface L2Validation {
  /** Undefined when an error makes the advertisement unusable. */
  readonly parsed: ParsedL2Advertisement | undefined;
  readonly problems: readonly L2Problem[];
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `name` cannot be a Linux interface name (dev_valid_name), or undefined when it can. */
export function interfaceNameProblem(name: string): string | undefined {
  if (name.length === 0 || name.length > 15)
    return `interface name "${name}" must be 1 to 15 characters long`;
  if (name === '.' || name === '..') return `"${name}" is not an interface name`;
  if (/[\s/:]/.test(name)) return `interface name "${name}" must not contain whitespace, "/" or ":"`;
  return undefined;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function stringList(
  value: unknown,
  field: string,
  problems: L2Problem[],
  reason: L2ProblemReason,
  check: (s: string) => string | undefined,
): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    problems.push({ severity: 'error', reason, field, message: `${field} must be a list of strings` });
    return [];
  }
  const out: string[] = [];
  value.forEach((item: unknown, i) => {
    const at = `${field}[${i}]`;
    const problem = typeof item === 'string' ? check(item) : `${JSON.stringify(item)} is not a string`;
    if (problem !== undefined) {
      problems.push({ severity: 'error', reason, field: at, message: problem });
    } else if (out.includes(item as string)) {
      problems.push({
        severity: 'warning',
        reason,
        field: at,
        message: `"${item as string}" is listed twice`,
      });
    } else {
      out.push(item as string);
    }
  });
  return out;
}

/**
 * Validates one advertisement. `knownPools` are the names of existing IPAddressPools (valid or not):
 * naming any other pool is a warning, not an error.
 */
export function validateL2Advertisement(adv: L2Advertisement, knownPools: ReadonlySet<string>): L2Validation {
  // Runtime checks below guard against stored objects that do not follow the declared type.
  const raw: unknown = adv;
  const problems: L2Problem[] = [];
  const meta = isRecord(raw) && isRecord(raw['metadata']) ? raw['metadata'] : {};
  const name = typeof meta['name'] === 'string' ? meta['name'] : '';
  const rawSpec = isRecord(raw) ? raw['spec'] : undefined;
  if (rawSpec !== undefined && rawSpec !== null && !isRecord(rawSpec)) {
    problems.push({
      severity: 'error',
      reason: 'InvalidSpec',
      field: 'spec',
      message: 'spec must be an object',
    });
    return { parsed: undefined, problems };
  }
  const spec = isRecord(rawSpec) ? rawSpec : {};

  const poolNames = stringList(
    spec['ipAddressPools'],
    'spec.ipAddressPools',
    problems,
    'InvalidPoolName',
    (s) => (s.length <= 253 && DNS_SUBDOMAIN.test(s) ? undefined : `"${s}" is not a valid pool name`),
  );
  poolNames.forEach((p) => {
    if (!knownPools.has(p)) {
      problems.push({
        severity: 'warning',
        reason: 'UnknownPool',
        field: 'spec.ipAddressPools',
        message: `pool "${p}" does not exist; its IPs will be announced once it does`,
      });
    }
  });
  const interfaces = stringList(
    spec['interfaces'],
    'spec.interfaces',
    problems,
    'InvalidInterface',
    interfaceNameProblem,
  );
  const poolSel = compileSelectorList(spec['ipAddressPoolSelectors'], 'spec.ipAddressPoolSelectors');
  const nodeSel = compileSelectorList(spec['nodeSelectors'], 'spec.nodeSelectors');
  for (const [field, r] of [
    ['spec.ipAddressPoolSelectors', poolSel],
    ['spec.nodeSelectors', nodeSel],
  ] as const) {
    for (const message of r.errors)
      problems.push({ severity: 'error', reason: 'InvalidSelector', field, message });
  }

  if (problems.some((p) => p.severity === 'error')) return { parsed: undefined, problems };
  return {
    parsed: {
      name,
      poolNames: new Set(poolNames),
      poolSelectors: poolSel.selectors,
      nodeSelectors: nodeSel.selectors,
      interfaces,
    },
    problems,
  };
}

/** Does the advertisement announce this pool? With no names and no selectors it announces all. */
export function advertisesPool(adv: ParsedL2Advertisement, poolName: string, poolLabels: Labels): boolean {
  if (adv.poolNames.size === 0 && adv.poolSelectors.length === 0) return true;
  return adv.poolNames.has(poolName) || anySelectorMatches(adv.poolSelectors, poolLabels);
}
