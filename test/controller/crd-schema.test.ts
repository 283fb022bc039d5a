// The CRD manifests under daemonset/crds/ against the TypeScript declarations in
// src/k8s/ironlb-types.ts (walked with the TypeScript compiler, so the check is real both ways), the
// names in src/k8s/names.ts, the structural-schema rules a real kube-apiserver enforces, and the CEL
// rules (evaluated with @bufbuild/cel, restricted to functions every Kubernetes >= 1.25 has).
import { parse as parseCel, run as runCel } from '@bufbuild/cel';
import { loadAllYaml, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { compileLabelSelector } from '../../src/k8s/label-selector.js';
import {
  IP_ADDRESS_POOL_KIND,
  IP_ADDRESS_POOL_PLURAL,
  IRONLB_GROUP,
  IRONLB_VERSION,
  L2_ADVERTISEMENT_KIND,
  L2_ADVERTISEMENT_PLURAL,
} from '../../src/k8s/names.js';
import { parseAddressEntry } from '../../src/net/ip.js';

const root = (p: string): string => fileURLToPath(new URL(`../../${p}`, import.meta.url));

// client-node deserializes the top of a schema into V1JSONSchemaProps (renaming "default" to
// "_default", "x-kubernetes-*" to "x_kubernetes_*") but leaves `items` raw: read both spellings.
type Node = Record<string, unknown>;
const ALIASES: Record<string, string> = { default: '_default', enum: '_enum' };
function attr(node: Node, name: string): unknown {
  if (name in node) return node[name];
  const alias = ALIASES[name] ?? name.replaceAll('-', '_');
  return node[alias];
}
const child = (node: Node, name: string): Node => attr(node, name) as Node;
const props = (node: Node): Record<string, Node> => (attr(node, 'properties') ?? {}) as Record<string, Node>;

/** The schema node at a dotted path; "[]" steps into array items. */
function at(schema: Node, path: string): Node {
  let node = schema;
  for (const step of path.split('.')) {
    const name = step.replace(/\[\]$/, '');
    const next = props(node)[name];
    if (!next) throw new Error(`no schema at ${path} (${step})`);
    node = step.endsWith('[]') ? child(next, 'items') : next;
  }
  return node;
}

function loadCrd(file: string): { crd: V1CustomResourceDefinition; schema: Node } {
  const docs = loadAllYaml(readFileSync(root(file), 'utf8')) as V1CustomResourceDefinition[];
  expect(docs).toHaveLength(1);
  const crd = docs[0];
  if (!crd) throw new Error('no document');
  const schema = crd.spec.versions[0]?.schema?.openAPIV3Schema as unknown as Node;
  return { crd, schema };
}

/** Every node visited with its path. */
function walk(node: Node, path: string, visit: (n: Node, path: string) => void): void {
  visit(node, path);
  for (const [k, v] of Object.entries(props(node))) walk(v, `${path}.${k}`, visit);
  const items = attr(node, 'items') as Node | undefined;
  if (items) walk(items, `${path}[]`, visit);
  const extra = attr(node, 'additionalProperties') as Node | boolean | undefined;
  if (extra && typeof extra === 'object') walk(extra, `${path}{}`, visit);
}

// --- TypeScript side --------------------------------------------------------------------------------

type Shape =
  | { kind: 'string' | 'number' | 'boolean' | 'date' }
  | { kind: 'array'; items: Shape }
  | { kind: 'object'; props: Map<string, { optional: boolean; shape: Shape }>; additional?: Shape };

function typeShapes(file: string, names: string[]): Map<string, Shape> {
  const program = ts.createProgram([file], {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
    noEmit: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error(`cannot read ${file}`);
  const exports = checker.getExportsOfModule(moduleSymbol);

  const shapeOf = (t: ts.Type, where: string): Shape => {
    if (t.isUnion()) {
      const parts = t.types.filter((x) => !(x.flags & ts.TypeFlags.Undefined));
      if (parts.every((x) => x.flags & ts.TypeFlags.BooleanLiteral)) return { kind: 'boolean' };
      if (parts.every((x) => x.flags & ts.TypeFlags.StringLike)) return { kind: 'string' };
      if (parts.length === 1 && parts[0]) return shapeOf(parts[0], where);
      throw new Error(`${where}: unions are not mapped to schemas`);
    }
    if (t.flags & ts.TypeFlags.StringLike) return { kind: 'string' };
    if (t.flags & ts.TypeFlags.NumberLike) return { kind: 'number' };
    if (t.flags & ts.TypeFlags.BooleanLike) return { kind: 'boolean' };
    if (checker.isArrayType(t)) {
      const [item] = checker.getTypeArguments(t as ts.TypeReference);
      if (!item) throw new Error(`${where}: array without an element type`);
      return { kind: 'array', items: shapeOf(item, `${where}[]`) };
    }
    if (t.getSymbol()?.getName() === 'Date') return { kind: 'date' };
    const shape: Shape = { kind: 'object', props: new Map() };
    for (const p of checker.getPropertiesOfType(t)) {
      const decl = p.valueDeclaration ?? p.declarations?.[0];
      if (!decl) continue;
      const optional = (p.flags & ts.SymbolFlags.Optional) !== 0;
      shape.props.set(p.getName(), {
        optional,
        shape: shapeOf(checker.getTypeOfSymbolAtLocation(p, decl), `${where}.${p.getName()}`),
      });
    }
    const index = checker.getIndexInfoOfType(t, ts.IndexKind.String);
    if (index) shape.additional = shapeOf(index.type, `${where}{}`);
    return shape;
  };

  const out = new Map<string, Shape>();
  for (const name of names) {
    const symbol = exports.find((e) => e.getName() === name);
    if (!symbol) throw new Error(`${name} is not exported from ${file}`);
    out.set(name, shapeOf(checker.getDeclaredTypeOfSymbol(symbol), name));
  }
  return out;
}

/** Differences between a TS shape and a schema node, as readable lines. */
function compare(shape: Shape, node: Node, path: string): string[] {
  const type = attr(node, 'type');
  switch (shape.kind) {
    case 'string':
      return type === 'string' ? [] : [`${path}: TS string, schema ${String(type)}`];
    case 'date':
      return type === 'string' && attr(node, 'format') === 'date-time'
        ? []
        : [`${path}: TS Date needs string/date-time`];
    case 'number':
      return type === 'integer' || type === 'number' ? [] : [`${path}: TS number, schema ${String(type)}`];
    case 'boolean':
      return type === 'boolean' ? [] : [`${path}: TS boolean, schema ${String(type)}`];
    case 'array': {
      if (type !== 'array') return [`${path}: TS array, schema ${String(type)}`];
      return compare(shape.items, child(node, 'items'), `${path}[]`);
    }
    case 'object': {
      if (type !== 'object') return [`${path}: TS object, schema ${String(type)}`];
      const diffs: string[] = [];
      const schemaProps = props(node);
      const required = new Set((attr(node, 'required') ?? []) as string[]);
      for (const [name, p] of shape.props) {
        const s = schemaProps[name];
        if (!s) {
          diffs.push(`${path}.${name}: in the TS type, missing from the schema`);
          continue;
        }
        if (p.optional === required.has(name)) {
          diffs.push(
            `${path}.${name}: ${p.optional ? 'optional' : 'required'} in TS, ${required.has(name) ? 'required' : 'optional'} in the schema`,
          );
        }
        diffs.push(...compare(p.shape, s, `${path}.${name}`));
      }
      for (const name of Object.keys(schemaProps)) {
        if (!shape.props.has(name)) diffs.push(`${path}.${name}: in the schema, missing from the TS type`);
      }
      const extra = attr(node, 'additionalProperties') as Node | undefined;
      if (shape.additional && !extra) diffs.push(`${path}: TS index signature without additionalProperties`);
      if (!shape.additional && extra)
        diffs.push(`${path}: additionalProperties without a TS index signature`);
      if (shape.additional && extra) diffs.push(...compare(shape.additional, extra, `${path}{}`));
      return diffs;
    }
  }
}

const TYPES_FILE = root('src/k8s/ironlb-types.ts');
const shapes = typeShapes(TYPES_FILE, ['IPAddressPool', 'L2Advertisement']);

const crds = [
  {
    file: 'daemonset/crds/ironlb.io_ipaddresspools.yaml',
    type: 'IPAddressPool',
    kind: IP_ADDRESS_POOL_KIND,
    plural: IP_ADDRESS_POOL_PLURAL,
  },
  {
    file: 'daemonset/crds/ironlb.io_l2advertisements.yaml',
    type: 'L2Advertisement',
    kind: L2_ADVERTISEMENT_KIND,
    plural: L2_ADVERTISEMENT_PLURAL,
  },
] as const;

// Functions of the CEL standard library (plus operators) that Kubernetes 1.25 and later all have.
const CEL_ALLOWED = new Set([
  '_?_:_',
  '_&&_',
  '_||_',
  '!_',
  '_==_',
  '_!=_',
  '_<_',
  '_<=_',
  '_>_',
  '_>=_',
  '@in',
  'size',
  'contains',
  'startsWith',
  'endsWith',
  'matches',
  '@not_strictly_false',
]);

describe.each(crds)('$file', ({ file, type, kind, plural }) => {
  const { crd, schema } = loadCrd(file);
  const version = crd.spec.versions[0];

  it('names match src/k8s/names.ts', () => {
    expect(crd.metadata?.name).toBe(`${plural}.${IRONLB_GROUP}`);
    expect(crd.spec.group).toBe(IRONLB_GROUP);
    expect(crd.spec.names.kind).toBe(kind);
    expect(crd.spec.names.plural).toBe(plural);
    expect(crd.spec.names.listKind).toBe(`${kind}List`);
    expect(crd.spec.scope).toBe('Namespaced');
    expect(crd.spec.versions).toHaveLength(1);
    expect(version).toMatchObject({ name: IRONLB_VERSION, served: true, storage: true });
    expect(version?.subresources?.status).toEqual({});
  });

  it('spec and status agree with the TypeScript type, field by field', () => {
    const shape = shapes.get(type);
    if (shape?.kind !== 'object') throw new Error('expected an object type');
    const diffs: string[] = [];
    for (const part of ['spec', 'status']) {
      const p = shape.props.get(part);
      const node = props(schema)[part];
      if (!p || !node) {
        diffs.push(`${part}: missing on one side`);
        continue;
      }
      const required = ((attr(schema, 'required') ?? []) as string[]).includes(part);
      if (p.optional === required) diffs.push(`${part}: optional in one, required in the other`);
      diffs.push(...compare(p.shape, node, part));
    }
    expect(Object.keys(props(schema)).sort()).toEqual(['apiVersion', 'kind', 'metadata', 'spec', 'status']);
    expect(diffs).toEqual([]);
  });

  it('is a structural schema a kube-apiserver accepts', () => {
    const problems: string[] = [];
    expect({ ...props(schema).metadata }).toEqual({ type: 'object' });
    walk(schema, 'root', (n, path) => {
      const t = attr(n, 'type');
      if (!['object', 'array', 'string', 'integer', 'number', 'boolean'].includes(t as string)) {
        problems.push(`${path}: no valid type`);
      }
      for (const banned of [
        '$ref',
        'allOf',
        'anyOf',
        'oneOf',
        'not',
        'nullable',
        'x-kubernetes-preserve-unknown-fields',
      ]) {
        if (attr(n, banned) !== undefined) problems.push(`${path}: ${banned} is not used here`);
      }
      if (t === 'array' && !attr(n, 'items')) problems.push(`${path}: array without items`);
      if (attr(n, 'properties') && attr(n, 'additionalProperties'))
        problems.push(`${path}: properties and additionalProperties`);
      const pattern = attr(n, 'pattern');
      if (typeof pattern === 'string') {
        // RE2 (Go) and JS agree on the constructs used; lookarounds and backreferences would not.
        expect(() => new RegExp(pattern), `${path} pattern`).not.toThrow();
        if (/\(\?[=!<]|\\[1-9]/.test(pattern)) problems.push(`${path}: pattern uses non-RE2 syntax`);
      }
      const def = attr(n, 'default');
      if (def !== undefined && typeof def !== (t === 'integer' ? 'number' : t))
        problems.push(`${path}: default of the wrong type`);
      const listType = attr(n, 'x-kubernetes-list-type');
      if (listType === 'set') {
        const itemType = attr(child(n, 'items'), 'type');
        if (!['string', 'integer', 'number', 'boolean'].includes(itemType as string))
          problems.push(`${path}: set of non-scalars`);
      }
      if (listType === 'map') {
        const keys = (attr(n, 'x-kubernetes-list-map-keys') ?? []) as string[];
        const req = (attr(child(n, 'items'), 'required') ?? []) as string[];
        if (keys.length === 0 || !keys.every((k) => req.includes(k)))
          problems.push(`${path}: map keys must be required`);
      }
      if (
        path !== 'root.metadata' &&
        typeof attr(n, 'description') !== 'string' &&
        !path.endsWith('[]') &&
        !path.endsWith('{}')
      ) {
        problems.push(`${path}: no description`);
      }
    });
    expect(problems).toEqual([]);
  });

  it('bounds every list and string a CEL rule iterates (for the cost estimator)', () => {
    // A rule's estimated cost is multiplied by the maxItems of every list above it; unbounded
    // lists make a real API server reject the CRD.
    const problems: string[] = [];
    const check = (n: Node, path: string, lists: string[]): void => {
      if (attr(n, 'x-kubernetes-validations') !== undefined) {
        for (const l of lists) problems.push(...(l === '' ? [] : [l]));
      }
      const items = attr(n, 'items') as Node | undefined;
      if (items)
        check(items, `${path}[]`, [
          ...lists,
          attr(n, 'maxItems') === undefined ? `${path}: no maxItems` : '',
        ]);
      for (const [k, v] of Object.entries(props(n))) check(v, `${path}.${k}`, lists);
    };
    check(schema, 'root', []);
    expect(problems).toEqual([]);
  });

  it('printer columns point at schema fields', () => {
    for (const col of version?.additionalPrinterColumns ?? []) {
      expect(['integer', 'number', 'string', 'boolean', 'date']).toContain(col.type);
      const path = col.jsonPath
        .replace(/\[\?\(.*?\)\]/g, '')
        .split('.')
        .filter(Boolean);
      let node: Node | undefined = schema;
      for (const part of path) {
        if (part === 'metadata') break;
        node =
          node &&
          (props(node)[part] ?? (attr(node, 'items') ? props(child(node, 'items'))[part] : undefined));
      }
      expect(node, col.jsonPath).toBeDefined();
    }
  });

  it('CEL rules use only functions Kubernetes 1.25+ has', () => {
    const used = new Set<string>();
    walk(schema, 'root', (n) => {
      for (const v of (attr(n, 'x-kubernetes-validations') ?? []) as { rule: string; message?: string }[]) {
        expect(v.message, v.rule).toBeTruthy();
        const collect = (o: unknown): void => {
          if (!o || typeof o !== 'object') return;
          const e = o as { case?: string; value?: { function?: string } };
          if (e.case === 'callExpr' && e.value?.function) used.add(e.value.function);
          for (const x of Object.values(o)) collect(x);
        };
        collect(parseCel(v.rule).expr);
      }
    });
    expect([...used].filter((f) => !CEL_ALLOWED.has(f))).toEqual([]);
  });
});

describe('CEL rule on label selector requirements', () => {
  const { schema } = loadCrd('daemonset/crds/ironlb.io_ipaddresspools.yaml');
  const requirement = at(schema, 'spec.serviceAllocation.serviceSelectors[].matchExpressions[]');
  const rules = attr(requirement, 'x-kubernetes-validations') as { rule: string }[] | undefined;

  it.each([
    ['In with values', { key: 'a', operator: 'In', values: ['x'] }, true],
    ['In without values', { key: 'a', operator: 'In' }, false],
    ['NotIn with an empty list', { key: 'a', operator: 'NotIn', values: [] }, false],
    ['Exists without values', { key: 'a', operator: 'Exists' }, true],
    ['Exists with values', { key: 'a', operator: 'Exists', values: ['x'] }, false],
    ['DoesNotExist with an empty list', { key: 'a', operator: 'DoesNotExist', values: [] }, true],
  ])('%s → %s, as the controller decides', (_rule, req, ok) => {
    expect(rules).toHaveLength(1);
    expect(runCel(rules?.[0]?.rule ?? '', { self: req })).toBe(ok);
    expect(compileLabelSelector({ matchExpressions: [req] }).ok).toBe(ok);
  });
});

describe('address pattern agrees with the controller parser', () => {
  const { schema } = loadCrd('daemonset/crds/ironlb.io_ipaddresspools.yaml');
  const pattern = new RegExp(attr(at(schema, 'spec.addresses[]'), 'pattern') as string);

  it.each([
    '192.0.2.0/24',
    '192.0.2.77/24',
    '2001:db8::/120',
    '192.0.2.10-192.0.2.20',
    '192.0.2.10 - 192.0.2.20',
    '2001:DB8::1-2001:db8::ff',
  ])('admits %s, which the parser reads', (text) => {
    expect(pattern.test(text)).toBe(true);
    expect(parseAddressEntry(text).ok).toBe(true);
  });

  it.each(['banana', '192.0.2.1', ' 192.0.2.0/24', 'fe80::1%eth0/64', '192.0.2.0/24,192.0.3.0/24', ''])(
    'rejects %j at admission, and so does the parser',
    (text) => {
      expect(pattern.test(text)).toBe(false);
      expect(parseAddressEntry(text).ok).toBe(false);
    },
  );
});
