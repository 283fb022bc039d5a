// x-kubernetes-validations: the rule library, error semantics, transition rules, messages and limits.
import { describe, expect, it } from 'vitest';
import {
  compileSchema,
  pruneAndDefault,
  validate,
  type FieldCause,
} from '../../../src/apiserver/schema/index.js';
import { check, inv, specSchema } from './helpers.js';

const PROPS: Record<string, unknown> = {
  name: { type: 'string' },
  n: { type: 'integer' },
  f: { type: 'number' },
  on: { type: 'boolean' },
  ints: { type: 'array', items: { type: 'integer' } },
  strs: { type: 'array', items: { type: 'string' } },
  labels: { type: 'object', additionalProperties: { type: 'string' } },
  addr: { type: 'string' },
  port: { 'x-kubernetes-int-or-string': true },
  opt: { type: 'string' },
  maybe: { type: 'string', nullable: true },
  when: { type: 'string', format: 'date-time' },
  every: { type: 'string', format: 'duration' },
  blob: { type: 'string', format: 'byte' },
  nested: {
    type: 'object',
    properties: { deep: { type: 'object', properties: { v: { type: 'integer' } } } },
  },
};

const DATA: Record<string, unknown> = {
  name: 'pool-1',
  n: 5,
  f: 2.5,
  on: true,
  ints: [3, 1, 2],
  strs: ['b', 'a'],
  labels: { app: 'lb', tier: 'edge' },
  addr: '192.0.2.10',
  port: '8080',
  maybe: null,
  when: '2024-05-01T10:00:00Z',
  every: '1h30m',
  blob: 'aGVsbG8=',
  nested: { deep: { v: 7 } },
};

/** 'pass', the cause message of the failing rule, or 'compile: <detail>'. */
function rule(expr: string, data: Record<string, unknown> = DATA): string {
  const schema = specSchema({ properties: PROPS, 'x-kubernetes-validations': [{ rule: expr }] });
  const r = compileSchema(schema);
  if (!r.ok) return 'compile: ' + (r.causes[0]?.message ?? '');
  const obj = pruneAndDefault(r.schema, { spec: data });
  const causes = validate(r.schema, obj);
  if (causes.length === 0) return 'pass';
  const msg = causes[0]?.message ?? '';
  // Strip the "Invalid value: <%#v of spec>: " prefix; the value rendering is tested elsewhere.
  return msg
    .replace(/^Invalid value: map\[string\]interface \{\}\{.*?\}\}?: /s, '')
    .replace(/^Invalid value: map.*?\}: /s, '');
}

const trueRules = [
  // macros and operators
  'self.ints.all(x, x > 0)',
  'self.ints.exists(x, x == 2)',
  'self.ints.exists_one(x, x > 2)',
  'self.ints.map(x, x * 2) == [6, 2, 4]',
  'self.ints.filter(x, x > 1) == [3, 2]',
  'self.ints.map(x, x > 1, x) == [3, 2]',
  'self.labels.all(k, k.size() > 2)',
  "self.labels.exists(k, self.labels[k] == 'edge')",
  'has(self.name) && !has(self.opt)',
  'has(self.nested.deep.v)',
  'self.n > 4 ? true : false',
  "'app' in self.labels && 3 in self.ints && !('x' in self.strs)",
  "{'a': 1, 'b': 2}['b'] == 2",
  '[1, 2] + [3] == [1, 2, 3]',
  'size(self.name) == 6 && self.name.size() == 6 && size(self.ints) == 3 && size(self.labels) == 2',
  "size('héllo😀') == 6",
  'self.f > 2 && self.f < 3.0 && self.n >= 5u - 0u + 0u || true',
  'self.n % 3 == 2 && self.n / 2 == 2 && -self.n == -5',
  '1.0 / 0.0 > 1e308',
  'type(self.n) == int && type(self.name) == string && type(self.f) == double && type(self.ints) == list',
  'int(self.f) == 2 && double(self.n) == 5.0 && string(self.n) == "5" && int("12") == 12 && uint(3) == 3u',
  "string(2.5) == '2.5' && string(true) == 'true' && bool('true') && bytes('a') == b'a'",
  '!has(self.maybe)',
  'dyn(self.n) == 5',
  'cel.bind(x, self.n * 2, x + x == 20)',
  // strings extension
  "self.name.contains('ol') && self.name.startsWith('po') && self.name.endsWith('-1')",
  "self.name.matches('^[a-z]+-[0-9]$') && matches(self.name, 'pool')",
  "self.name.upperAscii() == 'POOL-1' && 'ÀB'.lowerAscii() == 'Àb'",
  "self.name.replace('o', '0') == 'p00l-1' && self.name.replace('o', '0', 1) == 'p0ol-1'",
  "self.name.split('-') == ['pool', '1'] && 'a,b,c'.split(',', 2) == ['a', 'b,c']",
  "self.strs.join(',') == 'b,a' && ['x', 'y'].join() == 'xy'",
  "'  x y  '.trim() == 'x y'",
  "self.name.substring(1, 3) == 'oo' && self.name.substring(5) == '1'",
  "self.name.indexOf('o') == 1 && self.name.lastIndexOf('o') == 2 && self.name.indexOf('o', 2) == 2 && 'abc'.indexOf('z') == -1",
  "self.name.charAt(0) == 'p' && self.name.charAt(6) == ''",
  "'abc'.reverse() == 'cba'",
  'strings.quote(\'a"b\') == \'"a\\\\"b"\'',
  // regex library
  "'abc 123 def 45'.find('[0-9]+') == '123' && 'abc 123 def 45'.findAll('[0-9]+') == ['123', '45']",
  "'a1b2c3'.findAll('[0-9]', 2) == ['1', '2'] && 'abc'.find('[0-9]') == ''",
  // list library
  '[1, 2, 3].isSorted() && !self.ints.isSorted() && self.ints.sum() == 6 && self.ints.min() == 1 && self.ints.max() == 3',
  "self.strs.min() == 'a' && [1.5, 2.5].sum() == 4.0 && self.ints.indexOf(1) == 1 && [1, 2, 1].lastIndexOf(1) == 2",
  // sets
  'sets.contains([1, 2, 3], [2, 3]) && sets.equivalent([1, 2], [2, 1, 1]) && sets.intersects([1], [3, 1])',
  // optionals
  'optional.of(1).hasValue() && optional.none().orValue(5) == 5 && optional.of(2).value() == 2',
  'optional.ofNonZeroValue(0).hasValue() == false && optional.none().or(optional.of(3)).value() == 3',
  // IP and CIDR library
  "isIP(self.addr) && ip(self.addr).family() == 4 && ip('2001:db8::1').family() == 6",
  "!isIP('192.0.2.1/24') && !isIP('::ffff:192.0.2.1') && !isIP('fe80::1%eth0') && !isIP('010.0.0.1')",
  "cidr('192.0.2.0/24').containsIP(self.addr) && cidr('192.0.2.0/24').containsIP(ip('192.0.2.255'))",
  "!cidr('192.0.2.0/24').containsIP('198.51.100.1') && !cidr('::/0').containsIP('192.0.2.1')",
  "cidr('10.0.0.0/8').containsCIDR('10.1.0.0/16') && !cidr('10.0.0.0/16').containsCIDR(cidr('10.0.0.0/8'))",
  "cidr('192.0.2.7/24').prefixLength() == 24 && string(cidr('192.0.2.7/24').masked()) == '192.0.2.0/24'",
  "cidr('192.0.2.7/24').ip() == ip('192.0.2.7') && isCIDR('2001:db8::/32') && !isCIDR('10.0.0.0/33')",
  "string(ip('2001:0db8:0000:0000:0000:0000:0000:0001')) == '2001:db8::1' && ip.isCanonical('2001:db8::1') && !ip.isCanonical('2001:DB8::1')",
  "ip('127.0.0.1').isLoopback() && ip('::').isUnspecified() && ip('fe80::1').isLinkLocalUnicast()",
  "ip('224.0.0.1').isLinkLocalMulticast() && ip('8.8.8.8').isGlobalUnicast() && !ip('169.254.1.1').isGlobalUnicast()",
  // URL library
  "isURL('https://example.com:8443/a/b?x=1&x=2') && url('https://example.com:8443/a').getPort() == '8443'",
  "url('https://[::1]:80/p').getHostname() == '::1' && url('http://h/p?x=1&x=2').getQuery()['x'] == ['1', '2']",
  "url('https://example.com/a%20b').getEscapedPath() == '/a%20b' && url('https://h.example/').getScheme() == 'https'",
  '!isURL("not a url") && !isURL("relative/path")',
  // time
  "self.when > timestamp('2024-01-01T00:00:00Z') && self.every == duration('90m')",
  'self.when.getFullYear() == 2024 && self.when.getMonth() == 4 && self.when.getDate() == 1 && self.when.getHours() == 10',
  "self.when + duration('14h') == timestamp('2024-05-02T00:00:00Z') && string(self.every) == '5400s'",
  'self.when.getDayOfWeek() == 3 && self.when.getDayOfYear() == 121 && self.every.getMinutes() == 90',
  'self.blob == b"hello"',
  // int-or-string
  "type(self.port) == string ? self.port.matches('^[0-9]+$') : self.port > 0",
];

describe('CEL rules that hold', () => {
  it.each(trueRules)('%s', (expr) => {
    expect(rule(expr)).toBe('pass');
  });
});

describe('CEL rules that fail or error', () => {
  it.each<[string, string]>([
    ['self.ints.all(x, x > 1)', 'failed rule: self.ints.all(x, x > 1)'],
    ['self.opt == "x"', 'no such key: opt evaluating rule: self.opt == "x"'],
    ['self.ints[5] == 1', 'index out of bounds: 5 evaluating rule: self.ints[5] == 1'],
    ["self.labels['nope'] == 'x'", "no such key: nope evaluating rule: self.labels['nope'] == 'x'"],
    ['self.n / 0 == 1', 'division by zero evaluating rule: self.n / 0 == 1'],
    ['self.n % 0 == 1', 'modulus by zero evaluating rule: self.n % 0 == 1'],
    [
      '9223372036854775807 + self.n > 0',
      'integer overflow evaluating rule: 9223372036854775807 + self.n > 0',
    ],
    ["int('x') == 1", 'strconv.ParseInt: parsing "x": invalid syntax evaluating rule: int(\'x\') == 1'],
    [
      "ip('nope').family() == 4",
      'IP Address "nope" parse error during conversion from string: ParseAddr("nope"): unable to parse IP evaluating rule: ip(\'nope\').family() == 4',
    ],
    [
      "cidr('1.2.3.4').prefixLength() == 1",
      'network address "1.2.3.4" parse error during conversion from string: netip.ParsePrefix("1.2.3.4"): no \'/\' evaluating rule: cidr(\'1.2.3.4\').prefixLength() == 1',
    ],
    [
      'self.port > 0',
      "'no such overload': call arguments did not match a supported operator, function or macro signature for rule: self.port > 0",
    ],
    [
      'optional.none().value() == 1',
      'optional.none() dereference evaluating rule: optional.none().value() == 1',
    ],
    ['[].min() == 1', 'min called on empty list evaluating rule: [].min() == 1'],
    [
      "'abc'.substring(2, 1) == ''",
      "invalid substring range. start: 2, end: 1 evaluating rule: 'abc'.substring(2, 1) == ''",
    ],
    [
      'self.name.matches("(") ',
      'error parsing regexp: missing closing ): `(` evaluating rule: self.name.matches("(")',
    ],
  ])('%s', (expr, want) => {
    expect(rule(expr)).toBe(want);
  });

  it('errors are absorbed by || and && when the other side decides', () => {
    expect(rule('self.opt == "x" || true')).toBe('pass');
    expect(rule('false && self.opt == "x"')).toBe('failed rule: false && self.opt == "x"');
    expect(rule('self.ints.exists(x, 10 / (x - 1) == 5 || x == 3)')).toBe('pass');
  });
});

describe('CEL compilation errors', () => {
  it.each<[string, string]>([
    [
      'self.nope > 1',
      "compilation failed: ERROR: <input>:1:5: undefined field 'nope'\n | self.nope > 1\n | ....^",
    ],
    [
      'self.name > 1',
      "compilation failed: ERROR: <input>:1:11: found no matching overload for '_>_' applied to '(string, int)'\n | self.name > 1\n | ..........^",
    ],
    [
      'self.n == 1.0',
      "compilation failed: ERROR: <input>:1:8: found no matching overload for '_==_' applied to '(int, double)'\n | self.n == 1.0\n | .......^",
    ],
    ['self.name', 'cel expression must evaluate to a bool'],
    ['self.port', 'cel expression must evaluate to a bool'],
    [
      'oldSelf.x == 1',
      "compilation failed: ERROR: <input>:1:8: undefined field 'x'\n | oldSelf.x == 1\n | .......^",
    ],
    [
      'size(self.nested) > 0',
      "compilation failed: ERROR: <input>:1:5: found no matching overload for 'size' applied to '(object)'\n | size(self.nested) > 0\n | ....^",
    ],
    [
      'self.n.name == 1',
      "compilation failed: ERROR: <input>:1:7: type 'int' does not support field selection\n | self.n.name == 1\n | ......^",
    ],
    [
      '9223372036854775808 > 1',
      'compilation failed: ERROR: <input>:1:1: invalid int literal\n | 9223372036854775808 > 1\n | ^',
    ],
  ])('%s', (expr, want) => {
    const r = compileSchema(specSchema({ properties: PROPS, 'x-kubernetes-validations': [{ rule: expr }] }));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.causes).toEqual([
        inv(
          'spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule',
          `Invalid value: apiextensions.ValidationRule{Rule:${JSON.stringify(expr)}, Message:""}: ${want}`,
        ),
      ]);
    }
  });

  it('refuses absurdly deep or long expressions without crashing', () => {
    for (const expr of [
      '('.repeat(5000) + 'true' + ')'.repeat(5000),
      '['.repeat(3000) + ']'.repeat(3000) + ' == []',
      'x'.repeat(200_000),
    ]) {
      const r = compileSchema(specSchema({ 'x-kubernetes-validations': [{ rule: expr, message: 'm' }] }));
      expect(r.ok).toBe(false);
    }
    // Long flat && chains are fine (they are balanced, as in cel-go).
    expect(
      compileSchema(specSchema({ 'x-kubernetes-validations': [{ rule: 'true && '.repeat(2000) + 'true' }] }))
        .ok,
    ).toBe(true);
  });
});

describe('rule placement, messages, reasons and field paths', () => {
  it('binds self to the node: list items, map values, the resource root', () => {
    const schema = {
      type: 'object',
      'x-kubernetes-validations': [
        { rule: "self.metadata.name.startsWith('lb-')", message: 'name must start with lb-' },
      ],
      properties: {
        spec: {
          type: 'object',
          properties: {
            cidrs: {
              type: 'array',
              items: {
                type: 'string',
                'x-kubernetes-validations': [{ rule: 'isCIDR(self)', message: 'not a CIDR' }],
              },
            },
            weights: {
              type: 'object',
              additionalProperties: {
                type: 'integer',
                'x-kubernetes-validations': [{ rule: 'self <= 100' }],
              },
            },
          },
        },
      },
    };
    expect(
      check(schema, {
        metadata: { name: 'x' },
        spec: { cidrs: ['10.0.0.0/8', 'bad'], weights: { a: 5, b: 500 } },
      }),
    ).toEqual([
      inv(
        '',
        'Invalid value: map[string]interface {}{"metadata":map[string]interface {}{"name":"x"}, "spec":map[string]interface {}{"cidrs":[]interface {}{"10.0.0.0/8", "bad"}, "weights":map[string]interface {}{"a":5, "b":500}}}: name must start with lb-',
      ),
      inv('spec.cidrs[1]', 'Invalid value: "bad": not a CIDR'),
      inv('spec.weights[b]', 'Invalid value: 500: failed rule: self <= 100'),
    ]);
  });

  it('messageExpression, reason and fieldPath', () => {
    const schema = specSchema({
      properties: { min: { type: 'integer' }, max: { type: 'integer' } },
      'x-kubernetes-validations': [
        {
          rule: 'self.min <= self.max',
          messageExpression: "'min ' + string(self.min) + ' exceeds max ' + string(self.max)",
          fieldPath: '.min',
        },
        { rule: 'self.max < 100', message: 'too large', reason: 'FieldValueForbidden', fieldPath: '.max' },
        { rule: 'self.max < 50', reason: 'FieldValueRequired' },
        { rule: 'self.max < 10', reason: 'FieldValueDuplicate' },
        { rule: 'self.max < 5', message: 'static', messageExpression: "''" },
      ],
    });
    expect(check(schema, { spec: { min: 200, max: 150 } })).toEqual([
      inv(
        'spec.min',
        'Invalid value: map[string]interface {}{"max":150, "min":200}: min 200 exceeds max 150',
      ),
      { reason: 'FieldValueForbidden', message: 'Forbidden: too large', field: 'spec.max' },
      { reason: 'FieldValueRequired', message: 'Required value: failed rule: self.max < 50', field: 'spec' },
      {
        reason: 'FieldValueDuplicate',
        message: 'Duplicate value: map[string]interface {}{"max":150, "min":200}',
        field: 'spec',
      },
      inv('spec', 'Invalid value: map[string]interface {}{"max":150, "min":200}: static'),
    ]);
  });

  it('rules are skipped on absent and null values', () => {
    const schema = specSchema({
      properties: { a: { type: 'string', nullable: true, 'x-kubernetes-validations': [{ rule: 'false' }] } },
    });
    expect(check(schema, { spec: {} })).toEqual([]);
    expect(check(schema, { spec: { a: null } })).toEqual([]);
  });
});

describe('transition rules', () => {
  const immutable = specSchema({
    properties: {
      mode: {
        type: 'string',
        'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'mode is immutable' }],
      },
      pools: {
        type: 'array',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name'],
        items: {
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string' }, size: { type: 'integer' } },
          'x-kubernetes-validations': [{ rule: 'self.size >= oldSelf.size', message: 'pools cannot shrink' }],
        },
      },
    },
  });

  it('are not evaluated on create', () => {
    expect(check(immutable, { spec: { mode: 'a', pools: [{ name: 'p', size: 1 }] } })).toEqual([]);
  });

  it('compare against the old value on update', () => {
    expect(check(immutable, { spec: { mode: 'b' } }, { spec: { mode: 'a' } })).toEqual([
      inv('spec.mode', 'Invalid value: "b": mode is immutable'),
    ]);
    expect(check(immutable, { spec: { mode: 'a' } }, { spec: { mode: 'a' } })).toEqual([]);
  });

  it('skip fields that did not exist before', () => {
    expect(check(immutable, { spec: { mode: 'b' } }, { spec: {} })).toEqual([]);
  });

  it('correlate map-list items by key', () => {
    const old = {
      spec: {
        pools: [
          { name: 'a', size: 5 },
          { name: 'b', size: 5 },
        ],
      },
    };
    const next = {
      spec: {
        pools: [
          { name: 'b', size: 6 },
          { name: 'a', size: 4 },
          { name: 'c', size: 1 },
        ],
      },
    };
    expect(check(immutable, next, old)).toEqual([
      inv(
        'spec.pools[1]',
        'Invalid value: map[string]interface {}{"name":"a", "size":4}: pools cannot shrink',
      ),
    ]);
  });

  it('optionalOldSelf runs on create with oldSelf = optional.none()', () => {
    const schema = specSchema({
      properties: {
        v: {
          type: 'integer',
          'x-kubernetes-validations': [
            {
              rule: '!oldSelf.hasValue() ? self < 10 : self >= oldSelf.value()',
              message: 'bad',
              optionalOldSelf: true,
            },
          ],
        },
      },
    });
    expect(check(schema, { spec: { v: 50 } })).toEqual([inv('spec.v', 'Invalid value: 50: bad')]);
    expect(check(schema, { spec: { v: 5 } })).toEqual([]);
    expect(check(schema, { spec: { v: 40 } }, { spec: { v: 50 } })).toEqual([
      inv('spec.v', 'Invalid value: 40: bad'),
    ]);
    expect(check(schema, { spec: { v: 60 } }, { spec: { v: 50 } })).toEqual([]);
  });
});

describe('cost limits', () => {
  it('stops a runaway rule with the per-call limit message and runs no further rules', () => {
    const schema = specSchema({
      properties: { xs: { type: 'array', items: { type: 'integer' } } },
      'x-kubernetes-validations': [
        { rule: 'self.xs.all(a, self.xs.all(b, self.xs.all(c, a + b + c >= 0)))', message: 'cubic' },
        { rule: 'false', message: 'never reached' },
      ],
    });
    const xs = Array.from({ length: 200 }, (_, i) => i);
    const causes: FieldCause[] = check(schema, { spec: { xs } });
    expect(causes).toHaveLength(1);
    expect(causes[0]?.field).toBe('spec');
    expect(causes[0]?.message).toMatch(
      /: 'operation cancelled: actual cost limit exceeded': no further validation rules will be run due to call cost exceeds limit for rule: cubic$/,
    );
  });

  it('bounds the total budget across many nodes', () => {
    const schema = specSchema({
      properties: {
        items: {
          type: 'array',
          items: {
            type: 'array',
            items: { type: 'integer' },
            'x-kubernetes-validations': [{ rule: 'self.all(a, self.all(b, a + b >= 0))' }],
          },
        },
      },
    });
    const row = Array.from({ length: 300 }, (_, i) => i);
    const causes = check(schema, { spec: { items: Array.from({ length: 200 }, () => row) } });
    expect(causes).toHaveLength(1);
    expect(causes[0]?.message).toMatch(
      /validation failed due to running out of cost budget, no further validation rules will be run$/,
    );
  });
});
