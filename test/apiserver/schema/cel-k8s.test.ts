// Kubernetes-specific CEL semantics: how unstructured data meets CEL types (null fields, escaping,
// list types, preserved unknown fields, int-or-string, timestamps).
import { describe, expect, it } from 'vitest';
import { compileSchema, pruneAndDefault, validate } from '../../../src/apiserver/schema/index.js';

/** Runs one rule on the root of `props` with `data`; returns 'pass', the failure detail, or 'compile: ...'. */
function run(props: Record<string, unknown>, data: Record<string, unknown>, expr: string): string {
  const schema = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: props,
        'x-kubernetes-validations': [{ rule: expr, message: 'rule failed' }],
      },
    },
  };
  const r = compileSchema(schema);
  if (!r.ok)
    return (
      'compile: ' + (r.causes[0]?.message.split(': compilation failed: ')[1] ?? r.causes[0]?.message ?? '')
    );
  // No pruning of nulls here: validate the data as given; only the rule's cause (on spec) matters.
  const causes = validate(r.schema, { spec: data }).filter((c) => c.field === 'spec');
  if (causes.length === 0) return 'pass';
  const m = causes[0]?.message ?? '';
  const i = m.lastIndexOf('}: ');
  return i >= 0 ? m.slice(i + 3) : m;
}

const str = { type: 'string' };
const int = { type: 'integer' };

describe('null and absent fields', () => {
  const props = {
    plain: str,
    nullable: { type: 'string', nullable: true },
    m: { type: 'object', additionalProperties: { type: 'string', nullable: true } },
    l: { type: 'array', items: { type: 'string', nullable: true } },
    strict: { type: 'array', items: str },
  };
  const data = { plain: 'v', nullable: null, m: { a: null, b: 'x' }, l: [null, 'x'], strict: [null] };
  it.each<[string, string]>([
    ['has(self.plain) && !has(self.nullable)', 'pass'],
    ["'a' in self.m && self.m.size() == 2 && type(self.m['a']) == null_type", 'pass'],
    ['self.l.size() == 2 && type(self.l[0]) == null_type', 'pass'],
    [
      "self.strict[0] == 'x'",
      'invalid data, got null for schema with nullable=false evaluating rule: rule failed',
    ],
    ['type(self.nullable) == string', 'no such key: nullable evaluating rule: rule failed'],
  ])('%s', (expr, want) => {
    expect(run(props, data, expr)).toBe(want);
  });

  it('comparing schema-typed values with null does not type-check', () => {
    expect(run(props, data, 'self.plain == null')).toBe(
      "compile: ERROR: <input>:1:12: found no matching overload for '_==_' applied to '(string, null)'\n | self.plain == null\n | ...........^",
    );
  });
});

describe('property names', () => {
  const props = {
    in: int,
    namespace: int,
    int: int,
    self: int,
    all: int,
    'dash-name': int,
    'dot.name': int,
    'slash/name': int,
    double__underscore: int,
    'bad!name': int,
  };
  const data = {
    in: 1,
    namespace: 2,
    int: 3,
    self: 4,
    all: 5,
    'dash-name': 6,
    'dot.name': 7,
    'slash/name': 8,
    double__underscore: 9,
    'bad!name': 10,
  };
  it.each<[string, string]>([
    ['self.__in__ == 1 && self.__namespace__ == 2', 'pass'],
    ['self.int == 3 && self.self == 4 && self.all == 5', 'pass'],
    ['self.dash__dash__name == 6 && self.dot__dot__name == 7 && self.slash__slash__name == 8', 'pass'],
    ['self.double__underscores__underscore == 9', 'pass'],
  ])('%s', (expr, want) => {
    expect(run(props, data, expr)).toBe(want);
  });

  it('unescapable names are not fields', () => {
    expect(run(props, data, 'self.bad == 1')).toMatch(/^compile: ERROR: <input>:1:5: undefined field 'bad'/);
  });

  it('map keys are used as written', () => {
    const m = { m: { type: 'object', additionalProperties: int } };
    expect(
      run(
        m,
        { m: { '@': 1, 'a-b': 2, '👑': 3 } },
        "self.m['@'] == 1 && self.m['a-b'] == 2 && self.m['👑'] == 3",
      ),
    ).toBe('pass');
  });
});

describe('list types in CEL', () => {
  const kv = { type: 'object', required: ['k'], properties: { k: str, v: str } };
  const props = {
    s1: { type: 'array', 'x-kubernetes-list-type': 'set', items: str },
    s2: { type: 'array', 'x-kubernetes-list-type': 'set', items: str },
    m1: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['k'], items: kv },
    m2: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['k'], items: kv },
    m3: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['k'], items: kv },
    lm: {
      type: 'array',
      items: {
        type: 'array',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['k'],
        items: kv,
      },
    },
    a: { type: 'array', items: str },
  };
  const data = {
    s1: ['a', 'b', 'c'],
    s2: ['c', 'a', 'b'],
    m1: [
      { k: 'x', v: '1' },
      { k: 'y', v: '2' },
    ],
    m2: [
      { k: 'y', v: '2' },
      { k: 'x', v: '1' },
    ],
    m3: [{ k: 'y', v: '3' }],
    lm: [
      [
        { k: 'x', v: '1' },
        { k: 'y', v: '2' },
      ],
      [
        { k: 'y', v: '2' },
        { k: 'x', v: '1' },
      ],
      [{ k: 'y', v: '3' }],
    ],
    a: ['a', 'b'],
  };
  it.each<[string, string]>([
    ["self.s1 == self.s2 && self.s1 == ['b', 'c', 'a']", 'pass'],
    ["self.s1 + self.s2 == ['a', 'b', 'c'] && self.s1 + ['d', 'a'] == ['a', 'b', 'c', 'd']", 'pass'],
    [
      'self.lm[0] == self.lm[1] && self.lm[0] == [self.lm[0][1], self.lm[0][0]] && self.lm[0] != self.lm[2]',
      'pass',
    ],
    [
      "self.lm[0] + self.lm[2] == [self.lm[0][0], self.lm[2][0]] && (self.lm[0] + self.lm[2])[1].v == '3'",
      'pass',
    ],
    ["size(self.m1 + [self.m1[0]]) == 2 && self.m1.exists(e, e.k == 'y' && e.v == '2')", 'pass'],
    ["self.a != ['b', 'a'] && self.a == ['a', 'b']", 'pass'],
  ])('%s', (expr, want) => {
    expect(run(props, data, expr)).toBe(want);
  });

  it('objects cannot be compared with map literals', () => {
    expect(run(props, data, "self.lm[0][0] == {'k': 'x', 'v': '1'}")).toMatch(
      /^compile: ERROR: <input>:1:15: found no matching overload for '_==_'/,
    );
  });

  it('different properties have different object types, even with the same shape', () => {
    expect(run(props, data, 'self.m1 == self.m2')).toMatch(
      /^compile: ERROR: <input>:1:9: found no matching overload for '_==_'/,
    );
  });
});

describe('preserved unknown fields', () => {
  const props = {
    open: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { known: int } },
    list: { type: 'array', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
    anyval: { 'x-kubernetes-preserve-unknown-fields': true },
  };
  const data = {
    open: { known: 1, other: 'x' },
    list: [{ a: 1 }, { a: 2 }, { a: 2 }, {}, {}],
    anyval: [1, 'x'],
  };
  it.each<[string, string]>([
    ['self.open.known == 1 && has(self.open)', 'pass'],
    ['self.list[0] != self.list[1] && self.list[1] == self.list[2] && self.list[3] == self.list[4]', 'pass'],
  ])('%s', (expr, want) => {
    expect(run(props, data, expr)).toBe(want);
  });

  it.each(['has(self.open.other)', 'has(self.anyval)'])('%s is an undefined field', (expr) => {
    expect(run(props, data, expr)).toMatch(/undefined field/);
  });
});

describe('int-or-string', () => {
  const props = { v: { 'x-kubernetes-int-or-string': true } };
  it.each<[unknown, string, string]>([
    ['25%', "type(self.v) == string && self.v.endsWith('%')", 'pass'],
    [3, 'type(self.v) == int ? self.v > 1 : false', 'pass'],
    [
      '25%',
      'self.v == 1',
      "'no such overload': call arguments did not match a supported operator, function or macro signature for rule: rule failed",
    ],
    [
      3,
      "self.v == 'x'",
      "'no such overload': call arguments did not match a supported operator, function or macro signature for rule: rule failed",
    ],
  ])('%j: %s', (v, expr, want) => {
    expect(run(props, { v }, expr)).toBe(want);
  });
});

describe('timestamps and durations from formatted strings', () => {
  const props = {
    t: { type: 'string', format: 'date-time' },
    d: { type: 'string', format: 'date' },
    dur: { type: 'string', format: 'duration' },
    text: str,
  };
  const data = {
    t: '2011-08-18T19:03:37.010000000+01:00',
    d: '2011-08-18',
    dur: '1h2m3s4ms',
    text: '2011-08-18T19:03:37.01+01:00',
  };
  it.each<[string, string]>([
    ["self.t == timestamp('2011-08-18T19:03:37.010+01:00') && string(self.t) == self.text", 'pass'],
    ["self.t.getHours('UTC') == 18 && self.t.getHours('01:00') == 19 && self.t.getHours() == 18", 'pass'],
    ["string(self.d) == '2011-08-18T00:00:00Z' && self.d.getDate() == 18 && self.d.getMonth() == 07", 'pass'],
    [
      "self.dur.getMilliseconds() == 3723004 && string(self.dur) == '3723.004s' && type(self.dur) == google.protobuf.Duration",
      'pass',
    ],
    ['type(self.t) == google.protobuf.Timestamp', 'pass'],
  ])('%s', (expr, want) => {
    expect(run(props, data, expr)).toBe(want);
  });

  it('reports unparseable formatted data only when a rule reads it', () => {
    const s = compileSchema({
      type: 'object',
      properties: {
        spec: { type: 'object', properties: props, 'x-kubernetes-validations': [{ rule: 'has(self.text)' }] },
      },
    });
    if (!s.ok) throw new Error('compile');
    expect(validate(s.schema, pruneAndDefault(s.schema, { spec: { t: 'yesterday', text: 'x' } }))).toEqual([
      {
        reason: 'FieldValueInvalid',
        message: 'Invalid value: "yesterday": spec.t in body must be of type date-time: "yesterday"',
        field: 'spec.t',
      },
    ]);
  });
});

describe('embedded resources', () => {
  it('expose apiVersion, kind, metadata.name and metadata.generateName only', () => {
    const props = {
      inner: {
        type: 'object',
        'x-kubernetes-embedded-resource': true,
        'x-kubernetes-preserve-unknown-fields': true,
      },
    };
    const data = {
      inner: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'n' }, spec: {} },
    };
    expect(
      run(
        props,
        data,
        "self.inner.kind == 'Pod' && self.inner.metadata.name == 'p' && self.inner.apiVersion == 'v1'",
      ),
    ).toBe('pass');
    expect(run(props, data, 'has(self.inner.metadata.namespace)')).toMatch(/undefined field 'namespace'/);
    expect(run(props, data, 'has(self.inner.spec)')).toMatch(/undefined field 'spec'/);
  });
});

describe('has() on data of the wrong type', () => {
  it('is an error, not false', () => {
    const props = { o: { type: 'object', properties: { f: str } }, l: { type: 'array', items: str } };
    expect(run(props, { o: [], l: {} }, 'has(self.o)')).toBe(
      'invalid data, expected map[string]interface{} to match the provided schema with type=object evaluating rule: rule failed',
    );
    expect(run(props, { o: {}, l: {} }, 'has(self.l)')).toBe(
      'invalid data, expected []interface{} to match the provided schema with type=array evaluating rule: rule failed',
    );
  });
});
