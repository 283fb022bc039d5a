// Bounded random testing: hostile JSON never makes the module throw, and the results stay well formed.
import { describe, expect, it } from 'vitest';
import {
  compileSchema,
  pruneAndDefault,
  validate,
  type FieldCause,
} from '../../../src/apiserver/schema/index.js';
import { mustCompile } from './helpers.js';

/** Deterministic PRNG (mulberry32) so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = [
  'spec',
  'status',
  'metadata',
  'apiVersion',
  'kind',
  'addresses',
  'autoAssign',
  'name',
  'ports',
  'port',
  'protocol',
  'labels',
  'cidrs',
  'n',
  'mode',
  'template',
  'extra',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  '',
  'a.b',
  'ключ',
  '😀',
];
const STRINGS = [
  '',
  'x',
  '192.0.2.0/28',
  '10.0.0.0/8',
  '::1',
  'not-a-cidr',
  'TCP',
  'UDP',
  'é😀\u0000\n',
  'a'.repeat(300),
  '2024-01-01T00:00:00Z',
  '1h',
];
const NUMBERS = [
  0,
  -0,
  1,
  -1,
  5,
  80,
  65536,
  1.5,
  -2.25,
  1e21,
  1e308,
  -1e308,
  2 ** 53 + 2,
  2 ** 63,
  Number.MIN_VALUE,
];

function randomValue(r: () => number, depth: number, budget = { nodes: 400 }): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const roll = r();
  budget.nodes--;
  if (depth > 6 || roll < 0.35 || budget.nodes <= 0) {
    const k = r();
    if (k < 0.25) return pick(STRINGS);
    if (k < 0.5) return pick(NUMBERS);
    if (k < 0.65) return r() < 0.5;
    return null;
  }
  if (roll < 0.6) {
    // An occasional long list of scalars; nested values stay within the node budget.
    if (depth <= 1 && r() < 0.05)
      return Array.from({ length: 2000 }, (_, i) => (i % 3 === 0 ? pick(NUMBERS) : pick(STRINGS)));
    const n = Math.floor(r() * 5);
    return Array.from({ length: n }, () => randomValue(r, depth + 1, budget));
  }
  const o: Record<string, unknown> = {};
  const n = Math.floor(r() * 6);
  for (let i = 0; i < n; i++) {
    Object.defineProperty(o, pick(KEYS), {
      value: randomValue(r, depth + 1, budget),
      enumerable: true,
      configurable: true,
      writable: true,
    });
  }
  return o;
}

function deepNest(levels: number): unknown {
  let v: unknown = 'leaf';
  for (let i = 0; i < levels; i++) v = i % 2 === 0 ? [v] : { spec: v };
  return v;
}

const RICH_SCHEMA = {
  type: 'object',
  'x-kubernetes-validations': [
    { rule: '!has(self.metadata.name) || self.metadata.name.size() < 64', message: 'name' },
  ],
  properties: {
    spec: {
      type: 'object',
      required: ['addresses'],
      properties: {
        addresses: {
          type: 'array',
          maxItems: 100,
          items: {
            type: 'string',
            'x-kubernetes-validations': [{ rule: 'isCIDR(self) || isIP(self)', message: 'addr' }],
          },
        },
        autoAssign: { type: 'boolean', default: true },
        mode: { type: 'string', enum: ['L2', 'BGP'], default: 'L2' },
        n: {
          type: 'integer',
          minimum: 0,
          maximum: 10,
          'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'immutable' }],
        },
        port: { 'x-kubernetes-int-or-string': true },
        labels: { type: 'object', additionalProperties: { type: 'string', maxLength: 63 } },
        ports: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['port', 'protocol'],
          items: {
            type: 'object',
            required: ['port'],
            properties: {
              port: { type: 'integer' },
              protocol: { type: 'string', default: 'TCP' },
              name: { type: 'string' },
            },
          },
        },
        cidrs: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string', format: 'cidr' } },
        template: {
          type: 'object',
          'x-kubernetes-embedded-resource': true,
          'x-kubernetes-preserve-unknown-fields': true,
        },
        extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      },
      'x-kubernetes-validations': [
        { rule: 'size(self.addresses) > 0', message: 'addresses must not be empty' },
        {
          rule: 'self.ports.all(p, p.port > 0 && p.port < 65536)',
          messageExpression: "'bad port in ' + string(size(self.ports))",
        },
      ],
    },
    status: { type: 'object', properties: { assigned: { type: 'integer' } } },
  },
};

function wellFormed(causes: FieldCause[]): void {
  expect(Array.isArray(causes)).toBe(true);
  for (const c of causes) {
    expect(typeof c.reason).toBe('string');
    expect(typeof c.message).toBe('string');
    expect(typeof c.field).toBe('string');
  }
}

describe('fuzz', () => {
  const transcriptSchema = mustCompile({
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        required: ['addresses'],
        properties: {
          addresses: { type: 'array', items: { type: 'string' } },
          autoAssign: { type: 'boolean', default: true },
        },
        'x-kubernetes-validations': [
          { rule: 'size(self.addresses) > 0', message: 'addresses must not be empty' },
        ],
      },
      status: { type: 'object', properties: { assigned: { type: 'integer' } } },
    },
  });
  const rich = mustCompile(RICH_SCHEMA);

  it('2000 random objects never throw (prune, default, validate create and update)', () => {
    const r = rng(1234);
    for (let i = 0; i < 2000; i++) {
      const raw = randomValue(r, 0);
      const obj = (
        r() < 0.8
          ? { apiVersion: 'ironlb.io/v1', kind: 'IPAddressPool', metadata: { name: 'x' }, spec: raw }
          : raw
      ) as Record<string, unknown>;
      for (const schema of [transcriptSchema, rich]) {
        const out = pruneAndDefault(schema, obj);
        expect(typeof out).toBe('object');
        expect(() => JSON.stringify(out)).not.toThrow();
        wellFormed(validate(schema, out));
        wellFormed(validate(schema, obj));
        const old = pruneAndDefault(schema, randomValue(r, 0) as Record<string, unknown>);
        wellFormed(validate(schema, out, old));
      }
    }
  });

  it('deep nesting, huge arrays and prototype keys produce causes, not crashes', () => {
    for (const schema of [transcriptSchema, rich]) {
      const deep = { spec: deepNest(20000) } as Record<string, unknown>;
      const out = pruneAndDefault(schema, deep);
      expect(typeof out).toBe('object');
      wellFormed(validate(schema, deep));
      expect(validate(schema, deep).length).toBeGreaterThan(0);

      const huge = {
        spec: {
          addresses: Array.from({ length: 50_000 }, (_, i) => (i % 2 === 0 ? `10.${i % 250}.0.0/16` : i)),
        },
      };
      wellFormed(validate(schema, pruneAndDefault(schema, huge)));

      const proto = JSON.parse(
        '{"__proto__":{"spec":1},"spec":{"__proto__":{"addresses":["x"]},"addresses":"nope"}}',
      ) as Record<string, unknown>;
      wellFormed(validate(schema, pruneAndDefault(schema, proto)));
      expect(({} as Record<string, unknown>)['addresses']).toBeUndefined();
    }
  });

  it('500 random schemas never make compileSchema throw', () => {
    const r = rng(99);
    const words = [
      'type',
      'properties',
      'items',
      'additionalProperties',
      'x-kubernetes-validations',
      'default',
      'enum',
      'required',
      'x-kubernetes-list-type',
      'x-kubernetes-list-map-keys',
      'anyOf',
      'allOf',
      'not',
      'pattern',
      'format',
      'nullable',
      'x-kubernetes-int-or-string',
      'x-kubernetes-embedded-resource',
      'x-kubernetes-preserve-unknown-fields',
      'rule',
      'message',
    ];
    const values: unknown[] = [
      'object',
      'array',
      'string',
      'integer',
      'boolean',
      'number',
      true,
      false,
      1,
      null,
      [],
      {},
      ['a'],
      [{ rule: 'self.x > 1' }],
      [{ rule: 'true' }],
      '(',
      'cidr',
    ];
    const gen = (d: number): unknown => {
      if (d > 4 || r() < 0.3) return values[Math.floor(r() * values.length)];
      const o: Record<string, unknown> = {};
      const n = Math.floor(r() * 5);
      for (let i = 0; i < n; i++) o[words[Math.floor(r() * words.length)] as string] = gen(d + 1);
      if (r() < 0.5) o['properties'] = { x: gen(d + 1), spec: gen(d + 1) };
      return o;
    };
    for (let i = 0; i < 500; i++) {
      const s = { type: 'object', ...(gen(0) as object) };
      const res = compileSchema(s);
      if (res.ok) {
        const obj = randomValue(r, 0) as Record<string, unknown>;
        wellFormed(validate(res.schema, pruneAndDefault(res.schema, obj)));
      } else {
        wellFormed(res.causes);
      }
    }
  });
});
