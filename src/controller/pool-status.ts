// The status the controller keeps on each IPAddressPool: usage counts per family and the Valid
// condition. Pure; the loop writes it only when it differs from what the object already shows.
import type { V1Condition } from '@kubernetes/client-node';
import type { IPAddressPool, IPAddressPoolStatus } from '../k8s/ironlb-types.js';
import { validityCondition, type ConfigProblem, type PoolProblem } from './pools.js';

export interface PoolUsage {
  readonly assignedIPv4: number;
  readonly availableIPv4: number;
  readonly assignedIPv6: number;
  readonly availableIPv6: number;
}

export function poolStatusFor(
  pool: IPAddressPool,
  usage: PoolUsage | undefined,
  problems: readonly PoolProblem[],
  nowMs: number,
): IPAddressPoolStatus {
  const generation = pool.metadata?.generation;
  const condition = validCondition(
    problems,
    generation,
    pool.status?.conditions,
    nowMs,
    'the pool is in use',
  );
  return {
    assignedIPv4: usage?.assignedIPv4 ?? 0,
    assignedIPv6: usage?.assignedIPv6 ?? 0,
    availableIPv4: usage?.availableIPv4 ?? 0,
    availableIPv6: usage?.availableIPv6 ?? 0,
    conditions: [condition],
    ...(generation === undefined ? {} : { observedGeneration: generation }),
  };
}

/**
 * The Valid condition for `problems`. lastTransitionTime moves only when the condition's status
 * flips (Kubernetes API conventions); RFC 3339 with seconds precision, as metav1.Time serialises.
 */
export function validCondition(
  problems: readonly ConfigProblem[],
  generation: number | undefined,
  previous: readonly V1Condition[] | undefined,
  nowMs: number,
  okMessage: string,
): V1Condition {
  const next = validityCondition(problems, generation, okMessage);
  const prev = previous?.find((c) => c.type === next.type);
  const transition =
    prev && prev.status === next.status && prev.lastTransitionTime
      ? new Date(prev.lastTransitionTime)
      : new Date(Math.floor(nowMs / 1000) * 1000);
  return { ...next, lastTransitionTime: transition };
}

/** Equal for writing purposes: counts, generation and condition content (times compared by value). */
export function samePoolStatus(a: IPAddressPoolStatus | undefined, b: IPAddressPoolStatus): boolean {
  if (!a) return false;
  if (
    a.assignedIPv4 !== b.assignedIPv4 ||
    a.assignedIPv6 !== b.assignedIPv6 ||
    a.availableIPv4 !== b.availableIPv4 ||
    a.availableIPv6 !== b.availableIPv6 ||
    a.observedGeneration !== b.observedGeneration
  ) {
    return false;
  }
  return sameConditions(a.conditions, b.conditions);
}

/** Same conditions, in order, comparing times by value (the API returns strings, we build Dates). */
export function sameConditions(
  a: readonly V1Condition[] | undefined,
  b: readonly V1Condition[] | undefined,
): boolean {
  const ca = a ?? [];
  const cb = b ?? [];
  return (
    ca.length === cb.length &&
    ca.every((c, i) => {
      const d = cb[i];
      return (
        d !== undefined &&
        c.type === d.type &&
        c.status === d.status &&
        c.reason === d.reason &&
        c.message === d.message &&
        c.observedGeneration === d.observedGeneration &&
        new Date(c.lastTransitionTime).getTime() === new Date(d.lastTransitionTime).getTime()
      );
    })
  );
}
