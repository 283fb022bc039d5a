// Ports through which the controller changes the world, and their Kubernetes adapters.
// The reconcile loop only sees these narrow interfaces, so tests can record what it writes.
import {
  ApiException,
  type KubeConfig,
  type V1LoadBalancerIngress,
  type V1Service,
} from '@kubernetes/client-node';
import { KubeRest, seg } from '../k8s/rest.js';
import { ConflictError, NotFoundError } from '../k8s/errors.js';
import type { IPAddressPoolStatus } from '../k8s/ironlb-types.js';
import { IRONLB_GROUP, IRONLB_VERSION } from '../k8s/names.js';

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

/** Merges `status` into a custom resource's status subresource. */
export interface StatusWriter<S> {
  writeStatus(namespace: string, name: string, status: S): Promise<void>;
}

export type PoolStatusWriter = StatusWriter<IPAddressPoolStatus>;

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

// RFC 7386 merge patches: kube-apiserver accepts them on every kind, custom resources included.
const MERGE_PATCH_TYPE = 'application/merge-patch+json';

export class KubernetesServiceWriter implements ServiceWriter {
  readonly #rest: KubeRest;
  /** Set once the API server is seen to ignore metadata written through /status. */
  #annotationsViaStatus = true;

  constructor(kc: KubeConfig) {
    this.#rest = new KubeRest(kc);
  }

  #path(svc: V1Service, sub = ''): string {
    return `/api/v1/namespaces/${seg(svc.metadata?.namespace ?? '')}/services/${seg(svc.metadata?.name ?? '')}${sub}`;
  }

  async write(svc: V1Service, change: ServiceChange): Promise<V1Service> {
    const meta = svc.metadata ?? {};
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
        const after = await this.#rest.request<V1Service>(
          'PATCH',
          this.#path(svc, '/status'),
          body,
          MERGE_PATCH_TYPE,
        );
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
    const body = { metadata: { resourceVersion: svc.metadata?.resourceVersion, annotations } };
    return this.#rest.request<V1Service>('PATCH', this.#path(svc), body, MERGE_PATCH_TYPE);
  }

  async get(namespace: string, name: string): Promise<V1Service | undefined> {
    try {
      return await this.#rest.request<V1Service>('GET', this.#path({ metadata: { namespace, name } }));
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

/** StatusWriter for one of our custom resources (ipaddresspools, l2advertisements). */
export class KubernetesStatusWriter<S> implements StatusWriter<S> {
  readonly #rest: KubeRest;
  readonly #plural: string;

  constructor(kc: KubeConfig, plural: string) {
    this.#rest = new KubeRest(kc);
    this.#plural = plural;
  }

  async writeStatus(namespace: string, name: string, status: S): Promise<void> {
    const path = `/apis/${IRONLB_GROUP}/${IRONLB_VERSION}/namespaces/${seg(namespace)}/${this.#plural}/${seg(name)}/status`;
    try {
      await this.#rest.request('PATCH', path, { status }, MERGE_PATCH_TYPE);
    } catch (err) {
      throw translateApiError(err);
    }
  }
}
