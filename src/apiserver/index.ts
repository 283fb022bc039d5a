// The in-repo Kubernetes API server: wiring of storage, resources, controllers and the HTTP(S)
// front, plus the hooks tests use (fault injection, compaction, a kubeconfig).
import { createServer as createHttpServer } from 'node:http';
import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { isIP } from 'node:net';
import type { Socket } from 'node:net';
import { createLogger } from '../log/logger.js';
import type { Logger } from '../log/logger.js';
import { bootstrap } from './bootstrap.js';
import { Compactor, Expirer } from './controllers/compactor.js';
import { CrdController } from './controllers/crd.js';
import { FaultInjector } from './faults.js';
import type { FaultRule, Faults } from './faults.js';
import { createHandler } from './http/server.js';
import type { OpenWatch, WatchRegistry } from './http/watch.js';
import { kubeconfigYaml } from './kubeconfig.js';
import { Catalog } from './registry/catalog.js';
import { configMapsResource, secretsResource } from './registry/kinds/config.js';
import { crdsResource } from './registry/kinds/crds.js';
import { endpointSlicesResource } from './registry/kinds/endpointslices.js';
import { coreEventsResource, eventsV1Resource } from './registry/kinds/events.js';
import { leasesResource } from './registry/kinds/leases.js';
import { namespacesResource } from './registry/kinds/namespaces.js';
import { nodesResource } from './registry/kinds/nodes.js';
import { ServiceNetwork, servicesResource } from './registry/kinds/services.js';
import { Registry } from './registry/rest.js';
import { ObjectStore, Revision } from './storage/store.js';

export type { FaultRule, Faults };

export interface ApiServerOptions {
  /** default 127.0.0.1 */
  host?: string;
  /** 0 = ephemeral */
  port?: number;
  /** required to bind anything but loopback: the server has no real authentication */
  allowNonLoopback?: boolean;
  tls?: { cert: string; key: string };
  /** static bearer token; requests with another token get 401, without one 403 */
  token?: string;
  /** service range, e.g. "10.96.0.0/12" or "10.96.0.0/12,fd00:10:96::/108" */
  serviceCIDR?: string;
  nodePortRange?: [number, number];
  log?: Logger;
  /** events kept per resource in its watch cache (default 50,000) */
  watchCacheSize?: number;
  /** history compaction interval (default 5 min, 0 = never) */
  compactionIntervalMs?: number;
  /** Event time to live (default 1 h, like --event-ttl) */
  eventTTLSeconds?: number;
  /** feature gates; LoadBalancerIPMode defaults to true (GA in 1.32) */
  featureGates?: { LoadBalancerIPMode?: boolean };
}

export interface ApiServer {
  readonly url: string;
  readonly faults: Faults;
  /** YAML kubeconfig text; works with KubeConfig.loadFromString and kubectl */
  kubeconfig(): string;
  /** out-of-band etcd compaction at the current revision (watch caches keep their windows) */
  compact(): void;
  close(): Promise<void>;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

export async function startApiServer(opts: ApiServerOptions = {}): Promise<ApiServer> {
  const host = opts.host ?? '127.0.0.1';
  if (!isLoopback(host) && !opts.allowNonLoopback)
    throw new Error(
      `refusing to listen on ${host}: this API server has no real authentication; allow it explicitly`,
    );
  const log = opts.log ?? createLogger('silent', 'apiserver');
  const cacheSize = opts.watchCacheSize ?? 50_000;
  const revision = new Revision();
  const store = (name: string): ObjectStore => new ObjectStore(name, revision, cacheSize);

  const namespaces = store('namespaces');
  const services = store('services');
  const nodes = store('nodes');
  const events = store('events');
  events.ttlMs = (opts.eventTTLSeconds ?? 3600) * 1000;
  const configmaps = store('configmaps');
  const secrets = store('secrets');
  const endpointslices = store('endpointslices');
  const leases = store('leases');
  const crdStore = store('customresourcedefinitions');
  const builtinStores = [
    namespaces,
    services,
    nodes,
    events,
    configmaps,
    secrets,
    endpointslices,
    leases,
    crdStore,
  ];

  const net = new ServiceNetwork({
    serviceCIDRs: (opts.serviceCIDR ?? '10.96.0.0/12').split(',').map((s) => s.trim()),
    nodePortRange: opts.nodePortRange ?? [30000, 32767],
    loadBalancerIPMode: opts.featureGates?.LoadBalancerIPMode ?? true,
  });
  const catalog = new Catalog();
  const nsRes = namespacesResource(namespaces);
  const svcRes = servicesResource(services, net);
  const crdRes = crdsResource(crdStore);
  for (const r of [
    nsRes,
    svcRes,
    nodesResource(nodes),
    coreEventsResource(events),
    eventsV1Resource(events),
    configMapsResource(configmaps),
    secretsResource(secrets),
    endpointSlicesResource(endpointslices),
    leasesResource(leases),
    crdRes,
  ])
    catalog.add(r);
  const registry = new Registry(() => namespaces);
  const faults = new FaultInjector();
  const watches: WatchRegistry = {
    add: (w: OpenWatch) => faults.watches.add(w),
    delete: (w: OpenWatch) => faults.watches.delete(w),
  };
  let address = '';
  const handler = createHandler(
    { catalog, registry, faults, token: opts.token, log, serverAddress: () => address },
    watches,
  );
  const onRequest = (req: Parameters<typeof handler>[0], res: Parameters<typeof handler>[1]): void => {
    void handler(req, res);
  };
  const server: Server = opts.tls
    ? createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key }, onRequest)
    : createHttpServer(onRequest);
  server.keepAliveTimeout = 65_000;
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : (opts.port ?? 0);
  const urlHost = isIP(host) === 6 ? `[${host}]` : host;
  address = `${urlHost}:${port}`;
  const url = `${opts.tls ? 'https' : 'http'}://${address}`;

  // Same tick as listen: requests wait for the loop, so none sees a half-built server.
  bootstrap({ registry, namespaces: nsRes, services: svcRes, catalog, net, host, port });
  // Watch caches start here, like caches initialised from a list after startup.
  for (const s of builtinStores) s.watchCache.reset(revision.current);

  const crdController = new CrdController(crdRes, registry, catalog, revision, cacheSize, log);
  crdController.start();
  const compactor = new Compactor(revision, opts.compactionIntervalMs ?? 5 * 60_000);
  compactor.start();
  const expirer = new Expirer(() => events.expire(), 10_000);
  expirer.start();
  log.info({ url }, 'apiserver listening');

  let closed = false;
  return {
    url,
    faults,
    kubeconfig: () => kubeconfigYaml(url, opts.token !== undefined ? { token: opts.token } : {}),
    compact: () => revision.compact(),
    async close() {
      if (closed) return;
      closed = true;
      crdController.stop();
      compactor.stop();
      expirer.stop();
      faults.dropWatches();
      for (const s of builtinStores) s.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
}
