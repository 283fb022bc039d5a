import { describe, expect, it } from 'vitest';
import { pruneAndDefault } from '../../../src/apiserver/schema/index.js';
import { mustCompile, specSchema } from './helpers.js';

interface Row {
  name: string;
  schema: Record<string, unknown>;
  input: Record<string, unknown>;
  want: Record<string, unknown>;
}

const rows: Row[] = [
  {
    name: 'unknown fields are dropped at every level; TypeMeta/ObjectMeta kept at the root',
    schema: specSchema({
      properties: {
        a: { type: 'string' },
        nested: { type: 'object', properties: { b: { type: 'integer' } } },
        list: { type: 'array', items: { type: 'object', properties: { c: { type: 'boolean' } } } },
      },
    }),
    input: {
      apiVersion: 'x/v1',
      kind: 'K',
      metadata: { name: 'n', whatever: { kept: true } },
      junk: 1,
      spec: { a: 'x', z: 1, nested: { b: 2, y: 3 }, list: [{ c: true, d: 4 }, 'scalar', [1, { e: 5 }]] },
    },
    want: {
      apiVersion: 'x/v1',
      kind: 'K',
      metadata: { name: 'n', whatever: { kept: true } },
      spec: { a: 'x', list: [{ c: true }, 'scalar', [1, {}]], nested: { b: 2 } },
    },
  },
  {
    name: 'x-kubernetes-preserve-unknown-fields keeps unknown data but still prunes declared properties',
    schema: specSchema({
      'x-kubernetes-preserve-unknown-fields': true,
      properties: { known: { type: 'object', properties: { a: { type: 'string' } } } },
    }),
    input: { spec: { anything: { deep: [1, { x: 2 }] }, known: { a: 'x', b: 'pruned' } } },
    want: { spec: { anything: { deep: [1, { x: 2 }] }, known: { a: 'x' } } },
  },
  {
    name: 'preserve-unknown-fields at the root',
    schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    input: { apiVersion: 'v', b: { c: 1 }, a: 2 },
    want: { a: 2, apiVersion: 'v', b: { c: 1 } },
  },
  {
    name: 'additionalProperties with a schema prunes each value by that schema',
    schema: specSchema({
      properties: {
        m: {
          type: 'object',
          additionalProperties: { type: 'object', properties: { a: { type: 'string' } } },
        },
      },
    }),
    input: { spec: { m: { k1: { a: 'x', b: 'y' }, k2: {} } } },
    want: { spec: { m: { k1: { a: 'x' }, k2: {} } } },
  },
  {
    name: 'additionalProperties: true keeps keys but not unknown nested fields',
    schema: specSchema({ properties: { m: { type: 'object', additionalProperties: true } } }),
    input: { spec: { m: { k: 'v', o: { x: 1 } } } },
    want: { spec: { m: { k: 'v', o: {} } } },
  },
  {
    name: 'x-kubernetes-embedded-resource keeps apiVersion/kind/metadata of the embedded object',
    schema: specSchema({
      properties: {
        template: {
          type: 'object',
          'x-kubernetes-embedded-resource': true,
          properties: { spec: { type: 'object', properties: { replicas: { type: 'integer' } } } },
        },
      },
    }),
    input: {
      spec: {
        template: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'd' },
          spec: { replicas: 1, x: 1 },
          junk: 2,
        },
      },
    },
    want: {
      spec: {
        template: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'd' },
          spec: { replicas: 1 },
        },
      },
    },
  },
  {
    name: 'defaults are applied recursively, including inside a defaulted object',
    schema: specSchema({
      properties: {
        a: { type: 'boolean', default: true },
        obj: {
          type: 'object',
          default: {},
          properties: { x: { type: 'integer', default: 7 }, y: { type: 'string' } },
        },
      },
    }),
    input: { spec: {} },
    want: { spec: { a: true, obj: { x: 7 } } },
  },
  {
    name: 'defaults inside array items and additionalProperties values',
    schema: specSchema({
      properties: {
        pools: {
          type: 'array',
          items: { type: 'object', properties: { auto: { type: 'boolean', default: false } } },
        },
        byName: {
          type: 'object',
          additionalProperties: { type: 'object', properties: { w: { type: 'integer', default: 1 } } },
        },
      },
    }),
    input: { spec: { pools: [{}, { auto: true }], byName: { a: {}, b: { w: 5 } } } },
    want: { spec: { byName: { a: { w: 1 }, b: { w: 5 } }, pools: [{ auto: false }, { auto: true }] } },
  },
  {
    name: 'an existing value is never replaced, even with the wrong type',
    schema: specSchema({ properties: { a: { type: 'boolean', default: true } } }),
    input: { spec: { a: 'maybe' } },
    want: { spec: { a: 'maybe' } },
  },
  {
    name: 'null in a non-nullable field: defaulted when there is a default, else dropped; nullable kept',
    schema: specSchema({
      properties: {
        d: { type: 'string', default: 'x' },
        n: { type: 'string' },
        ok: { type: 'string', nullable: true },
      },
    }),
    input: { spec: { d: null, n: null, ok: null } },
    want: { spec: { d: 'x', ok: null } },
  },
  {
    name: 'keys are sorted at every level, as Go writes maps',
    schema: specSchema({ 'x-kubernetes-preserve-unknown-fields': true }),
    input: {
      spec: { b: 1, a: { d: 1, c: [{ z: 1, y: 2 }] }, B: 0 },
      metadata: { name: 'n', labels: { z: '1', a: '2' } },
      kind: 'K',
    },
    want: {
      kind: 'K',
      metadata: { labels: { a: '2', z: '1' }, name: 'n' },
      spec: { B: 0, a: { c: [{ y: 2, z: 1 }], d: 1 }, b: 1 },
    },
  },
];

describe('pruneAndDefault', () => {
  it.each(rows)('$name', ({ schema, input, want }) => {
    const before = JSON.stringify(input);
    const out = pruneAndDefault(mustCompile(schema), input);
    expect(out).toEqual(want);
    // Same key order as the expected object (toEqual ignores order).
    expect(JSON.stringify(out)).toBe(JSON.stringify(sortDeep(want)));
    // The input is never modified.
    expect(JSON.stringify(input)).toBe(before);
  });

  it('keeps "__proto__" as a data key without touching prototypes', () => {
    const schema = mustCompile(specSchema({ 'x-kubernetes-preserve-unknown-fields': true }));
    const input = JSON.parse('{"spec":{"__proto__":{"polluted":true},"constructor":{"x":1}}}') as Record<
      string,
      unknown
    >;
    const out = pruneAndDefault(schema, input);
    const spec = out['spec'] as Record<string, unknown>;
    expect(Object.keys(spec)).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(spec)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(JSON.stringify(out)).toBe('{"spec":{"__proto__":{"polluted":true},"constructor":{"x":1}}}');
  });

  it('prunes "__proto__" and "constructor" when the schema does not declare them', () => {
    const schema = mustCompile(specSchema({ properties: { a: { type: 'string' } } }));
    const input = JSON.parse('{"spec":{"__proto__":{"a":1},"constructor":1,"a":"x"}}') as Record<
      string,
      unknown
    >;
    expect(JSON.stringify(pruneAndDefault(schema, input))).toBe('{"spec":{"a":"x"}}');
  });

  it('returns an object for non-object input instead of throwing', () => {
    const schema = mustCompile(specSchema({}));
    expect(pruneAndDefault(schema, 'x' as unknown as Record<string, unknown>)).toEqual({});
    expect(pruneAndDefault(schema, null as unknown as Record<string, unknown>)).toEqual({});
  });

  it('cuts cycles in caller-built objects', () => {
    const schema = mustCompile(specSchema({ 'x-kubernetes-preserve-unknown-fields': true }));
    const spec: Record<string, unknown> = { a: 1 };
    spec['self'] = spec;
    const out = pruneAndDefault(schema, { spec });
    expect(JSON.stringify(out)).toMatch(/^\{"spec":\{"a":1,"self":.*null.*\}\}$/);
  });
});

function sortDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortDeep);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortDeep((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}
