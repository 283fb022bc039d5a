// EventSink adapter on client-node's CoreV1Api (core/v1 Events, which every cluster serves).
import { CoreV1Api, type CoreV1Event, type KubeConfig } from '@kubernetes/client-node';
import { mergePatchOptions } from './client.js';
import type { EventSink } from './events.js';

export class KubernetesEventSink implements EventSink {
  readonly #core: CoreV1Api;

  constructor(kc: KubeConfig) {
    this.#core = kc.makeApiClient(CoreV1Api);
  }

  create(namespace: string, event: CoreV1Event): Promise<CoreV1Event> {
    return this.#core.createNamespacedEvent({ namespace, body: event });
  }

  async bump(namespace: string, name: string, count: number, lastTimestamp: Date): Promise<void> {
    await this.#core.patchNamespacedEvent(
      {
        namespace,
        name,
        body: { count, lastTimestamp: lastTimestamp.toISOString().replace(/\.\d+Z$/, 'Z') },
      },
      mergePatchOptions(),
    );
  }
}
