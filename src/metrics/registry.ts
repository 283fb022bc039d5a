// Every metric ironlb exports is defined here, in one place, on one registry per process.
// Names follow MetalLB's (so existing dashboards map over) with an `ironlb_` prefix.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

export interface ControllerMetrics {
  readonly registry: Registry;
  readonly addressesTotal: Gauge<'pool' | 'family'>;
  readonly addressesInUse: Gauge<'pool' | 'family'>;
  readonly servicesAllocated: Gauge;
  readonly allocationFailures: Counter<'reason'>;
  readonly k8sUpdates: Counter<'resource'>;
  readonly k8sUpdateErrors: Counter<'resource' | 'code'>;
  readonly configLoaded: Gauge;
  readonly configStale: Gauge;
  readonly poolsInvalid: Gauge;
  readonly leader: Gauge;
  readonly informerRestarts: Gauge<'resource'>;
  readonly reconcileSeconds: Gauge;
  readonly reconcilePasses: Counter;
  readonly reconcilePassSeconds: Counter;
}

export interface MetricsSources {
  /** Restarts per informer, read at scrape time. */
  informerRestarts?: () => Record<string, number>;
}

export function createControllerMetrics(sources: MetricsSources = {}): ControllerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const reg = { registers: [registry] };
  return {
    registry,
    addressesTotal: new Gauge({
      ...reg,
      name: 'ironlb_allocator_addresses_total',
      help: 'Number of usable IP addresses, per pool and IP family (capped at 2^53 for huge IPv6 pools)',
      labelNames: ['pool', 'family'],
    }),
    addressesInUse: new Gauge({
      ...reg,
      name: 'ironlb_allocator_addresses_in_use_total',
      help: 'Number of IP addresses in use, per pool and IP family',
      labelNames: ['pool', 'family'],
    }),
    servicesAllocated: new Gauge({
      ...reg,
      name: 'ironlb_allocator_services_allocated',
      help: 'Number of LoadBalancer Services that hold all the IPs they need',
    }),
    allocationFailures: new Counter({
      ...reg,
      name: 'ironlb_allocator_allocation_failures_total',
      help: 'Allocation failures reported to Services, by reason code',
      labelNames: ['reason'],
    }),
    k8sUpdates: new Counter({
      ...reg,
      name: 'ironlb_k8s_client_updates_total',
      help: 'Number of Kubernetes object writes attempted, by resource',
      labelNames: ['resource'],
    }),
    k8sUpdateErrors: new Counter({
      ...reg,
      name: 'ironlb_k8s_client_update_errors_total',
      help: 'Number of Kubernetes object writes that failed, by resource and HTTP code',
      labelNames: ['resource', 'code'],
    }),
    configLoaded: new Gauge({
      ...reg,
      name: 'ironlb_k8s_client_config_loaded_bool',
      help: '1 once the configuration (pools, Services, Namespaces) has been fully loaded',
    }),
    configStale: new Gauge({
      ...reg,
      name: 'ironlb_k8s_client_config_stale_bool',
      help: '1 when some configuration object is invalid and is being ignored',
    }),
    poolsInvalid: new Gauge({
      ...reg,
      name: 'ironlb_config_pools_invalid',
      help: 'Number of IPAddressPools rejected by validation (see their Valid condition)',
    }),
    leader: new Gauge({
      ...reg,
      name: 'ironlb_controller_leader_bool',
      help: '1 while this controller replica holds the leader Lease',
    }),
    informerRestarts: new Gauge({
      ...reg,
      name: 'ironlb_k8s_informer_restarts',
      help: 'Times a watch was restarted after an error since the process started, by resource',
      labelNames: ['resource'],
      collect() {
        for (const [resource, n] of Object.entries(sources.informerRestarts?.() ?? {}))
          this.set({ resource }, n);
      },
    }),
    reconcilePasses: new Counter({
      ...reg,
      name: 'ironlb_controller_reconcile_passes_total',
      help: 'Allocation passes over the whole snapshot',
    }),
    reconcilePassSeconds: new Counter({
      ...reg,
      name: 'ironlb_controller_reconcile_pass_seconds_total',
      help: 'Time spent in allocation passes',
    }),
    reconcileSeconds: new Gauge({
      ...reg,
      name: 'ironlb_controller_last_reconcile_seconds',
      help: 'Duration of the last allocation pass over the whole snapshot',
    }),
  };
}
