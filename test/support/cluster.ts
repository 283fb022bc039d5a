// A test cluster: the in-repo API server with ironlb's CRDs installed, a kubeconfig file for
// child processes, and the real client-node APIs for the test's own reads and writes.
import {
  ApiextensionsV1Api,
  CoreV1Api,
  CoordinationV1Api,
  CustomObjectsApi,
  KubeConfig,
  loadAllYaml,
  type V1CustomResourceDefinition,
  type V1Service,
} from '@kubernetes/client-node';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startApiServer, type ApiServer, type ApiServerOptions } from '../../src/apiserver/index.js';
import type { IPAddressPool, IPAddressPoolSpec } from '../../src/k8s/ironlb-types.js';
import {
  DEFAULT_NAMESPACE,
  IP_ADDRESS_POOL_PLURAL,
  IRONLB_GROUP,
  IRONLB_VERSION,
} from '../../src/k8s/names.js';
import { waitFor } from './wait.js';

const CRD_DIR = fileURLToPath(new URL('../../daemonset/crds/', import.meta.url));

export interface TestCluster {
  readonly server: ApiServer;
  readonly kc: KubeConfig;
  readonly kubeconfigFile: string;
  readonly core: CoreV1Api;
  readonly custom: CustomObjectsApi;
  readonly coordination: CoordinationV1Api;
  createPool(name: string, spec: IPAddressPoolSpec, labels?: Record<string, string>): Promise<IPAddressPool>;
  getPool(name: string): Promise<IPAddressPool>;
  deletePool(name: string): Promise<void>;
  createNamespace(name: string, labels?: Record<string, string>): Promise<void>;
  createService(namespace: string, name: string, opts?: ServiceOpts): Promise<V1Service>;
  ingressIPs(namespace: string, name: string): Promise<string[]>;
  close(): Promise<void>;
}

export interface ServiceOpts {
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  ports?: { port: number; protocol?: 'TCP' | 'UDP' }[];
  ipFamilyPolicy?: 'SingleStack' | 'PreferDualStack' | 'RequireDualStack';
  ipFamilies?: ('IPv4' | 'IPv6')[];
  loadBalancerClass?: string;
  type?: 'LoadBalancer' | 'ClusterIP' | 'NodePort';
}

export async function installCRDs(kc: KubeConfig): Promise<void> {
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  for (const file of readdirSync(CRD_DIR).filter((f) => f.endsWith('.yaml'))) {
    for (const doc of loadAllYaml(
      readFileSync(join(CRD_DIR, file), 'utf8'),
    ) as V1CustomResourceDefinition[]) {
      await ext.createCustomResourceDefinition({ body: doc });
      const name = doc.metadata?.name ?? '';
      await waitFor(`CRD ${name} Established`, async () => {
        const crd = await ext.readCustomResourceDefinition({ name });
        return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
      });
    }
  }
}

export async function startTestCluster(opts: ApiServerOptions = {}): Promise<TestCluster> {
  const server = await startApiServer(opts);
  const dir = mkdtempSync(join(tmpdir(), 'ironlb-test-'));
  const kubeconfigFile = join(dir, 'kubeconfig');
  writeFileSync(kubeconfigFile, server.kubeconfig());
  const kc = new KubeConfig();
  kc.loadFromString(server.kubeconfig());
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  await installCRDs(kc);
  await core.createNamespace({ body: { metadata: { name: DEFAULT_NAMESPACE } } });
  const poolRef = {
    group: IRONLB_GROUP,
    version: IRONLB_VERSION,
    namespace: DEFAULT_NAMESPACE,
    plural: IP_ADDRESS_POOL_PLURAL,
  };
  return {
    server,
    kc,
    kubeconfigFile,
    core,
    custom,
    coordination: kc.makeApiClient(CoordinationV1Api),
    async createPool(name, spec, labels) {
      return (await custom.createNamespacedCustomObject({
        ...poolRef,
        body: {
          apiVersion: `${IRONLB_GROUP}/${IRONLB_VERSION}`,
          kind: 'IPAddressPool',
          metadata: { name, labels },
          spec,
        },
      })) as IPAddressPool;
    },
    async getPool(name) {
      return (await custom.getNamespacedCustomObject({ ...poolRef, name })) as IPAddressPool;
    },
    async deletePool(name) {
      await custom.deleteNamespacedCustomObject({ ...poolRef, name });
    },
    async createNamespace(name, labels) {
      await core.createNamespace({ body: { metadata: { name, labels } } });
    },
    async createService(namespace, name, opts = {}) {
      return core.createNamespacedService({
        namespace,
        body: {
          metadata: { name, annotations: opts.annotations, labels: opts.labels },
          spec: {
            type: opts.type ?? 'LoadBalancer',
            selector: { app: name },
            ports: (opts.ports ?? [{ port: 80 }]).map((p) => ({
              port: p.port,
              protocol: p.protocol ?? 'TCP',
              name: `p${p.port}${(p.protocol ?? 'tcp').toLowerCase()}`,
            })),
            ipFamilyPolicy: opts.ipFamilyPolicy,
            ipFamilies: opts.ipFamilies,
            loadBalancerClass: opts.loadBalancerClass,
          },
        },
      });
    },
    async ingressIPs(namespace, name) {
      const svc = await core.readNamespacedService({ namespace, name });
      return (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '');
    },
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
