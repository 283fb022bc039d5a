// discovery.k8s.io/v1 EndpointSlices: address validation per addressType, port defaults,
// generation bumped on any change outside metadata (or to labels).
import { isIP } from 'node:net';
import { duplicate, invalid, notSupported, required, tooMany } from '../../fielderrors.js';
import type { FieldError } from '../../fielderrors.js';
import type { ObjectStore } from '../../storage/store.js';
import { EndpointSlice } from '../../types/apis.js';
import type { JsonObject } from '../../types/model.js';
import { validateLabels, validateObjectMeta } from '../../validation/meta.js';
import {
  PORT_RANGE_MSG,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidPortNum,
  nameIsDNSSubdomain,
} from '../../validation/names.js';
import { arr, builtin, obj, text } from '../builtin.js';
import type { Resource } from '../types.js';

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

function validateAddress(type: string, addr: string, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (type === 'IPv4') {
    if (isIP(addr) !== 4) errs.push(invalid(path, addr, 'must be a valid IPv4 address'));
  } else if (type === 'IPv6') {
    if (isIP(addr) !== 6) errs.push(invalid(path, addr, 'must be a valid IPv6 address'));
  } else if (type === 'FQDN') {
    for (const m of isDNS1123Subdomain(addr)) errs.push(invalid(path, addr, m));
    return errs;
  }
  // ValidateNonSpecialIP
  if (isIP(addr) === 0) errs.push(invalid(path, addr, 'must be a valid IP address'));
  else if (addr === '0.0.0.0' || addr === '::')
    errs.push(invalid(path, addr, 'may not be unspecified (0.0.0.0)'));
  else if (addr.startsWith('127.') || addr === '::1')
    errs.push(invalid(path, addr, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'));
  else if (addr.startsWith('169.254.') || addr.toLowerCase().startsWith('fe80:'))
    errs.push(invalid(path, addr, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'));
  return errs;
}

function validateSlice(o: JsonObject, creating: boolean): FieldError[] {
  const errs = validateObjectMeta(obj(o.metadata), true, nameIsDNSSubdomain);
  const type = text(o.addressType);
  if (!type) errs.push(required('addressType'));
  else if (creating && !ADDRESS_TYPES.includes(type))
    errs.push(notSupported('addressType', type, ADDRESS_TYPES));
  const endpoints = arr(o.endpoints).map(obj);
  if (endpoints.length > 1000) errs.push(tooMany('endpoints', endpoints.length, 1000));
  endpoints.forEach((ep, i) => {
    const p = `endpoints[${i}]`;
    const addrs = arr(ep.addresses).map(text);
    if (addrs.length === 0) errs.push(required(`${p}.addresses`, 'must contain at least 1 address'));
    else if (addrs.length > 100) errs.push(tooMany(`${p}.addresses`, addrs.length, 100));
    addrs.forEach((a, j) => errs.push(...validateAddress(type, a, `${p}.addresses[${j}]`)));
    if (typeof ep.hostname === 'string')
      for (const m of isDNS1123Label(ep.hostname)) errs.push(invalid(`${p}.hostname`, ep.hostname, m));
    if (typeof ep.nodeName === 'string')
      for (const m of isDNS1123Subdomain(ep.nodeName)) errs.push(invalid(`${p}.nodeName`, ep.nodeName, m));
    errs.push(
      ...validateLabels(obj(ep.deprecatedTopology) as Record<string, string>, `${p}.deprecatedTopology`),
    );
  });
  const ports = arr(o.ports).map(obj);
  if (ports.length > 20000) errs.push(tooMany('ports', ports.length, 20000));
  const names = new Set<string>();
  ports.forEach((pt, i) => {
    const p = `ports[${i}]`;
    const name = text(pt.name);
    if (name) for (const m of isDNS1123Label(name)) errs.push(invalid(`${p}.name`, name, m));
    if (names.has(name)) errs.push(duplicate(`${p}.name`, name));
    names.add(name);
    const proto = text(pt.protocol);
    if (!proto) errs.push(required(`${p}.protocol`));
    else if (!PROTOCOLS.includes(proto)) errs.push(notSupported(`${p}.protocol`, proto, PROTOCOLS));
    if (typeof pt.port === 'number' && !isValidPortNum(pt.port))
      errs.push(invalid(`${p}.port`, pt.port, PORT_RANGE_MSG));
    if (typeof pt.appProtocol === 'string')
      for (const m of isQualifiedName(pt.appProtocol))
        errs.push(invalid(`${p}.appProtocol`, pt.appProtocol, m));
  });
  return errs;
}

function withoutMeta(o: JsonObject): string {
  const { metadata: _m, ...rest } = o;
  return JSON.stringify(rest);
}

export function endpointSlicesResource(store: ObjectStore): Resource {
  return builtin({
    group: 'discovery.k8s.io',
    version: 'v1',
    plural: 'endpointslices',
    singular: 'endpointslice',
    kind: 'EndpointSlice',
    namespaced: true,
    store,
    type: EndpointSlice,
    defaults(o) {
      for (const p of arr(o.ports)) {
        const port = p as JsonObject;
        if (port.name === undefined || port.name === null) port.name = '';
        if (port.protocol === undefined || port.protocol === null) port.protocol = 'TCP';
      }
    },
    strategy: {
      prepareForCreate(o) {
        obj(o.metadata).generation = 1;
      },
      prepareForUpdate(o, old) {
        const m = obj(o.metadata);
        const om = obj(old.metadata);
        const gen = typeof om.generation === 'number' ? om.generation : 0;
        if (
          withoutMeta(o) !== withoutMeta(old) ||
          JSON.stringify(m.labels ?? {}) !== JSON.stringify(om.labels ?? {})
        )
          m.generation = gen + 1;
        else m.generation = gen;
      },
      validate: (o) => validateSlice(o, true),
      validateUpdate(o, old) {
        const errs = validateSlice(o, false);
        if (text(o.addressType) !== text(old.addressType))
          errs.push(invalid('addressType', text(o.addressType), 'field is immutable'));
        return errs;
      },
    },
  });
}
