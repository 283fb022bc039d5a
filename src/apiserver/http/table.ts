// Server-side printing (meta.k8s.io/v1 Table), which `kubectl get` asks for: the columns and
// cell texts of kube-apiserver's printers for the built-in kinds, and a CRD's
// additionalPrinterColumns for its custom resources.
import type { Resource } from '../registry/types.js';
import { isPlainObject } from '../types/model.js';
import type { JsonObject, JsonValue } from '../types/model.js';

export interface Column {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** `Accept: application/json;as=Table;v=v1;g=meta.k8s.io` (kubectl also offers v1beta1). */
export function wantsTable(accept: string | undefined): boolean {
  if (!accept) return false;
  for (const part of accept.split(',')) {
    const params = new Map(
      part
        .split(';')
        .slice(1)
        .map((p) => p.trim().split('=') as [string, string]),
    );
    if (
      params.get('as') === 'Table' &&
      params.get('g') === 'meta.k8s.io' &&
      (params.get('v') === 'v1' || params.get('v') === 'v1beta1')
    )
      return true;
    if ((part.split(';')[0] ?? '').trim() === 'application/json' && !params.has('as')) return false;
  }
  return false;
}

const o = (v: JsonValue | undefined): JsonObject => (isPlainObject(v) ? v : {});
const a = (v: JsonValue | undefined): JsonValue[] => (Array.isArray(v) ? v : []);
const s = (v: JsonValue | undefined): string => (typeof v === 'string' ? v : '');

const col = (name: string, description: string, priority = 0, type = 'string', format = ''): Column => ({
  name,
  type,
  format,
  description,
  priority,
});
const NAME = col('Name', 'Name must be unique within a namespace.', 0, 'string', 'name');
const AGE = col(
  'Age',
  'CreationTimestamp is a timestamp representing the server time when this object was created.',
);

/** duration.HumanDuration */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${hours / 24}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 365 * 8)
    return days % 365 === 0 ? `${Math.floor(days / 365)}y` : `${Math.floor(days / 365)}y${days % 365}d`;
  return `${Math.floor(days / 365)}y`;
}

function since(ts: JsonValue | undefined, now: number): string {
  if (typeof ts !== 'string') return '<unknown>';
  const t = Date.parse(ts);
  return Number.isNaN(t) ? '<unknown>' : humanDuration(now - t);
}

const age = (obj: JsonObject, now: number): string => since(o(obj.metadata).creationTimestamp, now);
const none = (v: string): string => v || '<none>';
const labelsText = (m: JsonValue | undefined): string =>
  none(
    Object.entries(o(m))
      .sort(([x], [y]) => (x < y ? -1 : 1))
      .map(([k, v]) => `${k}=${s(v)}`)
      .join(','),
  );

function serviceExternalIP(spec: JsonObject, status: JsonObject): string {
  const ext = a(spec.externalIPs).map(s);
  switch (s(spec.type)) {
    case 'ClusterIP':
    case 'NodePort':
      return ext.length ? ext.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = a(o(status.loadBalancer).ingress).map((i) => s(o(i).ip) || s(o(i).hostname));
      const all = [...lb.filter(Boolean), ...ext];
      if (all.length) {
        const txt = all.join(',');
        return txt.length > 16 && !ext.length ? `${txt.slice(0, 13)}...` : txt;
      }
      return '<pending>';
    }
    case 'ExternalName':
      return s(spec.externalName);
  }
  return '<unknown>';
}

function servicePorts(spec: JsonObject): string {
  return none(
    a(spec.ports)
      .map((p) => {
        const port = o(p);
        const np = typeof port.nodePort === 'number' && port.nodePort ? `:${port.nodePort}` : '';
        return `${typeof port.port === 'number' ? port.port : 0}${np}/${s(port.protocol)}`;
      })
      .join(','),
  );
}

function nodeStatus(n: JsonObject): string {
  const ready = a(o(n.status).conditions).find((c) => o(c).type === 'Ready');
  let st = 'Unknown';
  if (ready) st = o(ready).status === 'True' ? 'Ready' : o(ready).status === 'False' ? 'NotReady' : 'Unknown';
  if (o(n.spec).unschedulable === true) st += ',SchedulingDisabled';
  return st;
}

function nodeRoles(n: JsonObject): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(o(o(n.metadata).labels))) {
    if (k.startsWith('node-role.kubernetes.io/')) roles.add(k.slice('node-role.kubernetes.io/'.length));
    else if (k === 'kubernetes.io/role' && s(v)) roles.add(s(v));
  }
  return none([...roles].sort().join(','));
}

function nodeAddress(n: JsonObject, type: string): string {
  const addr = a(o(n.status).addresses).find((x) => o(x).type === type);
  return addr ? s(o(addr).address) : '<none>';
}

interface Printer {
  columns: Column[];
  cells(obj: JsonObject, now: number): JsonValue[];
}

function eventPrinter(): Printer {
  return {
    columns: [
      col('Last Seen', 'The last time this event was seen.'),
      col('Type', 'The type of this event.'),
      col('Reason', 'The reason for this event.'),
      col('Object', 'The object this event is about.'),
      col('Subobject', 'The subobject this event is about.', 1),
      col('Source', 'The component reporting this event.', 1),
      col('Message', 'A human-readable description of the status of this event.'),
      col('First Seen', 'The first time this event was seen.', 1),
      col('Count', 'The number of times this event has been seen.', 1, 'integer'),
      col('Name', 'The name of this event.', 1, 'string', 'name'),
    ],
    cells(e, now) {
      const regarding = o(e.involvedObject ?? e.regarding);
      const last =
        e.lastTimestamp ?? e.deprecatedLastTimestamp ?? e.eventTime ?? o(e.metadata).creationTimestamp;
      const first =
        e.firstTimestamp ?? e.deprecatedFirstTimestamp ?? e.eventTime ?? o(e.metadata).creationTimestamp;
      const src = o(e.source ?? e.deprecatedSource);
      const source = [s(src.component) || s(e.reportingComponent ?? e.reportingController), s(src.host)]
        .filter(Boolean)
        .join(', ');
      return [
        since(last, now),
        s(e.type),
        s(e.reason),
        `${s(regarding.kind).toLowerCase()}/${s(regarding.name)}`,
        s(regarding.fieldPath),
        source,
        s(e.message ?? e.note),
        since(first, now),
        typeof (e.count ?? e.deprecatedCount) === 'number' ? ((e.count ?? e.deprecatedCount) as number) : 1,
        s(o(e.metadata).name),
      ];
    },
  };
}

const PRINTERS: Record<string, () => Printer> = {
  '/namespaces': () => ({
    columns: [NAME, col('Status', 'The status of the namespace'), AGE],
    cells: (n, now) => [s(o(n.metadata).name), s(o(n.status).phase), age(n, now)],
  }),
  '/services': () => ({
    columns: [
      NAME,
      col('Type', 'The type of the service.'),
      col('Cluster-IP', 'The cluster IP of the service.'),
      col('External-IP', 'The external IP of the service.'),
      col('Port(s)', 'The ports of the service.'),
      AGE,
      col('Selector', 'The selector of the service.', 1),
    ],
    cells: (svc, now) => {
      const spec = o(svc.spec);
      return [
        s(o(svc.metadata).name),
        s(spec.type),
        none(s(spec.clusterIP)),
        serviceExternalIP(spec, o(svc.status)),
        servicePorts(spec),
        age(svc, now),
        labelsText(spec.selector),
      ];
    },
  }),
  '/nodes': () => ({
    columns: [
      NAME,
      col('Status', 'The status of the node'),
      col('Roles', 'The roles of the node'),
      AGE,
      col('Version', 'Kubelet Version reported by the node.'),
      col('Internal-IP', 'List of internal IPs.', 1),
      col('External-IP', 'List of external IPs.', 1),
      col('OS-Image', 'OS image reported by the node.', 1),
      col('Kernel-Version', 'Kernel version reported by the node.', 1),
      col('Container-Runtime', 'Container runtime reported by the node.', 1),
    ],
    cells: (n, now) => {
      const info = o(o(n.status).nodeInfo);
      return [
        s(o(n.metadata).name),
        nodeStatus(n),
        nodeRoles(n),
        age(n, now),
        s(info.kubeletVersion),
        nodeAddress(n, 'InternalIP'),
        nodeAddress(n, 'ExternalIP'),
        none(s(info.osImage)),
        none(s(info.kernelVersion)),
        none(s(info.containerRuntimeVersion)),
      ];
    },
  }),
  '/events': eventPrinter,
  'events.k8s.io/events': eventPrinter,
  '/configmaps': () => ({
    columns: [NAME, col('Data', 'Data contains the configuration data.', 0, 'integer'), AGE],
    cells: (c, now) => [
      s(o(c.metadata).name),
      Object.keys(o(c.data)).length + Object.keys(o(c.binaryData)).length,
      age(c, now),
    ],
  }),
  '/secrets': () => ({
    columns: [
      NAME,
      col('Type', 'The type of the secret'),
      col('Data', 'The number of entries in the data', 0, 'integer'),
      AGE,
    ],
    cells: (c, now) => [s(o(c.metadata).name), s(c.type), Object.keys(o(c.data)).length, age(c, now)],
  }),
  'discovery.k8s.io/endpointslices': () => ({
    columns: [
      NAME,
      col('AddressType', 'The type of address held in the EndpointSlice.'),
      col('Ports', 'The ports exposed by the EndpointSlice.'),
      col('Endpoints', 'The addresses of the endpoints.'),
      AGE,
    ],
    cells: (e, now) => {
      const ports = a(e.ports).map((p) => {
        const n = o(p).port;
        return typeof n === 'number' ? String(n) : '*';
      });
      const addrs = a(e.endpoints).flatMap((ep) => a(o(ep).addresses).map(s));
      const shown = addrs.slice(0, 3).join(',') + (addrs.length > 3 ? ` + ${addrs.length - 3} more...` : '');
      return [
        s(o(e.metadata).name),
        s(e.addressType),
        ports.length ? ports.join(',') : '<unset>',
        addrs.length ? shown : '<unset>',
        age(e, now),
      ];
    },
  }),
  'coordination.k8s.io/leases': () => ({
    columns: [NAME, col('Holder', 'The holder of the lease.'), AGE],
    cells: (l, now) => [s(o(l.metadata).name), s(o(l.spec).holderIdentity), age(l, now)],
  }),
  'apiextensions.k8s.io/customresourcedefinitions': () => ({
    columns: [NAME, col('Created At', 'CreationTimestamp', 0, 'date')],
    cells: (c) => [s(o(c.metadata).name), o(c.metadata).creationTimestamp ?? null],
  }),
};

function scalarText(v: JsonValue | undefined): string | undefined {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

/** A tiny JSONPath for printer columns: `.a.b`, `.a[0]`, `.a[?(@.k=="v")].b`. */
export function jsonPath(obj: JsonValue, path: string): JsonValue | undefined {
  const tokens = path.replace(/^\{|\}$/g, '').match(/\.[^.[]+|\[[^\]]*\]/g) ?? [];
  let cur: JsonValue[] = [obj];
  for (const t of tokens) {
    const next: JsonValue[] = [];
    for (const c of cur) {
      if (t.startsWith('.')) {
        const k = t.slice(1);
        if (isPlainObject(c) && c[k] !== undefined) next.push(c[k]);
      } else {
        const inner = t.slice(1, -1);
        const filter = /^\?\(@\.([\w.-]+)\s*==\s*["']?([^"')]*)["']?\)$/.exec(inner);
        if (filter && Array.isArray(c)) {
          for (const item of c)
            if (isPlainObject(item) && scalarText(item[filter[1] ?? '']) === filter[2]) next.push(item);
        } else if (/^\d+$/.test(inner) && Array.isArray(c)) {
          const v = c[Number(inner)];
          if (v !== undefined) next.push(v);
        } else if (inner === '*' && Array.isArray(c)) next.push(...c);
      }
    }
    cur = next;
  }
  if (cur.length === 0) return undefined;
  return cur.length === 1 ? cur[0] : cur;
}

function customPrinter(r: Resource): Printer {
  const cols = r.printerColumns ?? [];
  if (cols.length === 0)
    return { columns: [NAME, AGE], cells: (c, now) => [s(o(c.metadata).name), age(c, now)] };
  return {
    columns: [
      NAME,
      ...cols.map((c) => col(c.name, c.description ?? '', c.priority ?? 0, c.type, c.format ?? '')),
    ],
    cells: (c, now) => [
      s(o(c.metadata).name),
      ...cols.map((pc) => {
        const v = jsonPath(c, pc.jsonPath);
        if (v === undefined) return null;
        // Date columns of custom resources print as ages.
        if (pc.type === 'date' && typeof v === 'string') return since(v, now);
        if (Array.isArray(v) || isPlainObject(v)) return JSON.stringify(v);
        return v;
      }),
    ],
  };
}

export function printerFor(r: Resource): Printer {
  const p = PRINTERS[`${r.group}/${r.plural}`];
  if (p) return p();
  return customPrinter(r);
}

export function tableRow(r: Resource, obj: JsonObject, include: IncludeObject, now: number): JsonObject {
  const row: JsonObject = { cells: printerFor(r).cells(obj, now) };
  if (include === 'Object') row.object = obj;
  else if (include === 'Metadata')
    row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o(obj.metadata) };
  return row;
}

export function table(
  r: Resource,
  objs: JsonObject[],
  listMeta: JsonObject,
  include: IncludeObject,
): JsonObject {
  const now = Date.now();
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: printerFor(r).columns as unknown as JsonValue[],
    rows: objs.map((x) => tableRow(r, x, include, now)),
  };
}
