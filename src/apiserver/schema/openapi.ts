// OpenAPI v3 validation with kube-openapi's semantics and messages, converted to field causes the way
// apiextensions' kubeOpenAPIResultToFieldErrors did in Kubernetes 1.24: Required and Unsupported value
// get their own reasons; every other failure (type errors included) is FieldValueInvalid with the
// kube-openapi message as detail, e.g. `Invalid value: "string": spec.x in body must be of type array: "string"`.
import { checkFormat, effectiveFormat } from './formats.js';
import { invalid, notSupported, required, type FieldCause, type Path } from './field.js';
import { goFloat, goQuote, goV } from './gofmt.js';
import { canonicalJson, deepEqual, hasOwn, isGoInt, jsonKind, sortedKeys } from './json.js';
import type { SchemaNode } from './node.js';
import { re2Match } from './cel/regex.js';

const IN = 'body';

/** One kube-openapi error before conversion to a field cause. */
interface VErr {
  /** 'required' | 'enum' | 'other' decide the cause reason; 'composite' errors have no name. */
  kind: 'required' | 'enum' | 'other' | 'composite';
  name: string;
  value: unknown;
  message: string;
  enumValues?: unknown[];
}

interface Result {
  errors: VErr[];
  /** Successful checks, used like kube-openapi's MatchCount to pick the best failing anyOf branch. */
  matches: number;
}

function ok(): Result {
  return { errors: [], matches: 1 };
}

function fail(e: VErr): Result {
  return { errors: [e], matches: 0 };
}

function merge(into: Result, r: Result): void {
  into.errors.push(...r.errors);
  into.matches += r.matches;
}

function named(name: string, msgTail: string): string {
  return `${name} in ${IN} ${msgTail}`;
}

type Kind = 'string' | 'bool' | 'int' | 'float' | 'slice' | 'map';

function kindOf(v: unknown): Kind {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return isGoInt(v) ? 'int' : 'float';
  if (Array.isArray(v)) return 'slice';
  return 'map';
}

function schemaTypes(n: SchemaNode): string[] {
  if (n.intOrString) return ['integer', 'string'];
  return n.type === '' ? [] : [n.type];
}

/** Returns the errors of validating `data` against `node`, with kube-openapi error names. */
function validateNode(node: SchemaNode, data: unknown, path: string, depth: number): Result {
  const res: Result = { errors: [], matches: 0 };
  if (depth > 1000) return res;
  const format = effectiveFormat(node.format);
  if (data === null || data === undefined) {
    merge(res, typeCheck(node, format, null, path));
    merge(res, enumCheck(node, null, path));
    return res;
  }
  const kind = kindOf(data);
  if (schemaTypes(node).length > 0 || format !== '') merge(res, typeCheck(node, format, data, path));
  merge(res, schemaProps(node, data, path, depth));
  if (kind === 'string') merge(res, stringCheck(node, data as string, path));
  if (kind === 'string' && format !== '' && !checkFormat(format, data as string)) {
    merge(
      res,
      fail({
        kind: 'other',
        name: path,
        value: data,
        message: named(path, `must be of type ${format}: ${goQuote(data as string)}`),
      }),
    );
  }
  if (kind === 'int' || kind === 'float') merge(res, numberCheck(node, data as number, path));
  if (kind === 'slice') merge(res, sliceCheck(node, data as unknown[], path, depth));
  merge(res, enumCheck(node, data, path));
  if (kind === 'map') merge(res, objectCheck(node, data as Record<string, unknown>, path, depth));
  res.matches += 1;
  return res;
}

const GO_FORMAT_OF_KIND: Record<Kind, string> = {
  string: '',
  bool: '',
  int: 'int64',
  float: 'float64',
  slice: '',
  map: '',
};

function typeCheck(node: SchemaNode, format: string, data: unknown, path: string): Result {
  const types = schemaTypes(node);
  if (data === null) {
    if (types.length > 0 && !types.includes('null') && !node.nullable) {
      return fail({
        kind: 'other',
        name: path,
        value: 'null',
        message: named(path, `must be of type ${types.join(',')}: "null"`),
      });
    }
    return ok();
  }
  const kind = kindOf(data);
  const schType = jsonKind(data);
  const dataFormat = GO_FORMAT_OF_KIND[kind];
  const isFloatInt = schType === 'number' && isJSONInteger(data as number) && types.includes('integer');
  const isIntFloat = schType === 'integer' && types.includes('number');
  // kube-openapi quirk: a supported format on a non-string schema reports the format as the type.
  if (kind !== 'string' && kind !== 'slice' && format !== '') {
    if (!(types.includes(schType) || dataFormat === format || isFloatInt || isIntFloat)) {
      return fail({
        kind: 'other',
        name: path,
        value: dataFormat,
        message: named(path, `must be of type ${format}: ${goQuote(dataFormat)}`),
      });
    }
  }
  if (
    !types.includes('number') &&
    !types.includes('integer') &&
    format !== '' &&
    (kind === 'string' || kind === 'slice')
  ) {
    return ok();
  }
  if (!(types.includes(schType) || isFloatInt || isIntFloat)) {
    return fail({
      kind: 'other',
      name: path,
      value: schType,
      message: named(path, `must be of type ${types.join(',')}: ${goQuote(schType)}`),
    });
  }
  return ok();
}

function stringCheck(node: SchemaNode, s: string, path: string): Result {
  const runes = Array.from(s).length;
  if (node.maxLength !== undefined && runes > node.maxLength) {
    return fail({
      kind: 'other',
      name: path,
      value: s,
      message: named(path, `should be at most ${node.maxLength} chars long`),
    });
  }
  if (node.minLength !== undefined && runes < node.minLength) {
    return fail({
      kind: 'other',
      name: path,
      value: s,
      message: named(path, `should be at least ${node.minLength} chars long`),
    });
  }
  if (node.pattern !== '') {
    const m = re2Match(node.pattern, s);
    if (typeof m === 'object') {
      return fail({
        kind: 'other',
        name: path,
        value: s,
        message: named(path, `should match '${node.pattern}, but pattern is invalid: ${m.error}'`),
      });
    }
    if (!m)
      return fail({
        kind: 'other',
        name: path,
        value: s,
        message: named(path, `should match '${node.pattern}'`),
      });
  }
  return ok();
}

/** swag.IsFloat64AJSONInteger, approximately. */
function isJSONInteger(f: number): boolean {
  if (!Number.isFinite(f)) return false;
  if (Number.isInteger(f)) return true;
  return Math.abs(f - Math.round(f)) < 1e-9 * Math.max(1, Math.abs(f));
}

function numberCheck(node: SchemaNode, n: number, path: string): Result {
  const res: Result = { errors: [], matches: 0 };
  const isInt = isGoInt(n);
  if (node.multipleOf !== undefined) {
    const factor = node.multipleOf;
    if (factor < 0) {
      res.errors.push({
        kind: 'other',
        name: path,
        value: factor,
        message: `factor MultipleOf declared for ${path} must be positive: ${goFloat(factor)}`,
      });
    } else if (isInt && Math.trunc(factor) !== 0) {
      const f = BigInt(Math.trunc(factor));
      if (BigInt(n) % f !== 0n) {
        res.errors.push({
          kind: 'other',
          name: path,
          value: n,
          message: named(path, `should be a multiple of ${f.toString()}`),
        });
      }
    } else {
      const mult = factor < 1 ? (1 / factor) * n : n / factor;
      if (!isJSONInteger(mult)) {
        res.errors.push({
          kind: 'other',
          name: path,
          value: n,
          message: named(path, `should be a multiple of ${goFloat(factor)}`),
        });
      }
    }
  }
  // kube-openapi merges multipleOf, minimum, maximum results in that order.
  if (node.minimum !== undefined) {
    const min = node.minimum;
    const ex = node.exclusiveMinimum;
    if (isInt) {
      const m = Math.trunc(min);
      if ((!ex && n < m) || (ex && n <= m)) {
        res.errors.push({
          kind: 'other',
          name: path,
          value: n,
          message: named(path, `should be greater than ${ex ? '' : 'or equal to '}${goV(m)}`),
        });
      }
    } else if ((!ex && n < min) || (ex && n <= min)) {
      res.errors.push({
        kind: 'other',
        name: path,
        value: n,
        message: named(path, `should be greater than ${ex ? '' : 'or equal to '}${goFloat(min)}`),
      });
    }
  }
  if (node.maximum !== undefined) {
    const max = node.maximum;
    const ex = node.exclusiveMaximum;
    if (isInt) {
      const m = Math.trunc(max);
      if ((!ex && n > m) || (ex && n >= m)) {
        res.errors.push({
          kind: 'other',
          name: path,
          value: n,
          message: named(path, `should be less than ${ex ? '' : 'or equal to '}${goV(m)}`),
        });
      }
    } else if ((!ex && n > max) || (ex && n >= max)) {
      res.errors.push({
        kind: 'other',
        name: path,
        value: n,
        message: named(path, `should be less than ${ex ? '' : 'or equal to '}${goFloat(max)}`),
      });
    }
  }
  res.matches = res.errors.length === 0 ? 1 : 0;
  return res;
}

function sliceCheck(node: SchemaNode, arr: unknown[], path: string, depth: number): Result {
  const res: Result = { errors: [], matches: 0 };
  if (node.items) {
    for (let i = 0; i < arr.length; i++)
      merge(res, validateNode(node.items, arr[i], `${path}[${i}]`, depth + 1));
  }
  if (node.minItems !== undefined && arr.length < node.minItems) {
    res.errors.push({
      kind: 'other',
      name: path,
      value: arr.length,
      message: named(path, `should have at least ${node.minItems} items`),
    });
  }
  if (node.maxItems !== undefined && arr.length > node.maxItems) {
    res.errors.push({
      kind: 'other',
      name: path,
      value: arr.length,
      message: named(path, `should have at most ${node.maxItems} items`),
    });
  }
  if (node.uniqueItems) {
    const seen = new Set<string>();
    for (const x of arr) {
      const k = canonicalJson(x);
      if (seen.has(k)) {
        res.errors.push({
          kind: 'other',
          name: path,
          value: '',
          message: named(path, "shouldn't contain duplicates"),
        });
        break;
      }
      seen.add(k);
    }
  }
  res.matches += 1;
  return res;
}

function enumMatches(data: unknown, v: unknown): boolean {
  if (data === null || data === undefined) return false;
  return deepEqual(data, v);
}

function enumCheck(node: SchemaNode, data: unknown, path: string): Result {
  if (!node.enum || node.enum.length === 0) return ok();
  for (const v of node.enum) if (enumMatches(data, v)) return ok();
  const values = node.enum;
  return fail({
    kind: 'enum',
    name: path,
    value: data,
    message: named(path, 'should be one of ...'),
    enumValues: values,
  });
}

function objectCheck(node: SchemaNode, obj: Record<string, unknown>, path: string, depth: number): Result {
  const keys = sortedKeys(obj);
  if (node.minProperties !== undefined && keys.length < node.minProperties) {
    return fail({
      kind: 'other',
      name: path,
      value: keys.length,
      message: named(path, `should have at least ${node.minProperties} properties`),
    });
  }
  if (node.maxProperties !== undefined && keys.length > node.maxProperties) {
    return fail({
      kind: 'other',
      name: path,
      value: keys.length,
      message: named(path, `should have at most ${node.maxProperties} properties`),
    });
  }
  const res: Result = { errors: [], matches: 0 };
  const props = node.properties;
  const ap = node.additionalProperties;
  if (ap && !ap.allows) {
    for (const k of keys) {
      if (!props?.has(k)) {
        res.errors.push({
          kind: 'other',
          name: path,
          value: k,
          message: `${path}.${k} in ${IN} is a forbidden property`,
        });
      }
    }
  } else if (ap?.schema) {
    for (const k of keys) {
      if (!props?.has(k)) merge(res, validateNode(ap.schema, obj[k], `${path}.${k}`, depth + 1));
    }
  }
  if (props) {
    for (const [name, sub] of props) {
      if (hasOwn(obj, name))
        merge(res, validateNode(sub, obj[name], path === '' ? name : `${path}.${name}`, depth + 1));
    }
  }
  for (const r of node.required) {
    if (!hasOwn(obj, r))
      res.errors.push({
        kind: 'required',
        name: `${path}.${r}`,
        value: undefined,
        message: `${path}.${r} in ${IN} is required`,
      });
  }
  res.matches += 1;
  return res;
}

function isValid(r: Result): boolean {
  return r.errors.length === 0;
}

function schemaProps(node: SchemaNode, data: unknown, path: string, depth: number): Result {
  const res: Result = { errors: [], matches: 0 };
  if (node.anyOf.length > 0) {
    let best: Result | undefined;
    let succeeded = false;
    for (const s of node.anyOf) {
      const r = validateNode(s, data, path, depth + 1);
      if (isValid(r)) {
        succeeded = true;
        best = undefined;
        merge(res, r);
        break;
      }
      if (!best || r.matches > best.matches) best = r;
    }
    if (!succeeded)
      res.errors.push({
        kind: 'composite',
        name: '',
        value: '',
        message: `${goQuote(path)} must validate at least one schema (anyOf)`,
      });
    if (best) merge(res, best);
  }
  if (node.oneOf.length > 0) {
    let best: Result | undefined;
    let first: Result | undefined;
    let validated = 0;
    for (const s of node.oneOf) {
      const r = validateNode(s, data, path, depth + 1);
      if (isValid(r)) {
        validated++;
        best = undefined;
        first ??= r;
        continue;
      }
      if (validated === 0 && (!best || r.matches > best.matches)) best = r;
    }
    if (validated !== 1) {
      const extra = validated === 0 ? 'Found none valid' : `Found ${validated} valid alternatives`;
      res.errors.push({
        kind: 'composite',
        name: '',
        value: '',
        message: `${goQuote(path)} must validate one and only one schema (oneOf). ${extra}`,
      });
      if (best) merge(res, best);
    } else if (first) merge(res, first);
  }
  if (node.allOf.length > 0) {
    let validated = 0;
    for (const s of node.allOf) {
      const r = validateNode(s, data, path, depth + 1);
      if (isValid(r)) validated++;
      merge(res, r);
    }
    if (validated !== node.allOf.length) {
      const extra = validated === 0 ? '. None validated' : '';
      res.errors.push({
        kind: 'composite',
        name: '',
        value: '',
        message: `${goQuote(path)} must validate all the schemas (allOf)${extra}`,
      });
    }
  }
  if (node.not) {
    const r = validateNode(node.not, data, path, depth + 1);
    if (isValid(r))
      res.errors.push({
        kind: 'composite',
        name: '',
        value: '',
        message: `${goQuote(path)} must not validate the schema (not)`,
      });
  }
  res.matches += 1;
  return res;
}

function enumValueText(v: unknown): string {
  if (typeof v === 'string') return v;
  return canonicalJson(v);
}

/**
 * Validates data against a schema and returns causes. `base` is the field path of the data (nil for a
 * custom resource; the `default` path when checking defaults at CRD creation).
 */
export function validateOpenAPI(node: SchemaNode, data: unknown, base: Path): FieldCause[] {
  const r = validateNode(node, data, '', 0);
  return r.errors.map((e) => {
    if (e.kind === 'composite') return invalid(base, '', e.message);
    const p =
      e.name.length > 0 && e.name !== '.'
        ? base.child(e.name.startsWith('.') ? e.name.slice(1) : e.name)
        : base;
    switch (e.kind) {
      case 'required':
        return required(p, '');
      case 'enum':
        return notSupported(p, e.value, (e.enumValues ?? []).map(enumValueText));
      default:
        return invalid(p, e.value === undefined ? '' : e.value, e.message);
    }
  });
}
