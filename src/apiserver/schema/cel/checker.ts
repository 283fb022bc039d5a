// Static type checking of a parsed rule against the CEL type of its schema node, reporting what cel-go
// reports at CRD creation (undefined fields, undeclared references, calls without a matching overload,
// comprehensions over non-iterables). Unknown or dynamic types are accepted rather than guessed at:
// a rule that type-checks in Kubernetes must never be refused here.
import {
  position,
  qualifiedName,
  rootIdent,
  type CallExpr,
  type Comprehension,
  type Expr,
  type ParsedExpr,
} from './ast.js';
import { hasFunction, overloads, signatureText } from './stdlib.js';
import { assignable, substitute, T, typeName, type CelType } from './types.js';

export interface CheckIssue {
  message: string;
  offset: number;
}

const TYPE_IDENTS = new Set([
  'int',
  'uint',
  'double',
  'bool',
  'string',
  'bytes',
  'list',
  'map',
  'null_type',
  'type',
  'google.protobuf.Timestamp',
  'google.protobuf.Duration',
]);

function typeIdentType(name: string): CelType {
  switch (name) {
    case 'int':
      return T.type(T.int);
    case 'uint':
      return T.type(T.uint);
    case 'double':
      return T.type(T.double);
    case 'bool':
      return T.type(T.bool);
    case 'string':
      return T.type(T.string);
    case 'bytes':
      return T.type(T.bytes);
    case 'null_type':
      return T.type(T.null);
    case 'list':
      return T.type(T.list(T.dyn));
    case 'map':
      return T.type(T.map(T.dyn, T.dyn));
    case 'google.protobuf.Timestamp':
      return T.type(T.timestamp);
    case 'google.protobuf.Duration':
      return T.type(T.duration);
    default:
      return T.type(T.dyn);
  }
}

const OPERATOR_NAMES = /^(_.*_|!_|-_|@in|@not_strictly_false)$/;

export class Checker {
  readonly issues: CheckIssue[] = [];
  usesOldSelf = false;
  private scopes: Array<Map<string, CelType>> = [];

  constructor(
    private readonly parsed: ParsedExpr,
    private readonly src: string,
    vars: Map<string, CelType>,
  ) {
    this.scopes.push(vars);
  }

  run(): CelType {
    return this.check(this.parsed.expr);
  }

  private issue(e: Expr, message: string, atParen = false): void {
    let off = position(this.parsed, e.id);
    if (atParen && off >= 0) {
      // cel-go locates calls at their opening parenthesis.
      const p = this.src.indexOf('(', off);
      if (p >= 0) off = p;
    } else if (off >= 0) {
      // The parser may record an operator just before it; cel-go points at the operator token.
      while (off < this.src.length && /\s/.test(this.src[off] ?? '')) off++;
    }
    if (this.issues.length < 20) this.issues.push({ message, offset: off });
  }

  private lookup(name: string): CelType | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const t = this.scopes[i]?.get(name);
      if (t !== undefined) return t;
    }
    return undefined;
  }

  private check(e: Expr): CelType {
    const k = e.exprKind;
    switch (k.case) {
      case 'constExpr': {
        const c = k.value.constantKind;
        switch (c.case) {
          case 'int64Value':
            if (c.value < -(2n ** 63n) || c.value > 2n ** 63n - 1n) {
              this.issue(e, 'invalid int literal');
              return T.dyn;
            }
            return T.int;
          case 'uint64Value':
            if (c.value > 2n ** 64n - 1n) {
              this.issue(e, 'invalid uint literal');
              return T.dyn;
            }
            return T.uint;
          case 'doubleValue':
            return T.double;
          case 'stringValue':
            return T.string;
          case 'boolValue':
            return T.bool;
          case 'bytesValue':
            return T.bytes;
          case 'nullValue':
            return T.null;
          default:
            return T.dyn;
        }
      }
      case 'identExpr': {
        const name = k.value.name;
        const t = this.lookup(name);
        if (t !== undefined) {
          if (name === 'oldSelf') this.usesOldSelf = true;
          return t;
        }
        if (TYPE_IDENTS.has(name)) return typeIdentType(name);
        this.issue(e, `undeclared reference to '${name}' (in container '')`);
        return T.dyn;
      }
      case 'selectExpr': {
        const sel = k.value;
        if (!sel.operand) return T.dyn;
        const q = qualifiedName(e);
        if (
          q !== undefined &&
          !sel.testOnly &&
          this.lookup(rootIdent(q)) === undefined &&
          TYPE_IDENTS.has(q)
        ) {
          return typeIdentType(q);
        }
        const ot = this.check(sel.operand);
        const ft = this.selectType(e, ot, sel.field);
        return sel.testOnly ? T.bool : ft;
      }
      case 'callExpr':
        return this.checkCall(e, k.value);
      case 'listExpr': {
        if (k.value.optionalIndices.length > 0) this.issue(e, 'optional list elements are not supported');
        let elem: CelType | undefined;
        for (const el of k.value.elements) elem = join(elem, this.check(el));
        return T.list(elem ?? T.dyn);
      }
      case 'structExpr': {
        const s = k.value;
        if (s.messageName !== '') {
          this.issue(e, `undeclared reference to '${s.messageName}' (in container '')`);
          for (const en of s.entries) if (en.value) this.check(en.value);
          return T.dyn;
        }
        let kt: CelType | undefined;
        let vt: CelType | undefined;
        for (const en of s.entries) {
          if (en.optionalEntry) this.issue(e, 'optional map entries are not supported');
          if (en.keyKind.case === 'mapKey') {
            const t = this.check(en.keyKind.value);
            if (!['int', 'uint', 'bool', 'string', 'dyn'].includes(t.kind)) {
              this.issue(en.keyKind.value, `unsupported map key type: ${typeName(t)}`);
            }
            kt = join(kt, t);
          }
          if (en.value) vt = join(vt, this.check(en.value));
        }
        return T.map(kt ?? T.dyn, vt ?? T.dyn);
      }
      case 'comprehensionExpr':
        return this.checkComprehension(k.value);
      default:
        return T.dyn;
    }
  }

  private selectType(e: Expr, ot: CelType, field: string): CelType {
    switch (ot.kind) {
      case 'dyn':
        return T.dyn;
      case 'object': {
        const f = ot.decl.fields().get(field);
        if (!f) {
          this.issue(e, `undefined field '${field}'`);
          return T.dyn;
        }
        return f.type;
      }
      case 'map':
        if (ot.key.kind !== 'string' && ot.key.kind !== 'dyn') {
          this.issue(e, `type '${typeName(ot)}' does not support field selection`);
          return T.dyn;
        }
        return ot.value;
      default:
        this.issue(e, `type '${typeName(ot)}' does not support field selection`);
        return T.dyn;
    }
  }

  private checkComprehension(c: Comprehension): CelType {
    if (!c.iterRange || !c.accuInit || !c.loopCondition || !c.loopStep || !c.result) return T.dyn;
    const rt = this.check(c.iterRange);
    let iterT: CelType;
    switch (rt.kind) {
      case 'list':
        iterT = rt.elem;
        break;
      case 'map':
        iterT = rt.key;
        break;
      case 'dyn':
        iterT = T.dyn;
        break;
      default:
        this.issue(
          c.iterRange,
          `expression of type '${typeName(rt)}' cannot be the range of a comprehension (must be list, map, or dynamic)`,
        );
        iterT = T.dyn;
    }
    let accuT = this.check(c.accuInit);
    this.scopes.push(new Map([[c.accuVar, accuT]]));
    this.scopes.push(new Map([[c.iterVar, iterT]]));
    this.check(c.loopCondition);
    const stepT = this.check(c.loopStep);
    this.scopes.pop();
    this.scopes.pop();
    accuT = join(accuT, stepT);
    this.scopes.push(new Map([[c.accuVar, accuT]]));
    const res = this.check(c.result);
    this.scopes.pop();
    return res;
  }

  private checkCall(e: Expr, call: CallExpr): CelType {
    const name = call.function;
    const args = call.args;
    switch (name) {
      case '_&&_':
      case '_||_': {
        const ts = args.map((a) => this.check(a));
        if (!ts.every((t) => t.kind === 'bool' || t.kind === 'dyn')) {
          this.issue(e, `found no matching overload for '${name}' applied to '${signatureText(false, ts)}'`);
        }
        return T.bool;
      }
      case '@not_strictly_false':
        args.forEach((a) => this.check(a));
        return T.bool;
      case '_?_:_': {
        const [c, a, b] = args.map((x) => this.check(x));
        if (c && c.kind !== 'bool' && c.kind !== 'dyn') {
          this.issue(
            e,
            `found no matching overload for '_?_:_' applied to '${signatureText(false, [c, a ?? T.dyn, b ?? T.dyn])}'`,
          );
          return T.dyn;
        }
        const bind = new Map<string, CelType>();
        if (a && b && assignable(T.A, a, bind) && assignable(T.A, b, bind)) return substitute(T.A, bind);
        this.issue(
          e,
          `found no matching overload for '_?_:_' applied to '${signatureText(false, [c ?? T.dyn, a ?? T.dyn, b ?? T.dyn])}'`,
        );
        return T.dyn;
      }
    }

    // Namespaced functions (optional.of, sets.contains, ip.isCanonical, strings.quote) and cel.bind.
    if (call.target) {
      const q = qualifiedName(call.target);
      if (q !== undefined && this.lookup(rootIdent(q)) === undefined) {
        if (q === 'cel' && name === 'bind') return this.checkBind(e, call);
        const full = q + '.' + name;
        if (hasFunction(full))
          return this.resolve(
            e,
            full,
            false,
            args.map((a) => this.check(a)),
          );
      }
    }
    const member = call.target !== undefined;
    const argTypes = [...(call.target ? [this.check(call.target)] : []), ...args.map((a) => this.check(a))];
    if (!hasFunction(name)) {
      this.issue(e, `undeclared reference to '${name}' (in container '')`, !OPERATOR_NAMES.test(name));
      return T.dyn;
    }
    return this.resolve(e, name, member, argTypes);
  }

  private checkBind(e: Expr, call: CallExpr): CelType {
    const [v, init, body] = call.args;
    if (!v || !init || !body || v.exprKind.case !== 'identExpr') {
      this.issue(e, 'cel.bind() variable name must be a simple identifier');
      return T.dyn;
    }
    const it = this.check(init);
    this.scopes.push(new Map([[v.exprKind.value.name, it]]));
    const bt = this.check(body);
    this.scopes.pop();
    return bt;
  }

  private resolve(e: Expr, name: string, member: boolean, argTypes: CelType[]): CelType {
    const candidates = overloads(name).filter(
      (o) => o.member === member && o.params.length === argTypes.length,
    );
    const results: CelType[] = [];
    for (const o of candidates) {
      const b = new Map<string, CelType>();
      if (o.params.every((p, i) => assignable(p, argTypes[i] ?? T.dyn, b)))
        results.push(substitute(o.result, b));
    }
    if (results.length === 0) {
      const op = OPERATOR_NAMES.test(name);
      this.issue(
        e,
        `found no matching overload for '${name}' applied to '${signatureText(member, argTypes)}'`,
        !op,
      );
      return T.dyn;
    }
    const first = results[0] ?? T.dyn;
    return results.every((r) => sameKind(r, first)) ? first : T.dyn;
  }
}

function sameKind(a: CelType, b: CelType): boolean {
  return assignable(a, b, new Map()) && assignable(b, a, new Map());
}

/** Least common type of two branches/elements: identical types stay, anything else widens to dyn. */
function join(a: CelType | undefined, b: CelType): CelType {
  if (a === undefined) return b;
  // dyn joined with a concrete type keeps the concrete one, as cel-go unifies type parameters.
  if (a.kind === 'dyn') return b.kind === 'null' ? a : b;
  if (b.kind === 'dyn') return a;
  if (a.kind === 'null') return b;
  if (b.kind === 'null') return a;
  if (a.kind === 'list' && b.kind === 'list') return T.list(join(a.elem, b.elem));
  if (a.kind === 'map' && b.kind === 'map') return T.map(join(a.key, b.key), join(a.value, b.value));
  return sameKind(a, b) ? a : T.dyn;
}
