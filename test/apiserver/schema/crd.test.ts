// compileSchema: the 422 causes a v1 CRD create gets for a bad openAPIV3Schema.
import { describe, expect, it } from 'vitest';
import { compileSchema, type FieldCause } from '../../../src/apiserver/schema/index.js';
import { compileCauses, specSchema } from './helpers.js';

const B = 'spec.validation.openAPIV3Schema';
const SPEC = `${B}.properties[spec]`;

const req = (field: string, message: string): FieldCause => ({
  reason: 'FieldValueRequired',
  message,
  field,
});
const forb = (field: string, message: string): FieldCause => ({
  reason: 'FieldValueForbidden',
  message,
  field,
});
const inv = (field: string, message: string): FieldCause => ({ reason: 'FieldValueInvalid', message, field });
const nsup = (field: string, message: string): FieldCause => ({
  reason: 'FieldValueNotSupported',
  message,
  field,
});

describe('structural schema', () => {
  it.each<[string, unknown, FieldCause[]]>([
    [
      'missing types, errors sorted like the real server',
      {
        type: 'object',
        properties: { spec: { properties: { a: { type: 'string' } } }, status: { type: 'array' } },
      },
      [
        req(`${B}.properties[spec].type`, 'Required value: must not be empty for specified object fields'),
        req(`${B}.properties[status].items`, 'Required value: must be specified'),
      ],
    ],
    [
      'array items without type',
      specSchema({ properties: { l: { type: 'array', items: {} } } }),
      [
        req(
          `${SPEC}.properties[l].items.type`,
          'Required value: must not be empty for specified array items',
        ),
      ],
    ],
    [
      'root must be an object',
      { type: 'array', items: { type: 'string' } },
      [inv(`${B}.type`, 'Invalid value: "array": must be object at the root')],
    ],
    [
      'root type required',
      { properties: {} },
      [req(`${B}.type`, 'Required value: must not be empty at the root')],
    ],
    [
      'additionalProperties at the root',
      { type: 'object', additionalProperties: { type: 'string' } },
      [forb(`${B}.additionalProperties`, 'Forbidden: must not be used at the root')],
    ],
    [
      'value validations may not carry types, descriptions or extensions, and must be complete',
      specSchema({
        properties: { a: { type: 'string' } },
        anyOf: [
          {
            type: 'string',
            description: 'd',
            properties: { metadata: {} },
            'x-kubernetes-validations': [{ rule: 'true' }],
          },
        ],
      }),
      [
        forb(`${SPEC}.anyOf[0].description`, 'Forbidden: must be empty to be structural'),
        forb(`${SPEC}.anyOf[0].properties[metadata]`, 'Forbidden: must not be specified in a nested context'),
        forb(`${SPEC}.anyOf[0].type`, 'Forbidden: must be empty to be structural'),
        forb(`${SPEC}.anyOf[0].x-kubernetes-validations`, 'Forbidden: must be empty to be structural'),
        req(
          `${SPEC}.properties[metadata]`,
          `Required value: because it is defined in ${SPEC}.anyOf[0].properties[metadata]`,
        ),
      ],
    ],
    [
      'int-or-string anyOf pattern is allowed',
      specSchema({
        properties: {
          p: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
        },
      }),
      [],
    ],
    [
      'embedded resources must be objects with properties',
      specSchema({ properties: { e: { 'x-kubernetes-embedded-resource': true } } }),
      [
        req(
          `${SPEC}.properties[e].properties`,
          'Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields',
        ),
        req(
          `${SPEC}.properties[e].type`,
          'Required value: must be object if x-kubernetes-embedded-resource is true',
        ),
      ],
    ],
    [
      'metadata at the root may only restrict name and generateName',
      {
        type: 'object',
        properties: { metadata: { type: 'object', properties: { labels: { type: 'object' } } } },
      },
      [
        forb(
          `${B}.properties[metadata]`,
          'Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified',
        ),
      ],
    ],
    [
      'metadata restricting name is fine',
      {
        type: 'object',
        properties: { metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 10 } } } },
      },
      [],
    ],
  ])('%s', (_name, schema, want) => {
    expect(compileCauses(schema)).toEqual(want);
  });
});

describe('OpenAPI restrictions and Kubernetes extensions', () => {
  it.each<[string, unknown, FieldCause[]]>([
    [
      'unsupported keywords',
      specSchema({
        uniqueItems: true,
        $ref: '#/x',
        patternProperties: { a: { type: 'string' } },
        properties: { a: { type: 'strin' }, b: { type: 'null' } },
        additionalProperties: false,
      }),
      [
        forb(`${SPEC}.patternProperties`, 'Forbidden: patternProperties is not supported'),
        forb(`${SPEC}.$ref`, 'Forbidden: $ref is not supported'),
        forb(
          `${SPEC}.uniqueItems`,
          'Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic',
        ),
        forb(
          `${SPEC}.additionalProperties`,
          'Forbidden: additionalProperties and properties are mutual exclusive',
        ),
        nsup(
          `${SPEC}.properties[a].type`,
          'Unsupported value: "strin": supported values: "array", "boolean", "integer", "number", "object", "string"',
        ),
        nsup(
          `${SPEC}.properties[b].type`,
          'Unsupported value: "null": supported values: "array", "boolean", "integer", "number", "object", "string"',
        ),
        forb(
          `${SPEC}.properties[b].type`,
          'Forbidden: type cannot be set to null, use nullable as an alternative',
        ),
      ],
    ],
    [
      'x-kubernetes-preserve-unknown-fields: false',
      specSchema({ 'x-kubernetes-preserve-unknown-fields': false }),
      [
        inv(
          `${SPEC}.x-kubernetes-preserve-unknown-fields`,
          'Invalid value: false: must be true or undefined',
        ),
      ],
    ],
    [
      'defaults are forbidden in top-level metadata',
      {
        type: 'object',
        properties: { metadata: { type: 'object', properties: { name: { type: 'string', default: 'x' } } } },
      },
      [
        forb(
          `${B}.properties[metadata].properties[name].default`,
          'Forbidden: must not be set in top-level metadata',
        ),
      ],
    ],
    [
      'list types and map keys',
      specSchema({
        properties: {
          l: {
            type: 'array',
            'x-kubernetes-list-type': 'map',
            items: { type: 'object', properties: { a: { type: 'string' } } },
          },
          m: {
            type: 'array',
            'x-kubernetes-list-type': 'map',
            'x-kubernetes-list-map-keys': ['a', 'z'],
            items: { type: 'object', properties: { a: { type: 'string' } } },
          },
          s: { type: 'string', 'x-kubernetes-list-type': 'set' },
          t: { type: 'array', 'x-kubernetes-list-type': 'bag', items: { type: 'string' } },
        },
      }),
      [
        req(
          `${SPEC}.properties[l].x-kubernetes-list-map-keys`,
          'Required value: must not be empty if x-kubernetes-list-type is map',
        ),
        inv(
          `${SPEC}.properties[m].x-kubernetes-list-map-keys`,
          'Invalid value: []string{"a", "z"}: entries must all be names of item properties',
        ),
        req(
          `${SPEC}.properties[m].items.properties[a].default`,
          'Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property',
        ),
        inv(
          `${SPEC}.properties[s].type`,
          'Invalid value: "string": must be array if x-kubernetes-list-type is specified',
        ),
        nsup(
          `${SPEC}.properties[t].x-kubernetes-list-type`,
          'Unsupported value: "bag": supported values: "atomic", "set", "map"',
        ),
      ],
    ],
    [
      'x-kubernetes-map-type values',
      specSchema({ 'x-kubernetes-map-type': 'weird' }),
      [
        nsup(
          `${SPEC}.x-kubernetes-map-type`,
          'Unsupported value: "weird": supported values: "atomic", "granular"',
        ),
      ],
    ],
    [
      'pattern must be RE2',
      specSchema({ properties: { s: { type: 'string', pattern: '(a' } } }),
      [
        inv(
          `${SPEC}.properties[s].pattern`,
          'Invalid value: "(a": must be a valid regular expression, but isn\'t: error parsing regexp: missing closing ): `(a`',
        ),
      ],
    ],
    [
      'defaults must validate',
      specSchema({ properties: { a: { type: 'integer', default: 'x' } } }),
      [
        inv(
          `${SPEC}.properties[a].default`,
          'Invalid value: "string":  in body must be of type integer: "string"',
        ),
      ],
    ],
    [
      'defaults must be pruned',
      specSchema({
        properties: {
          o: { type: 'object', default: { a: 1, zz: 2 }, properties: { a: { type: 'integer' } } },
        },
      }),
      [
        inv(
          `${SPEC}.properties[o].default`,
          'Invalid value: map[string]interface {}{"a":1, "zz":2}: must not have unknown fields',
        ),
      ],
    ],
    [
      'nested defaults validate against their own schema',
      specSchema({
        properties: { o: { type: 'object', default: { a: 'x' }, properties: { a: { type: 'integer' } } } },
      }),
      [
        inv(
          `${SPEC}.properties[o].default.a`,
          'Invalid value: "string": a in body must be of type integer: "string"',
        ),
      ],
    ],
  ])('%s', (_name, schema, want) => {
    expect(compileCauses(schema)).toEqual(want);
  });
});

describe('x-kubernetes-validations at CRD creation', () => {
  it('checks the rule fields', () => {
    const schema = specSchema({
      properties: { a: { type: 'string' } },
      'x-kubernetes-validations': [
        { rule: '' },
        { rule: 'true', message: ' ' },
        { rule: 'true', message: 'a\nb' },
        { rule: 'true\n&& true' },
        { rule: 'true', messageExpression: ' ' },
        { rule: 'true', reason: 'Nope' },
        { rule: 'true', fieldPath: '.b' },
        { rule: 'true', fieldPath: '.a' },
        { rule: 'true', fieldPath: "['a']" },
      ],
    });
    const r = `${SPEC}.x-kubernetes-validations`;
    expect(compileCauses(schema)).toEqual([
      req(`${r}[0].rule`, 'Required value: rule is not specified'),
      inv(`${r}[1].message`, 'Invalid value: " ": message must be non-empty if specified'),
      inv(`${r}[2].message`, 'Invalid value: "a\\nb": message must not contain line breaks'),
      req(`${r}[3].message`, 'Required value: message must be specified if rule contains line breaks'),
      req(`${r}[4].messageExpression`, 'Required value: messageExpression must be non-empty if specified'),
      nsup(
        `${r}[5].reason`,
        'Unsupported value: "Nope": supported values: "FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"',
      ),
      inv(`${r}[6].fieldPath`, 'Invalid value: ".b": fieldPath must be a valid path'),
    ]);
  });

  it('compiles messageExpression', () => {
    const schema = specSchema({
      properties: { a: { type: 'string' } },
      'x-kubernetes-validations': [
        { rule: 'true', messageExpression: '1' },
        { rule: 'true', messageExpression: 'self.zz' },
      ],
    });
    const v = 'Invalid value: apiextensions.ValidationRule{Rule:"true", Message:""}: ';
    expect(compileCauses(schema)).toEqual([
      inv(`${SPEC}.x-kubernetes-validations[0].messageExpression`, v + 'must evaluate to a string'),
      inv(
        `${SPEC}.x-kubernetes-validations[1].messageExpression`,
        v +
          "messageExpression compilation failed: ERROR: <input>:1:5: undefined field 'zz'\n | self.zz\n | ....^",
      ),
    ]);
  });

  it('rejects oldSelf where old and new values cannot be correlated', () => {
    const schema = specSchema({
      properties: {
        l: {
          type: 'array',
          'x-kubernetes-list-type': 'set',
          items: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == oldSelf' }] },
        },
      },
    });
    expect(compileCauses(schema)).toEqual([
      inv(
        `${SPEC}.properties[l].items.x-kubernetes-validations[0].rule`,
        `Invalid value: "self == oldSelf": oldSelf cannot be used on the uncorrelatable portion of the schema within ${SPEC}.properties[l]`,
      ),
    ]);
  });

  it('reports rules on schemas CEL cannot type as an internal error', () => {
    const schema = specSchema({
      properties: {
        x: { 'x-kubernetes-preserve-unknown-fields': true, 'x-kubernetes-validations': [{ rule: 'true' }] },
      },
    });
    expect(compileCauses(schema)).toEqual([
      {
        reason: 'InternalError',
        message:
          "Internal error: rule declared on schema that does not support validation rules type: '' x-kubernetes-preserve-unknown-fields: 'true'",
        field: `${SPEC}.properties[x].x-kubernetes-validations`,
      },
    ]);
  });

  it('does not compile rules while the schema has errors', () => {
    const schema = specSchema({ properties: { a: {} }, 'x-kubernetes-validations': [{ rule: 'nonsense(' }] });
    expect(compileCauses(schema)).toEqual([
      req(`${SPEC}.properties[a].type`, 'Required value: must not be empty for specified object fields'),
    ]);
  });

  it('accepts the rules of a realistic network CRD', () => {
    const schema = specSchema({
      required: ['addresses'],
      properties: {
        addresses: {
          type: 'array',
          maxItems: 64,
          items: {
            type: 'string',
            maxLength: 64,
            'x-kubernetes-validations': [
              { rule: 'isCIDR(self) || self.contains("-")', message: 'must be a CIDR or a range' },
            ],
          },
        },
        avoidBuggyIPs: { type: 'boolean', default: false },
        serviceAllocation: {
          type: 'object',
          properties: {
            priority: { type: 'integer', minimum: 0 },
            namespaces: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
          },
        },
      },
      'x-kubernetes-validations': [
        {
          rule: 'self.addresses.all(a, !isCIDR(a) || cidr(a).prefixLength() >= 8)',
          message: 'prefix too short',
        },
        {
          rule: '!has(oldSelf.addresses) || self.addresses.size() >= oldSelf.addresses.size()',
          message: 'cannot remove addresses',
        },
      ],
    });
    expect(compileCauses(schema)).toEqual([]);
  });
});

describe('decoding and options', () => {
  it('reports undecodable schemas as a bad request', () => {
    const r = compileSchema({ type: 'object', properties: { spec: { type: 5 } } });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.badRequest).toBe(
        'json: cannot unmarshal number 5 into Go struct field JSONSchemaProps.properties.type of type string',
      );
      expect(r.causes).toHaveLength(1);
    }
    for (const bad of ['x', 5, [], { type: 'object', required: 'a' }, { type: 'object', maxItems: 1.5 }]) {
      const res = compileSchema(bad);
      expect(res.ok).toBe(false);
      if (!res.ok) expect(res.badRequest).toMatch(/^json: cannot unmarshal/);
    }
  });

  it('requires a schema', () => {
    expect(compileSchema(undefined)).toEqual({
      ok: false,
      causes: [req(B, 'Required value: schemas are required')],
    });
  });

  it('uses the given field path', () => {
    expect(
      compileCauses(
        { type: 'object', properties: { spec: {} } },
        { fieldPath: 'spec.versions[1].schema.openAPIV3Schema' },
      ),
    ).toEqual([
      req(
        'spec.versions[1].schema.openAPIV3Schema.properties[spec].type',
        'Required value: must not be empty for specified object fields',
      ),
    ]);
  });

  it('restricts the root when the status subresource is enabled', () => {
    expect(compileCauses({ type: 'object', properties: {} }, { statusSubresource: true })).toEqual([]);
    const causes = compileCauses({ type: 'object', enum: [{}], properties: {} }, { statusSubresource: true });
    expect(causes).toHaveLength(1);
    expect(causes[0]?.field).toBe(B);
    expect(causes[0]?.message).toMatch(
      /: only \[Description Type Format .* XValidations\] fields are allowed at the root of the schema if the status subresource is enabled$/,
    );
  });

  it('refuses schemas nested deeper than the limit instead of overflowing the stack', () => {
    let s: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 5000; i++) s = { type: 'object', properties: { a: s } };
    const r = compileSchema(s);
    expect(r.ok).toBe(false);
  });
});
