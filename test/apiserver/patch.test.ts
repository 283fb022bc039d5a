import { describe, expect, it } from 'vitest';
import {
  JsonPatchApplyError,
  JsonPatchDecodeError,
  applyJsonPatch,
  decodeJsonPatch,
} from '../../src/apiserver/patch/jsonpatch.js';
import { applyMergePatch } from '../../src/apiserver/patch/mergepatch.js';
import { StrategicPatchError, applyStrategicPatch } from '../../src/apiserver/patch/strategic.js';
import { Node, Service } from '../../src/apiserver/types/core.js';
import type { JsonObject, JsonValue } from '../../src/apiserver/types/model.js';

const svc: JsonObject = {
  metadata: {
    name: 'lb1',
    annotations: { a: '1', b: '2' },
    finalizers: ['x.io/one'],
    ownerReferences: [
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'o1', uid: 'u1' },
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'o2', uid: 'u2' },
    ],
  },
  spec: {
    ports: [
      { name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 },
      { name: 'https', protocol: 'TCP', port: 443, targetPort: 8443, nodePort: 30443 },
    ],
    selector: { app: 'web', tier: 'edge' },
    type: 'LoadBalancer',
  },
  status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }, { ip: '192.0.2.2' }] } },
};

describe('strategic merge patch (Service)', () => {
  const table: [string, JsonValue, (o: JsonObject) => void][] = [
    [
      'ports merge by port: only targetPort of port 80 changes',
      { spec: { ports: [{ port: 80, targetPort: 9090 }] } },
      (o) =>
        expect((o.spec as JsonObject).ports).toEqual([
          { name: 'http', protocol: 'TCP', port: 80, targetPort: 9090, nodePort: 30080 },
          { name: 'https', protocol: 'TCP', port: 443, targetPort: 8443, nodePort: 30443 },
        ]),
    ],
    [
      'a new port is appended',
      { spec: { ports: [{ port: 8081, name: 'alt' }] } },
      (o) =>
        expect(((o.spec as JsonObject).ports as JsonObject[]).map((p) => p.port)).toEqual([80, 443, 8081]),
    ],
    [
      '$patch: delete removes one port',
      { spec: { ports: [{ port: 443, $patch: 'delete' }] } },
      (o) => expect(((o.spec as JsonObject).ports as JsonObject[]).map((p) => p.port)).toEqual([80]),
    ],
    [
      '$patch: replace replaces the list',
      { spec: { ports: [{ $patch: 'replace' }, { port: 53, protocol: 'UDP' }] } },
      (o) => expect((o.spec as JsonObject).ports).toEqual([{ port: 53, protocol: 'UDP' }]),
    ],
    [
      'ingress has no merge key: the list is replaced whole',
      { status: { loadBalancer: { ingress: [{ ip: '192.0.2.9' }] } } },
      (o) => expect(o.status).toEqual({ loadBalancer: { ingress: [{ ip: '192.0.2.9' }] } }),
    ],
    [
      'selector is a map: keys merge, null deletes',
      { spec: { selector: { tier: null, env: 'prod' } } },
      (o) => expect((o.spec as JsonObject).selector).toEqual({ app: 'web', env: 'prod' }),
    ],
    [
      'finalizers (merge, no key) union in order',
      { metadata: { finalizers: ['x.io/two', 'x.io/one'] } },
      (o) => expect((o.metadata as JsonObject).finalizers).toEqual(['x.io/one', 'x.io/two']),
    ],
    [
      '$deleteFromPrimitiveList removes finalizers',
      { metadata: { '$deleteFromPrimitiveList/finalizers': ['x.io/one'] } },
      (o) => expect((o.metadata as JsonObject).finalizers).toEqual([]),
    ],
    [
      'ownerReferences merge by uid',
      { metadata: { ownerReferences: [{ uid: 'u2', name: 'renamed' }] } },
      (o) =>
        expect(((o.metadata as JsonObject).ownerReferences as JsonObject[]).map((r) => r.name)).toEqual([
          'o1',
          'renamed',
        ]),
    ],
    [
      '$setElementOrder reorders merged ports',
      { spec: { '$setElementOrder/ports': [{ port: 443 }, { port: 80 }] } },
      (o) => expect(((o.spec as JsonObject).ports as JsonObject[]).map((p) => p.port)).toEqual([443, 80]),
    ],
    [
      'null deletes a field; $patch: replace on a map replaces it',
      { metadata: { annotations: { $patch: 'replace', c: '3' } }, spec: { type: null } },
      (o) => {
        expect((o.metadata as JsonObject).annotations).toEqual({ c: '3' });
        expect((o.spec as JsonObject).type).toBeUndefined();
      },
    ],
  ];
  it.each(table)('%s', (_name, patch, check) => {
    const before = JSON.stringify(svc);
    check(applyStrategicPatch(svc, patch, Service));
    expect(JSON.stringify(svc)).toBe(before);
  });

  it('rejects a merge-list item without its merge key', () => {
    expect(() => applyStrategicPatch(svc, { spec: { ports: [{ name: 'x' }] } }, Service)).toThrow(
      StrategicPatchError,
    );
  });
});

describe('strategic merge patch (Node)', () => {
  const node: JsonObject = {
    spec: { taints: [{ key: 'a', effect: 'NoSchedule' }] },
    status: {
      conditions: [
        { type: 'Ready', status: 'True', reason: 'KubeletReady' },
        { type: 'MemoryPressure', status: 'False' },
      ],
      addresses: [
        { type: 'InternalIP', address: '192.0.2.1' },
        { type: 'Hostname', address: 'n1' },
      ],
    },
  };
  it('conditions and addresses merge by type; taints are replaced', () => {
    const out = applyStrategicPatch(
      node,
      {
        spec: { taints: [{ key: 'b', effect: 'NoExecute' }] },
        status: {
          conditions: [{ type: 'Ready', status: 'False', reason: 'KubeletNotReady' }],
          addresses: [{ type: 'InternalIP', address: '192.0.2.2' }],
        },
      },
      Node,
    );
    expect((out.spec as JsonObject).taints).toEqual([{ key: 'b', effect: 'NoExecute' }]);
    expect((out.status as JsonObject).conditions).toEqual([
      { type: 'Ready', status: 'False', reason: 'KubeletNotReady' },
      { type: 'MemoryPressure', status: 'False' },
    ]);
    expect((out.status as JsonObject).addresses).toEqual([
      { type: 'InternalIP', address: '192.0.2.2' },
      { type: 'Hostname', address: 'n1' },
    ]);
  });
});

describe('JSON patch (RFC 6902)', () => {
  const doc: JsonValue = { metadata: { annotations: { 'a/b': '1', 'c~d': '2' } }, list: [1, 2, 3] };
  const ok: [string, JsonValue, JsonValue][] = [
    ['add with ~1', [{ op: 'add', path: '/metadata/annotations/x~1y', value: 'v' }], 'v'],
    ['replace with ~0', [{ op: 'replace', path: '/metadata/annotations/c~0d', value: 'z' }], 'z'],
    ['append with -', [{ op: 'add', path: '/list/-', value: 4 }], [1, 2, 3, 4]],
    ['insert at index', [{ op: 'add', path: '/list/0', value: 0 }], [0, 1, 2, 3]],
    ['remove index', [{ op: 'remove', path: '/list/1' }], [1, 3]],
    [
      'passing test then remove',
      [
        { op: 'test', path: '/list/0', value: 1 },
        { op: 'remove', path: '/list/0' },
      ],
      [2, 3],
    ],
    ['copy', [{ op: 'copy', from: '/list/2', path: '/list/0' }], [3, 1, 2, 3]],
    ['move', [{ op: 'move', from: '/list/0', path: '/list/-' }], [2, 3, 1]],
  ];
  const pick = (o: JsonValue, name: string): JsonValue => {
    const obj = o as JsonObject;
    if (name.startsWith('add with'))
      return ((obj.metadata as JsonObject).annotations as JsonObject)['x/y'] ?? null;
    if (name.startsWith('replace'))
      return ((obj.metadata as JsonObject).annotations as JsonObject)['c~d'] ?? null;
    return obj.list ?? null;
  };
  it.each(ok)('%s', (name, ops, want) => {
    expect(pick(applyJsonPatch(doc, decodeJsonPatch(ops)), name)).toEqual(want);
  });

  const failing: [string, JsonValue][] = [
    ['failed test', [{ op: 'test', path: '/list/0', value: 9 }]],
    ['remove missing key', [{ op: 'remove', path: '/metadata/annotations/missing' }]],
    ['replace missing key', [{ op: 'replace', path: '/metadata/nope', value: 1 }]],
    ['index out of range', [{ op: 'add', path: '/list/9', value: 1 }]],
    ['missing parent', [{ op: 'add', path: '/no/such/path', value: 1 }]],
    ['unknown op', [{ op: 'frobnicate', path: '/list' }]],
  ];
  it.each(failing)('%s fails to apply (422)', (_n, ops) => {
    expect(() => applyJsonPatch(doc, decodeJsonPatch(ops))).toThrow(JsonPatchApplyError);
  });

  it('a document that is not a list of operations is a decode error (400)', () => {
    expect(() => decodeJsonPatch({ op: 'add' })).toThrow(JsonPatchDecodeError);
  });
});

describe('JSON merge patch (RFC 7386)', () => {
  it('merges objects, deletes with null, replaces lists and scalars', () => {
    expect(
      applyMergePatch({ a: { b: 1, c: 2 }, l: [1, 2], s: 'x' }, { a: { b: null, d: 3 }, l: [3], s: 'y' }),
    ).toEqual({ a: { c: 2, d: 3 }, l: [3], s: 'y' });
  });
});
