// Reading Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`) for the
// kinds kubectl's typed generators send that way (`kubectl create namespace|configmap|secret|
// service`). The envelope is "k8s\0" + runtime.Unknown; the object is turned into the JSON the
// rest of the server decodes, so validation and defaulting are the same. Answers stay JSON.
import { formatTime } from './gotime.js';
import type { JsonObject, JsonValue } from './types/model.js';

export class ProtobufError extends Error {}

type FieldKind =
  | 'string'
  | 'int32'
  | 'int64'
  | 'bool'
  | 'bytes'
  | 'time'
  | 'intOrString'
  | 'stringMap'
  | 'bytesMap'
  | { message: Schema };

interface FieldSpec {
  json: string;
  kind: FieldKind;
  repeated?: boolean;
}

type Schema = Record<number, FieldSpec>;

// Field numbers from k8s.io/api and k8s.io/apimachinery generated.proto.
const OwnerReference: Schema = {
  1: { json: 'kind', kind: 'string' },
  3: { json: 'name', kind: 'string' },
  4: { json: 'uid', kind: 'string' },
  5: { json: 'apiVersion', kind: 'string' },
  6: { json: 'controller', kind: 'bool' },
  7: { json: 'blockOwnerDeletion', kind: 'bool' },
};
const ObjectMeta: Schema = {
  1: { json: 'name', kind: 'string' },
  2: { json: 'generateName', kind: 'string' },
  3: { json: 'namespace', kind: 'string' },
  5: { json: 'uid', kind: 'string' },
  6: { json: 'resourceVersion', kind: 'string' },
  7: { json: 'generation', kind: 'int64' },
  8: { json: 'creationTimestamp', kind: 'time' },
  9: { json: 'deletionTimestamp', kind: 'time' },
  10: { json: 'deletionGracePeriodSeconds', kind: 'int64' },
  11: { json: 'labels', kind: 'stringMap' },
  12: { json: 'annotations', kind: 'stringMap' },
  13: { json: 'ownerReferences', kind: { message: OwnerReference }, repeated: true },
  14: { json: 'finalizers', kind: 'string', repeated: true },
};
const meta: FieldSpec = { json: 'metadata', kind: { message: ObjectMeta } };

const Namespace: Schema = {
  1: meta,
  2: { json: 'spec', kind: { message: { 1: { json: 'finalizers', kind: 'string', repeated: true } } } },
};
const ConfigMap: Schema = {
  1: meta,
  2: { json: 'data', kind: 'stringMap' },
  3: { json: 'binaryData', kind: 'bytesMap' },
  4: { json: 'immutable', kind: 'bool' },
};
const Secret: Schema = {
  1: meta,
  2: { json: 'data', kind: 'bytesMap' },
  3: { json: 'type', kind: 'string' },
  4: { json: 'stringData', kind: 'stringMap' },
  5: { json: 'immutable', kind: 'bool' },
};
const ServicePort: Schema = {
  1: { json: 'name', kind: 'string' },
  2: { json: 'protocol', kind: 'string' },
  3: { json: 'port', kind: 'int32' },
  4: { json: 'targetPort', kind: 'intOrString' },
  5: { json: 'nodePort', kind: 'int32' },
  6: { json: 'appProtocol', kind: 'string' },
};
const ServiceSpec: Schema = {
  1: { json: 'ports', kind: { message: ServicePort }, repeated: true },
  2: { json: 'selector', kind: 'stringMap' },
  3: { json: 'clusterIP', kind: 'string' },
  4: { json: 'type', kind: 'string' },
  5: { json: 'externalIPs', kind: 'string', repeated: true },
  7: { json: 'sessionAffinity', kind: 'string' },
  8: { json: 'loadBalancerIP', kind: 'string' },
  9: { json: 'loadBalancerSourceRanges', kind: 'string', repeated: true },
  10: { json: 'externalName', kind: 'string' },
  11: { json: 'externalTrafficPolicy', kind: 'string' },
  12: { json: 'healthCheckNodePort', kind: 'int32' },
  13: { json: 'publishNotReadyAddresses', kind: 'bool' },
  17: { json: 'ipFamilyPolicy', kind: 'string' },
  18: { json: 'clusterIPs', kind: 'string', repeated: true },
  19: { json: 'ipFamilies', kind: 'string', repeated: true },
  20: { json: 'allocateLoadBalancerNodePorts', kind: 'bool' },
  21: { json: 'loadBalancerClass', kind: 'string' },
  22: { json: 'internalTrafficPolicy', kind: 'string' },
};
const Service: Schema = { 1: meta, 2: { json: 'spec', kind: { message: ServiceSpec } } };

/** Kinds whose protobuf bodies are understood, by apiVersion/kind. */
const KINDS: Record<string, Schema> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
};

export function supportsProtobuf(apiVersion: string, kind: string): boolean {
  return `${apiVersion}/${kind}` in KINDS;
}

interface Raw {
  wire: number;
  num: bigint;
  bytes: Buffer;
}

function readVarint(buf: Buffer, pos: { i: number }): bigint {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (pos.i >= buf.length) throw new ProtobufError('unexpected end of protobuf data');
    const b = buf[pos.i++] as number;
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return result;
    shift += 7n;
    if (shift > 63n) throw new ProtobufError('protobuf varint overflow');
  }
}

function readFields(buf: Buffer): Map<number, Raw[]> {
  const out = new Map<number, Raw[]>();
  const pos = { i: 0 };
  while (pos.i < buf.length) {
    const tag = Number(readVarint(buf, pos));
    const field = tag >>> 3;
    const wire = tag & 7;
    let raw: Raw;
    if (wire === 0) raw = { wire, num: readVarint(buf, pos), bytes: Buffer.alloc(0) };
    else if (wire === 2) {
      const len = Number(readVarint(buf, pos));
      if (pos.i + len > buf.length) throw new ProtobufError('unexpected end of protobuf data');
      raw = { wire, num: 0n, bytes: buf.subarray(pos.i, pos.i + len) };
      pos.i += len;
    } else if (wire === 1) {
      raw = { wire, num: buf.readBigUInt64LE(pos.i), bytes: Buffer.alloc(0) };
      pos.i += 8;
    } else if (wire === 5) {
      raw = { wire, num: BigInt(buf.readUInt32LE(pos.i)), bytes: Buffer.alloc(0) };
      pos.i += 4;
    } else throw new ProtobufError(`unsupported protobuf wire type ${wire}`);
    const list = out.get(field) ?? [];
    list.push(raw);
    out.set(field, list);
  }
  return out;
}

const signed64 = (n: bigint): number => Number(BigInt.asIntN(64, n));

function scalar(kind: FieldKind, r: Raw): JsonValue {
  switch (kind) {
    case 'string':
      return r.bytes.toString('utf8');
    case 'int32':
      return Number(BigInt.asIntN(32, r.num));
    case 'int64':
      return signed64(r.num);
    case 'bool':
      return r.num !== 0n;
    case 'bytes':
      return r.bytes.toString('base64');
    case 'time': {
      const f = readFields(r.bytes);
      const seconds = signed64(f.get(1)?.[0]?.num ?? 0n);
      return formatTime({ ms: seconds * 1000, micros: 0 });
    }
    case 'intOrString': {
      const f = readFields(r.bytes);
      const type = Number(f.get(1)?.[0]?.num ?? 0n);
      if (type === 1) return (f.get(3)?.[0]?.bytes ?? Buffer.alloc(0)).toString('utf8');
      return Number(BigInt.asIntN(32, f.get(2)?.[0]?.num ?? 0n));
    }
    default:
      return null;
  }
}

function decodeMessage(buf: Buffer, schema: Schema): JsonObject {
  const fields = readFields(buf);
  const out: JsonObject = {};
  for (const [num, raws] of fields) {
    const spec = schema[num];
    if (!spec) continue;
    const k = spec.kind;
    if (k === 'stringMap' || k === 'bytesMap') {
      const m: JsonObject = {};
      for (const r of raws) {
        const entry = readFields(r.bytes);
        const key = (entry.get(1)?.[0]?.bytes ?? Buffer.alloc(0)).toString('utf8');
        const val = entry.get(2)?.[0]?.bytes ?? Buffer.alloc(0);
        m[key] = k === 'stringMap' ? val.toString('utf8') : val.toString('base64');
      }
      out[spec.json] = m;
      continue;
    }
    const one = (r: Raw): JsonValue =>
      typeof k === 'object' ? decodeMessage(r.bytes, k.message) : scalar(k, r);
    if (spec.repeated) {
      // Packed scalars are not used by these messages (strings and messages only).
      out[spec.json] = raws.map(one);
    } else {
      const last = raws[raws.length - 1];
      if (last) out[spec.json] = one(last);
    }
  }
  return out;
}

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** Decodes a protobuf-encoded Kubernetes object into its JSON form. */
export function decodeProtobufObject(body: Buffer): JsonObject {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC))
    throw new ProtobufError(
      'provided object is not a protobuf Kubernetes object (missing "k8s\\x00" prefix)',
    );
  const unknown = readFields(body.subarray(4));
  const typeMeta = readFields(unknown.get(1)?.[0]?.bytes ?? Buffer.alloc(0));
  const apiVersion = (typeMeta.get(1)?.[0]?.bytes ?? Buffer.alloc(0)).toString('utf8');
  const kind = (typeMeta.get(2)?.[0]?.bytes ?? Buffer.alloc(0)).toString('utf8');
  const schema = KINDS[`${apiVersion}/${kind}`];
  if (!schema) throw new ProtobufError(`no protobuf support for ${apiVersion}, Kind=${kind}`);
  const raw = unknown.get(2)?.[0]?.bytes ?? Buffer.alloc(0);
  return { apiVersion, kind, ...decodeMessage(raw, schema) };
}
