import { describe, expect, it } from 'vitest';
import {
  GoSlice,
  GoStruct,
  GoUint,
  goFloat,
  goQuote,
  goSharpV,
  goTypeName,
} from '../../../src/apiserver/schema/gofmt.js';
import {
  duplicate,
  forbidden,
  invalid,
  notSupported,
  Path,
  required,
} from '../../../src/apiserver/schema/field.js';
import { causesMessage } from '../../../src/apiserver/schema/index.js';

describe('goQuote (strconv.Quote)', () => {
  it.each([
    ['', '""'],
    ['abc', '"abc"'],
    ['say "hi"', '"say \\"hi\\""'],
    ['back\\slash', '"back\\\\slash"'],
    ['tab\there', '"tab\\there"'],
    ['nl\ncr\r', '"nl\\ncr\\r"'],
    ['\x07\b\f\v', '"\\a\\b\\f\\v"'],
    ['\x00\x1b\x7f', '"\\x00\\x1b\\x7f"'],
    ['héllo wörld', '"héllo wörld"'],
    ['日本', '"日本"'],
    ['😀', '"😀"'],
    ['\u00a0', '"\\u00a0"'],
    ['\u200b', '"\\u200b"'],
    ['\u{e0001}', '"\\U000e0001"'],
    ['\ud800', '"�"'],
  ])('%j -> %s', (input, want) => {
    expect(goQuote(input)).toBe(want);
  });
});

describe('goFloat (%v of float64)', () => {
  it.each([
    [0.5, '0.5'],
    [1.5, '1.5'],
    [-2.25, '-2.25'],
    [100000, '100000'],
    [123456, '123456'],
    [1e6, '1e+06'],
    [1234567, '1.234567e+06'],
    [1e21, '1e+21'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [1.5e-7, '1.5e-07'],
    [1e100, '1e+100'],
    [0, '0'],
    [-0, '-0'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
    [NaN, 'NaN'],
    [0.1 + 0.2, '0.30000000000000004'],
  ])('%d -> %s', (input, want) => {
    expect(goFloat(input)).toBe(want);
  });
});

describe('goSharpV (%#v of unstructured data)', () => {
  it.each<[unknown, string]>([
    ['x', '"x"'],
    [5, '5'],
    [-7, '-7'],
    [2.5, '2.5'],
    [1e20, '1e+20'],
    [2 ** 53 + 2, '9007199254740994'],
    [2 ** 62, '4611686018427387904'],
    [true, 'true'],
    [null, '<nil>'],
    [[], '[]interface {}{}'],
    [{}, 'map[string]interface {}{}'],
    [['a', 1, null, false], '[]interface {}{"a", 1, interface {}(nil), false}'],
    [{ b: 1, a: 'x' }, 'map[string]interface {}{"a":"x", "b":1}'],
    [
      { addresses: [], autoAssign: true },
      'map[string]interface {}{"addresses":[]interface {}{}, "autoAssign":true}',
    ],
    [
      { n: { m: [{ k: null }] } },
      'map[string]interface {}{"n":map[string]interface {}{"m":[]interface {}{map[string]interface {}{"k":interface {}(nil)}}}}',
    ],
    [
      { é: 1, z: 2, A: 3, '😀': 4, '\uffff': 5 },
      'map[string]interface {}{"A":3, "z":2, "é":1, "\\uffff":5, "😀":4}',
    ],
    [
      new GoStruct('apiextensions.ValidationRule', [
        ['Rule', 'self > 0'],
        ['Message', ''],
      ]),
      'apiextensions.ValidationRule{Rule:"self > 0", Message:""}',
    ],
    [new GoSlice('string', ['a', 'b']), '[]string{"a", "b"}'],
    [new GoUint(0n), '0x0'],
    [new GoUint(255n), '0xff'],
  ])('case %# -> %s', (input, want) => {
    expect(goSharpV(input)).toBe(want);
  });

  it('does not overflow the stack on deep data', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 5000; i++) deep = [deep];
    expect(goSharpV(deep)).toContain('...');
  });
});

describe('goTypeName (%T)', () => {
  it.each<[unknown, string]>([
    ['x', 'string'],
    [1, 'int64'],
    [1.5, 'float64'],
    [true, 'bool'],
    [[], '[]interface {}'],
    [{}, 'map[string]interface {}'],
    [null, '<nil>'],
  ])('%j -> %s', (input, want) => {
    expect(goTypeName(input)).toBe(want);
  });
});

describe('field errors (ErrorBody)', () => {
  const p = Path.root().child('spec').child('x');
  it.each([
    [invalid(p, 'v', 'bad'), 'FieldValueInvalid', 'Invalid value: "v": bad'],
    [invalid(p, 5, 'bad'), 'FieldValueInvalid', 'Invalid value: 5: bad'],
    [invalid(p, 0.5, 'bad'), 'FieldValueInvalid', 'Invalid value: 0.5: bad'],
    [invalid(p, true, 'bad'), 'FieldValueInvalid', 'Invalid value: true: bad'],
    [invalid(p, null, 'bad'), 'FieldValueInvalid', 'Invalid value: "null": bad'],
    [
      invalid(p, { a: [1] }, 'bad'),
      'FieldValueInvalid',
      'Invalid value: map[string]interface {}{"a":[]interface {}{1}}: bad',
    ],
    [
      invalid(p, new GoUint(0n), 'must be specified for an update'),
      'FieldValueInvalid',
      'Invalid value: 0x0: must be specified for an update',
    ],
    [required(p, ''), 'FieldValueRequired', 'Required value'],
    [required(p, 'detail'), 'FieldValueRequired', 'Required value: detail'],
    [forbidden(p, 'nope'), 'FieldValueForbidden', 'Forbidden: nope'],
    [duplicate(p, 'a'), 'FieldValueDuplicate', 'Duplicate value: "a"'],
    [
      notSupported(p, 'c', ['a', 'b']),
      'FieldValueNotSupported',
      'Unsupported value: "c": supported values: "a", "b"',
    ],
  ])('%#', (cause, reason, message) => {
    expect(cause).toEqual({ reason, message, field: 'spec.x' });
  });

  it('paths render like field.Path', () => {
    expect(Path.root().child('spec').child('items').index(3).key('a.b').child('c').toString()).toBe(
      'spec.items[3][a.b].c',
    );
  });

  it('aggregates like utilerrors (single, bracketed, de-duplicated)', () => {
    const a = required(Path.of('spec.a'), '');
    const b = invalid(Path.of('spec.b'), 1, 'bad');
    expect(causesMessage([a])).toBe('spec.a: Required value');
    expect(causesMessage([a, b, a])).toBe('[spec.a: Required value, spec.b: Invalid value: 1: bad]');
  });
});
