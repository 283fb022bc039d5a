import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  apiErrorStatus,
  apiStatusCode,
  describeApiError,
  isApiError,
  loadKubeConfig,
  mergePatchOptions,
} from '../../src/k8s/client.js';
import { json, StandInServer, status, type RecordedRequest } from './support/stand-in-server.js';

let server: StandInServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** PATCH .../services/web/status accepts merge patches only, like a strict server would check. */
function patchRoute(req: RecordedRequest, res: ServerResponse): boolean {
  if (req.path === '/api/v1/namespaces/default/services/web/status' && req.method === 'PATCH') {
    if (req.headers['content-type'] !== 'application/merge-patch+json') {
      status(
        res,
        415,
        'UnsupportedMediaType',
        `expected a merge patch, got ${req.headers['content-type'] ?? 'none'}`,
      );
      return true;
    }
    const patch = JSON.parse(req.body) as { status?: unknown };
    json(res, 200, {
      kind: 'Service',
      apiVersion: 'v1',
      metadata: { name: 'web', namespace: 'default', resourceVersion: '7' },
      spec: { type: 'LoadBalancer' },
      status: patch.status,
    });
    return true;
  }
  if (req.path === '/api/v1/namespaces/default/services/conflict') {
    status(
      res,
      409,
      'Conflict',
      'Operation cannot be fulfilled on services "conflict": the object has been modified',
      {
        name: 'conflict',
        kind: 'services',
      },
    );
    return true;
  }
  return false;
}

async function core(): Promise<{ s: StandInServer; api: CoreV1Api }> {
  const s = await StandInServer.start({ route: patchRoute });
  server = s;
  const kc = new KubeConfig();
  kc.loadFromString(s.kubeconfig());
  return { s, api: kc.makeApiClient(CoreV1Api) };
}

describe('mergePatchOptions', () => {
  const body = { status: { loadBalancer: { ingress: [{ ip: '192.0.2.10', ipMode: 'VIP' }] } } };

  it('is needed: typed patch methods send application/json-patch+json by default', async () => {
    const { s, api } = await core();
    const err: unknown = await api
      .patchNamespacedServiceStatus({ name: 'web', namespace: 'default', body })
      .catch((e: unknown) => e);
    expect(apiStatusCode(err)).toBe(415);
    expect(s.requests.at(-1)?.headers['content-type']).toBe('application/json-patch+json');
  });

  it('sends application/merge-patch+json and keeps the client auth', async () => {
    const { s, api } = await core();
    const svc = await api.patchNamespacedServiceStatus(
      { name: 'web', namespace: 'default', body },
      mergePatchOptions(),
    );
    const req = s.requests.at(-1);
    expect(req?.headers['content-type']).toBe('application/merge-patch+json');
    expect(req?.headers.authorization).toBe('Bearer stand-in-token');
    expect(JSON.parse(req?.body ?? '')).toEqual(body);
    expect(svc.status?.loadBalancer?.ingress?.[0]?.ip).toBe('192.0.2.10');
    // The options are per call: the client itself is unchanged afterwards.
    await api
      .patchNamespacedServiceStatus({ name: 'web', namespace: 'default', body })
      .catch(() => undefined);
    expect(s.requests.at(-1)?.headers['content-type']).toBe('application/json-patch+json');
  });
});

describe('API error helpers', () => {
  it('read the status and Status object of an ApiException', async () => {
    const { api } = await core();
    const err: unknown = await api
      .readNamespacedService({ name: 'conflict', namespace: 'default' })
      .catch((e: unknown) => e);
    expect(apiStatusCode(err)).toBe(409);
    expect(isApiError(err, 409)).toBe(true);
    expect(isApiError(err, 404)).toBe(false);
    expect(apiErrorStatus(err)).toMatchObject({
      reason: 'Conflict',
      code: 409,
      details: { kind: 'services' },
    });
    expect(describeApiError(err)).toBe(
      '409 Conflict: Operation cannot be fulfilled on services "conflict": the object has been modified',
    );
  });

  it('give undefined for network errors (no HTTP status)', async () => {
    const kc = new KubeConfig();
    kc.loadFromClusterAndUser(
      { name: 'c', server: 'http://127.0.0.1:1', skipTLSVerify: true },
      { name: 'u' },
    );
    const err: unknown = await kc
      .makeApiClient(CoreV1Api)
      .listNamespace()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(apiStatusCode(err)).toBeUndefined();
    expect(apiErrorStatus(err)).toBeUndefined();
    expect(describeApiError(err)).toMatch(/ECONNREFUSED/);
  });

  it('understand watch-style errors (statusCode) and Status objects (code)', () => {
    expect(apiStatusCode(Object.assign(new Error('Gone'), { statusCode: 410 }))).toBe(410);
    expect(apiStatusCode({ kind: 'Status', code: 410, reason: 'Expired' })).toBe(410);
    expect(apiStatusCode(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBeUndefined();
  });
});

describe('loadKubeConfig', () => {
  let dir: string;
  const kubeconfig = (server: string): string =>
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server } }],
      users: [{ name: 'u', user: { token: 't' } }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ironlb-kc-'));
    vi.stubEnv('KUBECONFIG', '');
    vi.stubEnv('KUBERNETES_SERVICE_HOST', '');
    vi.stubEnv('KUBERNETES_SERVICE_PORT', '');
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    rmSync(dir, { recursive: true, force: true });
  });

  const inCluster = (): string => {
    const sa = join(dir, 'var/run/secrets/kubernetes.io/serviceaccount');
    mkdirSync(sa, { recursive: true });
    writeFileSync(join(sa, 'token'), 'sa-token');
    writeFileSync(join(sa, 'ca.crt'), '');
    writeFileSync(join(sa, 'namespace'), 'ironlb-system');
    vi.stubEnv('KUBERNETES_SERVICE_HOST', '10.96.0.1');
    vi.stubEnv('KUBERNETES_SERVICE_PORT', '443');
    return dir;
  };

  it('uses an explicit file first, and fails clearly when it is missing', () => {
    const file = join(dir, 'explicit');
    writeFileSync(file, kubeconfig('https://explicit:6443'));
    const seams = { pathPrefix: inCluster(), homeDir: dir };
    expect(loadKubeConfig({ kubeconfig: file }, seams).getCurrentCluster()?.server).toBe(
      'https://explicit:6443',
    );
    expect(() => loadKubeConfig({ kubeconfig: join(dir, 'nope') }, seams)).toThrow(
      /kubeconfig file not found/,
    );
  });

  it('prefers KUBECONFIG, then in-cluster, then ~/.kube/config', () => {
    mkdirSync(join(dir, '.kube'));
    writeFileSync(join(dir, '.kube', 'config'), kubeconfig('https://home:6443'));
    const seams = { homeDir: dir, pathPrefix: dir };
    expect(loadKubeConfig({}, seams).getCurrentCluster()?.server).toBe('https://home:6443');

    inCluster();
    const kc = loadKubeConfig({}, seams);
    expect(kc.getCurrentCluster()?.server).toBe('https://10.96.0.1:443');
    expect(kc.getContextObject(kc.getCurrentContext())?.namespace).toBe('ironlb-system');
    expect(loadKubeConfig({ inCluster: false }, seams).getCurrentCluster()?.server).toBe('https://home:6443');

    const envFile = join(dir, 'env');
    writeFileSync(envFile, kubeconfig('https://env:6443'));
    vi.stubEnv('KUBECONFIG', `${envFile}:${join(dir, 'missing')}`);
    expect(loadKubeConfig({}, seams).getCurrentCluster()?.server).toBe('https://env:6443');
    expect(loadKubeConfig({ inCluster: true }, seams).getCurrentCluster()?.server).toBe(
      'https://10.96.0.1:443',
    );
  });

  it('fails with what it tried when nothing is configured', () => {
    expect(() => loadKubeConfig({}, { homeDir: dir, pathPrefix: dir })).toThrow(
      /no Kubernetes client configuration found; tried: KUBECONFIG \(unset\), in-cluster .*\.kube\/config/,
    );
    expect(() => loadKubeConfig({ inCluster: true }, { homeDir: dir, pathPrefix: dir })).toThrow(
      /in-cluster configuration requested but unavailable/,
    );
  });
});
