// Timing check for the pure allocator (not a test): 10,000 LoadBalancer Services over a /16.
// Build, then run: npm run build && node dist/bench/allocate-pure.js   (SERVICES=…, RUNS=… to vary)
// Prints the median and worst of several runs for a cold start (nobody has an IP yet), a restart
// (everybody keeps the IP in its status) and a steady state with a few new Services; the budget
// is 100 ms per allocate() call.
import type { V1Service } from '@kubernetes/client-node';
import os from 'node:os';
import { allocate, type AllocationInput } from '../src/controller/allocator.js';
import { parsePools } from '../src/controller/pools.js';
import { serviceView, type ServiceView } from '../src/controller/service-view.js';
import type { IPAddressPool } from '../src/k8s/ironlb-types.js';

const SERVICES = Number(process.env['SERVICES'] ?? 10_000);
const RUNS = Number(process.env['RUNS'] ?? 15);
const BUDGET_MS = 100;

function pool(name: string, addresses: string[], extra: Partial<IPAddressPool['spec']> = {}): IPAddressPool {
  return {
    apiVersion: 'ironlb.io/v1',
    kind: 'IPAddressPool',
    metadata: { name, namespace: 'ironlb-system', creationTimestamp: new Date('2025-01-01T00:00:00Z') },
    spec: { addresses, ...extra },
  };
}

function service(i: number, ip?: string): V1Service {
  return {
    metadata: {
      name: `svc-${i}`,
      namespace: `ns-${i % 50}`,
      uid: `uid-${i}`,
      resourceVersion: '1',
      creationTimestamp: new Date(Date.UTC(2025, 0, 1, 0, 0, i)),
      labels: { app: `app-${i % 7}` },
      ...(ip ? { annotations: { 'ironlb.io/ip-allocated-from-pool': 'main' } } : {}),
    },
    spec: {
      type: 'LoadBalancer',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      ports: [{ port: 80, protocol: 'TCP' }],
    },
    status: { loadBalancer: ip ? { ingress: [{ ip, ipMode: 'VIP' }] } : {} },
  };
}

function time(label: string, input: AllocationInput): number {
  const samples: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    allocate(input);
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)] ?? NaN;
  const worst = samples[samples.length - 1] ?? NaN;
  const verdict = median < BUDGET_MS ? 'ok' : 'OVER BUDGET';
  console.log(
    `${label.padEnd(34)} median ${median.toFixed(1).padStart(6)} ms  worst ${worst.toFixed(1).padStart(6)} ms  ${verdict}`,
  );
  return median;
}

const pools = parsePools([
  pool('main', ['10.1.0.0/16'], { avoidBuggyIPs: true }),
  pool('v6', ['2001:db8::/64']),
  pool('team', ['10.2.0.0/24'], { serviceAllocation: { priority: 1, namespaces: ['ns-1'] } }),
]);
const namespaceLabels = new Map<string, Record<string, string>>();
const cold = Array.from({ length: SERVICES }, (_, i) => serviceView(service(i)));
const first = allocate({ pools: pools.valid, namespaceLabels, services: cold });
const ipOf = (i: number): string | undefined => {
  const o = first.services.get(`ns-${i % 50}/svc-${i}`);
  return o?.kind === 'assigned' ? o.ips[0]?.ip : undefined;
};
const held = Array.from({ length: SERVICES }, (_, i) => serviceView(service(i, ipOf(i))));
const steady = [...held.slice(0, SERVICES - 10), ...cold.slice(SERVICES - 10)];

console.log(
  `node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu?'} x${os.cpus().length}, ${SERVICES} Services`,
);
const viewStart = performance.now();
for (let i = 0; i < SERVICES; i++) serviceView(service(i));
console.log(
  `serviceView() x${SERVICES}, uncached   ${(performance.now() - viewStart).toFixed(1)} ms (cached per version)`,
);
const cases: [string, ServiceView[]][] = [
  ['cold start (all pending)', cold],
  ['restart (all hold their IP)', held],
  ['steady (10 new Services)', steady],
];
let over = false;
for (const [label, services] of cases) {
  over = time(label, { pools: pools.valid, namespaceLabels, services }) >= BUDGET_MS || over;
}
process.exitCode = over ? 1 : 0;
