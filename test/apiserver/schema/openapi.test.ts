// One row per OpenAPI keyword: the causes kube-openapi + apiextensions (1.24) produce for a violation.
import { describe, expect, it } from 'vitest';
import type { FieldCause } from '../../../src/apiserver/schema/index.js';
import { check, inv, specSchema } from './helpers.js';

interface Row {
  name: string;
  props: Record<string, unknown>;
  spec: Record<string, unknown>;
  required?: string[];
  want: FieldCause[];
}

const rows: Row[] = [
  {
    name: 'type string',
    props: { s: { type: 'string' } },
    spec: { s: 5 },
    want: [inv('spec.s', 'Invalid value: "integer": spec.s in body must be of type string: "integer"')],
  },
  {
    name: 'type integer rejects fractions',
    props: { n: { type: 'integer' } },
    spec: { n: 1.5 },
    want: [inv('spec.n', 'Invalid value: "number": spec.n in body must be of type integer: "number"')],
  },
  { name: 'type number accepts integers', props: { f: { type: 'number' } }, spec: { f: 3 }, want: [] },
  {
    name: 'type boolean',
    props: { b: { type: 'boolean' } },
    spec: { b: 'yes' },
    want: [inv('spec.b', 'Invalid value: "string": spec.b in body must be of type boolean: "string"')],
  },
  {
    name: 'type array',
    props: { l: { type: 'array', items: { type: 'string' } } },
    spec: { l: { a: 1 } },
    want: [inv('spec.l', 'Invalid value: "object": spec.l in body must be of type array: "object"')],
  },
  {
    name: 'type object',
    props: { o: { type: 'object', properties: { a: { type: 'string' } } } },
    spec: { o: [1] },
    want: [inv('spec.o', 'Invalid value: "array": spec.o in body must be of type object: "array"')],
  },
  {
    name: 'null in a non-nullable field with a default is defaulted, without one it is dropped',
    props: { a: { type: 'string', default: 'd' }, b: { type: 'string' } },
    spec: { a: null, b: null },
    want: [],
  },
  {
    name: 'null in a non-nullable array item',
    props: { l: { type: 'array', items: { type: 'string' } } },
    spec: { l: ['a', null] },
    want: [inv('spec.l[1]', 'Invalid value: "null": spec.l[1] in body must be of type string: "null"')],
  },
  {
    name: 'nullable accepts null',
    props: { a: { type: 'string', nullable: true } },
    spec: { a: null },
    want: [],
  },
  {
    name: 'required',
    props: { a: { type: 'string' } },
    required: ['a'],
    spec: {},
    want: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.a' }],
  },
  {
    name: 'enum (strings quoted, others JSON)',
    props: { m: { type: 'string', enum: ['fast', 'slow'] }, n: { type: 'integer', enum: [1, 2] } },
    spec: { m: 'medium', n: 3 },
    want: [
      {
        reason: 'FieldValueNotSupported',
        message: 'Unsupported value: "medium": supported values: "fast", "slow"',
        field: 'spec.m',
      },
      {
        reason: 'FieldValueNotSupported',
        message: 'Unsupported value: 3: supported values: "1", "2"',
        field: 'spec.n',
      },
    ],
  },
  {
    name: 'pattern (RE2)',
    props: { s: { type: 'string', pattern: '^[a-z][a-z0-9-]*$' } },
    spec: { s: 'Bad_Name' },
    want: [inv('spec.s', `Invalid value: "Bad_Name": spec.s in body should match '^[a-z][a-z0-9-]*$'`)],
  },
  {
    name: 'maxLength counts code points',
    props: { s: { type: 'string', maxLength: 3 } },
    spec: { s: 'héé😀' },
    want: [inv('spec.s', 'Invalid value: "héé😀": spec.s in body should be at most 3 chars long')],
  },
  {
    name: 'maxLength passes at the limit',
    props: { s: { type: 'string', maxLength: 3 } },
    spec: { s: 'h😀é' },
    want: [],
  },
  {
    name: 'minLength',
    props: { s: { type: 'string', minLength: 2 } },
    spec: { s: 'a' },
    want: [inv('spec.s', 'Invalid value: "a": spec.s in body should be at least 2 chars long')],
  },
  {
    name: 'string checks stop at the first failure',
    props: { s: { type: 'string', maxLength: 1, pattern: '^x$' } },
    spec: { s: 'abc' },
    want: [inv('spec.s', 'Invalid value: "abc": spec.s in body should be at most 1 chars long')],
  },
  {
    name: 'minimum / maximum (integers)',
    props: { a: { type: 'integer', minimum: 1 }, b: { type: 'integer', maximum: 10 } },
    spec: { a: 0, b: 11 },
    want: [
      inv('spec.a', 'Invalid value: 0: spec.a in body should be greater than or equal to 1'),
      inv('spec.b', 'Invalid value: 11: spec.b in body should be less than or equal to 10'),
    ],
  },
  {
    name: 'exclusive minimum / maximum (numbers)',
    props: {
      a: { type: 'number', minimum: 0.5, exclusiveMinimum: true },
      b: { type: 'number', maximum: 1e6, exclusiveMaximum: true },
    },
    spec: { a: 0.5, b: 1000000.5 },
    want: [
      inv('spec.a', 'Invalid value: 0.5: spec.a in body should be greater than 0.5'),
      inv('spec.b', 'Invalid value: 1.0000005e+06: spec.b in body should be less than 1e+06'),
    ],
  },
  {
    name: 'multipleOf',
    props: { a: { type: 'integer', multipleOf: 5 }, b: { type: 'number', multipleOf: 0.5 } },
    spec: { a: 7, b: 0.75 },
    want: [
      inv('spec.a', 'Invalid value: 7: spec.a in body should be a multiple of 5'),
      inv('spec.b', 'Invalid value: 0.75: spec.b in body should be a multiple of 0.5'),
    ],
  },
  {
    name: 'minItems / maxItems',
    props: {
      a: { type: 'array', items: { type: 'string' }, minItems: 1 },
      b: { type: 'array', items: { type: 'string' }, maxItems: 1 },
    },
    spec: { a: [], b: ['x', 'y'] },
    want: [
      inv('spec.a', 'Invalid value: 0: spec.a in body should have at least 1 items'),
      inv('spec.b', 'Invalid value: 2: spec.b in body should have at most 1 items'),
    ],
  },
  {
    name: 'items are validated before the list bounds',
    props: { l: { type: 'array', items: { type: 'integer', minimum: 0 }, maxItems: 1 } },
    spec: { l: [-1, 2] },
    want: [
      inv('spec.l[0]', 'Invalid value: -1: spec.l[0] in body should be greater than or equal to 0'),
      inv('spec.l', 'Invalid value: 2: spec.l in body should have at most 1 items'),
    ],
  },
  {
    name: 'minProperties / maxProperties',
    props: {
      a: { type: 'object', additionalProperties: { type: 'string' }, minProperties: 2 },
      b: { type: 'object', additionalProperties: { type: 'string' }, maxProperties: 1 },
    },
    spec: { a: { x: '1' }, b: { x: '1', y: '2' } },
    want: [
      inv('spec.a', 'Invalid value: 1: spec.a in body should have at least 2 properties'),
      inv('spec.b', 'Invalid value: 2: spec.b in body should have at most 1 properties'),
    ],
  },
  {
    name: 'additionalProperties schema',
    props: { labels: { type: 'object', additionalProperties: { type: 'string', maxLength: 2 } } },
    spec: { labels: { ok: 'v', bad: 'long', num: 1 } },
    want: [
      inv('spec.labels.bad', 'Invalid value: "long": spec.labels.bad in body should be at most 2 chars long'),
      inv(
        'spec.labels.num',
        'Invalid value: "integer": spec.labels.num in body must be of type string: "integer"',
      ),
    ],
  },
  {
    name: 'x-kubernetes-int-or-string',
    props: { port: { 'x-kubernetes-int-or-string': true } },
    spec: { port: 1.5 },
    want: [
      inv('spec.port', 'Invalid value: "number": spec.port in body must be of type integer,string: "number"'),
    ],
  },
  {
    name: 'x-kubernetes-int-or-string accepts both',
    props: { p: { 'x-kubernetes-int-or-string': true } },
    spec: { p: 'http' },
    want: [],
  },
  {
    name: 'format date-time',
    props: { t: { type: 'string', format: 'date-time' } },
    spec: { t: '2024-13-01T00:00:00Z' },
    want: [
      inv(
        'spec.t',
        'Invalid value: "2024-13-01T00:00:00Z": spec.t in body must be of type date-time: "2024-13-01T00:00:00Z"',
      ),
    ],
  },
  {
    name: 'format ipv4 / ipv6 / cidr',
    props: {
      a: { type: 'string', format: 'ipv4' },
      b: { type: 'string', format: 'ipv6' },
      c: { type: 'string', format: 'cidr' },
    },
    spec: { a: '010.0.0.1', b: '1.2.3.4', c: '10.0.0.0/33' },
    want: [
      inv('spec.a', 'Invalid value: "010.0.0.1": spec.a in body must be of type ipv4: "010.0.0.1"'),
      inv('spec.b', 'Invalid value: "1.2.3.4": spec.b in body must be of type ipv6: "1.2.3.4"'),
      inv('spec.c', 'Invalid value: "10.0.0.0/33": spec.c in body must be of type cidr: "10.0.0.0/33"'),
    ],
  },
  {
    name: 'valid formats pass',
    props: {
      a: { type: 'string', format: 'ipv4' },
      b: { type: 'string', format: 'ipv6' },
      c: { type: 'string', format: 'cidr' },
      d: { type: 'string', format: 'date' },
      e: { type: 'string', format: 'uuid' },
      f: { type: 'string', format: 'mac' },
      g: { type: 'string', format: 'hostname' },
      h: { type: 'string', format: 'byte' },
      i: { type: 'string', format: 'duration' },
      j: { type: 'string', format: 'uri' },
      k: { type: 'string', format: 'email' },
    },
    spec: {
      a: '192.0.2.1',
      b: '2001:db8::1',
      c: '2001:db8::/32',
      d: '2024-02-29',
      e: 'A987FBC9-4BED-3078-CF07-9141BA07C9F3',
      f: '00:00:5e:00:53:01',
      g: 'node-1.example.com',
      h: 'aGVsbG8=',
      i: '1h30m',
      j: 'https://example.com/x?y=1',
      k: 'ops@example.com',
    },
    want: [],
  },
  {
    name: 'format date rejects impossible dates',
    props: { d: { type: 'string', format: 'date' } },
    spec: { d: '2023-02-29' },
    want: [inv('spec.d', 'Invalid value: "2023-02-29": spec.d in body must be of type date: "2023-02-29"')],
  },
  {
    name: 'formats Kubernetes strips are not enforced (int32, float)',
    props: {
      a: { type: 'integer', format: 'int32' },
      b: { type: 'string', format: 'int32' },
      c: { type: 'number', format: 'float' },
    },
    spec: { a: 99999999999, b: 'x', c: 1e300 },
    want: [],
  },
  {
    name: 'supported format on non-string data reports the format as type (kube-openapi quirk)',
    props: { t: { type: 'string', format: 'date-time' } },
    spec: { t: 5 },
    want: [inv('spec.t', 'Invalid value: "int64": spec.t in body must be of type date-time: "int64"')],
  },
  {
    name: 'anyOf failure: composite message on the root field plus the best branch errors',
    props: { n: { type: 'integer', anyOf: [{ minimum: 10 }, { maximum: 1 }] } },
    spec: { n: 5 },
    want: [
      inv('', 'Invalid value: "": "spec.n" must validate at least one schema (anyOf)'),
      inv('spec.n', 'Invalid value: 5: spec.n in body should be greater than or equal to 10'),
    ],
  },
  {
    name: 'oneOf with two valid alternatives',
    props: { n: { type: 'integer', oneOf: [{ minimum: 1 }, { maximum: 10 }] } },
    spec: { n: 5 },
    want: [
      inv(
        '',
        'Invalid value: "": "spec.n" must validate one and only one schema (oneOf). Found 2 valid alternatives',
      ),
    ],
  },
  {
    name: 'allOf',
    props: { n: { type: 'integer', allOf: [{ minimum: 1 }, { maximum: 3 }] } },
    spec: { n: 5 },
    want: [
      inv('spec.n', 'Invalid value: 5: spec.n in body should be less than or equal to 3'),
      inv('', 'Invalid value: "": "spec.n" must validate all the schemas (allOf)'),
    ],
  },
  {
    name: 'not',
    props: { s: { type: 'string', not: { enum: ['forbidden'] } } },
    spec: { s: 'forbidden' },
    want: [inv('', 'Invalid value: "": "spec.s" must not validate the schema (not)')],
  },
  {
    name: 'x-kubernetes-list-type set: second occurrence is a Duplicate',
    props: { l: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } } },
    spec: { l: ['a', 'b', 'a', 'a', 'b'] },
    want: [
      { reason: 'FieldValueDuplicate', message: 'Duplicate value: "a"', field: 'spec.l[2]' },
      { reason: 'FieldValueDuplicate', message: 'Duplicate value: "b"', field: 'spec.l[4]' },
    ],
  },
  {
    name: 'x-kubernetes-list-type map: duplicate keys',
    props: {
      ports: {
        type: 'array',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['port', 'protocol'],
        items: {
          type: 'object',
          required: ['port', 'protocol'],
          properties: { port: { type: 'integer' }, protocol: { type: 'string' }, name: { type: 'string' } },
        },
      },
    },
    spec: {
      ports: [
        { port: 80, protocol: 'TCP', name: 'a' },
        { port: 80, protocol: 'UDP' },
        { port: 80, protocol: 'TCP', name: 'b' },
      ],
    },
    want: [
      {
        reason: 'FieldValueDuplicate',
        message: 'Duplicate value: map[string]interface {}{"port":80, "protocol":"TCP"}',
        field: 'spec.ports[2]',
      },
    ],
  },
];

describe('OpenAPI v3 validation', () => {
  it.each(rows)('$name', ({ props, spec, required, want }) => {
    const schema = specSchema({ properties: props, ...(required ? { required } : {}) });
    expect(check(schema, { spec })).toEqual(want);
  });

  it('reports a wrong type for a whole object', () => {
    const schema = specSchema({ properties: { a: { type: 'integer' } } });
    expect(check(schema, { spec: 'x' })).toEqual([
      inv('spec', 'Invalid value: "string": spec in body must be of type object: "string"'),
    ]);
  });

  it('required at the root reports the trimmed path', () => {
    const schema = { type: 'object', required: ['spec'], properties: { spec: { type: 'object' } } };
    expect(check(schema, {})).toEqual([
      { reason: 'FieldValueRequired', message: 'Required value', field: 'spec' },
    ]);
  });
});
