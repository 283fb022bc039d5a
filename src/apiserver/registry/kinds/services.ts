// core/v1 Services: defaulting (SetDefaults_Service), IP family and ClusterIP allocation, node
// port and health-check node port allocation, type transitions, the status subresource and the
// LoadBalancerIPMode behaviour (ipMode kept and defaulted to VIP, as on 1.30+ servers).
import { invalid as invalidErr, internalError } from '../../errors.js';
import { invalid } from '../../fielderrors.js';
import type { FieldError } from '../../fielderrors.js';
import { IPRange } from '../../allocators/ipalloc.js';
import type { IPFamily } from '../../allocators/ipalloc.js';
import { PortRange } from '../../allocators/portalloc.js';
import type { ObjectStore } from '../../storage/store.js';
import { Service } from '../../types/core.js';
import type { JsonObject, JsonValue } from '../../types/model.js';
import {
  externallyAccessible,
  isHeadless,
  needsHealthCheck,
  validateService,
  validateServiceStatus,
  validateServiceUpdate,
} from '../../validation/service.js';
import { arr, builtin, obj, text } from '../builtin.js';
import type { Finish, Resource } from '../types.js';
import { NO_COLLECTION_DELETE } from '../types.js';

export interface ServiceNetworkOptions {
  /** one CIDR, or two (one per family) for dual-stack, primary first */
  serviceCIDRs: string[];
  nodePortRange: [number, number];
  /** feature gate LoadBalancerIPMode (GA in 1.32); false emulates a 1.30/1.31 server with it off */
  loadBalancerIPMode: boolean;
}

/** Allocation state of one server. */
export class ServiceNetwork {
  readonly ranges: IPRange[];
  readonly nodePorts: PortRange;
  constructor(readonly opts: ServiceNetworkOptions) {
    this.ranges = opts.serviceCIDRs.map((c) => new IPRange(c));
    this.nodePorts = new PortRange(opts.nodePortRange[0], opts.nodePortRange[1]);
  }
  get primary(): IPFamily {
    return (this.ranges[0] as IPRange).family;
  }
  get dualStack(): boolean {
    return this.ranges.length > 1;
  }
  range(f: string): IPRange | undefined {
    return this.ranges.find((r) => r.family === f);
  }
}

const SVC_KIND = { group: '', name: 'Service' };
const num = (v: JsonValue | undefined): number => (typeof v === 'number' ? v : 0);
const familyOfIP = (ip: string): IPFamily | undefined =>
  ip.includes(':') ? 'IPv6' : ip.includes('.') ? 'IPv4' : undefined;

const needsClusterIP = (spec: JsonObject): boolean => text(spec.type) !== 'ExternalName';
const needsNodePorts = (spec: JsonObject): boolean =>
  text(spec.type) === 'NodePort' ||
  (text(spec.type) === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);

function setDefaults(svc: JsonObject, ipModeGate: boolean): void {
  const spec = obj(svc.spec);
  svc.spec = spec;
  if (!text(spec.sessionAffinity)) spec.sessionAffinity = 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP') {
    const t = obj(obj(spec.sessionAffinityConfig).clientIP).timeoutSeconds;
    if (typeof t !== 'number') spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
  }
  if (!text(spec.type)) spec.type = 'ClusterIP';
  for (const p of arr(spec.ports)) {
    const port = p as JsonObject;
    if (!text(port.protocol)) port.protocol = 'TCP';
    if (
      port.targetPort === undefined ||
      port.targetPort === 0 ||
      port.targetPort === '' ||
      port.targetPort === null
    )
      port.targetPort = num(port.port);
  }
  if (externallyAccessible(spec) && !text(spec.externalTrafficPolicy)) spec.externalTrafficPolicy = 'Cluster';
  if (spec.internalTrafficPolicy === undefined || spec.internalTrafficPolicy === null) {
    if (['NodePort', 'LoadBalancer', 'ClusterIP'].includes(text(spec.type)))
      spec.internalTrafficPolicy = 'Cluster';
  }
  if (spec.type === 'LoadBalancer') {
    if (spec.allocateLoadBalancerNodePorts === undefined || spec.allocateLoadBalancerNodePorts === null)
      spec.allocateLoadBalancerNodePorts = true;
    if (ipModeGate) {
      for (const ing of arr(obj(obj(svc.status).loadBalancer).ingress)) {
        const i = ing as JsonObject;
        if (text(i.ip) && (i.ipMode === undefined || i.ipMode === null)) i.ipMode = 'VIP';
      }
    }
  }
}

function normalizeClusterIPs(old: JsonObject | undefined, svc: JsonObject): void {
  const spec = obj(svc.spec);
  const ips = arr(spec.clusterIPs).map(text);
  const ip = text(spec.clusterIP);
  if (!old) {
    if (ip && ips.length === 0) spec.clusterIPs = [ip];
    else if (!ip && ips.length > 0) spec.clusterIP = ips[0] ?? '';
    return;
  }
  const oldSpec = obj(old.spec);
  // The user cleared clusterIP (e.g. for ExternalName): clear clusterIPs too when unchanged.
  if (!ip && text(oldSpec.clusterIP) && JSON.stringify(ips) === JSON.stringify(arr(oldSpec.clusterIPs))) {
    delete spec.clusterIPs;
    return;
  }
  if (ip && ip !== text(oldSpec.clusterIP) && JSON.stringify(ips) === JSON.stringify(arr(oldSpec.clusterIPs)))
    spec.clusterIPs = [ip];
  else if (ip && ips.length === 0) spec.clusterIPs = [ip];
  else if (!ip && ips.length > 0) spec.clusterIP = ips[0] ?? '';
}

/** Fields a client omitted on update keep their allocated values (patchAllocatedValues). */
function patchAllocatedValues(svc: JsonObject, old: JsonObject): void {
  const spec = obj(svc.spec);
  const oldSpec = obj(old.spec);
  if (needsClusterIP(oldSpec) && needsClusterIP(spec)) {
    if (!text(spec.clusterIP)) spec.clusterIP = oldSpec.clusterIP ?? '';
    if (arr(spec.clusterIPs).length === 0 && arr(oldSpec.clusterIPs).length > 0)
      spec.clusterIPs = structuredClone(oldSpec.clusterIPs) as JsonValue;
  }
  if (needsNodePorts(oldSpec) && needsNodePorts(spec)) {
    const used = (s: JsonObject): Set<number> =>
      new Set(
        arr(s.ports)
          .map((p) => num(obj(p).nodePort))
          .filter(Boolean),
      );
    const newUsed = used(spec);
    const byName = new Map(arr(oldSpec.ports).map((p) => [text(obj(p).name), num(obj(p).nodePort)]));
    for (const p of arr(spec.ports)) {
      const port = p as JsonObject;
      if (num(port.nodePort) === 0) {
        const v = byName.get(text(port.name)) ?? 0;
        if (v && !newUsed.has(v)) port.nodePort = v;
      }
    }
  }
  if (needsHealthCheck(oldSpec) && needsHealthCheck(spec) && !num(spec.healthCheckNodePort))
    spec.healthCheckNodePort = oldSpec.healthCheckNodePort ?? 0;
}

/** Switching type clears the fields the new type does not use, when the client left them as they were. */
function dropTypeDependentFields(svc: JsonObject, old: JsonObject): void {
  const spec = obj(svc.spec);
  const oldSpec = obj(old.spec);
  const same = (k: string): boolean => JSON.stringify(spec[k] ?? null) === JSON.stringify(oldSpec[k] ?? null);
  if (needsClusterIP(oldSpec) && !needsClusterIP(spec)) {
    if (same('clusterIP') && same('clusterIPs')) {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    if (same('ipFamilies')) delete spec.ipFamilies;
    if (same('ipFamilyPolicy')) delete spec.ipFamilyPolicy;
  }
  if (needsNodePorts(oldSpec) && !needsNodePorts(spec)) {
    const oldPorts = new Map(
      arr(oldSpec.ports).map((p) => [`${text(obj(p).protocol)}/${num(obj(p).port)}`, num(obj(p).nodePort)]),
    );
    for (const p of arr(spec.ports)) {
      const port = p as JsonObject;
      if (
        num(port.nodePort) &&
        oldPorts.get(`${text(port.protocol)}/${num(port.port)}`) === num(port.nodePort)
      )
        delete port.nodePort;
    }
  }
  if (needsHealthCheck(oldSpec) && !needsHealthCheck(spec) && same('healthCheckNodePort'))
    delete spec.healthCheckNodePort;
  if (text(spec.type) !== 'LoadBalancer') {
    if (text(oldSpec.type) === 'LoadBalancer' && same('allocateLoadBalancerNodePorts'))
      delete spec.allocateLoadBalancerNodePorts;
    if (text(oldSpec.type) === 'LoadBalancer' && same('loadBalancerClass')) delete spec.loadBalancerClass;
  }
  if (!externallyAccessible(spec) && externallyAccessible(oldSpec) && same('externalTrafficPolicy'))
    delete spec.externalTrafficPolicy;
}

function ipModeInUse(svc: JsonObject | undefined): boolean {
  return arr(obj(obj(svc?.status).loadBalancer).ingress).some((i) => typeof obj(i).ipMode === 'string');
}

function dropDisabledIPMode(svc: JsonObject, old: JsonObject | undefined, gate: boolean): void {
  if (gate || ipModeInUse(old)) return;
  for (const i of arr(obj(obj(svc.status).loadBalancer).ingress)) delete (i as JsonObject).ipMode;
}

/** A list of undo steps, run when the write fails. */
class Txn {
  private readonly undo: (() => void)[] = [];
  add(fn: () => void): void {
    this.undo.push(fn);
  }
  rollback(): void {
    for (const fn of this.undo.reverse()) fn();
    this.undo.length = 0;
  }
}

export function servicesResource(store: ObjectStore, net: ServiceNetwork): Resource {
  const gate = net.opts.loadBalancerIPMode;

  /** IP families and policy (initIPFamilyFields); errors are 422s on the Service. */
  function initFamilies(spec: JsonObject, errs: FieldError[]): void {
    if (text(spec.type) === 'ExternalName') return;
    const ips = arr(spec.clusterIPs)
      .map(text)
      .filter((x) => x && x !== 'None');
    let families = arr(spec.ipFamilies).map(text);
    let policy = typeof spec.ipFamilyPolicy === 'string' ? spec.ipFamilyPolicy : undefined;
    const headlessNoSelector = isHeadless(spec) && Object.keys(obj(spec.selector)).length === 0;
    if (headlessNoSelector && !policy && families.length === 0) {
      spec.ipFamilyPolicy = 'RequireDualStack';
      spec.ipFamilies = ['IPv4', 'IPv6'];
      return;
    }
    ips.forEach((ip, i) => {
      const f = familyOfIP(ip);
      if (f && families[i] === undefined) families[i] = f;
    });
    if (!policy) policy = families.length > 1 ? 'RequireDualStack' : 'SingleStack';
    if (policy === 'RequireDualStack' && !net.dualStack)
      errs.push(
        invalid('spec.ipFamilyPolicy', policy, 'this cluster is not configured for dual-stack services'),
      );
    families.forEach((f, i) => {
      if ((f === 'IPv4' || f === 'IPv6') && !net.range(f))
        errs.push(invalid(`spec.ipFamilies[${i}]`, f, 'not configured on this cluster'));
    });
    if (families.length === 0) families = [net.primary];
    if (
      (policy === 'RequireDualStack' || policy === 'PreferDualStack') &&
      net.dualStack &&
      families.length === 1
    ) {
      const other = families[0] === 'IPv4' ? 'IPv6' : 'IPv4';
      families.push(other);
    }
    spec.ipFamilyPolicy = policy;
    spec.ipFamilies = families;
  }

  function allocateIPs(spec: JsonObject, txn: Txn, errs: FieldError[]): void {
    if (!needsClusterIP(spec) || isHeadless(spec)) {
      if (isHeadless(spec)) spec.clusterIPs = ['None'];
      return;
    }
    const families = arr(spec.ipFamilies).map(text);
    const ips = arr(spec.clusterIPs).map(text);
    const out: string[] = [];
    families.forEach((f, i) => {
      const r = net.range(f);
      if (!r) return;
      const want = ips[i];
      if (want) {
        const err = r.allocate(want);
        if (err) {
          errs.push(invalid(`spec.clusterIPs[${i}]`, want, `failed to allocate IP ${want}: ${err}`));
          return;
        }
        txn.add(() => r.release(want));
        out.push(want);
      } else {
        const ip = r.allocateNext();
        if (!ip) throw internalError('failed to allocate a serviceIP: range is full');
        txn.add(() => r.release(ip));
        out.push(ip);
      }
    });
    if (!errs.length) {
      spec.clusterIPs = out;
      spec.clusterIP = out[0] ?? '';
    }
  }

  function releaseIPs(spec: JsonObject): void {
    for (const ip of arr(spec.clusterIPs).map(text)) {
      const f = familyOfIP(ip);
      if (f) net.range(f)?.release(ip);
    }
  }

  function allocatePorts(spec: JsonObject, old: JsonObject | undefined, txn: Txn, errs: FieldError[]): void {
    const oldPorts = new Set<number>();
    if (old && needsNodePorts(old))
      for (const p of arr(old.ports)) if (num(obj(p).nodePort)) oldPorts.add(num(obj(p).nodePort));
    const keep = new Set<number>();
    if (needsNodePorts(spec)) {
      const assigned = new Map<number, number>();
      arr(spec.ports).forEach((p, i) => {
        const port = p as JsonObject;
        const np = num(port.nodePort);
        if (np) {
          keep.add(np);
          if (oldPorts.has(np) || assigned.has(np)) return;
          const err = net.nodePorts.allocate(np);
          if (err) {
            errs.push(invalid(`spec.ports[${i}].nodePort`, np, err));
            return;
          }
          assigned.set(np, np);
          txn.add(() => net.nodePorts.release(np));
        } else {
          // Ports sharing a number across protocols share one node port.
          const twin = arr(spec.ports).find(
            (q) => num(obj(q).port) === num(port.port) && num(obj(q).nodePort) && obj(q) !== port,
          );
          if (twin) {
            port.nodePort = num(obj(twin).nodePort);
            return;
          }
          const got = net.nodePorts.allocateNext();
          if (got === undefined) throw internalError('failed to allocate a nodePort: range is full');
          txn.add(() => net.nodePorts.release(got));
          port.nodePort = got;
          keep.add(got);
        }
      });
    }
    const oldHC = old && needsHealthCheck(old) ? num(old.healthCheckNodePort) : 0;
    if (needsHealthCheck(spec)) {
      const hc = num(spec.healthCheckNodePort);
      if (hc) {
        keep.add(hc);
        if (hc !== oldHC) {
          const err = net.nodePorts.allocate(hc);
          if (err) errs.push(invalid('spec.healthCheckNodePort', hc, err));
          else txn.add(() => net.nodePorts.release(hc));
        }
      } else {
        const got = net.nodePorts.allocateNext();
        if (got === undefined) throw internalError('failed to allocate a nodePort: range is full');
        txn.add(() => net.nodePorts.release(got));
        spec.healthCheckNodePort = got;
        keep.add(got);
      }
    }
    // Ports the old object held and the new one does not are released once the write succeeds.
    const toRelease = [...oldPorts, ...(oldHC ? [oldHC] : [])].filter((p) => !keep.has(p));
    pendingRelease.set(txn, toRelease);
  }

  const pendingRelease = new WeakMap<Txn, number[]>();

  function finishFor(txn: Txn, onSuccess: () => void): Finish {
    return (ok) => {
      if (ok) onSuccess();
      else txn.rollback();
    };
  }

  return builtin({
    group: '',
    version: 'v1',
    plural: 'services',
    singular: 'service',
    kind: 'Service',
    namespaced: true,
    shortNames: ['svc'],
    categories: ['all'],
    verbs: NO_COLLECTION_DELETE,
    subresources: ['status'],
    store,
    type: Service,
    returnDeletedObject: true,
    fieldLabels: ['spec.clusterIP', 'spec.type'],
    fieldSet: (o) => ({ 'spec.clusterIP': text(obj(o.spec).clusterIP), 'spec.type': text(obj(o.spec).type) }),
    defaults: (o) => setDefaults(o, gate),
    strategy: {
      beginCreate(o) {
        const spec = obj(o.spec);
        o.spec = spec;
        normalizeClusterIPs(undefined, o);
        const errs: FieldError[] = [];
        initFamilies(spec, errs);
        if (errs.length) throw invalidErr(SVC_KIND, text(obj(o.metadata).name), errs);
        const txn = new Txn();
        try {
          allocateIPs(spec, txn, errs);
          if (!errs.length) allocatePorts(spec, undefined, txn, errs);
        } catch (e) {
          txn.rollback();
          throw e;
        }
        if (errs.length) {
          txn.rollback();
          throw invalidErr(SVC_KIND, text(obj(o.metadata).name), errs);
        }
        return finishFor(txn, () => undefined);
      },
      prepareForCreate(o) {
        o.status = {};
      },
      prepareForUpdate(o, old) {
        o.status = structuredClone(old.status ?? {});
        patchAllocatedValues(o, old);
        normalizeClusterIPs(old, o);
        dropTypeDependentFields(o, old);
      },
      prepareForStatusUpdate(o, old) {
        o.spec = structuredClone(old.spec ?? {});
        dropDisabledIPMode(o, old, gate);
      },
      beginUpdate(o, old, ctx) {
        if (ctx.subresource === 'status') return () => undefined;
        const spec = obj(o.spec);
        const oldSpec = obj(old.spec);
        const errs: FieldError[] = [];
        const txn = new Txn();
        let releaseOldIPs = false;
        try {
          if (needsClusterIP(spec) && !needsClusterIP(oldSpec)) {
            initFamilies(spec, errs);
            if (!errs.length) allocateIPs(spec, txn, errs);
          } else if (!needsClusterIP(spec) && needsClusterIP(oldSpec)) {
            releaseOldIPs = true;
          } else if (needsClusterIP(spec) && !arr(spec.ipFamilies).length) {
            initFamilies(spec, errs);
          }
          if (!errs.length) allocatePorts(spec, oldSpec, txn, errs);
        } catch (e) {
          txn.rollback();
          throw e;
        }
        if (errs.length) {
          txn.rollback();
          throw invalidErr(SVC_KIND, text(obj(o.metadata).name), errs);
        }
        return finishFor(txn, () => {
          if (releaseOldIPs) releaseIPs(oldSpec);
          for (const p of pendingRelease.get(txn) ?? []) net.nodePorts.release(p);
        });
      },
      validate: (o) => validateService(o),
      validateUpdate: (o, old) => validateServiceUpdate(o, old),
      validateStatusUpdate: (o) => validateServiceStatus(o, gate),
      afterDelete(o) {
        const spec = obj(o.spec);
        releaseIPs(spec);
        for (const p of arr(spec.ports))
          if (num(obj(p).nodePort)) net.nodePorts.release(num(obj(p).nodePort));
        if (num(spec.healthCheckNodePort)) net.nodePorts.release(num(spec.healthCheckNodePort));
      },
    },
  });
}
