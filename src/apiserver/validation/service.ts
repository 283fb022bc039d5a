// Service validation (ValidateService, ValidateServiceUpdate, ValidateServiceStatusUpdate) for
// the fields a load-balancer controller and node agents read and write.
import { isIP } from 'node:net';
import { GoRepr, duplicate, forbidden, invalid, notSupported, required, tooMany } from '../fielderrors.js';
import type { FieldError } from '../fielderrors.js';
import type { JsonObject, JsonValue } from '../types/model.js';
import { validateConditions } from './conditions.js';
import { validateLabels, validateObjectMeta } from './meta.js';
import {
  CIDR_MSG,
  IP_ADDRESS_MSG,
  PORT_RANGE_MSG,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidPortName,
  isValidPortNum,
  nameIsDNS1035Label,
  parseCIDR,
} from './names.js';

const o = (v: JsonValue | undefined): JsonObject =>
  v && typeof v === 'object' && !Array.isArray(v) ? v : {};
const a = (v: JsonValue | undefined): JsonValue[] => (Array.isArray(v) ? v : []);
const s = (v: JsonValue | undefined): string => (typeof v === 'string' ? v : '');
const n = (v: JsonValue | undefined): number => (typeof v === 'number' ? v : 0);

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];

export const isHeadless = (spec: JsonObject): boolean => s(spec.clusterIP) === 'None';

export function externallyAccessible(spec: JsonObject): boolean {
  const t = s(spec.type);
  return t === 'LoadBalancer' || t === 'NodePort' || (t === 'ClusterIP' && a(spec.externalIPs).length > 0);
}

export const needsHealthCheck = (spec: JsonObject): boolean =>
  s(spec.type) === 'LoadBalancer' && s(spec.externalTrafficPolicy) === 'Local';

function servicePortRepr(protocol: string, port: number, nodePort = 0): GoRepr {
  return new GoRepr(
    `core.ServicePort{Name:"", Protocol:${JSON.stringify(protocol)}, AppProtocol:(*string)(nil), Port:${port}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:${nodePort}}`,
  );
}

function validatePort(p: JsonObject, i: number, requireName: boolean, names: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  const path = `spec.ports[${i}]`;
  const name = s(p.name);
  if (requireName && !name) errs.push(required(`${path}.name`));
  else if (name) {
    for (const m of isDNS1123Label(name)) errs.push(invalid(`${path}.name`, name, m));
    if (names.has(name)) errs.push(duplicate(`${path}.name`, name));
    else names.add(name);
  }
  if (!isValidPortNum(n(p.port))) errs.push(invalid(`${path}.port`, n(p.port), PORT_RANGE_MSG));
  const proto = s(p.protocol);
  if (!proto) errs.push(required(`${path}.protocol`));
  else if (!PROTOCOLS.includes(proto)) errs.push(notSupported(`${path}.protocol`, proto, PROTOCOLS));
  const tp = p.targetPort;
  if (typeof tp === 'number') {
    if (!isValidPortNum(tp)) errs.push(invalid(`${path}.targetPort`, tp, PORT_RANGE_MSG));
  } else if (typeof tp === 'string') {
    for (const m of isValidPortName(tp)) errs.push(invalid(`${path}.targetPort`, tp, m));
  }
  if (typeof p.appProtocol === 'string')
    for (const m of isQualifiedName(p.appProtocol))
      errs.push(invalid(`${path}.appProtocol`, p.appProtocol, m));
  return errs;
}

function validateClusterIPs(spec: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  const ips = a(spec.clusterIPs).map(s);
  const clusterIP = s(spec.clusterIP);
  const families = a(spec.ipFamilies).map(s);
  const policy = spec.ipFamilyPolicy;
  if (ips.length > 0 && clusterIP !== ips[0])
    errs.push(invalid('spec.clusterIPs', new GoRepr(goStrings(ips)), 'first value must match `clusterIP`'));
  if (policy !== undefined && policy !== null) {
    const p = s(policy);
    if (!['PreferDualStack', 'RequireDualStack', 'SingleStack'].includes(p))
      errs.push(
        notSupported('spec.ipFamilyPolicy', p, ['PreferDualStack', 'RequireDualStack', 'SingleStack']),
      );
  }
  if (ips.length > 2) errs.push(tooMany('spec.clusterIPs', ips.length, 2));
  if (clusterIP === 'None') {
    if (ips.length > 1)
      errs.push(
        invalid(
          'spec.clusterIPs',
          new GoRepr(goStrings(ips)),
          'must be a single value when clusterIP is "None"',
        ),
      );
  } else {
    ips.forEach((ip, i) => {
      if (isIP(ip) === 0) errs.push(invalid(`spec.clusterIPs[${i}]`, ip, IP_ADDRESS_MSG));
    });
  }
  const seen = new Set<string>();
  families.forEach((f, i) => {
    if (f !== 'IPv4' && f !== 'IPv6') errs.push(notSupported(`spec.ipFamilies[${i}]`, f, ['IPv4', 'IPv6']));
    if (seen.has(f)) errs.push(duplicate(`spec.ipFamilies[${i}]`, f));
    seen.add(f);
  });
  if (families.length > 2) errs.push(tooMany('spec.ipFamilies', families.length, 2));
  if (families.length > 1 && s(policy) === 'SingleStack')
    errs.push(
      invalid(
        'spec.ipFamilies',
        new GoRepr(goStrings(families)),
        'when multiple IP families are specified, `ipFamilyPolicy` must be PreferDualStack or RequireDualStack',
      ),
    );
  if (clusterIP !== 'None') {
    ips.forEach((ip, i) => {
      const fam = isIP(ip) === 4 ? 'IPv4' : isIP(ip) === 6 ? 'IPv6' : '';
      const want = families[i];
      if (fam && want && fam !== want)
        errs.push(
          invalid(
            `spec.clusterIPs[${i}]`,
            ip,
            `expected an ${want} value as indicated by \`ipFamilies[${i}]\``,
          ),
        );
    });
  }
  return errs;
}

function goStrings(xs: string[]): string {
  return `[]string{${xs.map((x) => JSON.stringify(x)).join(', ')}}`;
}

export function validateService(svc: JsonObject): FieldError[] {
  const errs = validateObjectMeta(o(svc.metadata), true, nameIsDNS1035Label);
  const spec = o(svc.spec);
  const type = s(spec.type);
  const ports = a(spec.ports).map(o);
  if (ports.length === 0 && !isHeadless(spec) && type !== 'ExternalName') errs.push(required('spec.ports'));
  const firstIP = s(a(spec.clusterIPs)[0]);
  if (type === 'LoadBalancer' && isHeadless(spec))
    errs.push(invalid('spec.clusterIPs[0]', firstIP, "may not be set to 'None' for LoadBalancer services"));
  if (type === 'NodePort' && isHeadless(spec))
    errs.push(invalid('spec.clusterIPs[0]', firstIP, "may not be set to 'None' for NodePort services"));
  if (type === 'ExternalName') {
    if (a(spec.clusterIPs).length > 0)
      errs.push(forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    if (a(spec.ipFamilies).length > 0)
      errs.push(forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
    if (spec.ipFamilyPolicy !== undefined && spec.ipFamilyPolicy !== null)
      errs.push(forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
    const cname = s(spec.externalName).replace(/\.$/, '');
    if (cname) for (const m of isDNS1123Subdomain(cname)) errs.push(invalid('spec.externalName', cname, m));
    else errs.push(required('spec.externalName'));
  }
  const names = new Set<string>();
  ports.forEach((p, i) => errs.push(...validatePort(p, i, ports.length > 1, names)));
  if (spec.selector) errs.push(...validateLabels(spec.selector as Record<string, string>, 'spec.selector'));
  const affinity = s(spec.sessionAffinity);
  if (!affinity) errs.push(required('spec.sessionAffinity'));
  else if (affinity !== 'ClientIP' && affinity !== 'None')
    errs.push(notSupported('spec.sessionAffinity', affinity, ['ClientIP', 'None']));
  if (affinity === 'ClientIP') {
    const t = o(o(o(spec.sessionAffinityConfig).clientIP)).timeoutSeconds;
    if (typeof t !== 'number') errs.push(required('spec.sessionAffinityConfig.clientIP.timeoutSeconds'));
    else if (t <= 0 || t > 86400)
      errs.push(
        invalid(
          'spec.sessionAffinityConfig.clientIP.timeoutSeconds',
          t,
          'must be greater than 0 and less than 86400',
        ),
      );
  } else if (affinity === 'None' && spec.sessionAffinityConfig)
    errs.push(forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None'));
  errs.push(...validateClusterIPs(spec));
  a(spec.externalIPs).forEach((ip, i) => {
    const v = s(ip);
    if (isIP(v) === 0) errs.push(invalid(`spec.externalIPs[${i}]`, v, IP_ADDRESS_MSG));
    else if (v === '0.0.0.0' || v === '::' || v.startsWith('127.') || v === '::1')
      errs.push(invalid(`spec.externalIPs[${i}]`, v, 'may not be unspecified or in the loopback range'));
  });
  if (!type) errs.push(required('spec.type'));
  else if (!TYPES.includes(type)) errs.push(notSupported('spec.type', type, TYPES));
  if (type === 'ClusterIP')
    ports.forEach((p, i) => {
      if (n(p.nodePort) !== 0)
        errs.push(forbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'"));
    });
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    if (!n(p.nodePort)) return;
    const k = `${s(p.protocol)}/${n(p.nodePort)}`;
    if (nodePorts.has(k)) errs.push(duplicate(`spec.ports[${i}].nodePort`, n(p.nodePort)));
    nodePorts.add(k);
  });
  const portKeys = new Set<string>();
  ports.forEach((p, i) => {
    const k = `${s(p.protocol)}/${n(p.port)}`;
    if (portKeys.has(k)) errs.push(duplicate(`spec.ports[${i}]`, servicePortRepr(s(p.protocol), n(p.port))));
    portKeys.add(k);
  });
  const ranges = a(spec.loadBalancerSourceRanges).map(s);
  if (ranges.length > 0) {
    if (type !== 'LoadBalancer')
      errs.push(forbidden('spec.LoadBalancerSourceRanges', "may only be used when `type` is 'LoadBalancer'"));
    ranges.forEach((r, i) => {
      if (!parseCIDR(r.trim())) errs.push(invalid(`spec.LoadBalancerSourceRanges[${i}]`, r.trim(), CIDR_MSG));
    });
  }
  if (spec.allocateLoadBalancerNodePorts !== undefined && type !== 'LoadBalancer')
    errs.push(
      forbidden('spec.allocateLoadBalancerNodePorts', "may only be used when `type` is 'LoadBalancer'"),
    );
  if (type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts === undefined)
    errs.push(required('allocateLoadBalancerNodePorts'));
  errs.push(...validateLoadBalancerClass(spec, undefined));
  if (s(spec.loadBalancerIP)) {
    if (type !== 'LoadBalancer')
      errs.push(forbidden('spec.loadBalancerIP', "may only be used when `type` is 'LoadBalancer'"));
    else if (isIP(s(spec.loadBalancerIP)) === 0)
      errs.push(invalid('spec.loadBalancerIP', s(spec.loadBalancerIP), IP_ADDRESS_MSG));
  }
  const etp = s(spec.externalTrafficPolicy);
  if (!externallyAccessible(spec)) {
    if (etp)
      errs.push(
        invalid('spec.externalTrafficPolicy', etp, 'may only be set for externally-accessible services'),
      );
  } else if (!etp) errs.push(required('spec.externalTrafficPolicy'));
  else if (etp !== 'Cluster' && etp !== 'Local')
    errs.push(notSupported('spec.externalTrafficPolicy', etp, ['Cluster', 'Local']));
  const hc = n(spec.healthCheckNodePort);
  if (!needsHealthCheck(spec)) {
    if (hc !== 0)
      errs.push(
        invalid(
          'spec.healthCheckNodePort',
          hc,
          "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
        ),
      );
  } else if (hc === 0) errs.push(required('spec.healthCheckNodePort'));
  else if (!isValidPortNum(hc)) errs.push(invalid('spec.healthCheckNodePort', hc, PORT_RANGE_MSG));
  const itp = spec.internalTrafficPolicy;
  if (itp === undefined || itp === null) {
    if (type === 'NodePort' || type === 'LoadBalancer' || type === 'ClusterIP')
      errs.push(required('spec.internalTrafficPolicy'));
  } else if (s(itp) !== 'Cluster' && s(itp) !== 'Local')
    errs.push(notSupported('spec.internalTrafficPolicy', s(itp), ['Cluster', 'Local']));
  const td = spec.trafficDistribution;
  if (typeof td === 'string' && !['PreferClose', 'PreferSameNode', 'PreferSameZone'].includes(td))
    errs.push(
      notSupported('spec.trafficDistribution', td, ['PreferClose', 'PreferSameNode', 'PreferSameZone']),
    );
  return errs;
}

function validateLoadBalancerClass(spec: JsonObject, oldSpec: JsonObject | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const cls = spec.loadBalancerClass;
  const type = s(spec.type);
  if (oldSpec === undefined) {
    if (typeof cls === 'string') {
      if (type !== 'LoadBalancer')
        errs.push(forbidden('spec.loadBalancerClass', "may only be used when `type` is 'LoadBalancer'"));
      for (const m of isQualifiedName(cls)) errs.push(invalid('spec.loadBalancerClass', cls, m));
    }
    return errs;
  }
  const oldCls = oldSpec.loadBalancerClass;
  if (s(oldSpec.type) === 'LoadBalancer' && type === 'LoadBalancer' && (oldCls ?? null) !== (cls ?? null))
    errs.push(
      invalid('spec.loadBalancerClass', typeof cls === 'string' ? cls : null, 'may not change once set'),
    );
  return errs;
}

export function validateServiceUpdate(svc: JsonObject, old: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = o(svc.spec);
  const oldSpec = o(old.spec);
  if (s(oldSpec.type) !== 'ExternalName' && s(spec.type) !== 'ExternalName') {
    const oldIPs = a(oldSpec.clusterIPs).map(s);
    const ips = a(spec.clusterIPs).map(s);
    if (oldIPs.length > 0 && (ips.length === 0 || ips[0] !== oldIPs[0]))
      errs.push(invalid('spec.clusterIPs[0]', ips[0] ?? '', 'may not change once set'));
    const oldFam = a(oldSpec.ipFamilies).map(s);
    const fam = a(spec.ipFamilies).map(s);
    if (oldFam.length > 0 && fam.length > 0 && oldFam[0] !== fam[0])
      errs.push(invalid('spec.ipFamilies[0]', fam[0] ?? '', 'may not change once set'));
  }
  errs.push(...validateLoadBalancerClass(spec, oldSpec));
  errs.push(...validateService(svc));
  return errs;
}

export function validateLoadBalancerStatus(status: JsonObject, ipModeGate: boolean): FieldError[] {
  const errs: FieldError[] = [];
  a(o(status.loadBalancer).ingress).forEach((raw, i) => {
    const ing = o(raw);
    const path = `status.loadBalancer.ingress[${i}]`;
    const ip = s(ing.ip);
    if (ip && isIP(ip) === 0) errs.push(invalid(`${path}.ip`, ip, IP_ADDRESS_MSG));
    const mode = ing.ipMode;
    if (ipModeGate && (mode === undefined || mode === null)) {
      if (ip) errs.push(required(`${path}.ipMode`, 'must be specified when `ip` is set'));
    } else if (typeof mode === 'string' && !ip) {
      errs.push(forbidden(`${path}.ipMode`, 'may not be specified when `ip` is not set'));
    } else if (typeof mode === 'string' && mode !== 'VIP' && mode !== 'Proxy') {
      errs.push(notSupported(`${path}.ipMode`, mode, ['Proxy', 'VIP']));
    }
    const host = s(ing.hostname);
    if (host) {
      for (const m of isDNS1123Subdomain(host)) errs.push(invalid(`${path}.hostname`, host, m));
      if (isIP(host) !== 0)
        errs.push(invalid(`${path}.hostname`, host, 'must be a DNS name, not an IP address'));
    }
    a(ing.ports).forEach((pr, j) => {
      const ps = o(pr);
      const pp = `${path}.ports[${j}]`;
      if (!isValidPortNum(n(ps.port))) errs.push(invalid(`${pp}.port`, n(ps.port), PORT_RANGE_MSG));
      const proto = s(ps.protocol);
      if (!proto) errs.push(required(`${pp}.protocol`));
      else if (!PROTOCOLS.includes(proto)) errs.push(notSupported(`${pp}.protocol`, proto, PROTOCOLS));
    });
  });
  return errs;
}

export function validateServiceStatus(svc: JsonObject, ipModeGate: boolean): FieldError[] {
  const status = o(svc.status);
  return [
    ...validateLoadBalancerStatus(status, ipModeGate),
    ...validateConditions(a(status.conditions), 'status.conditions'),
  ];
}
