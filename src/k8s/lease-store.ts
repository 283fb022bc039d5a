// LeaseStore adapter on client-node 1.4's CoordinationV1Api.
//
// MicroTime on the wire (checked in client-node 1.4's serializer): V1LeaseSpec declares
// acquireTime/renewTime as V1MicroTime, but the serializer has no entry for that type, so it
// passes values through untouched. A read therefore yields the server's string, and a string we
// write is sent as is. A plain Date would go out through Date#toJSON with 3 fractional digits,
// which the API server rejects with 400. We keep MicroTimes as 6-digit strings end to end.
import type { CoordinationV1Api, V1Lease, V1LeaseSpec, V1MicroTime } from '@kubernetes/client-node';
import { apiErrorStatus, apiStatusCode, describeApiError } from './client.js';
import {
  AlreadyExistsError,
  ConflictError,
  NotFoundError,
  type LeaseObject,
  type LeaseSpecFields,
  type LeaseStore,
} from './leader-election.js';

export class CoordinationLeaseStore implements LeaseStore {
  readonly #api: CoordinationV1Api;

  constructor(api: CoordinationV1Api) {
    this.#api = api;
  }

  async get(namespace: string, name: string): Promise<LeaseObject | null> {
    try {
      return fromV1(await this.#api.readNamespacedLease({ namespace, name }));
    } catch (err) {
      if (apiStatusCode(err) === 404) return null;
      throw mapError(err);
    }
  }

  async create(lease: LeaseObject): Promise<LeaseObject> {
    try {
      return fromV1(
        await this.#api.createNamespacedLease({ namespace: lease.metadata.namespace, body: toV1(lease) }),
      );
    } catch (err) {
      throw mapError(err);
    }
  }

  async replace(lease: LeaseObject): Promise<LeaseObject> {
    try {
      return fromV1(
        await this.#api.replaceNamespacedLease({
          namespace: lease.metadata.namespace,
          name: lease.metadata.name,
          body: toV1(lease),
        }),
      );
    } catch (err) {
      throw mapError(err);
    }
  }
}

function mapError(err: unknown): unknown {
  const code = apiStatusCode(err);
  if (code === 409) {
    const reason = apiErrorStatus(err)?.reason;
    const msg = describeApiError(err);
    return reason === 'AlreadyExists' ? new AlreadyExistsError(msg) : new ConflictError(msg);
  }
  if (code === 404) return new NotFoundError(describeApiError(err));
  return err;
}

function toV1(lease: LeaseObject): V1Lease {
  const { holderIdentity, leaseDurationSeconds, acquireTime, renewTime, leaseTransitions, ...rest } =
    lease.spec;
  const spec: V1LeaseSpec = {
    ...rest,
    holderIdentity,
    leaseDurationSeconds,
    leaseTransitions,
    // Strings on purpose (see the header): the serializer passes them through verbatim.
    acquireTime: acquireTime as unknown as V1MicroTime | undefined,
    renewTime: renewTime as unknown as V1MicroTime | undefined,
  };
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: lease.metadata,
    spec,
  };
}

function fromV1(lease: V1Lease): LeaseObject {
  const meta = lease.metadata ?? {};
  const spec = lease.spec ?? {};
  const out: LeaseSpecFields = { ...(spec as Record<string, unknown>) };
  out.acquireTime = microTimeString(spec.acquireTime);
  out.renewTime = microTimeString(spec.renewTime);
  return {
    metadata: { ...meta, name: meta.name ?? '', namespace: meta.namespace ?? '' },
    spec: out,
  };
}

/** Reads give strings today; a Date (a future client-node) is formatted back to 6 digits. */
function microTimeString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v instanceof Date) return v.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
  return undefined;
}
