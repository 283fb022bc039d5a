// core/v1 structs for the kinds this server serves, in Go field order with their merge metadata.
import { Condition, ObjectMeta, ObjectReference } from './meta.js';
import {
  bool,
  bytes,
  f,
  i32,
  i64,
  intOrString,
  map,
  microTime,
  ptr,
  quantity,
  raw,
  req,
  slice,
  str,
  struct,
  time,
} from './model.js';

const typeMeta = [f('kind', str), f('apiVersion', str)];

// --- Namespace --------------------------------------------------------------------------------
const NamespaceCondition = struct('v1.NamespaceCondition', [
  req('type', str),
  req('status', str),
  f('lastTransitionTime', time),
  f('reason', str),
  f('message', str),
]);
export const Namespace = struct('v1.Namespace', [
  ...typeMeta,
  f('metadata', ObjectMeta),
  f('spec', struct('v1.NamespaceSpec', [f('finalizers', slice(str), { listType: 'atomic' })])),
  f(
    'status',
    struct('v1.NamespaceStatus', [
      f('phase', str),
      f('conditions', slice(NamespaceCondition), {
        patchStrategy: 'merge',
        patchMergeKey: 'type',
        listType: 'map',
        listMapKeys: ['type'],
      }),
    ]),
  ),
]);

// --- Service ----------------------------------------------------------------------------------
export const ServicePort = struct('v1.ServicePort', [
  f('name', str),
  f('protocol', str),
  f('appProtocol', ptr(str)),
  req('port', i32),
  f('targetPort', intOrString),
  f('nodePort', i32),
]);
const PortStatus = struct('v1.PortStatus', [req('port', i32), req('protocol', str), f('error', ptr(str))]);
export const LoadBalancerIngress = struct('v1.LoadBalancerIngress', [
  f('ip', str),
  f('hostname', str),
  f('ipMode', ptr(str)),
  f('ports', slice(PortStatus), { listType: 'atomic' }),
]);
export const Service = struct('v1.Service', [
  ...typeMeta,
  f('metadata', ObjectMeta),
  f(
    'spec',
    struct('v1.ServiceSpec', [
      f('ports', slice(ServicePort), {
        patchStrategy: 'merge',
        patchMergeKey: 'port',
        listType: 'map',
        listMapKeys: ['port', 'protocol'],
      }),
      f('selector', map(str), { atomic: true }),
      f('clusterIP', str),
      f('clusterIPs', slice(str), { listType: 'atomic' }),
      f('type', str),
      f('externalIPs', slice(str), { listType: 'atomic' }),
      f('sessionAffinity', str),
      f('loadBalancerIP', str),
      f('loadBalancerSourceRanges', slice(str), { listType: 'atomic' }),
      f('externalName', str),
      f('externalTrafficPolicy', str),
      f('healthCheckNodePort', i32),
      f('publishNotReadyAddresses', bool),
      f(
        'sessionAffinityConfig',
        ptr(
          struct('v1.SessionAffinityConfig', [
            f('clientIP', ptr(struct('v1.ClientIPConfig', [f('timeoutSeconds', ptr(i32))]))),
          ]),
        ),
      ),
      f('ipFamilies', slice(str), { listType: 'atomic' }),
      f('ipFamilyPolicy', ptr(str)),
      f('allocateLoadBalancerNodePorts', ptr(bool)),
      f('loadBalancerClass', ptr(str)),
      f('internalTrafficPolicy', ptr(str)),
      f('trafficDistribution', ptr(str)),
    ]),
  ),
  f(
    'status',
    struct('v1.ServiceStatus', [
      f(
        'loadBalancer',
        struct('v1.LoadBalancerStatus', [f('ingress', slice(LoadBalancerIngress), { listType: 'atomic' })]),
      ),
      f('conditions', slice(Condition), {
        patchStrategy: 'merge',
        patchMergeKey: 'type',
        listType: 'map',
        listMapKeys: ['type'],
      }),
    ]),
  ),
]);

// --- Node -------------------------------------------------------------------------------------
export const Taint = struct('v1.Taint', [
  req('key', str),
  f('value', str),
  req('effect', str),
  f('timeAdded', ptr(time)),
]);
const NodeCondition = struct('v1.NodeCondition', [
  req('type', str),
  req('status', str),
  f('lastHeartbeatTime', time),
  f('lastTransitionTime', time),
  f('reason', str),
  f('message', str),
]);
const NodeAddress = struct('v1.NodeAddress', [req('type', str), req('address', str)]);
const NodeSystemInfo = struct('v1.NodeSystemInfo', [
  req('machineID', str),
  req('systemUUID', str),
  req('bootID', str),
  req('kernelVersion', str),
  req('osImage', str),
  req('containerRuntimeVersion', str),
  req('kubeletVersion', str),
  req('kubeProxyVersion', str),
  req('operatingSystem', str),
  req('architecture', str),
  f('swap', ptr(struct('v1.NodeSwapStatus', [f('capacity', ptr(i64))]))),
]);
export const Node = struct('v1.Node', [
  ...typeMeta,
  f('metadata', ObjectMeta),
  f(
    'spec',
    struct('v1.NodeSpec', [
      f('podCIDR', str),
      f('podCIDRs', slice(str), { patchStrategy: 'merge', listType: 'set' }),
      f('providerID', str),
      f('unschedulable', bool),
      f('taints', slice(Taint), { listType: 'atomic' }),
      f('configSource', raw),
      f('externalID', str),
    ]),
  ),
  f(
    'status',
    struct('v1.NodeStatus', [
      f('capacity', map(quantity)),
      f('allocatable', map(quantity)),
      f('phase', str),
      f('conditions', slice(NodeCondition), {
        patchStrategy: 'merge',
        patchMergeKey: 'type',
        listType: 'map',
        listMapKeys: ['type'],
      }),
      f('addresses', slice(NodeAddress), {
        patchStrategy: 'merge',
        patchMergeKey: 'type',
        listType: 'map',
        listMapKeys: ['type'],
      }),
      f(
        'daemonEndpoints',
        struct('v1.NodeDaemonEndpoints', [
          f('kubeletEndpoint', struct('v1.DaemonEndpoint', [req('Port', i32)])),
        ]),
      ),
      f('nodeInfo', NodeSystemInfo),
      f('images', slice(struct('v1.ContainerImage', [f('names', slice(str)), f('sizeBytes', i64)])), {
        listType: 'atomic',
      }),
      f('volumesInUse', slice(str), { listType: 'atomic' }),
      f('volumesAttached', slice(struct('v1.AttachedVolume', [req('name', str), req('devicePath', str)])), {
        listType: 'atomic',
      }),
      f('config', raw),
      f('runtimeHandlers', slice(raw), { listType: 'atomic' }),
      f('features', raw),
    ]),
  ),
]);

// --- Event (core/v1) --------------------------------------------------------------------------
export const EventSource = struct('v1.EventSource', [f('component', str), f('host', str)]);
export const CoreEvent = struct('v1.Event', [
  ...typeMeta,
  req('metadata', ObjectMeta),
  req('involvedObject', ObjectReference),
  f('reason', str),
  f('message', str),
  f('source', EventSource),
  f('firstTimestamp', time),
  f('lastTimestamp', time),
  f('count', i32),
  f('type', str),
  f('eventTime', microTime),
  f('series', ptr(struct('v1.EventSeries', [f('count', i32), f('lastObservedTime', microTime)]))),
  f('action', str),
  f('related', ptr(ObjectReference)),
  req('reportingComponent', str),
  req('reportingInstance', str),
]);

// --- ConfigMap / Secret -----------------------------------------------------------------------
export const ConfigMap = struct('v1.ConfigMap', [
  ...typeMeta,
  f('metadata', ObjectMeta),
  f('immutable', ptr(bool)),
  f('data', map(str)),
  f('binaryData', map(bytes)),
]);
export const Secret = struct('v1.Secret', [
  ...typeMeta,
  f('metadata', ObjectMeta),
  f('immutable', ptr(bool)),
  f('data', map(bytes)),
  f('stringData', map(str)),
  f('type', str),
]);
