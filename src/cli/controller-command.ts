// `ironlb controller`: wires the allocation controller to Kubernetes, leader election, metrics.
import {
  CoordinationV1Api,
  CoreV1Api,
  type KubeConfig,
  type V1Namespace,
  type V1Service,
} from '@kubernetes/client-node';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { ServiceController } from '../controller/controller.js';
import { AdvertisementStatusLoop } from '../controller/advertisements.js';
import { KubernetesServiceWriter, KubernetesStatusWriter } from '../controller/writers.js';
import { startHealthServer } from '../http/health-server.js';
import { loadKubeConfig } from '../k8s/client.js';
import { EventRecorder } from '../k8s/events.js';
import { KubernetesEventSink } from '../k8s/event-sink.js';
import {
  customResourceSource,
  namespacesSource,
  servicesSource,
  SupervisedInformer,
} from '../k8s/informer.js';
import type {
  IPAddressPool,
  IPAddressPoolStatus,
  L2Advertisement,
  L2AdvertisementStatus,
} from '../k8s/ironlb-types.js';
import { LeaderElector } from '../k8s/leader-election.js';
import { CoordinationLeaseStore } from '../k8s/lease-store.js';
import {
  DEFAULT_NAMESPACE,
  IP_ADDRESS_POOL_PLURAL,
  IRONLB_GROUP,
  IRONLB_VERSION,
  L2_ADVERTISEMENT_PLURAL,
} from '../k8s/names.js';
import { createLogger, isLogLevel, type Logger } from '../log/logger.js';
import { createControllerMetrics } from '../metrics/registry.js';
import { parseDuration } from './duration.js';
import { UsageError } from './usage-error.js';

const HELP = `Usage: ironlb controller [flags]

Allocates external IPs to Services of type LoadBalancer from IPAddressPools and writes them to
status.loadBalancer.ingress. Run 2+ replicas: one leads (coordination.k8s.io/v1 Lease), the
others keep warm caches and take over when the leader's lease expires.

Flags:
  --kubeconfig FILE         kubeconfig to use (default: $KUBECONFIG, in-cluster, ~/.kube/config)
  --in-cluster              use the in-cluster service account only
  --namespace NS            namespace of the IPAddressPools and the Lease (default ${DEFAULT_NAMESPACE},
                            or $IRONLB_NAMESPACE)
  --lb-class CLASS          serve only Services with spec.loadBalancerClass=CLASS
                            (default: only Services without a class)
  --metrics-addr HOST:PORT  /metrics, /healthz, /readyz (default 0.0.0.0:7472; port 0 = any)
  --log-level LEVEL         fatal|error|warn|info|debug|trace|silent (default info)
  --disable-leader-election allocate without a Lease (only ever run ONE replica like this)
  --lease-name NAME         Lease name (default ironlb-controller)
  --lease-duration D        how long a standby waits before taking over (default 15s)
  --renew-deadline D        the leader steps down when it could not renew for D (default 10s)
  --retry-period D          renew / retry interval (default 2s)
  --identity ID             this replica's identity (default $POD_NAME or hostname + random suffix)
  -h, --help                show this help
`;

const CRD_HINT = 'are the ironlb CRDs installed? kubectl apply -f daemonset/crds/';

interface ControllerFlags {
  kubeconfig?: string;
  inCluster: boolean;
  namespace: string;
  lbClass?: string;
  metricsAddr: string;
  logLevel: string;
  leaderElect: boolean;
  leaseName: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  identity: string;
}

function parseFlags(argv: string[]): ControllerFlags | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        kubeconfig: { type: 'string' },
        'in-cluster': { type: 'boolean', default: false },
        namespace: { type: 'string', default: process.env.IRONLB_NAMESPACE || DEFAULT_NAMESPACE },
        'lb-class': { type: 'string' },
        'metrics-addr': { type: 'string', default: '0.0.0.0:7472' },
        'log-level': { type: 'string', default: 'info' },
        'disable-leader-election': { type: 'boolean', default: false },
        'lease-name': { type: 'string', default: 'ironlb-controller' },
        'lease-duration': { type: 'string', default: '15s' },
        'renew-deadline': { type: 'string', default: '10s' },
        'retry-period': { type: 'string', default: '2s' },
        identity: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const v = parsed.values;
  if (v.help) return 'help';
  const duration = (name: string, text: string): number => {
    try {
      return parseDuration(text);
    } catch (err) {
      throw new UsageError(`--${name}: ${(err as Error).message}`);
    }
  };
  const flags: ControllerFlags = {
    kubeconfig: v.kubeconfig,
    inCluster: v['in-cluster'],
    namespace: v.namespace,
    lbClass: v['lb-class'] || undefined,
    metricsAddr: v['metrics-addr'],
    logLevel: v['log-level'],
    leaderElect: !v['disable-leader-election'],
    leaseName: v['lease-name'],
    leaseDurationMs: duration('lease-duration', v['lease-duration']),
    renewDeadlineMs: duration('renew-deadline', v['renew-deadline']),
    retryPeriodMs: duration('retry-period', v['retry-period']),
    identity: v.identity || process.env.POD_NAME || `${hostname()}-${randomBytes(4).toString('hex')}`,
  };
  if (!isLogLevel(flags.logLevel)) throw new UsageError(`--log-level: unknown level "${flags.logLevel}"`);
  if (flags.renewDeadlineMs >= flags.leaseDurationMs) {
    throw new UsageError('--renew-deadline must be shorter than --lease-duration');
  }
  if (flags.retryPeriodMs >= flags.renewDeadlineMs) {
    throw new UsageError('--retry-period must be shorter than --renew-deadline');
  }
  return flags;
}

export async function runControllerCommand(argv: string[]): Promise<void> {
  const flags = parseFlags(argv);
  if (flags === 'help') {
    process.stdout.write(HELP);
    return;
  }
  const log = createLogger(isLogLevel(flags.logLevel) ? flags.logLevel : 'info', 'ironlb-controller');
  let kc: KubeConfig;
  try {
    kc = loadKubeConfig({ kubeconfig: flags.kubeconfig, inCluster: flags.inCluster || undefined });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  // Signals first: a stop requested while the caches are still syncing must still be clean.
  const stopRequested = new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      log.info({ signal }, 'shutting down');
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  const running = await startController(kc, flags, log, stopRequested);
  await stopRequested;
  await running.stop();
}

interface RunningController {
  stop(): Promise<void>;
}

async function startController(
  kc: KubeConfig,
  flags: ControllerFlags,
  log: Logger,
  stopRequested: Promise<void>,
): Promise<RunningController> {
  const services = new SupervisedInformer<V1Service>({
    kc,
    source: servicesSource(kc),
    log,
    name: 'services',
  });
  const namespaces = new SupervisedInformer<V1Namespace>({
    kc,
    source: namespacesSource(kc),
    log,
    name: 'namespaces',
  });
  const pools = new SupervisedInformer<IPAddressPool>({
    kc,
    source: customResourceSource<IPAddressPool>(kc, {
      group: IRONLB_GROUP,
      version: IRONLB_VERSION,
      plural: IP_ADDRESS_POOL_PLURAL,
      namespace: flags.namespace,
    }),
    log,
    name: 'ipaddresspools',
    notFoundHint: CRD_HINT,
  });
  const advertisements = new SupervisedInformer<L2Advertisement>({
    kc,
    source: customResourceSource<L2Advertisement>(kc, {
      group: IRONLB_GROUP,
      version: IRONLB_VERSION,
      plural: L2_ADVERTISEMENT_PLURAL,
      namespace: flags.namespace,
    }),
    log,
    name: 'l2advertisements',
    notFoundHint: CRD_HINT,
  });
  const informers = [services, namespaces, pools, advertisements];
  const metrics = createControllerMetrics({
    informerRestarts: () => Object.fromEntries(informers.map((i) => [i.name, i.restarts])),
  });
  const core = kc.makeApiClient(CoreV1Api);
  const events = new EventRecorder({
    sink: new KubernetesEventSink(kc),
    component: 'ironlb-controller',
    instance: flags.identity,
    log,
  });
  const controller = new ServiceController({
    services,
    pools,
    namespaces,
    serviceWriter: new KubernetesServiceWriter(kc),
    poolWriter: new KubernetesStatusWriter<IPAddressPoolStatus>(kc, IP_ADDRESS_POOL_PLURAL),
    freshServices: async () => (await core.listServiceForAllNamespaces()).items,
    events,
    metrics,
    log,
    lbClass: flags.lbClass,
    namespace: flags.namespace,
  });

  const advertisementStatus = new AdvertisementStatusLoop({
    advertisements,
    pools,
    writer: new KubernetesStatusWriter<L2AdvertisementStatus>(kc, L2_ADVERTISEMENT_PLURAL),
    events,
    metrics,
    log,
    namespace: flags.namespace,
  });
  advertisementStatus.start();

  const health = await startHealthServer({
    address: flags.metricsAddr,
    registry: metrics.registry,
    healthy: () => true,
    ready: () => (controller.ready ? undefined : 'caches not synced'),
  });
  log.info(
    { port: health.port, identity: flags.identity, lbClass: flags.lbClass ?? null },
    'controller starting',
  );

  for (const inf of informers) inf.start();
  const started = controller.start();
  // Rejects only when the informers are stopped before they synced (shutdown): nothing to do.
  started.catch((err: unknown) => log.debug({ err }, 'stopped before caches synced'));

  const stopAll = async (): Promise<void> => {
    const passes = await metrics.reconcilePasses.get();
    const passSeconds = await metrics.reconcilePassSeconds.get();
    log.info(
      { passes: passes.values[0]?.value ?? 0, passSeconds: passSeconds.values[0]?.value ?? 0 },
      'controller stopping',
    );
    controller.stop();
    advertisementStatus.stop();
    await Promise.all(informers.map((i) => i.stop()));
    await health.close();
  };

  if (!flags.leaderElect) {
    // Activate once synced, unless asked to stop first.
    void Promise.race([started, stopRequested]).then(
      async () => {
        if (!controller.ready) return;
        await controller.activate();
        advertisementStatus.setActive(true);
      },
      () => undefined,
    );
    return { stop: stopAll };
  }

  const abort = new AbortController();
  const elector = new LeaderElector({
    store: new CoordinationLeaseStore(kc.makeApiClient(CoordinationV1Api)),
    namespace: flags.namespace,
    name: flags.leaseName,
    identity: flags.identity,
    leaseDurationMs: flags.leaseDurationMs,
    renewDeadlineMs: flags.renewDeadlineMs,
    retryPeriodMs: flags.retryPeriodMs,
    log,
    onStartedLeading: async (signal) => {
      log.info('became leader');
      await started; // allocate nothing before every cache holds the full picture
      if (signal.aborted) return;
      await controller.activate();
      advertisementStatus.setActive(true);
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    },
    onStoppedLeading: () => {
      log.warn('lost leadership');
      controller.deactivate();
      advertisementStatus.setActive(false);
    },
    onNewLeader: (id) => log.info({ leader: id }, 'leader observed'),
  });
  const electing = elector.run(abort.signal);
  return {
    stop: async () => {
      abort.abort();
      await electing;
      await stopAll();
    },
  };
}
