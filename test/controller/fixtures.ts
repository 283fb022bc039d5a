// Builders and checks shared by the controller tables: compact pool/Service literals, deep freezing
// (inputs must come out of every pure function untouched), and a one-line rendering of outcomes.
import type { V1LabelSelector, V1Service } from '@kubernetes/client-node';
import type { AllocationInput, AllocationPlan, ServiceOutcome } from '../../src/controller/allocator.js';
import { desiredServiceState } from '../../src/controller/service-status.js';
import type { IPAddressPool, IPAddressPoolServiceAllocation } from '../../src/k8s/ironlb-types.js';
import { ANNOTATIONS } from '../../src/k8s/names.js';

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    if (value instanceof Map) {
      for (const [k, v] of value as Map<unknown, unknown>) {
        deepFreeze(k);
        deepFreeze(v);
      }
    } else if (value instanceof Set) {
      for (const v of value as Set<unknown>) deepFreeze(v);
    } else {
      for (const v of Object.values(value)) deepFreeze(v);
    }
  }
  return value;
}

const BASE = Date.UTC(2025, 0, 1);
/** A creationTimestamp `n` seconds after a fixed base. */
export const at = (n: number): Date => new Date(BASE + n * 1000);

export interface PoolOptions {
  autoAssign?: boolean;
  avoidBuggyIPs?: boolean;
  serviceAllocation?: IPAddressPoolServiceAllocation;
  created?: number;
  labels?: Record<string, string>;
}

export function pool(name: string, addresses: string[], o: PoolOptions = {}): IPAddressPool {
  return {
    apiVersion: 'ironlb.io/v1',
    kind: 'IPAddressPool',
    metadata: {
      name,
      namespace: 'ironlb-system',
      creationTimestamp: at(o.created ?? 0),
      ...(o.labels ? { labels: o.labels } : {}),
    },
    spec: {
      addresses,
      ...(o.autoAssign !== undefined ? { autoAssign: o.autoAssign } : {}),
      ...(o.avoidBuggyIPs !== undefined ? { avoidBuggyIPs: o.avoidBuggyIPs } : {}),
      ...(o.serviceAllocation ? { serviceAllocation: o.serviceAllocation } : {}),
    },
  };
}

export interface ServiceOptions {
  ns?: string;
  created?: number;
  type?: string;
  lbClass?: string;
  families?: ('IPv4' | 'IPv6')[];
  policy?: 'SingleStack' | 'PreferDualStack' | 'RequireDualStack';
  /** spec.loadBalancerIP */
  lbIP?: string;
  /** ironlb.io/loadBalancerIPs */
  ips?: string;
  /** ironlb.io/address-pool */
  pool?: string;
  /** ironlb.io/allow-shared-ip */
  share?: string;
  /** "TCP/80" style; default TCP/80. */
  ports?: string[];
  /** externalTrafficPolicy: Local with this pod selector. */
  local?: Record<string, string>;
  labels?: Record<string, string>;
  /** status.loadBalancer.ingress IPs. */
  status?: string[];
  /** Value of ironlb.io/ip-allocated-from-pool (present = we allocated it). */
  marked?: string;
}

export function svc(name: string, o: ServiceOptions = {}): V1Service {
  const annotations: Record<string, string> = {};
  if (o.ips !== undefined) annotations[ANNOTATIONS.loadBalancerIPs] = o.ips;
  if (o.pool !== undefined) annotations[ANNOTATIONS.addressPool] = o.pool;
  if (o.share !== undefined) annotations[ANNOTATIONS.allowSharedIP] = o.share;
  if (o.marked !== undefined) annotations[ANNOTATIONS.ipAllocatedFromPool] = o.marked;
  const type = o.type ?? 'LoadBalancer';
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: o.ns ?? 'default',
      uid: `uid-${o.ns ?? 'default'}-${name}`,
      resourceVersion: '1',
      creationTimestamp: at(o.created ?? 0),
      labels: o.labels ?? {},
      annotations,
    },
    spec: {
      type,
      ...(o.lbClass !== undefined ? { loadBalancerClass: o.lbClass } : {}),
      ipFamilies: o.families ?? ['IPv4'],
      ipFamilyPolicy: o.policy ?? 'SingleStack',
      ...(o.lbIP !== undefined ? { loadBalancerIP: o.lbIP } : {}),
      ports: (o.ports ?? ['TCP/80']).map((p) => {
        const [protocol = 'TCP', port = '0'] = p.split('/');
        return { protocol, port: Number(port) };
      }),
      ...(o.local
        ? { externalTrafficPolicy: 'Local', selector: o.local }
        : { externalTrafficPolicy: 'Cluster', selector: { app: name } }),
    },
    status: { loadBalancer: o.status ? { ingress: o.status.map((ip) => ({ ip, ipMode: 'VIP' })) } : {} },
  };
}

export const selector = (labels: Record<string, string>): V1LabelSelector => ({ matchLabels: labels });

/**
 * One-line rendering of an outcome, so tables can state expectations compactly:
 *   "192.0.2.1@a"            assigned one IP from pool a (unchanged)
 *   "192.0.2.1@a,2001:db8::1@b *" assigned two IPs, changed
 *   "fail PoolExhausted"     failed with that code
 *   "release" / "ignore"
 */
export function render(o: ServiceOutcome | undefined): string {
  switch (o?.kind) {
    case undefined:
      return 'missing';
    case 'assigned':
      return `${o.ips.map((i) => `${i.ip}@${i.pool}`).join(',')}${o.changed ? ' *' : ''}`;
    case 'failed':
      return `fail ${o.code}`;
    case 'release':
      return 'release';
    case 'ignore':
      return 'ignore';
  }
}

export function renderPlan(plan: AllocationPlan): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, o] of plan.services) out[key] = render(o);
  return out;
}

/** Everything an outcome says, for messages. */
export function textOf(o: ServiceOutcome | undefined): string {
  if (!o || o.kind === 'ignore') return '';
  if (o.kind === 'assigned') return (o.warnings ?? []).join('\n');
  if (o.kind === 'release') return o.reason;
  return [o.reason, ...(o.warnings ?? [])].join('\n');
}

/**
 * No address may show on two Services unless they share it properly: same non-empty key, same
 * backend key, no common port.
 */
export function assertNoIllegalSharing(input: AllocationInput, plan: AllocationPlan): void {
  const views = new Map(input.services.map((s) => [s.key, s]));
  const byIP = new Map<string, string[]>();
  for (const [key, o] of plan.services) {
    if (o.kind !== 'assigned') continue;
    for (const ip of o.ips) byIP.set(ip.ip, [...(byIP.get(ip.ip) ?? []), key]);
  }
  for (const [ip, keys] of byIP) {
    if (keys.length < 2) continue;
    const vs = keys.map((k) => views.get(k));
    const first = vs[0];
    const ports = new Set<string>();
    for (const v of vs) {
      if (
        !v ||
        !first ||
        v.sharingKey === '' ||
        v.sharingKey !== first.sharingKey ||
        v.backendKey !== first.backendKey
      ) {
        throw new Error(`${ip} is shared illegally by ${keys.join(', ')}`);
      }
      for (const p of v.ports) {
        if (ports.has(p)) throw new Error(`${ip} is shared by ${keys.join(', ')} with clashing port ${p}`);
        ports.add(p);
      }
    }
  }
}

/** What the controller would write back: the Service with the outcome applied. */
export function applyOutcome(service: V1Service, outcome: ServiceOutcome | undefined): V1Service {
  const desired = desiredServiceState(service, outcome);
  if (desired.matches) return service;
  const annotations: Record<string, string> = { ...service.metadata?.annotations };
  for (const [k, v] of Object.entries(desired.annotations)) {
    if (v === null) delete annotations[k];
    else annotations[k] = v;
  }
  return {
    ...service,
    metadata: { ...service.metadata, annotations },
    status: { ...service.status, loadBalancer: { ingress: desired.ingress } },
  };
}
