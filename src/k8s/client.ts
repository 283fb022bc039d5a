// Kubernetes client setup and error helpers for @kubernetes/client-node 1.4.
//
// Errors seen from client-node 1.4 (read from its dist/):
// - Typed APIs (CoreV1Api, ... as returned by makeApiClient) reject with `ApiException` for any
//   non-2xx answer: `.code` is the HTTP status, `.body` the raw response text (a JSON Status for
//   API errors; a 401 has no body), `.message` a multi-line dump of code, body and headers.
// - Network failures reject with node-fetch's `FetchError` (`.code` is a string such as
//   'ECONNREFUSED', never a number).
// - Watch (and so informers) report a non-200 watch answer as a plain Error with `.statusCode`.
// - An `http://` server is refused before any request ("HTTP protocol is not allowed when
//   skipTLSVerify is not set or false") unless the cluster sets insecure-skip-tls-verify.
import {
  ApiException,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type ConfigurationOptions,
  type V1Status,
} from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import { reuseConnections } from './connection-reuse.js';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface LoadKubeConfigOptions {
  /** Path to a kubeconfig file (e.g. from --kubeconfig). Wins over everything else. */
  kubeconfig?: string;
  /** true: in-cluster only; false: never in-cluster; undefined: in-cluster when available. */
  inCluster?: boolean;
}

/** Test seams: where the in-cluster files and the home directory are (env is process.env). */
export interface LoadKubeConfigSeams {
  /** Prefix for /var/run/secrets/kubernetes.io/serviceaccount (client-node's loadFromCluster prefix). */
  pathPrefix?: string;
  homeDir?: string;
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * Loads client configuration, in this order:
 * 1. `kubeconfig` when given (the file must exist);
 * 2. in-cluster when `inCluster` is true (its env and token file must exist);
 * 3. the KUBECONFIG environment variable (':'-separated files, merged as kubectl does);
 * 4. in-cluster when KUBERNETES_SERVICE_HOST/PORT and the service account token exist (unless
 *    `inCluster` is false);
 * 5. ~/.kube/config.
 * KUBECONFIG is taken before in-cluster, as controller-runtime does: setting it is an explicit
 * choice. Unlike client-node's loadFromDefault, which silently falls back to
 * http://localhost:8080, finding nothing is an error that says what was tried.
 */
export function loadKubeConfig(
  opts: LoadKubeConfigOptions = {},
  seams: LoadKubeConfigSeams = {},
): KubeConfig {
  const env = process.env;
  const prefix = seams.pathPrefix ?? '';
  const home = seams.homeDir ?? homedir();
  const kc = new KubeConfig();
  const tried: string[] = [];

  const inClusterAvailable = (): boolean =>
    Boolean(env.KUBERNETES_SERVICE_HOST) &&
    Boolean(env.KUBERNETES_SERVICE_PORT) &&
    existsSync(`${prefix}${SERVICE_ACCOUNT_DIR}/token`);
  const loadInCluster = (): KubeConfig => {
    kc.loadFromCluster(prefix);
    return checked(kc, 'in-cluster configuration');
  };

  if (opts.kubeconfig !== undefined && opts.kubeconfig !== '') {
    if (!existsSync(opts.kubeconfig)) throw new Error(`kubeconfig file not found: ${opts.kubeconfig}`);
    kc.loadFromFile(opts.kubeconfig);
    return checked(kc, opts.kubeconfig);
  }
  if (opts.inCluster === true) {
    if (!inClusterAvailable()) {
      throw new Error(
        `in-cluster configuration requested but unavailable: need KUBERNETES_SERVICE_HOST, ` +
          `KUBERNETES_SERVICE_PORT and ${prefix}${SERVICE_ACCOUNT_DIR}/token`,
      );
    }
    return loadInCluster();
  }
  const fromEnv = (env.KUBECONFIG ?? '').split(delimiter).filter((f) => f !== '');
  if (fromEnv.length > 0) {
    const [first, ...rest] = fromEnv;
    if (first === undefined || !existsSync(first))
      throw new Error(`kubeconfig file from KUBECONFIG not found: ${first}`);
    kc.loadFromFile(first);
    for (const file of rest) {
      // kubectl skips missing entries after the first one.
      if (!existsSync(file)) continue;
      const more = new KubeConfig();
      more.loadFromFile(file);
      kc.mergeConfig(more, true);
    }
    return checked(kc, `KUBECONFIG=${env.KUBECONFIG ?? ''}`);
  }
  tried.push('KUBECONFIG (unset)');
  if (opts.inCluster !== false) {
    if (inClusterAvailable()) return loadInCluster();
    tried.push(`in-cluster (KUBERNETES_SERVICE_HOST/PORT and ${prefix}${SERVICE_ACCOUNT_DIR}/token)`);
  }
  const defaultFile = join(home, '.kube', 'config');
  if (existsSync(defaultFile)) {
    kc.loadFromFile(defaultFile);
    return checked(kc, defaultFile);
  }
  tried.push(defaultFile);
  throw new Error(`no Kubernetes client configuration found; tried: ${tried.join(', ')}. Use --kubeconfig.`);
}

function checked(kc: KubeConfig, source: string): KubeConfig {
  if (kc.getCurrentCluster() === null) {
    throw new Error(`kubeconfig from ${source} has no current context with a cluster`);
  }
  return reuseConnections(kc);
}

/** The HTTP status of a client-node error, or undefined (network errors, bugs). */
export function apiStatusCode(err: unknown): number | undefined {
  if (err instanceof ApiException) return err.code;
  if (typeof err !== 'object' || err === null) return undefined;
  // Watch errors carry `statusCode`; watch ERROR events carry a Status with a numeric `code`.
  const { statusCode, code } = err as { statusCode?: unknown; code?: unknown };
  if (typeof statusCode === 'number') return statusCode;
  if (typeof code === 'number') return code;
  return undefined;
}

/** True when `err` is an API error with HTTP status `code`. */
export function isApiError(err: unknown, code: number): boolean {
  return apiStatusCode(err) === code;
}

/** The Status object the API server sent with an error, when there is one. */
export function apiErrorStatus(err: unknown): V1Status | undefined {
  if (!(err instanceof ApiException)) return undefined;
  const body: unknown = err.body;
  if (typeof body === 'string') {
    try {
      const parsed: unknown = JSON.parse(body);
      return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
    } catch {
      return undefined;
    }
  }
  return typeof body === 'object' && body !== null ? body : undefined;
}

/** A one-line description of a client-node error for logs (ApiException's message is a dump). */
export function describeApiError(err: unknown): string {
  const code = apiStatusCode(err);
  const status = apiErrorStatus(err);
  if (status?.message !== undefined) return `${code ?? '?'} ${status.reason ?? ''}: ${status.message}`;
  if (err instanceof Error) {
    const first = err.message.split('\n')[0] ?? '';
    return code !== undefined ? `${code} ${first}` : `${err.name}: ${first}`;
  }
  return String(err);
}

/**
 * Options that make a typed PATCH call send `Content-Type: application/merge-patch+json`.
 *
 * The pitfall: client-node 1.4's generated patch methods pick the first media type the OpenAPI
 * spec lists, which is `application/json-patch+json`. A merge-patch object sent with that type is
 * rejected by the API server (it expects a JSON Patch array). The content type is not a method
 * parameter; it is changed per call by a middleware passed as the second argument:
 *
 *   await core.patchNamespacedServiceStatus(
 *     { name, namespace, body: { status: { loadBalancer: { ingress } } } },
 *     mergePatchOptions(),
 *   );
 *
 * `setHeaderOptions` appends the middleware ('append' merge strategy), so the client's auth and
 * server settings are kept.
 */
export function mergePatchOptions(base?: ConfigurationOptions): ConfigurationOptions {
  return setHeaderOptions('Content-Type', PatchStrategy.MergePatch, base);
}
