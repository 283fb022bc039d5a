// CRD-creation checks on an openAPIV3Schema, as apiextensions' validateCustomResourceDefinitionValidation
// runs them for v1 CRDs: OpenAPI feature restrictions, structural-schema invariants and completeness,
// default values, list/map extensions, and x-kubernetes-validations (field checks, then CEL compilation
// only when the schema itself is clean). Causes come out in the real server's order.
import { compileRule, selfType, validFieldPath } from './cel/compile.js';
import {
  errorString,
  forbidden,
  internalError,
  invalid,
  notSupported,
  required,
  type FieldCause,
  type Path,
} from './field.js';
import { GoSlice, GoStruct } from './gofmt.js';
import { deepCopy, deepEqual } from './json.js';
import type { SchemaNode, ValidationRuleSpec } from './node.js';
import { validateOpenAPI } from './openapi.js';
import { pruneCopy } from './prune.js';
import { re2Check } from './cel/regex.js';

const OPENAPI_V3_TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];
const SUPPORTED_REASONS = [
  'FieldValueDuplicate',
  'FieldValueForbidden',
  'FieldValueInvalid',
  'FieldValueRequired',
];
const META_FIELDS = new Set(['metadata', 'kind', 'apiVersion']);
const ALLOWED_ROOT_FIELDS_WITH_STATUS = [
  'Description',
  'Type',
  'Format',
  'Title',
  'Maximum',
  'ExclusiveMaximum',
  'Minimum',
  'ExclusiveMinimum',
  'MaxLength',
  'MinLength',
  'Pattern',
  'MaxItems',
  'MinItems',
  'UniqueItems',
  'MultipleOf',
  'Required',
  'Items',
  'Properties',
  'ExternalDocs',
  'Example',
  'XPreserveUnknownFields',
  'XValidations',
];

export interface CrdCheckOptions {
  /** Field path of openAPIV3Schema inside the CRD. */
  path: Path;
  /** Whether the version enables the status subresource (restricts root-level keywords). */
  statusSubresource: boolean;
}

function ruleValue(r: ValidationRuleSpec): GoStruct {
  return new GoStruct('apiextensions.ValidationRule', [
    ['Rule', r.rule],
    ['Message', r.message],
  ]);
}

// ---- per-node OpenAPI restrictions (specStandardValidatorV3) --------------------------------------

interface Ssv {
  allowDefaults: boolean;
  disallowDefaultsReason: string;
  insideResourceMeta: boolean;
  uncorrelatablePath: Path | undefined;
}

function ssvValidate(s: SchemaNode, p: Path, v: Ssv): FieldCause[] {
  const errs: FieldCause[] = [];
  if (s.type !== '' && !OPENAPI_V3_TYPES.includes(s.type))
    errs.push(notSupported(p.child('type'), s.type, OPENAPI_V3_TYPES));
  if (s.default !== undefined && !v.allowDefaults) {
    errs.push(
      forbidden(
        p.child('default'),
        'must not be set' + (v.disallowDefaultsReason ? ' ' + v.disallowDefaultsReason : ''),
      ),
    );
  }
  if (s.id !== '') errs.push(forbidden(p.child('id'), 'id is not supported'));
  if (s.additionalItems) errs.push(forbidden(p.child('additionalItems'), 'additionalItems is not supported'));
  if (s.patternProperties && s.patternProperties.size > 0) {
    errs.push(forbidden(p.child('patternProperties'), 'patternProperties is not supported'));
  }
  if (s.definitions && s.definitions.size > 0)
    errs.push(forbidden(p.child('definitions'), 'definitions is not supported'));
  if (s.dependencies) errs.push(forbidden(p.child('dependencies'), 'dependencies is not supported'));
  if (s.ref !== undefined) errs.push(forbidden(p.child('$ref'), '$ref is not supported'));
  if (s.type === 'null')
    errs.push(forbidden(p.child('type'), 'type cannot be set to null, use nullable as an alternative'));
  if (s.itemsArray && s.itemsArray.length > 0)
    errs.push(forbidden(p.child('items'), 'items must be a schema object and not an array'));
  if (v.insideResourceMeta && s.embeddedResource) {
    errs.push(
      forbidden(p.child('x-kubernetes-embedded-resource'), 'must not be used inside of resource meta'),
    );
  }
  return errs;
}

interface ErrLists {
  schema: FieldCause[];
  cel: FieldCause[];
}

/** ValidateCustomResourceDefinitionOpenAPISchema. `celEnabled` is false in nested value validations. */
function checkOpenAPISchema(
  s: SchemaNode | undefined,
  p: Path,
  v: Ssv,
  isRoot: boolean,
  celEnabled: boolean,
  depth: number,
): ErrLists {
  const out: ErrLists = { schema: [], cel: [] };
  if (!s || depth > 300) return out;
  const add = (r: ErrLists): void => {
    out.schema.push(...r.schema);
    out.cel.push(...r.cel);
  };
  out.schema.push(...ssvValidate(s, p, v));
  if (s.uniqueItems) {
    out.schema.push(
      forbidden(
        p.child('uniqueItems'),
        'uniqueItems cannot be set to true since the runtime complexity becomes quadratic',
      ),
    );
  }
  if (s.additionalProperties) {
    if (
      s.properties &&
      s.properties.size > 0 &&
      (!s.additionalProperties.allows || s.additionalProperties.schema)
    ) {
      out.schema.push(
        forbidden(
          p.child('additionalProperties'),
          'additionalProperties and properties are mutual exclusive',
        ),
      );
    }
    const sub = v.insideResourceMeta
      ? {
          ...v,
          allowDefaults: false,
          disallowDefaultsReason: 'inside additionalProperties applying to object metadata',
        }
      : v;
    add(
      checkOpenAPISchema(
        s.additionalProperties.schema,
        p.child('additionalProperties'),
        sub,
        false,
        celEnabled,
        depth + 1,
      ),
    );
  }
  for (const [name, prop] of s.properties ?? []) {
    let sub = v;
    if (s.mapType === 'atomic' && !sub.uncorrelatablePath) sub = { ...sub, uncorrelatablePath: p };
    if ((isRoot || s.embeddedResource) && META_FIELDS.has(name)) {
      sub = { ...sub, insideResourceMeta: true };
      if (isRoot) sub = { ...sub, allowDefaults: false, disallowDefaultsReason: `in top-level ${name}` };
    }
    add(checkOpenAPISchema(prop, p.child('properties').key(name), sub, false, celEnabled, depth + 1));
  }
  add(checkOpenAPISchema(s.not, p.child('not'), v, false, false, depth + 1));
  s.allOf.forEach((x, i) =>
    add(checkOpenAPISchema(x, p.child('allOf').index(i), v, false, false, depth + 1)),
  );
  s.oneOf.forEach((x, i) =>
    add(checkOpenAPISchema(x, p.child('oneOf').index(i), v, false, false, depth + 1)),
  );
  s.anyOf.forEach((x, i) =>
    add(checkOpenAPISchema(x, p.child('anyOf').index(i), v, false, false, depth + 1)),
  );
  for (const [name, d] of s.definitions ?? []) {
    add(checkOpenAPISchema(d, p.child('definitions').key(name), v, false, false, depth + 1));
  }
  if (s.items || s.itemsArray) {
    let sub = v;
    if (s.listType !== 'map' && !sub.uncorrelatablePath) sub = { ...sub, uncorrelatablePath: p };
    add(checkOpenAPISchema(s.items, p.child('items'), sub, false, celEnabled, depth + 1));
    (s.itemsArray ?? []).forEach((x, i) =>
      add(checkOpenAPISchema(x, p.child('items').index(i), sub, false, false, depth + 1)),
    );
  }
  for (const [name, d] of s.dependencies ?? []) {
    add(checkOpenAPISchema(d.schema, p.child('dependencies').key(name), v, false, false, depth + 1));
  }
  if (s.preserveUnknownFields === false) {
    out.schema.push(
      invalid(p.child('x-kubernetes-preserve-unknown-fields'), false, 'must be true or undefined'),
    );
  }
  if (s.mapType !== undefined && s.type !== 'object') {
    if (s.type === '')
      out.schema.push(required(p.child('type'), 'must be object if x-kubernetes-map-type is specified'));
    else
      out.schema.push(
        invalid(p.child('type'), s.type, 'must be object if x-kubernetes-map-type is specified'),
      );
  }
  if (s.mapType !== undefined && s.mapType !== 'atomic' && s.mapType !== 'granular') {
    out.schema.push(notSupported(p.child('x-kubernetes-map-type'), s.mapType, ['atomic', 'granular']));
  }
  if (s.listType !== undefined && s.type !== 'array') {
    if (s.type === '')
      out.schema.push(required(p.child('type'), 'must be array if x-kubernetes-list-type is specified'));
    else
      out.schema.push(
        invalid(p.child('type'), s.type, 'must be array if x-kubernetes-list-type is specified'),
      );
  } else if (s.listType === 'set' && s.items) {
    const is = s.items;
    if (is.type === 'array' && is.listType !== undefined && is.listType !== 'atomic') {
      out.schema.push(
        invalid(
          p.child('items').child('x-kubernetes-list-type'),
          is.listType,
          'must be atomic as item of a list with x-kubernetes-list-type=set',
        ),
      );
    } else if (is.type === 'object' && is.mapType !== 'atomic') {
      out.schema.push(
        invalid(
          p.child('items').child('x-kubernetes-map-type'),
          is.listType ?? null,
          'must be atomic as item of a list with x-kubernetes-list-type=set',
        ),
      );
    }
  }
  if (s.listType !== undefined && !['atomic', 'set', 'map'].includes(s.listType)) {
    out.schema.push(notSupported(p.child('x-kubernetes-list-type'), s.listType, ['atomic', 'set', 'map']));
  }
  if (s.listMapKeys.length > 0) {
    if (s.listType === undefined) {
      out.schema.push(
        required(p.child('x-kubernetes-list-type'), 'must be map if x-kubernetes-list-map-keys is non-empty'),
      );
    } else if (s.listType !== 'map') {
      out.schema.push(
        invalid(
          p.child('x-kubernetes-list-type'),
          s.listType,
          'must be map if x-kubernetes-list-map-keys is non-empty',
        ),
      );
    }
  }
  if (s.listType === 'map') {
    if (s.listMapKeys.length === 0) {
      out.schema.push(
        required(p.child('x-kubernetes-list-map-keys'), 'must not be empty if x-kubernetes-list-type is map'),
      );
    }
    if (!s.items && !s.itemsArray)
      out.schema.push(required(p.child('items'), 'must have a schema if x-kubernetes-list-type is map'));
    if (!s.items && s.itemsArray) {
      out.schema.push(
        invalid(p.child('items'), '', 'must only have a single schema if x-kubernetes-list-type is map'),
      );
    }
    if (s.items && s.items.type !== 'object') {
      out.schema.push(
        invalid(
          p.child('items').child('type'),
          s.items.type,
          "must be object if parent array's x-kubernetes-list-type is map",
        ),
      );
    }
    if (s.items && s.items.type === 'object') {
      const seen = new Set<string>();
      const keysValue = new GoSlice('string', s.listMapKeys);
      for (const k of s.listMapKeys) {
        const kp = s.items.properties?.get(k);
        if (kp) {
          if (kp.type === 'array' || kp.type === 'object') {
            out.schema.push(
              invalid(
                p.child('items').child('properties').key(k).child('type'),
                s.items.type,
                "must be a scalar type if parent array's x-kubernetes-list-type is map",
              ),
            );
          }
        } else {
          out.schema.push(
            invalid(
              p.child('x-kubernetes-list-map-keys'),
              keysValue,
              'entries must all be names of item properties',
            ),
          );
        }
        if (seen.has(k))
          out.schema.push(
            invalid(p.child('x-kubernetes-list-map-keys'), keysValue, 'must not contain duplicate entries'),
          );
        seen.add(k);
      }
    }
  }
  out.schema.push(...mapListKeysMapSet(s, p));
  if (s.validations.length > 0) {
    s.validations.forEach((r, i) =>
      out.schema.push(...ruleFieldChecks(s, r, p.child('x-kubernetes-validations').index(i))),
    );
    const self =
      out.schema.length === 0 && celEnabled ? selfType(s, isRoot || s.embeddedResource) : undefined;
    if (typeof self === 'string') {
      // cel.Compile fails as a whole here; Kubernetes reports it as an internal error on the list.
      out.cel.push(internalError(p.child('x-kubernetes-validations'), self));
    } else if (self !== undefined) {
      s.validations.forEach((r, i) => {
        const rp = p.child('x-kubernetes-validations').index(i);
        const cr = compileRule(r, s, isRoot || s.embeddedResource);
        if (cr.ruleError !== undefined) out.cel.push(invalid(rp.child('rule'), ruleValue(r), cr.ruleError));
        if (cr.messageExpressionError !== undefined) {
          out.cel.push(invalid(rp.child('messageExpression'), ruleValue(r), cr.messageExpressionError));
        }
        if (cr.usesOldSelf && v.uncorrelatablePath) {
          out.cel.push(
            invalid(
              rp.child('rule'),
              r.rule,
              `oldSelf cannot be used on the uncorrelatable portion of the schema within ${v.uncorrelatablePath.toString()}`,
            ),
          );
        }
        s.rules.push(cr);
      });
    }
  }
  return out;
}

function ruleFieldChecks(s: SchemaNode, r: ValidationRuleSpec, rp: Path): FieldCause[] {
  const errs: FieldCause[] = [];
  const rule = r.rule.trim();
  const msg = r.message.trim();
  const nl = /[\n\r]+/;
  if (rule.length === 0) errs.push(required(rp.child('rule'), 'rule is not specified'));
  else if (r.message.length > 0 && msg.length === 0)
    errs.push(invalid(rp.child('message'), r.message, 'message must be non-empty if specified'));
  else if (nl.test(msg))
    errs.push(invalid(rp.child('message'), r.message, 'message must not contain line breaks'));
  else if (nl.test(rule) && msg.length === 0) {
    errs.push(required(rp.child('message'), 'message must be specified if rule contains line breaks'));
  }
  if (r.messageExpression.length > 0 && r.messageExpression.trim().length === 0) {
    errs.push(required(rp.child('messageExpression'), 'messageExpression must be non-empty if specified'));
  }
  if (r.reason !== undefined && !SUPPORTED_REASONS.includes(r.reason)) {
    errs.push(notSupported(rp.child('reason'), r.reason, SUPPORTED_REASONS));
  }
  if (r.fieldPath.length > 0 && r.fieldPath.trim().length === 0) {
    errs.push(invalid(rp.child('fieldPath'), r.fieldPath, 'fieldPath must be non-empty if specified'));
  }
  if (nl.test(r.fieldPath))
    errs.push(invalid(rp.child('fieldPath'), r.fieldPath, 'fieldPath must not contain line breaks'));
  if (
    r.fieldPath.length > 0 &&
    r.fieldPath.trim().length > 0 &&
    validFieldPath(r.fieldPath, s) === undefined
  ) {
    errs.push(invalid(rp.child('fieldPath'), r.fieldPath, 'fieldPath must be a valid path'));
  }
  return errs;
}

function mapListKeysMapSet(s: SchemaNode, p: Path): FieldCause[] {
  const errs: FieldCause[] = [];
  const items = s.items;
  if (!items || (s.listType !== 'set' && s.listType !== 'map')) return errs;
  if (items.nullable) {
    errs.push(
      forbidden(
        p.child('items').child('nullable'),
        'cannot be nullable when x-kubernetes-list-type is ' + s.listType,
      ),
    );
  }
  if (s.listType === 'map') {
    for (const k of s.listMapKeys) {
      const kp = items.properties?.get(k);
      if (!kp) continue;
      if (!items.required.includes(k) && kp.default === undefined) {
        errs.push(
          required(
            p.child('items').child('properties').key(k).child('default'),
            'this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property',
          ),
        );
      }
      if (kp.nullable) {
        errs.push(
          forbidden(
            p.child('items').child('properties').key(k).child('nullable'),
            'this property is in x-kubernetes-list-map-keys, so it cannot be nullable',
          ),
        );
      }
    }
  }
  return errs;
}

// ---- structural schema invariants ------------------------------------------------------------------

type Level = 'root' | 'item' | 'field';

function isTypeOnly(s: SchemaNode, type: string): boolean {
  const blank: SchemaNode = { ...s, type: '' };
  return s.type === type && isEmptyNested(blank);
}

/** Whether a nested value validation specifies nothing at all. */
function isEmptyNested(s: SchemaNode): boolean {
  return (
    s.type === '' &&
    s.format === '' &&
    s.title === '' &&
    s.description === '' &&
    !s.nullable &&
    s.default === undefined &&
    s.maximum === undefined &&
    s.minimum === undefined &&
    !s.exclusiveMaximum &&
    !s.exclusiveMinimum &&
    s.maxLength === undefined &&
    s.minLength === undefined &&
    s.maxItems === undefined &&
    s.minItems === undefined &&
    s.maxProperties === undefined &&
    s.minProperties === undefined &&
    s.multipleOf === undefined &&
    s.pattern === '' &&
    !s.uniqueItems &&
    s.enum === undefined &&
    s.required.length === 0 &&
    !s.items &&
    s.allOf.length === 0 &&
    s.oneOf.length === 0 &&
    s.anyOf.length === 0 &&
    !s.not &&
    s.properties === undefined &&
    s.additionalProperties === undefined &&
    !s.externalDocs &&
    s.preserveUnknownFields === undefined &&
    !s.embeddedResource &&
    !s.intOrString &&
    s.listMapKeys.length === 0 &&
    s.listType === undefined &&
    s.mapType === undefined &&
    s.validations.length === 0
  );
}

function isIntOrStringAnyOf(anyOf: SchemaNode[]): boolean {
  return anyOf.length === 2 && isTypeOnly(anyOf[0]!, 'integer') && isTypeOnly(anyOf[1]!, 'string');
}

function structuralInvariants(s: SchemaNode | undefined, lvl: Level, p: Path, depth: number): FieldCause[] {
  if (!s || depth > 300) return [];
  const errs: FieldCause[] = [];
  if (s.type === 'array' && !s.items) errs.push(required(p.child('items'), 'must be specified'));
  errs.push(...structuralInvariants(s.items, 'item', p.child('items'), depth + 1));
  for (const [k, prop] of s.properties ?? []) {
    errs.push(...structuralInvariants(prop, 'field', p.child('properties').key(k), depth + 1));
  }
  if (s.additionalProperties) {
    if (lvl === 'root') errs.push(forbidden(p.child('additionalProperties'), 'must not be used at the root'));
    errs.push(
      ...structuralInvariants(
        s.additionalProperties.schema,
        'field',
        p.child('additionalProperties'),
        depth + 1,
      ),
    );
  }
  if (s.intOrString && s.preserveUnknownFields === true) {
    errs.push(
      invalid(
        p.child('x-kubernetes-preserve-unknown-fields'),
        true,
        'must be false if x-kubernetes-int-or-string is true',
      ),
    );
  }
  if (s.intOrString && s.embeddedResource) {
    errs.push(
      invalid(
        p.child('x-kubernetes-embedded-resource'),
        true,
        'must be false if x-kubernetes-int-or-string is true',
      ),
    );
  }
  const skipAnyOf = isIntOrStringAnyOf(s.anyOf);
  const skipFirstAllOfAnyOf = s.allOf.length >= 1 && isIntOrStringAnyOf(s.allOf[0]!.anyOf);
  errs.push(...valueValidation(s, skipAnyOf, skipFirstAllOfAnyOf, p, depth));
  const checkMetadata = lvl === 'root' || s.embeddedResource;
  if (s.embeddedResource && s.type !== 'object') {
    if (s.type === '')
      errs.push(required(p.child('type'), 'must be object if x-kubernetes-embedded-resource is true'));
    else
      errs.push(invalid(p.child('type'), s.type, 'must be object if x-kubernetes-embedded-resource is true'));
  } else if (s.type === '' && !s.intOrString && s.preserveUnknownFields !== true) {
    const detail =
      lvl === 'root'
        ? 'must not be empty at the root'
        : lvl === 'item'
          ? 'must not be empty for specified array items'
          : 'must not be empty for specified object fields';
    errs.push(required(p.child('type'), detail));
  }
  if (s.embeddedResource && s.additionalProperties) {
    errs.push(
      forbidden(p.child('additionalProperties'), 'must not be used if x-kubernetes-embedded-resource is set'),
    );
  }
  if (lvl === 'root' && s.type !== '' && s.type !== 'object')
    errs.push(invalid(p.child('type'), s.type, 'must be object at the root'));
  for (const f of ['kind', 'apiVersion']) {
    const fp = s.properties?.get(f);
    if (fp && checkMetadata && fp.type !== 'string') {
      errs.push(invalid(p.child('properties').key(f).child('type'), fp.type, 'must be string'));
    }
  }
  const meta = s.properties?.get('metadata');
  if (meta) {
    const mp = p.child('properties').key('metadata');
    if (checkMetadata && meta.type !== 'object')
      errs.push(invalid(mp.child('type'), meta.type, 'must be object'));
    if (lvl === 'root') {
      const props = meta.properties;
      const names = props ? [...props.keys()] : [];
      const onlyNames =
        props === undefined ||
        (names.length > 0 && names.length <= 2 && names.every((n) => n === 'name' || n === 'generateName'));
      const rest: SchemaNode = {
        ...meta,
        type: '',
        default: undefined,
        properties: onlyNames ? undefined : props,
      };
      if (!isEmptyNested(rest)) {
        errs.push(
          forbidden(
            mp,
            'must not specify anything other than name and generateName, but metadata is implicitly specified',
          ),
        );
      }
    }
  }
  if (s.embeddedResource && s.preserveUnknownFields !== true && (!s.properties || s.properties.size === 0)) {
    errs.push(
      required(
        p.child('properties'),
        'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields',
      ),
    );
  }
  return errs;
}

function valueValidation(
  s: SchemaNode,
  skipAnyOf: boolean,
  skipFirstAllOfAnyOf: boolean,
  p: Path,
  depth: number,
): FieldCause[] {
  const errs: FieldCause[] = [];
  if (!skipAnyOf)
    s.anyOf.forEach((x, i) => errs.push(...nestedValidation(x, false, p.child('anyOf').index(i), depth + 1)));
  s.allOf.forEach((x, i) =>
    errs.push(...nestedValidation(x, skipFirstAllOfAnyOf && i === 0, p.child('allOf').index(i), depth + 1)),
  );
  s.oneOf.forEach((x, i) => errs.push(...nestedValidation(x, false, p.child('oneOf').index(i), depth + 1)));
  if (s.not) errs.push(...nestedValidation(s.not, false, p.child('not'), depth + 1));
  if (s.pattern !== '') {
    const err = re2Check(s.pattern);
    if (err !== undefined)
      errs.push(
        invalid(p.child('pattern'), s.pattern, `must be a valid regular expression, but isn't: ${err}`),
      );
  }
  return errs;
}

function nestedValidation(v: SchemaNode, skipAnyOf: boolean, p: Path, depth: number): FieldCause[] {
  if (depth > 300) return [];
  const errs: FieldCause[] = [];
  errs.push(...valueValidation(v, skipAnyOf, false, p, depth));
  if (v.items) errs.push(...nestedValidation(v.items, false, p.child('items'), depth + 1));
  for (const [k, f] of v.properties ?? [])
    errs.push(...nestedValidation(f, false, p.child('properties').key(k), depth + 1));
  if (v.type !== '') errs.push(forbidden(p.child('type'), 'must be empty to be structural'));
  if (v.additionalProperties)
    errs.push(forbidden(p.child('additionalProperties'), 'must be undefined to be structural'));
  if (v.default !== undefined) errs.push(forbidden(p.child('default'), 'must be undefined to be structural'));
  if (v.title !== '') errs.push(forbidden(p.child('title'), 'must be empty to be structural'));
  if (v.description !== '') errs.push(forbidden(p.child('description'), 'must be empty to be structural'));
  if (v.nullable) errs.push(forbidden(p.child('nullable'), 'must be false to be structural'));
  if (v.externalDocs) errs.push(forbidden(p.child('externalDocs'), 'must be undefined to be structural'));
  if (v.preserveUnknownFields === true)
    errs.push(forbidden(p.child('x-kubernetes-preserve-unknown-fields'), 'must be false to be structural'));
  if (v.embeddedResource)
    errs.push(forbidden(p.child('x-kubernetes-embedded-resource'), 'must be false to be structural'));
  if (v.intOrString)
    errs.push(forbidden(p.child('x-kubernetes-int-or-string'), 'must be false to be structural'));
  if (v.listMapKeys.length > 0)
    errs.push(forbidden(p.child('x-kubernetes-list-map-keys'), 'must be empty to be structural'));
  if (v.listType !== undefined)
    errs.push(forbidden(p.child('x-kubernetes-list-type'), 'must be undefined to be structural'));
  if (v.mapType !== undefined)
    errs.push(forbidden(p.child('x-kubernetes-map-type'), 'must be undefined to be structural'));
  if (v.validations.length > 0)
    errs.push(forbidden(p.child('x-kubernetes-validations'), 'must be empty to be structural'));
  if (v.properties?.has('metadata')) {
    errs.push(forbidden(p.child('properties').key('metadata'), 'must not be specified in a nested context'));
  }
  return errs;
}

function completeness(s: SchemaNode | undefined, p: Path, depth: number): FieldCause[] {
  if (!s || depth > 300) return [];
  const errs: FieldCause[] = [];
  errs.push(...valueCompleteness(s, s, p, p, depth));
  errs.push(...completeness(s.items, p.child('items'), depth + 1));
  for (const [k, prop] of s.properties ?? [])
    errs.push(...completeness(prop, p.child('properties').key(k), depth + 1));
  if (s.additionalProperties?.schema)
    errs.push(...completeness(s.additionalProperties.schema, p.child('additionalProperties'), depth + 1));
  return errs;
}

/** validateValueValidationCompleteness: the junctors of `v` against structural node `s`. */
function valueCompleteness(
  v: SchemaNode,
  s: SchemaNode,
  sPath: Path,
  vPath: Path,
  depth: number,
): FieldCause[] {
  const errs: FieldCause[] = [];
  if (v.not) errs.push(...nestedCompleteness(v.not, s, sPath, vPath.child('not'), depth + 1));
  v.allOf.forEach((x, i) =>
    errs.push(...nestedCompleteness(x, s, sPath, vPath.child('allOf').index(i), depth + 1)),
  );
  v.anyOf.forEach((x, i) =>
    errs.push(...nestedCompleteness(x, s, sPath, vPath.child('anyOf').index(i), depth + 1)),
  );
  v.oneOf.forEach((x, i) =>
    errs.push(...nestedCompleteness(x, s, sPath, vPath.child('oneOf').index(i), depth + 1)),
  );
  return errs;
}

function nestedCompleteness(
  v: SchemaNode,
  s: SchemaNode | undefined,
  sPath: Path,
  vPath: Path,
  depth: number,
): FieldCause[] {
  if (depth > 300) return [];
  if (!s) return [required(sPath, `because it is defined in ${vPath.toString()}`)];
  const errs: FieldCause[] = [];
  errs.push(...valueCompleteness(v, s, sPath, vPath, depth));
  if (v.items)
    errs.push(...nestedCompleteness(v.items, s.items, sPath.child('items'), vPath.child('items'), depth + 1));
  for (const [k, vf] of v.properties ?? []) {
    const sf = s.properties?.get(k);
    if (!sf) {
      errs.push(
        required(
          sPath.child('properties').key(k),
          `because it is defined in ${vPath.child('properties').key(k).toString()}`,
        ),
      );
    } else {
      errs.push(
        ...nestedCompleteness(
          vf,
          sf,
          sPath.child('properties').key(k),
          vPath.child('properties').key(k),
          depth + 1,
        ),
      );
    }
  }
  return errs;
}

// ---- defaults ---------------------------------------------------------------------------------------

function validateDefaults(
  s: SchemaNode | undefined,
  p: Path,
  embedded: boolean,
  depth: number,
): FieldCause[] {
  if (!s || depth > 300) return [];
  const errs: FieldCause[] = [];
  const isEmbedded = embedded || s.embeddedResource;
  if (s.default !== undefined) {
    const def = s.default.value;
    const pruned = pruneCopy(deepCopy(def), s, isEmbedded);
    if (!deepEqual(pruned, def)) errs.push(invalid(p.child('default'), def, 'must not have unknown fields'));
    errs.push(...validateOpenAPI(s, def, p.child('default')));
  }
  errs.push(...validateDefaults(s.items, p.child('items'), false, depth + 1));
  for (const [k, prop] of s.properties ?? [])
    errs.push(...validateDefaults(prop, p.child('properties').key(k), false, depth + 1));
  return errs;
}

// ---- entry point ------------------------------------------------------------------------------------

function rootFieldsSet(s: SchemaNode): string[] {
  const set: string[] = [];
  const mark = (name: string, on: boolean): void => {
    if (on) set.push(name);
  };
  mark('ID', s.id !== '');
  mark('Schema', s.schemaURI !== '');
  mark('Ref', s.ref !== undefined);
  mark('Default', s.default !== undefined);
  mark('Enum', s.enum !== undefined);
  mark('MaxProperties', s.maxProperties !== undefined);
  mark('MinProperties', s.minProperties !== undefined);
  mark('AllOf', s.allOf.length > 0);
  mark('OneOf', s.oneOf.length > 0);
  mark('AnyOf', s.anyOf.length > 0);
  mark('Not', s.not !== undefined);
  mark('AdditionalProperties', s.additionalProperties !== undefined);
  mark('PatternProperties', s.patternProperties !== undefined);
  mark('Dependencies', s.dependencies !== undefined);
  mark('AdditionalItems', s.additionalItems !== undefined);
  mark('Definitions', s.definitions !== undefined);
  mark('Nullable', s.nullable);
  mark('XEmbeddedResource', s.embeddedResource);
  mark('XIntOrString', s.intOrString);
  mark('XListMapKeys', s.listMapKeys.length > 0);
  mark('XListType', s.listType !== undefined);
  mark('XMapType', s.mapType !== undefined);
  return set;
}

/** All CRD-creation causes for one openAPIV3Schema; compiled rules are stored on the nodes. */
export function checkCrdSchema(root: SchemaNode, raw: unknown, opts: CrdCheckOptions): FieldCause[] {
  const errs: FieldCause[] = [];
  const p = opts.path;
  if (opts.statusSubresource) {
    if (root.type !== 'object') {
      errs.push(
        invalid(
          p.child('type'),
          root.type,
          'only "object" is allowed as the type at the root of the schema if the status subresource is enabled',
        ),
      );
    } else if (rootFieldsSet(root).length > 0) {
      errs.push(
        invalid(
          p,
          raw,
          `only [${ALLOWED_ROOT_FIELDS_WITH_STATUS.join(' ')}] fields are allowed at the root of the schema if the status subresource is enabled`,
        ),
      );
    }
  }
  if (root.nullable) errs.push(forbidden(p.child('nullable'), 'nullable cannot be true at the root'));

  let celEnabled = false;
  const structural = [...structuralInvariants(root, 'root', p, 0), ...completeness(root, p, 0)];
  structural.sort((a, b) => (errorString(a) < errorString(b) ? -1 : errorString(a) > errorString(b) ? 1 : 0));
  if (structural.length > 0) errs.push(...structural);
  else {
    const defaults = validateDefaults(root, p, true, 0);
    if (defaults.length > 0) errs.push(...defaults);
    else celEnabled = true;
  }
  const ssv: Ssv = {
    allowDefaults: true,
    disallowDefaultsReason: '',
    insideResourceMeta: false,
    uncorrelatablePath: undefined,
  };
  const openapi = checkOpenAPISchema(root, p, ssv, true, celEnabled, 0);
  errs.push(...openapi.schema, ...openapi.cel);
  return errs;
}
