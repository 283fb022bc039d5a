// CEL static types and the mapping from a structural schema node to the type `self` has in a rule,
// following apiextensions' SchemaDeclType: objects with properties become object types whose fields
// are the escaped property names, additionalProperties maps become map(string, V), and
// x-kubernetes-int-or-string is dyn.
import { emptyNode, type SchemaNode } from '../node.js';

export type CelType =
  | { kind: 'int' }
  | { kind: 'uint' }
  | { kind: 'double' }
  | { kind: 'bool' }
  | { kind: 'string' }
  | { kind: 'bytes' }
  | { kind: 'null' }
  | { kind: 'dyn' }
  | { kind: 'timestamp' }
  | { kind: 'duration' }
  | { kind: 'list'; elem: CelType }
  | { kind: 'map'; key: CelType; value: CelType }
  | { kind: 'object'; decl: ObjectDecl }
  | { kind: 'type'; of: CelType }
  | { kind: 'optional'; of: CelType }
  | { kind: 'opaque'; name: OpaqueName }
  | { kind: 'param'; name: string };

export type OpaqueName = 'net.IP' | 'net.CIDR' | 'kubernetes.URL' | 'kubernetes.Quantity';

export const T = {
  int: { kind: 'int' } as CelType,
  uint: { kind: 'uint' } as CelType,
  double: { kind: 'double' } as CelType,
  bool: { kind: 'bool' } as CelType,
  string: { kind: 'string' } as CelType,
  bytes: { kind: 'bytes' } as CelType,
  null: { kind: 'null' } as CelType,
  dyn: { kind: 'dyn' } as CelType,
  timestamp: { kind: 'timestamp' } as CelType,
  duration: { kind: 'duration' } as CelType,
  ip: { kind: 'opaque', name: 'net.IP' } as CelType,
  cidr: { kind: 'opaque', name: 'net.CIDR' } as CelType,
  url: { kind: 'opaque', name: 'kubernetes.URL' } as CelType,
  quantity: { kind: 'opaque', name: 'kubernetes.Quantity' } as CelType,
  A: { kind: 'param', name: 'A' } as CelType,
  B: { kind: 'param', name: 'B' } as CelType,
  list(elem: CelType): CelType {
    return { kind: 'list', elem };
  },
  map(key: CelType, value: CelType): CelType {
    return { kind: 'map', key, value };
  },
  optional(of: CelType): CelType {
    return { kind: 'optional', of };
  },
  type(of: CelType): CelType {
    return { kind: 'type', of };
  },
};

export interface FieldDecl {
  /** The property name in the data (unescaped). */
  prop: string;
  type: CelType;
  node: SchemaNode;
  embedded: boolean;
}

const RESERVED = new Set([
  'true',
  'false',
  'null',
  'in',
  'as',
  'break',
  'const',
  'continue',
  'else',
  'for',
  'function',
  'if',
  'import',
  'let',
  'loop',
  'package',
  'namespace',
  'return',
  'var',
  'void',
  'while',
]);

/** Escapes a property name into a CEL identifier, or undefined when it cannot be accessed from CEL. */
export function escapeName(name: string): string | undefined {
  if (name.length === 0) return undefined;
  const c0 = name.charCodeAt(0);
  if (c0 >= 0x30 && c0 <= 0x39) return undefined;
  if (RESERVED.has(name)) return '__' + name + '__';
  let ok = true;
  const out = name.replace(/__|[^a-zA-Z0-9_]/g, (m) => {
    switch (m) {
      case '__':
        return '__underscores__';
      case '.':
        return '__dot__';
      case '-':
        return '__dash__';
      case '/':
        return '__slash__';
      default:
        ok = false;
        return '';
    }
  });
  return ok ? out : undefined;
}

/** Reverses escapeName; undefined for strings that are not the escaping of any name. */
export function unescapeName(escaped: string): string | undefined {
  if (escaped.length > 4 && escaped.startsWith('__') && escaped.endsWith('__')) {
    const inner = escaped.slice(2, -2);
    if (RESERVED.has(inner)) return inner;
  }
  return escaped.replace(/__(underscores|dot|dash|slash)__/g, (_m, w: string) => {
    switch (w) {
      case 'underscores':
        return '__';
      case 'dot':
        return '.';
      case 'dash':
        return '-';
      default:
        return '/';
    }
  });
}

let declCounter = 0;

/** An object type derived from a schema node; fields are computed on first use. */
export class ObjectDecl {
  readonly id = ++declCounter;
  private cache: Map<string, FieldDecl> | undefined;

  constructor(
    readonly node: SchemaNode,
    readonly resourceRoot: boolean,
  ) {}

  fields(): Map<string, FieldDecl> {
    if (this.cache) return this.cache;
    const m = new Map<string, FieldDecl>();
    for (const [prop, sub] of this.node.properties ?? []) {
      const esc = escapeName(prop);
      if (esc === undefined) continue;
      const t = schemaType(sub, sub.embeddedResource);
      if (t === undefined) continue;
      m.set(esc, { prop, type: t, node: sub, embedded: sub.embeddedResource });
    }
    if (this.resourceRoot) {
      // apiVersion, kind, metadata.name and metadata.generateName are always visible at a resource root.
      for (const p of ['apiVersion', 'kind']) {
        m.set(p, { prop: p, type: T.string, node: stringNode(), embedded: false });
      }
      const meta = metadataNode();
      m.set('metadata', {
        prop: 'metadata',
        type: { kind: 'object', decl: new ObjectDecl(meta, false) },
        node: meta,
        embedded: false,
      });
    }
    this.cache = m;
    return m;
  }
}

function baseNode(type: string): SchemaNode {
  const n = emptyNode();
  n.type = type;
  return n;
}

let metaNodeCache: SchemaNode | undefined;
let stringNodeCache: SchemaNode | undefined;

export function stringNode(): SchemaNode {
  stringNodeCache ??= baseNode('string');
  return stringNodeCache;
}

/** The metadata schema CEL sees at a resource root: only name and generateName. */
export function metadataNode(): SchemaNode {
  if (!metaNodeCache) {
    const n = baseNode('object');
    n.properties = new Map([
      ['generateName', stringNode()],
      ['name', stringNode()],
    ]);
    metaNodeCache = n;
  }
  return metaNodeCache;
}

/** SchemaDeclType: the CEL type for data under `node`, or undefined when CEL cannot see it. */
export function schemaType(node: SchemaNode, resourceRoot: boolean): CelType | undefined {
  if (node.intOrString) return T.dyn;
  const type = resourceRoot && node.type === '' ? 'object' : node.type;
  switch (type) {
    case 'array': {
      if (!node.items) return undefined;
      const elem = schemaType(node.items, node.items.embeddedResource);
      return elem ? T.list(elem) : undefined;
    }
    case 'object': {
      const ap = node.additionalProperties?.schema;
      if (ap && !resourceRoot) {
        const v = schemaType(ap, ap.embeddedResource);
        return v ? T.map(T.string, v) : undefined;
      }
      return { kind: 'object', decl: new ObjectDecl(node, resourceRoot) };
    }
    case 'string':
      switch (node.format) {
        case 'byte':
          return T.bytes;
        case 'duration':
          return T.duration;
        case 'date':
        case 'date-time':
          return T.timestamp;
        default:
          return T.string;
      }
    case 'boolean':
      return T.bool;
    case 'number':
      return T.double;
    case 'integer':
      return T.int;
    default:
      return undefined;
  }
}

/** Type name as cel-go prints it in checker messages. */
export function typeName(t: CelType): string {
  switch (t.kind) {
    case 'list':
      return `list(${typeName(t.elem)})`;
    case 'map':
      return `map(${typeName(t.key)}, ${typeName(t.value)})`;
    case 'object':
      return 'object';
    case 'type':
      return `type(${typeName(t.of)})`;
    case 'optional':
      return `optional_type(${typeName(t.of)})`;
    case 'opaque':
      return t.name;
    case 'param':
      return t.name;
    case 'null':
      return 'null';
    case 'timestamp':
      return 'google.protobuf.Timestamp';
    case 'duration':
      return 'google.protobuf.Duration';
    default:
      return t.kind;
  }
}

export type Bindings = Map<string, CelType>;

/** Whether a value of type `arg` may be passed where `param` is expected, binding type parameters. */
export function assignable(param: CelType, arg: CelType, b: Bindings): boolean {
  if (param.kind === 'dyn' || arg.kind === 'dyn') {
    if (param.kind === 'param' && !b.has(param.name)) b.set(param.name, T.dyn);
    return true;
  }
  if (param.kind === 'param') {
    const bound = b.get(param.name);
    if (bound === undefined) {
      b.set(param.name, arg);
      return true;
    }
    if (bound.kind === 'dyn') {
      b.set(param.name, arg);
      return true;
    }
    if (assignable(bound, arg, new Map())) return true;
    // A later, more general argument (e.g. null after a string) widens the binding.
    if (assignable(arg, bound, new Map())) {
      b.set(param.name, arg);
      return true;
    }
    return false;
  }
  // Schema-typed values never unify with null (cel-go reports "(string, null)" overload errors).
  if (arg.kind === 'null') return param.kind === 'null';
  switch (param.kind) {
    case 'list':
      return arg.kind === 'list' && assignable(param.elem, arg.elem, b);
    case 'map':
      return arg.kind === 'map' && assignable(param.key, arg.key, b) && assignable(param.value, arg.value, b);
    case 'object':
      return arg.kind === 'object' && arg.decl.node === param.decl.node;
    case 'type':
      return arg.kind === 'type';
    case 'optional':
      return arg.kind === 'optional' && assignable(param.of, arg.of, b);
    case 'opaque':
      return arg.kind === 'opaque' && arg.name === param.name;
    default:
      return param.kind === arg.kind;
  }
}

/** Replaces bound type parameters; unbound ones become dyn. */
export function substitute(t: CelType, b: Bindings): CelType {
  switch (t.kind) {
    case 'param':
      return b.get(t.name) ?? T.dyn;
    case 'list':
      return T.list(substitute(t.elem, b));
    case 'map':
      return T.map(substitute(t.key, b), substitute(t.value, b));
    case 'optional':
      return T.optional(substitute(t.of, b));
    case 'type':
      return T.type(substitute(t.of, b));
    default:
      return t;
  }
}
