// `ironlb apiserver`: runs the in-repo Kubernetes API server until SIGINT/SIGTERM and writes a
// kubeconfig for it. Loopback only unless told otherwise: it has no real authentication.
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isLoopback, startApiServer } from '../apiserver/index.js';
import type { ApiServerOptions } from '../apiserver/index.js';
import { createLogger, isLogLevel } from '../log/logger.js';
import { UsageError } from './usage-error.js';

const HELP = `Usage: ironlb apiserver [flags]

Runs an in-memory Kubernetes API server (REST + watch) that kubectl and client libraries can use:
core/v1 Namespaces, Services, Nodes, Events, ConfigMaps, Secrets; EndpointSlices, Leases,
events.k8s.io Events, CustomResourceDefinitions and their custom resources. Nothing is persisted.
See src/apiserver/README.md for what differs from kube-apiserver.

Flags:
  --listen HOST:PORT          address to serve on (default 127.0.0.1:6443; port 0 = any)
  --allow-non-loopback        allow a non-loopback HOST (the server has no real authentication)
  --tls-cert FILE             serve HTTPS with this PEM certificate (needs --tls-key)
  --tls-key FILE              PEM private key for --tls-cert
  --token TOKEN               require "Authorization: Bearer TOKEN" (401 for a wrong one)
  --kubeconfig-out FILE       where to write a kubeconfig (default: a new temporary file)
  --service-cidr CIDR[,CIDR]  service ClusterIP range(s) (default 10.96.0.0/12)
  --node-port-range LO-HI     NodePort range (default 30000-32767)
  --feature-gates K=V[,K=V]   LoadBalancerIPMode=false emulates a 1.30/1.31 server with that gate off
  --log-level LEVEL           fatal|error|warn|info|debug|trace|silent (default info)
  -h, --help                  show this help
`;

function parseListen(v: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(v);
  if (!m) throw new UsageError(`--listen wants HOST:PORT, got "${v}"`);
  const port = Number(m[3]);
  if (port > 65535) throw new UsageError(`--listen: port ${port} is out of range`);
  return { host: m[1] ?? m[2] ?? '127.0.0.1', port };
}

function parseRange(v: string): [number, number] {
  const m = /^(\d+)-(\d+)$/.exec(v);
  if (!m) throw new UsageError(`--node-port-range wants LO-HI, got "${v}"`);
  const lo = Number(m[1]);
  const hi = Number(m[2]);
  if (lo < 1 || hi > 65535 || lo > hi) throw new UsageError(`--node-port-range: "${v}" is not a valid range`);
  return [lo, hi];
}

function parseGates(v: string): NonNullable<ApiServerOptions['featureGates']> {
  const gates: NonNullable<ApiServerOptions['featureGates']> = {};
  for (const kv of v.split(',').filter(Boolean)) {
    const [k, val] = kv.split('=');
    if (k !== 'LoadBalancerIPMode' || (val !== 'true' && val !== 'false'))
      throw new UsageError(
        `--feature-gates: unknown or malformed gate "${kv}" (known: LoadBalancerIPMode=true|false)`,
      );
    gates.LoadBalancerIPMode = val === 'true';
  }
  return gates;
}

export async function runApiServerCommand(argv: string[]): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        listen: { type: 'string' },
        'allow-non-loopback': { type: 'boolean' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        token: { type: 'string' },
        'kubeconfig-out': { type: 'string' },
        'service-cidr': { type: 'string' },
        'node-port-range': { type: 'string' },
        'feature-gates': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const level = values['log-level'] ?? 'info';
  if (!isLogLevel(level)) throw new UsageError(`--log-level: unknown level "${level}"`);
  const { host, port } = parseListen(values.listen ?? '127.0.0.1:6443');
  const allowNonLoopback = values['allow-non-loopback'] === true;
  if (!isLoopback(host) && !allowNonLoopback)
    throw new UsageError(
      `refusing to listen on ${host}: this server has no real authentication; pass --allow-non-loopback to do it anyway`,
    );
  const cert = values['tls-cert'];
  const key = values['tls-key'];
  if ((cert === undefined) !== (key === undefined))
    throw new UsageError('--tls-cert and --tls-key go together');
  const log = createLogger(level, 'apiserver');
  const opts: ApiServerOptions = { host, port, allowNonLoopback, log };
  if (cert !== undefined && key !== undefined)
    opts.tls = { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
  if (values.token !== undefined) opts.token = values.token;
  if (values['service-cidr'] !== undefined) opts.serviceCIDR = values['service-cidr'];
  if (values['node-port-range'] !== undefined) opts.nodePortRange = parseRange(values['node-port-range']);
  if (values['feature-gates'] !== undefined) opts.featureGates = parseGates(values['feature-gates']);

  const server = await startApiServer(opts);
  const kubeconfigPath =
    values['kubeconfig-out'] ?? join(mkdtempSync(join(tmpdir(), 'ironlb-apiserver-')), 'kubeconfig');
  writeFileSync(kubeconfigPath, server.kubeconfig(), { mode: 0o600 });
  process.stdout.write(`ironlb apiserver: serving ${server.url}\n`);
  process.stdout.write(`ironlb apiserver: kubeconfig written to ${kubeconfigPath}\n`);
  process.stdout.write(`  export KUBECONFIG=${kubeconfigPath}\n`);

  await new Promise<void>((resolve) => {
    const stop = (sig: NodeJS.Signals): void => {
      log.info({ signal: sig }, 'shutting down');
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      server.close().then(resolve, resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
