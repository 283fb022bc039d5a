import type { CoreV1Event } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { EventRecorder, type EventSink } from '../../src/k8s/events.js';
import { createLogger } from '../../src/log/logger.js';

class RecordingSink implements EventSink {
  created: CoreV1Event[] = [];
  bumps: { name: string; count: number }[] = [];
  failBump = false;
  create(_ns: string, e: CoreV1Event): Promise<CoreV1Event> {
    this.created.push(e);
    return Promise.resolve(e);
  }
  bump(_ns: string, name: string, count: number): Promise<void> {
    if (this.failBump) return Promise.reject(new Error('404'));
    this.bumps.push({ name, count });
    return Promise.resolve();
  }
}

const ref = { kind: 'Service', apiVersion: 'v1', name: 'web', namespace: 'shop', uid: 'u1' };
const log = createLogger('silent');
const flush = () => new Promise((r) => setImmediate(r));

describe('EventRecorder', () => {
  it('creates an Event naming the object, then folds repeats into a count', async () => {
    const sink = new RecordingSink();
    let now = 1_000_000;
    const rec = new EventRecorder({
      sink,
      component: 'ironlb-controller',
      instance: 'c1',
      log,
      now: () => new Date(now),
    });
    rec.event(ref, 'Warning', 'AllocationFailed', 'pool full');
    now += 1000;
    rec.event(ref, 'Warning', 'AllocationFailed', 'pool full');
    await flush();
    expect(sink.created).toHaveLength(1);
    const e = sink.created[0]!;
    expect(e.involvedObject).toMatchObject(ref);
    expect(e.metadata?.namespace).toBe('shop');
    expect(e.metadata?.name).toMatch(/^web\.[0-9a-f]+$/);
    expect(e).toMatchObject({
      reason: 'AllocationFailed',
      type: 'Warning',
      count: 1,
      source: { component: 'ironlb-controller' },
    });
    expect(sink.bumps).toEqual([{ name: e.metadata?.name, count: 2 }]);
  });

  it('starts a new Event for another message or after the fold window', async () => {
    const sink = new RecordingSink();
    let now = 0;
    const rec = new EventRecorder({
      sink,
      component: 'c',
      instance: 'i',
      log,
      now: () => new Date(now),
      foldWindowMs: 10_000,
    });
    rec.event(ref, 'Normal', 'IPAllocated', 'a');
    rec.event(ref, 'Normal', 'IPAllocated', 'b');
    now += 20_000;
    rec.event(ref, 'Normal', 'IPAllocated', 'a');
    await flush();
    expect(sink.created.map((e) => e.message)).toEqual(['a', 'b', 'a']);
  });

  it('starts over when the folded Event is gone', async () => {
    const sink = new RecordingSink();
    sink.failBump = true;
    const rec = new EventRecorder({ sink, component: 'c', instance: 'i', log });
    rec.event(ref, 'Normal', 'X', 'm');
    rec.event(ref, 'Normal', 'X', 'm');
    await flush();
    rec.event(ref, 'Normal', 'X', 'm');
    await flush();
    expect(sink.created).toHaveLength(2);
  });

  it('drops events instead of queueing without bound', () => {
    const pending: (() => void)[] = [];
    const sink: EventSink = {
      create: (_ns, e) => new Promise((resolve) => pending.push(() => resolve(e))),
      bump: () => Promise.resolve(),
    };
    const rec = new EventRecorder({ sink, component: 'c', instance: 'i', log, maxInFlight: 2 });
    for (let i = 0; i < 5; i++) rec.event(ref, 'Normal', 'X', `m${i}`);
    expect(pending).toHaveLength(2);
    expect(rec.dropped).toBe(3);
    for (const p of pending) p();
  });
});
