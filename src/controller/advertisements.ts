// Keeps the Valid condition of every L2Advertisement current, with an Event when its problems
// change. The agent (a later release) is what uses advertisements; validating them here means a
// user sees a typo (a missing pool, a bad interface name) as soon as they apply it.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { EventRecorder } from '../k8s/events.js';
import { objectRef } from '../k8s/events.js';
import type { IPAddressPool, L2Advertisement, L2AdvertisementStatus } from '../k8s/ironlb-types.js';
import { validateL2Advertisement } from '../k8s/l2-advertisement.js';
import { IRONLB_API_VERSION, L2_ADVERTISEMENT_KIND } from '../k8s/names.js';
import type { Logger } from '../log/logger.js';
import type { ObjectSource } from './controller.js';
import { sameConditions, validCondition } from './pool-status.js';
import { errorCode, type StatusWriter } from './writers.js';
import { NotFoundError } from '../k8s/errors.js';
import type { ControllerMetrics } from '../metrics/registry.js';

export interface AdvertisementStatusOptions {
  advertisements: ObjectSource<L2Advertisement>;
  pools: ObjectSource<IPAddressPool>;
  writer: StatusWriter<L2AdvertisementStatus>;
  events: EventRecorder;
  metrics: ControllerMetrics;
  log: Logger;
  namespace: string;
  now?: () => number;
  delayMs?: number;
}

export class AdvertisementStatusLoop {
  readonly #o: AdvertisementStatusOptions & { now: () => number; delayMs: number };
  readonly #reported = new Map<string, string>();
  readonly #unsubscribe: (() => void)[] = [];
  #timer: NodeJS.Timeout | undefined;
  #active = false;

  constructor(opts: AdvertisementStatusOptions) {
    this.#o = { now: () => Date.now(), delayMs: 100, ...opts };
  }

  start(): void {
    const kick = (): void => this.#schedule();
    for (const src of [this.#o.advertisements, this.#o.pools] as ObjectSource<KubernetesObject>[]) {
      for (const ev of ['add', 'update', 'delete'] as const) this.#unsubscribe.push(src.on(ev, kick));
    }
  }

  /** Only the leader writes. */
  setActive(active: boolean): void {
    this.#active = active;
    if (active) this.#schedule();
  }

  stop(): void {
    this.#active = false;
    for (const u of this.#unsubscribe.splice(0)) u();
    clearTimeout(this.#timer);
  }

  #schedule(): void {
    if (this.#timer || !this.#active) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.reconcile();
    }, this.#o.delayMs);
  }

  async reconcile(): Promise<void> {
    if (!this.#active) return;
    const inNamespace = <T extends KubernetesObject>(o: T): boolean =>
      (o.metadata?.namespace ?? this.#o.namespace) === this.#o.namespace;
    const pools = new Set(
      this.#o.pools
        .list()
        .filter(inNamespace)
        .map((p) => p.metadata?.name ?? ''),
    );
    for (const adv of this.#o.advertisements.list().filter(inNamespace)) {
      const name = adv.metadata?.name ?? '';
      const { problems } = validateL2Advertisement(adv, pools);
      const generation = adv.metadata?.generation;
      const condition = validCondition(
        problems,
        generation,
        adv.status?.conditions,
        this.#o.now(),
        'the advertisement is in use',
      );
      const text = problems.map((p) => `${p.field}: ${p.message}`).join('; ');
      if ((this.#reported.get(name) ?? '') !== text) {
        this.#reported.set(name, text);
        if (problems.length > 0) {
          const fatal = problems.some((p) => p.severity === 'error');
          this.#o.events.event(
            objectRef(L2_ADVERTISEMENT_KIND, IRONLB_API_VERSION, adv),
            'Warning',
            fatal ? 'InvalidConfiguration' : 'ConfigurationWarning',
            condition.message ?? text,
          );
          this.#o.log.warn({ advertisement: name, problems }, 'L2Advertisement problems');
        }
      }
      if (
        sameConditions(adv.status?.conditions, [condition]) &&
        adv.status?.observedGeneration === generation
      )
        continue;
      const status: L2AdvertisementStatus = {
        conditions: [condition],
        ...(generation === undefined ? {} : { observedGeneration: generation }),
      };
      this.#o.metrics.k8sUpdates.inc({ resource: 'l2advertisements/status' });
      try {
        await this.#o.writer.writeStatus(this.#o.namespace, name, status);
      } catch (err) {
        this.#o.metrics.k8sUpdateErrors.inc({ resource: 'l2advertisements/status', code: errorCode(err) });
        if (!(err instanceof NotFoundError)) {
          this.#o.log.warn({ advertisement: name, err: String(err) }, 'advertisement status write failed');
          this.#schedule();
        }
      }
    }
  }
}
