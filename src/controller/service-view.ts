// The allocator's digest of a Service: everything allocation needs, parsed once per Service version.
// serviceView() is pure; ServiceViewCache memoizes it by uid + resourceVersion for the adapter, which
// owns the cache (no module state here).
import type { V1Service } from '@kubernetes/client-node';
import type { Labels } from '../k8s/label-selector.js';
import { ANNOTATIONS } from '../k8s/names.js';
import {
  formatIP,
  isIPv4Mapped,
  otherFamily,
  parseIP,
  unmapIPv4,
  type IPAddress,
  type IPFamily,
} from '../net/ip.js';
import { timestampMs } from './ordering.js';

export type FamilyPolicy = 'SingleStack' | 'PreferDualStack' | 'RequireDualStack';

export type RequestedIPs =
  | { readonly kind: 'none' }
  /** At most one per family, in the Service's family order. */
  | { readonly kind: 'ips'; readonly source: string; readonly ips: readonly IPAddress[] }
  | { readonly kind: 'invalid'; readonly reason: string };

export interface StatusIP {
  readonly text: string;
  /** Undefined when the text is not an IP address. */
  readonly addr: IPAddress | undefined;
  /** The text is the address's canonical form (so it can be reused as is). */
  readonly canonical: boolean;
}

export interface ServiceView {
  /** "namespace/name". */
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly createdMs: number;
  readonly labels: Labels;
  readonly isLoadBalancer: boolean;
  /** spec.loadBalancerClass; undefined when unset or empty. */
  readonly lbClass: string | undefined;
  readonly policy: FamilyPolicy;
  /**
   * Families this Service should get an IP of, primary first: spec.ipFamilies under the policy,
   * narrowed to the requested IPs' families when IPs are requested.
   */
  readonly families: readonly IPFamily[];
  readonly requested: RequestedIPs;
  /** The ironlb.io/address-pool annotation. */
  readonly pool: string | undefined;
  /** The ironlb.io/allow-shared-ip annotation; '' means no sharing. */
  readonly sharingKey: string;
  /** '' under externalTrafficPolicy Cluster; "local:<selector>" under Local. */
  readonly backendKey: string;
  /** "PROTOCOL/port", sorted, unique. */
  readonly ports: readonly string[];
  /** status.loadBalancer.ingress[].ip in status order. */
  readonly status: readonly StatusIP[];
  /** Carries ironlb.io/ip-allocated-from-pool, i.e. we allocated its IPs. */
  readonly markedOurs: boolean;
}

const FAMILIES: readonly IPFamily[] = ['IPv4', 'IPv6'];

function declaredFamilies(svc: V1Service): IPFamily[] {
  const out: IPFamily[] = [];
  const add = (f: IPFamily): void => {
    if (!out.includes(f)) out.push(f);
  };
  for (const f of svc.spec?.ipFamilies ?? [])
    if ((FAMILIES as readonly string[]).includes(f)) add(f as IPFamily);
  if (out.length === 0) {
    const clusterIPs = svc.spec?.clusterIPs ?? (svc.spec?.clusterIP ? [svc.spec.clusterIP] : []);
    for (const text of clusterIPs) {
      const p = parseIP(text);
      if (p.ok) add(p.value.family);
    }
  }
  return out;
}

function familiesFor(svc: V1Service, policy: FamilyPolicy): IPFamily[] {
  const declared = declaredFamilies(svc);
  const primary = declared[0] ?? 'IPv4';
  switch (policy) {
    case 'SingleStack':
      return [primary];
    case 'RequireDualStack':
      return [primary, otherFamily(primary)];
    case 'PreferDualStack':
      // The API server narrows ipFamilies to what the cluster has; trust it when it is set.
      return (svc.spec?.ipFamilies?.length ?? 0) > 0 && declared.length > 0
        ? declared
        : [primary, otherFamily(primary)];
  }
}

function parseRequested(svc: V1Service, policy: FamilyPolicy, families: readonly IPFamily[]): RequestedIPs {
  const specIP = svc.spec?.loadBalancerIP ?? '';
  const annotation = svc.metadata?.annotations?.[ANNOTATIONS.loadBalancerIPs] ?? '';
  if (specIP === '' && annotation.trim() === '') return { kind: 'none' };
  if (specIP !== '' && annotation.trim() !== '') {
    return {
      kind: 'invalid',
      reason: `set either spec.loadBalancerIP or the ${ANNOTATIONS.loadBalancerIPs} annotation, not both`,
    };
  }
  const source = specIP !== '' ? 'spec.loadBalancerIP' : `the ${ANNOTATIONS.loadBalancerIPs} annotation`;
  const texts = specIP !== '' ? [specIP] : annotation.split(',').map((s) => s.trim());
  const ips: IPAddress[] = [];
  for (const text of texts) {
    if (text === '') return { kind: 'invalid', reason: `${source} has an empty entry` };
    const p = parseIP(text);
    if (!p.ok) return { kind: 'invalid', reason: `${source}: ${p.error}` };
    if (isIPv4Mapped(p.value)) {
      return {
        kind: 'invalid',
        reason: `${source}: write ${formatIP(unmapIPv4(p.value))} instead of ${text}`,
      };
    }
    if (ips.some((ip) => ip.family === p.value.family)) {
      return {
        kind: 'invalid',
        reason: `${source} asks for two ${p.value.family} addresses; give at most one per family`,
      };
    }
    ips.push(p.value);
  }
  const wanted = families.join(' and ');
  for (const ip of ips) {
    if (!families.includes(ip.family)) {
      return {
        kind: 'invalid',
        reason: `${source} asks for ${formatIP(ip)}, an ${ip.family} address, but the Service is ${policy} ${wanted}`,
      };
    }
  }
  if (policy === 'RequireDualStack' && ips.length < 2) {
    return {
      kind: 'invalid',
      reason: `${source} must give one IPv4 and one IPv6 address: the Service is RequireDualStack`,
    };
  }
  ips.sort((a, b) => families.indexOf(a.family) - families.indexOf(b.family));
  return { kind: 'ips', source, ips };
}

function parsePolicy(value: string | undefined): FamilyPolicy {
  return value === 'PreferDualStack' || value === 'RequireDualStack' ? value : 'SingleStack';
}

function backendKeyOf(svc: V1Service): string {
  if (svc.spec?.externalTrafficPolicy !== 'Local') return '';
  // Under Local only the nodes with endpoints may announce, so sharers must select the same pods.
  // The "local:" prefix keeps a selector-less Local Service from matching Cluster Services.
  const selector = svc.spec.selector ?? {};
  const pairs = Object.keys(selector)
    .sort()
    .map((k) => `${k}=${selector[k] ?? ''}`);
  return `local:${pairs.join(',')}`;
}

export function serviceView(svc: V1Service): ServiceView {
  const namespace = svc.metadata?.namespace ?? '';
  const name = svc.metadata?.name ?? '';
  const policy = parsePolicy(svc.spec?.ipFamilyPolicy);
  const declared = familiesFor(svc, policy);
  const requested = parseRequested(svc, policy, declared);
  const families = requested.kind === 'ips' ? requested.ips.map((ip) => ip.family) : declared;
  const annotations = svc.metadata?.annotations ?? {};
  const ports = [...new Set((svc.spec?.ports ?? []).map((p) => `${p.protocol ?? 'TCP'}/${p.port}`))].sort();
  const status: StatusIP[] = [];
  for (const ingress of svc.status?.loadBalancer?.ingress ?? []) {
    if (!ingress.ip) continue;
    const p = parseIP(ingress.ip);
    const addr = p.ok ? p.value : undefined;
    status.push({ text: ingress.ip, addr, canonical: addr !== undefined && formatIP(addr) === ingress.ip });
  }
  const pool = annotations[ANNOTATIONS.addressPool]?.trim();
  return {
    key: `${namespace}/${name}`,
    namespace,
    name,
    createdMs: timestampMs(svc.metadata?.creationTimestamp),
    labels: svc.metadata?.labels ?? {},
    isLoadBalancer: svc.spec?.type === 'LoadBalancer',
    lbClass: svc.spec?.loadBalancerClass || undefined,
    policy,
    families,
    requested,
    pool: pool || undefined,
    sharingKey: annotations[ANNOTATIONS.allowSharedIP] ?? '',
    backendKey: backendKeyOf(svc),
    ports,
    status,
    markedOurs: ANNOTATIONS.ipAllocatedFromPool in annotations,
  };
}

/**
 * Memoizes serviceView() by uid + resourceVersion. Call sweep() once per snapshot: it forgets the
 * Services not looked at since the previous sweep (deleted ones).
 */
export class ServiceViewCache {
  #entries = new Map<string, { resourceVersion: string; view: ServiceView; used: boolean }>();

  view(svc: V1Service): ServiceView {
    const uid = svc.metadata?.uid;
    const resourceVersion = svc.metadata?.resourceVersion;
    if (!uid || !resourceVersion) return serviceView(svc);
    const hit = this.#entries.get(uid);
    if (hit && hit.resourceVersion === resourceVersion) {
      hit.used = true;
      return hit.view;
    }
    const view = serviceView(svc);
    this.#entries.set(uid, { resourceVersion, view, used: true });
    return view;
  }

  /** The view last computed for this uid (any version), without marking it used. */
  previous(uid: string): ServiceView | undefined {
    return this.#entries.get(uid)?.view;
  }

  sweep(): void {
    for (const [uid, entry] of this.#entries) {
      if (entry.used) entry.used = false;
      else this.#entries.delete(uid);
    }
  }

  get size(): number {
    return this.#entries.size;
  }
}

/**
 * Do two views of one Service ask the allocator the same thing? Status and our own annotation
 * are left out: they are what the controller writes, so a change to them alone is our write
 * landing (the caller checks the status against the plan).
 */
export function sameDecisionInputs(a: ServiceView, b: ServiceView): boolean {
  return (
    a.key === b.key &&
    a.createdMs === b.createdMs &&
    a.isLoadBalancer === b.isLoadBalancer &&
    a.lbClass === b.lbClass &&
    a.policy === b.policy &&
    a.pool === b.pool &&
    a.sharingKey === b.sharingKey &&
    a.backendKey === b.backendKey &&
    sameList(a.families, b.families) &&
    sameList(a.ports, b.ports) &&
    sameRequest(a.requested, b.requested) &&
    sameLabels(a.labels, b.labels)
  );
}

function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function sameRequest(a: RequestedIPs, b: RequestedIPs): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'invalid' && b.kind === 'invalid') return a.reason === b.reason;
  if (a.kind === 'ips' && b.kind === 'ips') {
    return a.source === b.source && sameList(a.ips.map(formatIP), b.ips.map(formatIP));
  }
  return true;
}

function sameLabels(a: Labels, b: Labels): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}
