// Allocation benchmark: N LoadBalancer Services (default 10,000) are created against the in-repo
// API server while a real `ironlb controller` process allocates their IPs.
//
// Prints: time until every Service has an IP, p50/p99/max latency from a Service's creation
// (create answered) to its status carrying an IP (seen on a watch), the controller's peak RSS,
// and, for scale, the same number of status writes done directly by this script (the API
// server's own floor on this machine) with the ratio between the two. Writes JSON to bench/out/.
//
// Usage: npm run bench:allocation -- [--services N] [--concurrency C] [--out FILE]
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  KubeConfig,
  loadAllYaml,
  ApiextensionsV1Api,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { startApiServer, type ApiServer } from '../src/apiserver/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = join(here, '..', '..');
const CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');

const { values } = parseArgs({
  options: {
    services: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '64' },
    out: { type: 'string' },
    'timeout-s': { type: 'string', default: '300' },
    // extra flags for the controller's node process, e.g. --node-args=--cpu-prof
    'node-args': { type: 'string', default: '' },
    // creates per second (0 = as fast as the API server accepts them)
    rate: { type: 'string', default: '0' },
  },
});
const N = Number(values.services);
const CONCURRENCY = Number(values.concurrency);
const RATE = Number(values.rate);
const TIMEOUT_MS = Number(values['timeout-s']) * 1000;

interface Requester {
  request(
    method: string,
    path: string,
    body?: unknown,
    contentType?: string,
  ): Promise<{ status: number; body: string }>;
}

function requester(base: string): Requester {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const url = new URL(base);
  return {
    request(method, path, body, contentType = 'application/json') {
      const data = body === undefined ? undefined : JSON.stringify(body);
      return new Promise((resolve, reject) => {
        const req = http.request(
          {
            host: url.hostname,
            port: url.port,
            method,
            path,
            agent,
            headers:
              data === undefined
                ? {}
                : { 'content-type': contentType, 'content-length': Buffer.byteLength(data) },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
            );
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        if (data !== undefined) req.write(data);
        req.end();
      });
    },
  };
}

async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** CPU seconds (user + system) a process has used, from /proc/PID/stat. */
function cpuSecondsOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100; // clock ticks; USER_HZ is 100 on Linux
  } catch {
    return NaN;
  }
}

function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

async function installCRDs(kc: KubeConfig): Promise<void> {
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  const dir = join(ROOT, 'daemonset', 'crds');
  for (const file of ['ironlb.io_ipaddresspools.yaml', 'ironlb.io_l2advertisements.yaml']) {
    for (const doc of loadAllYaml(readFileSync(join(dir, file), 'utf8')) as V1CustomResourceDefinition[]) {
      await ext.createCustomResourceDefinition({ body: doc });
    }
  }
  for (;;) {
    const crd = await ext.readCustomResourceDefinition({ name: 'ipaddresspools.ironlb.io' });
    if (crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Watches Services and records when each first shows an ingress IP. */
function watchStatus(base: string, namespace: string, fromRV: string, seen: Map<string, number>): () => void {
  const url = new URL(`${base}/api/v1/namespaces/${namespace}/services?watch=1&resourceVersion=${fromRV}`);
  const req = http.get(url, (res) => {
    let buf = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const ev = JSON.parse(line) as {
          type: string;
          object: { metadata?: { name?: string }; status?: { loadBalancer?: { ingress?: unknown[] } } };
        };
        const name = ev.object.metadata?.name;
        if (name && !seen.has(name) && (ev.object.status?.loadBalancer?.ingress?.length ?? 0) > 0) {
          seen.set(name, performance.now());
        }
      }
    });
  });
  req.on('error', () => undefined);
  return () => req.destroy();
}

function serviceBody(name: string): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name },
    // No NodePorts: 2 × N Services would not fit the default 30000-32767 range (as on a real cluster).
    spec: {
      type: 'LoadBalancer',
      allocateLoadBalancerNodePorts: false,
      selector: { app: name },
      ports: [{ port: 80, protocol: 'TCP' }],
    },
  };
}

async function controllerRun(server: ApiServer, kubeconfigFile: string): Promise<Record<string, unknown>> {
  const api = requester(server.url);
  const ns = 'bench';
  await api.request('POST', '/api/v1/namespaces', { metadata: { name: ns } });

  const child = spawn(
    process.execPath,
    [
      ...values['node-args'].split(' ').filter(Boolean),
      CLI,
      'controller',
      '--kubeconfig',
      kubeconfigFile,
      '--metrics-addr',
      '127.0.0.1:0',
      '--log-level',
      'info',
      '--disable-leader-election',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const pid = child.pid ?? 0;
  // The controller logs at info (as in production); keep only its closing summary line.
  let summary: Record<string, unknown> = {};
  let pending = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line.includes('"controller stopping"')) summary = JSON.parse(line) as Record<string, unknown>;
    }
  });
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssOf(pid))), 100);
  // Let it start and sync before the clock starts.
  await new Promise((r) => setTimeout(r, 1500));
  const idleRss = rssOf(pid);
  const idleCpu = cpuSecondsOf(pid);
  const apiCpuStart = process.cpuUsage();

  const list = await api.request('GET', `/api/v1/namespaces/${ns}/services`);
  const rv = (JSON.parse(list.body) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
  const seen = new Map<string, number>();
  const stopWatch = watchStatus(server.url, ns, rv, seen);
  const created = new Map<string, number>();
  const names = Array.from({ length: N }, (_, i) => `svc-${i}`);
  const t0 = performance.now();
  let issued = 0;
  await pool(names, CONCURRENCY, async (name) => {
    if (RATE > 0) {
      // Paced: the i-th create starts no earlier than t0 + i / rate.
      const due = t0 + (issued++ * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    const res = await api.request('POST', `/api/v1/namespaces/${ns}/services`, serviceBody(name));
    if (res.status !== 201) throw new Error(`create ${name}: ${res.status} ${res.body.slice(0, 200)}`);
    created.set(name, performance.now());
  });
  const createdAll = performance.now() - t0;
  const deadline = Date.now() + TIMEOUT_MS;
  while (seen.size < N && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const allocatedAll = performance.now() - t0;

  // Steady state: with all N allocated, single Services arrive one at a time.
  const SINGLES = 100;
  const single: number[] = [];
  for (let i = 0; i < SINGLES && Date.now() < deadline; i++) {
    const name = `single-${i}`;
    const res = await api.request('POST', `/api/v1/namespaces/${ns}/services`, serviceBody(name));
    if (res.status !== 201) throw new Error(`create ${name}: ${res.status}`);
    const at = performance.now();
    while (!seen.has(name) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
    single.push((seen.get(name) ?? NaN) - at);
    await new Promise((r) => setTimeout(r, 20));
  }
  single.sort((a, b) => a - b);
  const busyCpu = cpuSecondsOf(pid) - idleCpu;
  const apiCpu = process.cpuUsage(apiCpuStart);
  stopWatch();
  clearInterval(sampler);
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
  child.kill('SIGKILL');

  const latencies = names
    .filter((n) => seen.has(n) && created.has(n))
    .map((n) => Math.max(0, (seen.get(n) ?? 0) - (created.get(n) ?? 0)))
    .sort((a, b) => a - b);
  return {
    services: N,
    allocated: seen.size,
    createAllMs: Math.round(createdAll),
    timeToAllAllocatedMs: Math.round(allocatedAll),
    latencyP50Ms: Number(percentile(latencies, 50).toFixed(1)),
    latencyP99Ms: Number(percentile(latencies, 99).toFixed(1)),
    latencyMaxMs: Number((latencies.at(-1) ?? NaN).toFixed(1)),
    steadyStateServices: single.length,
    steadyStateP50Ms: Number(percentile(single, 50).toFixed(1)),
    steadyStateP99Ms: Number(percentile(single, 99).toFixed(1)),
    controllerIdleRssMB: Number((idleRss / 2 ** 20).toFixed(1)),
    controllerPeakRssMB: Number((peakRss / 2 ** 20).toFixed(1)),
    controllerCpuSeconds: Number(busyCpu.toFixed(2)),
    apiServerAndLoadCpuSeconds: Number(((apiCpu.user + apiCpu.system) / 1e6).toFixed(2)),
    allocationPasses: summary.passes,
    allocationPassSeconds: summary.passSeconds,
  };
}

/** The floor: this script creates the same Services and writes each one's status itself. */
async function floorRun(server: ApiServer): Promise<Record<string, unknown>> {
  const api = requester(server.url);
  const ns = 'floor';
  await api.request('POST', '/api/v1/namespaces', { metadata: { name: ns } });
  const names = Array.from({ length: N }, (_, i) => `svc-${i}`);
  const t0 = performance.now();
  let n = 0;
  await pool(names, CONCURRENCY, async (name) => {
    const res = await api.request('POST', `/api/v1/namespaces/${ns}/services`, serviceBody(name));
    const rv = (JSON.parse(res.body) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
    const i = n++;
    const ip = `198.19.${(i >> 8) & 255}.${i & 255}`; // RFC 2544 benchmark range; never sent traffic
    const patch = await api.request(
      'PATCH',
      `/api/v1/namespaces/${ns}/services/${name}/status`,
      { metadata: { resourceVersion: rv }, status: { loadBalancer: { ingress: [{ ip, ipMode: 'VIP' }] } } },
      'application/merge-patch+json',
    );
    if (patch.status !== 200) throw new Error(`status ${name}: ${patch.status}`);
  });
  return { createAndWriteAllMs: Math.round(performance.now() - t0) };
}

async function main(): Promise<void> {
  const server = await startApiServer({});
  const dir = mkdtempSync(join(tmpdir(), 'ironlb-bench-'));
  const kubeconfigFile = join(dir, 'kubeconfig');
  writeFileSync(kubeconfigFile, server.kubeconfig());
  const kc = new KubeConfig();
  kc.loadFromString(server.kubeconfig());
  try {
    await installCRDs(kc);
    const api = requester(server.url);
    await api.request('POST', '/api/v1/namespaces', { metadata: { name: 'ironlb-system' } });
    await api.request('POST', '/apis/ironlb.io/v1/namespaces/ironlb-system/ipaddresspools', {
      apiVersion: 'ironlb.io/v1',
      kind: 'IPAddressPool',
      metadata: { name: 'bench' },
      // RFC 2544's benchmarking range: only written into status, no packet is ever sent to it.
      spec: { addresses: ['198.18.0.0/15'] },
    });

    // The floor runs on its own API server so the controller's cluster holds only its Services.
    const floorServer = await startApiServer({});
    const floor = await floorRun(floorServer).finally(() => floorServer.close());
    const ctrl = await controllerRun(server, kubeconfigFile);
    const targets = {
      p99Ms: { target: 100, value: ctrl.latencyP99Ms, met: (ctrl.latencyP99Ms as number) <= 100 },
      allAllocatedS: {
        target: 10,
        value: (ctrl.timeToAllAllocatedMs as number) / 1000,
        met: (ctrl.timeToAllAllocatedMs as number) <= 10_000 * (N / 10_000),
      },
      rssMB: {
        target: 150,
        value: ctrl.controllerPeakRssMB,
        met: (ctrl.controllerPeakRssMB as number) <= 150,
      },
    };
    const result = {
      bench: 'allocation',
      date: new Date().toISOString(),
      host: {
        cpus: cpus().length,
        cpu: cpus()[0]?.model,
        memGB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
      },
      services: N,
      concurrency: CONCURRENCY,
      ratePerSecond: RATE || null,
      controller: ctrl,
      floor,
      ratioControllerToFloor: Number(
        ((ctrl.timeToAllAllocatedMs as number) / (floor.createAndWriteAllMs as number)).toFixed(2),
      ),
      targets,
    };
    const rows: [string, string, string][] = [
      ['Services', String(N), ''],
      [
        'time to all allocated',
        `${ctrl.timeToAllAllocatedMs as number} ms`,
        `target ≤ ${10 * (N / 10_000)} s`,
      ],
      ['  (create calls alone took)', `${ctrl.createAllMs as number} ms`, ''],
      ['Service→status p50', `${ctrl.latencyP50Ms as number} ms`, ''],
      ['Service→status p99', `${ctrl.latencyP99Ms as number} ms`, 'target ≤ 100 ms'],
      ['Service→status max', `${ctrl.latencyMaxMs as number} ms`, ''],
      [
        `then one at a time (${String(ctrl.steadyStateServices)}): p50 / p99`,
        `${ctrl.steadyStateP50Ms as number} / ${ctrl.steadyStateP99Ms as number} ms`,
        'target ≤ 100 ms',
      ],
      ['controller CPU during the run', `${ctrl.controllerCpuSeconds as number} s`, ''],
      [
        'API server + load generator CPU (this process)',
        `${ctrl.apiServerAndLoadCpuSeconds as number} s`,
        '',
      ],
      [
        'allocation passes (time in them)',
        `${String(ctrl.allocationPasses)} (${Number(ctrl.allocationPassSeconds).toFixed(2)} s)`,
        '',
      ],
      [
        'controller RSS idle / peak',
        `${ctrl.controllerIdleRssMB as number} / ${ctrl.controllerPeakRssMB as number} MB`,
        'target ≤ 150 MB',
      ],
      ['floor: script creates + writes status itself', `${floor.createAndWriteAllMs as number} ms`, ''],
      ['ratio controller / floor', `${result.ratioControllerToFloor}×`, ''],
    ];
    const w = Math.max(...rows.map((r) => r[0].length));
    console.log(
      `allocation bench, ${N} Services, ${CONCURRENCY} concurrent creates` +
        (RATE > 0 ? `, paced at ${RATE}/s` : ', as fast as accepted'),
    );
    for (const [k, v, t] of rows) console.log(`  ${k.padEnd(w)}  ${v.padStart(16)}  ${t}`);
    const out =
      values.out ?? join(ROOT, 'bench', 'out', `allocation-${result.date.replace(/[:.]/g, '-')}.json`);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
    console.log(`wrote ${out}`);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
