// What a Service should look like after its allocation outcome: status.loadBalancer.ingress and our
// annotation, plus whether it already does (so the controller writes nothing when nothing changed).
import type { V1LoadBalancerIngress, V1Service } from '@kubernetes/client-node';
import { ANNOTATIONS, INGRESS_IP_MODE_VIP } from '../k8s/names.js';
import type { ServiceOutcome } from './allocator.js';

export interface DesiredServiceState {
  /** The whole desired ingress list (a merge patch replaces the list). */
  readonly ingress: V1LoadBalancerIngress[];
  /** Annotation changes: a string sets, null removes. Only keys that change are listed. */
  readonly annotations: Record<string, string | null>;
  readonly ingressChanged: boolean;
  readonly annotationsChanged: boolean;
  /** Nothing to write. */
  readonly matches: boolean;
}

/** The ironlb.io/ip-allocated-from-pool value: pool names in IP order, without repeats. */
export function poolAnnotationValue(ips: readonly { readonly pool: string }[]): string {
  return [...new Set(ips.map((i) => i.pool))].join(',');
}

function sameIngress(
  current: readonly V1LoadBalancerIngress[],
  desired: readonly V1LoadBalancerIngress[],
): boolean {
  if (current.length !== desired.length) return false;
  return current.every((c, i) => {
    const d = desired[i];
    if (!d) return false;
    // API servers before 1.29 (or with LoadBalancerIPMode off) drop ipMode on write; counting a
    // missing ipMode as VIP, its documented default, keeps us from rewriting forever.
    const mode = c.ipMode ?? INGRESS_IP_MODE_VIP;
    const extra = c.hostname !== undefined || (c.ports?.length ?? 0) > 0;
    return c.ip === d.ip && mode === (d.ipMode ?? INGRESS_IP_MODE_VIP) && !extra;
  });
}

/** The desired state of `svc` under `outcome`; no outcome or `ignore` means "leave it alone". */
export function desiredServiceState(
  svc: V1Service,
  outcome: ServiceOutcome | undefined,
): DesiredServiceState {
  const current = svc.status?.loadBalancer?.ingress ?? [];
  const annotation = svc.metadata?.annotations?.[ANNOTATIONS.ipAllocatedFromPool];
  let ingress: V1LoadBalancerIngress[];
  let wantedAnnotation: string | undefined;
  switch (outcome?.kind) {
    case undefined:
    case 'ignore':
      return {
        ingress: current,
        annotations: {},
        ingressChanged: false,
        annotationsChanged: false,
        matches: true,
      };
    case 'assigned':
      ingress = outcome.ips.map((i) => ({ ip: i.ip, ipMode: INGRESS_IP_MODE_VIP }));
      wantedAnnotation = outcome.ips.length > 0 ? poolAnnotationValue(outcome.ips) : undefined;
      break;
    case 'failed':
      ingress = [];
      break;
    case 'release': {
      // Keep entries that are not ours (e.g. a hostname another controller wrote).
      const ours = new Set(outcome.ips);
      ingress = current.filter((i) => i.ip === undefined || !ours.has(i.ip));
      break;
    }
  }
  const ingressChanged =
    outcome.kind === 'release' ? ingress.length !== current.length : !sameIngress(current, ingress);
  const annotations: Record<string, string | null> = {};
  if (wantedAnnotation !== annotation)
    annotations[ANNOTATIONS.ipAllocatedFromPool] = wantedAnnotation ?? null;
  const annotationsChanged = Object.keys(annotations).length > 0;
  return {
    ingress,
    annotations,
    ingressChanged,
    annotationsChanged,
    matches: !ingressChanged && !annotationsChanged,
  };
}

/**
 * Same answer as `desiredServiceState(svc, outcome).matches`, without building the desired state:
 * the controller asks this of every Service on every pass, so it allocates nothing.
 */
export function serviceMatches(svc: V1Service, outcome: ServiceOutcome | undefined): boolean {
  if (outcome === undefined || outcome.kind === 'ignore') return true;
  const current = svc.status?.loadBalancer?.ingress ?? [];
  const annotation = svc.metadata?.annotations?.[ANNOTATIONS.ipAllocatedFromPool];
  switch (outcome.kind) {
    case 'failed':
      return current.length === 0 && annotation === undefined;
    case 'release':
      return (
        annotation === undefined && !current.some((i) => i.ip !== undefined && outcome.ips.includes(i.ip))
      );
    case 'assigned': {
      const ips = outcome.ips;
      if (current.length !== ips.length) return false;
      for (let i = 0; i < ips.length; i++) {
        const c = current[i];
        if (
          c === undefined ||
          c.ip !== ips[i]?.ip ||
          (c.ipMode ?? INGRESS_IP_MODE_VIP) !== INGRESS_IP_MODE_VIP ||
          c.hostname !== undefined ||
          (c.ports?.length ?? 0) > 0
        ) {
          return false;
        }
      }
      return ips.length === 0 ? annotation === undefined : annotation === joinedPools(ips);
    }
  }
}

/** poolAnnotationValue() for the common one-pool case without building a Set. */
function joinedPools(ips: readonly { readonly pool: string }[]): string {
  const first = ips[0]?.pool ?? '';
  return ips.every((i) => i.pool === first) ? first : poolAnnotationValue(ips);
}
