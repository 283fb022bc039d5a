// Ports through which the controller changes the world, and their Kubernetes adapters.
// The reconcile loop only sees these narrow interfaces, so tests can record what it writes.
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1LoadBalancerIngress,
  type V1Service,
} from '@kubernetes/client-node';
import { ConflictError, NotFoundError } from '../k8s/errors.js';
import type { IPAddressPoolStatus } from '../k8s/ironlb-types.js';
import { IP_ADDRESS_POOL_PLURAL, IRONLB_GROUP, IRONLB_VERSION } from '../k8s/names.js';

export interface ServiceChange {
  /** Replaces status.loadBalancer.ingress (an empty list clears it); undefined leaves it. */
  ingress?: V1LoadBalancerIngress[];
  /** Sets (string) or removes (null) annotations. */
  annotations?: Record<string, string | null>;
}

export interface ServiceWriter {
  /** Applies the change conditional on the Service's resourceVersion; returns the new object. */
  write(svc: V1Service, change: ServiceChange): Promise<V1Service>;
  get(namespace: string, name: string): Promise<V1Service | undefined>;
}

export interface PoolStatusWriter {
  writeStatus(namespace: string, name: string, status: IPAddressPoolStatus): Promise<void>;
}

/** Maps client-node errors onto the controller's: 409 → ConflictError, 404 → NotFoundError. */
export function translateApiError(err: unknown): unknown {
  if (err instanceof ApiException) {
    if (err.code === 409) return new ConflictError(String(err.message));
    if (err.code === 404) return new NotFoundError(String(err.message));
  }
  return err;
}

export function errorCode(err: unknown): string {
  if (err instanceof ConflictError) return '409';
  if (err instanceof NotFoundError) return '404';
  if (err instanceof ApiException) return String(err.code);
  return 'network';
}

// client-node 1.4 sends PATCH bodies as application/json-patch+json unless told otherwise;
// this option makes them RFC 7386 merge patches, which kube-apiserver accepts on every kind.
const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export class KubernetesServiceWriter implements ServiceWriter {
  readonly #core: CoreV1Api;
  /** Set once the API server is seen to ignore metadata written through /status. */
  #annotationsViaStatus = true;

  constructor(kc: KubeConfig) {
    this.#core = kc.makeApiClient(CoreV1Api);
  }

  async write(svc: V1Service, change: ServiceChange): Promise<V1Service> {
    const meta = svc.metadata ?? {};
    const name = meta.name ?? '';
    const namespace = meta.namespace ?? '';
    const annotations =
      change.annotations && Object.keys(change.annotations).length > 0 ? change.annotations : undefined;
    try {
      // One request for both: kube-apiserver's Service status strategy resets only spec, so
      // metadata (our annotation) written through /status is applied (every version to date).
      if (change.ingress !== undefined || (annotations && this.#annotationsViaStatus)) {
        const viaStatus = annotations && this.#annotationsViaStatus ? annotations : undefined;
        const body: Record<string, unknown> = {
          metadata: {
            resourceVersion: meta.resourceVersion,
            ...(viaStatus ? { annotations: viaStatus } : {}),
          },
        };
        // null removes the key, leaving the `{"loadBalancer":{}}` an untouched Service has
        if (change.ingress !== undefined) {
          body.status = { loadBalancer: { ingress: change.ingress.length > 0 ? change.ingress : null } };
        }
        const after = await this.#core.patchNamespacedServiceStatus({ name, namespace, body }, MERGE_PATCH);
        if (!viaStatus || annotationsApplied(after, viaStatus)) return after;
        // A server that drops metadata on status writes: use the main resource from now on.
        this.#annotationsViaStatus = false;
        return await this.#patchAnnotations(after, annotations ?? {});
      }
      return await this.#patchAnnotations(svc, annotations ?? {});
    } catch (err) {
      throw translateApiError(err);
    }
  }

  #patchAnnotations(svc: V1Service, annotations: Record<string, string | null>): Promise<V1Service> {
    const meta = svc.metadata ?? {};
    const body = { metadata: { resourceVersion: meta.resourceVersion, annotations } };
    return this.#core.patchNamespacedService(
      { name: meta.name ?? '', namespace: meta.namespace ?? '', body },
      MERGE_PATCH,
    );
  }

  async get(namespace: string, name: string): Promise<V1Service | undefined> {
    try {
      return await this.#core.readNamespacedService({ name, namespace });
    } catch (err) {
      const e = translateApiError(err);
      if (e instanceof NotFoundError) return undefined;
      throw e;
    }
  }
}

function annotationsApplied(svc: V1Service, wanted: Record<string, string | null>): boolean {
  const have = svc.metadata?.annotations ?? {};
  return Object.entries(wanted).every(([k, v]) => (v === null ? !(k in have) : have[k] === v));
}

export class KubernetesPoolStatusWriter implements PoolStatusWriter {
  readonly #custom: CustomObjectsApi;

  constructor(kc: KubeConfig) {
    this.#custom = kc.makeApiClient(CustomObjectsApi);
  }

  async writeStatus(namespace: string, name: string, status: IPAddressPoolStatus): Promise<void> {
    try {
      await this.#custom.patchNamespacedCustomObjectStatus(
        {
          group: IRONLB_GROUP,
          version: IRONLB_VERSION,
          namespace,
          plural: IP_ADDRESS_POOL_PLURAL,
          name,
          body: { status },
        },
        MERGE_PATCH,
      );
    } catch (err) {
      throw translateApiError(err);
    }
  }
}
