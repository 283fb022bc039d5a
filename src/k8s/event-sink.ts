// EventSink adapter: core/v1 Events, which every cluster serves, over the lean REST path (Events
// are written once per allocation, so they are on the hot path too).
import type { CoreV1Event, KubeConfig } from '@kubernetes/client-node';
import type { EventSink } from './events.js';
import { KubeRest, seg } from './rest.js';

export class KubernetesEventSink implements EventSink {
  readonly #rest: KubeRest;

  constructor(kc: KubeConfig) {
    this.#rest = new KubeRest(kc);
  }

  create(namespace: string, event: CoreV1Event): Promise<CoreV1Event> {
    return this.#rest.request<CoreV1Event>('POST', `/api/v1/namespaces/${seg(namespace)}/events`, {
      apiVersion: 'v1',
      kind: 'Event',
      ...event,
      firstTimestamp: rfc3339(event.firstTimestamp),
      lastTimestamp: rfc3339(event.lastTimestamp),
    });
  }

  async bump(namespace: string, name: string, count: number, lastTimestamp: Date): Promise<void> {
    await this.#rest.request(
      'PATCH',
      `/api/v1/namespaces/${seg(namespace)}/events/${seg(name)}`,
      { count, lastTimestamp: rfc3339(lastTimestamp) },
      'application/merge-patch+json',
    );
  }
}

/** metav1.Time: RFC 3339 with seconds precision. */
function rfc3339(t: Date | undefined): string | undefined {
  return t === undefined ? undefined : new Date(t).toISOString().replace(/\.\d+Z$/, 'Z');
}
