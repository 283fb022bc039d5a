// What a fresh kube-apiserver has before anyone talks to it: the system namespaces, the
// `default/kubernetes` Service on the first service IP, and (when the server has a routable
// address) that Service's EndpointSlice.
import { isIP } from 'node:net';
import type { Catalog } from './registry/catalog.js';
import type { ServiceNetwork } from './registry/kinds/services.js';
import type { Registry } from './registry/rest.js';
import type { OpContext, Resource } from './registry/types.js';

interface Deps {
  registry: Registry;
  namespaces: Resource;
  services: Resource;
  catalog: Catalog;
  net: ServiceNetwork;
  host: string;
  port: number;
}

export function bootstrap(d: Deps): void {
  const ctx = (requestVersion: string): OpContext => ({
    now: Date.now(),
    manager: 'kube-apiserver',
    subresource: '',
    dryRun: false,
    requestVersion,
    warnings: [],
  });
  const write = { fieldValidation: 'Ignore' as const };
  for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease'])
    d.registry.create(
      d.namespaces,
      '',
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
      ctx('v1'),
      write,
    );
  const clusterIP = d.net.ranges[0]?.firstIP() ?? '';
  d.registry.create(
    d.services,
    'default',
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kubernetes', labels: { component: 'apiserver', provider: 'kubernetes' } },
      spec: {
        type: 'ClusterIP',
        clusterIP,
        sessionAffinity: 'None',
        ports: [{ name: 'https', protocol: 'TCP', port: 443, targetPort: d.port }],
      },
    },
    ctx('v1'),
    write,
  );
  // A loopback or wildcard listener has no address other hosts could use.
  const family = isIP(d.host);
  const routable =
    family !== 0 && !d.host.startsWith('127.') && d.host !== '::1' && d.host !== '0.0.0.0' && d.host !== '::';
  const slices = d.catalog.get('discovery.k8s.io', 'v1', 'endpointslices');
  if (routable && slices) {
    d.registry.create(
      slices,
      'default',
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: 'kubernetes', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
        addressType: family === 6 ? 'IPv6' : 'IPv4',
        endpoints: [{ addresses: [d.host], conditions: { ready: true } }],
        ports: [{ name: 'https', port: d.port, protocol: 'TCP' }],
      },
      ctx('discovery.k8s.io/v1'),
      write,
    );
  }
}
