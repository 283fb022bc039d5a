// Replays every record of the kube-apiserver transcript against the in-repo server, in order,
// one `it` per step. Two passes:
//  - current Kubernetes (the default server): LoadBalancer ingress entries keep `ipMode`, and
//    1.30+ servers default it to "VIP" when an ip is set, so recorded Service statuses are
//    expected with ipMode: "VIP" added (the 1.24 recording predates the field);
//  - the server with the LoadBalancerIPMode gate off (a 1.30/1.31 option), which must answer
//    the recording exactly as it was made.
// Steps 44–46 were recorded after an out-of-band etcd compaction; the replay calls
// server.compact() right before step 44 to do the same.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer } from '../../src/apiserver/index.js';
import type { ApiServer } from '../../src/apiserver/index.js';
import { Replayer, getPath, loadTranscript } from './replay.js';
import type { Transcript } from './replay.js';

/** Adds ipMode "VIP" wherever a recorded LoadBalancer status has an ingress ip without one. */
function withCurrentIPMode(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withCurrentIPMode);
  if (!v || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = withCurrentIPMode(x);
  const lb = out.loadBalancer as { ingress?: unknown[] } | undefined;
  if (lb && Array.isArray(lb.ingress)) {
    lb.ingress = lb.ingress.map((i) => {
      const ing = i as Record<string, unknown>;
      return typeof ing.ip === 'string' && ing.ipMode === undefined ? { ...ing, ipMode: 'VIP' } : ing;
    });
  }
  return out;
}

function replaySuite(name: string, transcript: Transcript, gateOn: boolean): void {
  describe(name, () => {
    let server: ApiServer;
    let replay: Replayer;
    beforeAll(async () => {
      server = await startApiServer({ featureGates: { LoadBalancerIPMode: gateOn } });
      replay = new Replayer(server.url);
    });
    afterAll(async () => {
      await server.close();
    });
    for (const rec of transcript.records) {
      it(`step ${rec.step}: ${rec.title}`, async () => {
        if (rec.step === 44) server.compact();
        const { errs, body } = await replay.step(rec);
        expect(errs).toEqual([]);
        if (rec.step === 14) {
          // The recorded v1.24 server dropped ipMode; current Kubernetes keeps it (GA in 1.32).
          expect(getPath(body, 'status.loadBalancer.ingress[0].ipMode')).toBe(gateOn ? 'VIP' : undefined);
        }
      });
    }
  });
}

const recorded = loadTranscript();
const current: Transcript = {
  records: recorded.records.map((r) => ({
    ...r,
    response: { ...r.response, body: withCurrentIPMode(r.response.body) },
  })),
};

replaySuite('transcript replay, current Kubernetes (ipMode kept and defaulted)', current, true);
replaySuite('transcript replay, verbatim (LoadBalancerIPMode gate off)', recorded, false);
