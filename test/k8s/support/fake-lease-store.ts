// An in-memory LeaseStore that behaves like the API server where the elector's safety depends on
// it: every write bumps a global resourceVersion, a replace with a stale or missing one is a 409
// Conflict, a duplicate create is a 409 AlreadyExists, a MicroTime without exactly 6 fractional
// digits is a 400. Requests take time on the manual clock: latency to the server, the commit, then
// latency back, so a write can commit and still fail or time out for the caller.
import type { ManualClock } from '../../../src/k8s/clock.js';
import {
  AlreadyExistsError,
  ConflictError,
  NotFoundError,
  type LeaseObject,
  type LeaseStore,
} from '../../../src/k8s/leader-election.js';

export class HttpStatusError extends Error {
  constructor(
    readonly code: number,
    message = `HTTP ${code}`,
  ) {
    super(message);
  }
}

export type Op = 'get' | 'create' | 'replace';

export type Fault =
  /** Fails before reaching storage. */
  | { kind: 'error'; status: number }
  /** An injected 409 Conflict (as if someone wrote just before us); nothing is stored. */
  | { kind: 'conflict' }
  /** Stored, but the answer is lost: the caller sees an error. */
  | { kind: 'lostResponse'; status?: number }
  /** Never answers and never commits. */
  | { kind: 'hang' };

export interface WriteRecord {
  at: number;
  op: 'create' | 'replace';
  client: string;
  holder: string;
  resourceVersion: string;
  transitions: number;
}

const MICRO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}(Z|[+-]\d{2}:\d{2})$/;

export class FakeLeaseStore {
  readonly #clock: ManualClock;
  readonly #objects = new Map<string, LeaseObject>();
  #rv = 1000;
  readonly #queued: { op: Op | undefined; client: string | undefined; fault: Fault }[] = [];
  /** Decides a fault for every call (randomised tests); queued faults win. */
  injector: ((op: Op, client: string) => Fault | undefined) | undefined;
  /** [to server, back to caller] in ms of fake time. */
  latency: (op: Op, client: string) => [number, number] = () => [0, 0];
  readonly writes: WriteRecord[] = [];
  readonly partitioned = new Set<string>();
  calls = 0;

  constructor(clock: ManualClock) {
    this.#clock = clock;
  }

  /** Queues a fault for the next matching call. */
  failNext(fault: Fault, match: { op?: Op; client?: string } = {}): void {
    this.#queued.push({ op: match.op, client: match.client, fault });
  }

  /** The stored object (a copy), for assertions. */
  peek(namespace: string, name: string): LeaseObject | undefined {
    const obj = this.#objects.get(`${namespace}/${name}`);
    return obj === undefined ? undefined : structuredClone(obj);
  }

  /** Writes directly, as another actor would (e.g. kubectl or another elector implementation). */
  put(lease: LeaseObject): LeaseObject {
    const stored = structuredClone(lease);
    stored.metadata.resourceVersion = String(++this.#rv);
    this.#objects.set(`${lease.metadata.namespace}/${lease.metadata.name}`, stored);
    return structuredClone(stored);
  }

  /** A LeaseStore as seen by one client; partition it with `partitioned.add(client)`. */
  client(name: string): LeaseStore {
    return {
      get: (ns, n) => this.#exec('get', name, () => this.#get(ns, n)),
      create: (lease) => this.#exec('create', name, () => this.#create(lease, name)),
      replace: (lease) => this.#exec('replace', name, () => this.#replace(lease, name)),
    };
  }

  #get(ns: string, name: string): LeaseObject | null {
    const obj = this.#objects.get(`${ns}/${name}`);
    return obj === undefined ? null : structuredClone(obj);
  }

  #create(lease: LeaseObject, client: string): LeaseObject {
    validate(lease);
    const key = `${lease.metadata.namespace}/${lease.metadata.name}`;
    if (this.#objects.has(key))
      throw new AlreadyExistsError(`leases "${lease.metadata.name}" already exists`);
    if (lease.metadata.resourceVersion !== undefined && lease.metadata.resourceVersion !== '') {
      throw new HttpStatusError(400, 'resourceVersion should not be set on objects to be created');
    }
    const stored = this.put(lease);
    this.#record('create', client, stored);
    return stored;
  }

  #replace(lease: LeaseObject, client: string): LeaseObject {
    validate(lease);
    const key = `${lease.metadata.namespace}/${lease.metadata.name}`;
    const current = this.#objects.get(key);
    if (current === undefined) throw new NotFoundError(`leases "${lease.metadata.name}" not found`);
    if (lease.metadata.resourceVersion !== current.metadata.resourceVersion) {
      throw new ConflictError(
        `Operation cannot be fulfilled on leases.coordination.k8s.io "${lease.metadata.name}"`,
      );
    }
    const stored = this.put(lease);
    this.#record('replace', client, stored);
    return stored;
  }

  #record(op: 'create' | 'replace', client: string, lease: LeaseObject): void {
    this.writes.push({
      at: this.#clock.monotonic(),
      op,
      client,
      holder: lease.spec.holderIdentity ?? '',
      resourceVersion: lease.metadata.resourceVersion ?? '',
      transitions: lease.spec.leaseTransitions ?? 0,
    });
  }

  async #exec<T>(op: Op, client: string, apply: () => T): Promise<T> {
    this.calls++;
    const idx = this.#queued.findIndex(
      (q) => (q.op === undefined || q.op === op) && (q.client === undefined || q.client === client),
    );
    const fault = idx >= 0 ? this.#queued.splice(idx, 1)[0]?.fault : this.injector?.(op, client);
    const [there, back] = this.latency(op, client);
    await this.#wait(there);
    if (this.partitioned.has(client)) {
      await this.#wait(back);
      throw new HttpStatusError(503, 'partitioned');
    }
    if (fault?.kind === 'hang') return new Promise<T>(() => undefined);
    if (fault?.kind === 'error') {
      await this.#wait(back);
      throw new HttpStatusError(fault.status);
    }
    if (fault?.kind === 'conflict') {
      await this.#wait(back);
      throw new ConflictError('injected conflict');
    }
    let result: { ok: true; value: T } | { ok: false; error: unknown };
    try {
      result = { ok: true, value: apply() };
    } catch (error) {
      result = { ok: false, error };
    }
    await this.#wait(back);
    if (fault?.kind === 'lostResponse') throw new HttpStatusError(fault.status ?? 504, 'answer lost');
    if (!result.ok) throw result.error;
    return result.value;
  }

  #wait(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => this.#clock.setTimeout(resolve, ms));
  }
}

function validate(lease: LeaseObject): void {
  for (const field of ['acquireTime', 'renewTime'] as const) {
    const v = lease.spec[field];
    if (v !== undefined && !MICRO_TIME.test(v)) {
      throw new HttpStatusError(400, `parsing time "${v}" as "2006-01-02T15:04:05.000000Z07:00"`);
    }
  }
}
