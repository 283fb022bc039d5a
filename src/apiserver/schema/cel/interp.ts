// Tree-walking evaluator with cost accounting. Every evaluated node costs one unit (constants are
// free), functions add size-proportional costs, and a per-call limit plus a wall-clock deadline stop
// runaway rules. Errors are values (CelErr) so that && / || / all() / exists() can absorb them the way
// CEL specifies; JS exceptions never leave this module.
import { qualifiedName, rootIdent, type CallExpr, type Comprehension, type Expr } from './ast.js';
import { hasFunction, overloads, valueMatches, type CostSink } from './stdlib.js';
import {
  ArrayList,
  CelErr,
  CelUint,
  ListValue,
  mapKeyOf,
  MapValue,
  TypeValue,
  ValueMap,
  type Val,
} from './values.js';

/** Thrown (internally only) when a rule exceeds its cost limit or the deadline. */
export class CostLimitExceeded extends Error {
  constructor() {
    super('operation cancelled: actual cost limit exceeded');
  }
}

const TYPE_IDENTS: Record<string, string> = {
  int: 'int',
  uint: 'uint',
  double: 'double',
  bool: 'bool',
  string: 'string',
  bytes: 'bytes',
  list: 'list',
  map: 'map',
  null_type: 'null_type',
  type: 'type',
  'google.protobuf.Timestamp': 'google.protobuf.Timestamp',
  'google.protobuf.Duration': 'google.protobuf.Duration',
};

interface Scope {
  name: string;
  value: Val;
  parent: Scope | undefined;
}

export class Interpreter implements CostSink {
  cost = 0;

  constructor(
    private readonly limit: number,
    private readonly deadline: number,
  ) {}

  charge(units: number): void {
    const before = this.cost;
    this.cost += units;
    if (this.cost > this.limit) throw new CostLimitExceeded();
    // Checking the clock every ~1000 units keeps the overhead negligible.
    if (Math.floor(before / 1024) !== Math.floor(this.cost / 1024) && Date.now() > this.deadline) {
      throw new CostLimitExceeded();
    }
  }

  evaluate(e: Expr, vars: Record<string, Val>): Val {
    let scope: Scope | undefined;
    for (const [name, value] of Object.entries(vars)) scope = { name, value, parent: scope };
    try {
      return this.eval(e, scope);
    } catch (err) {
      if (err instanceof CostLimitExceeded) throw err;
      // A stack overflow or an unexpected bug must not escape as an exception.
      return new CelErr(
        err instanceof RangeError ? 'expression too complex' : 'internal error: ' + String(err),
      );
    }
  }

  private lookup(scope: Scope | undefined, name: string): Val | undefined {
    for (let s = scope; s; s = s.parent) if (s.name === name) return s.value;
    return undefined;
  }

  private eval(e: Expr, scope: Scope | undefined): Val {
    const k = e.exprKind;
    switch (k.case) {
      case 'constExpr': {
        const c = k.value.constantKind;
        switch (c.case) {
          case 'int64Value':
            return c.value;
          case 'uint64Value':
            return new CelUint(c.value);
          case 'doubleValue':
            return c.value;
          case 'stringValue':
            return c.value;
          case 'boolValue':
            return c.value;
          case 'bytesValue':
            return c.value;
          case 'nullValue':
            return null;
          default:
            return new CelErr('unsupported constant');
        }
      }
      case 'identExpr': {
        this.charge(1);
        const v = this.lookup(scope, k.value.name);
        if (v !== undefined) return v;
        const tn = Object.prototype.hasOwnProperty.call(TYPE_IDENTS, k.value.name)
          ? TYPE_IDENTS[k.value.name]
          : undefined;
        if (tn !== undefined) return new TypeValue(tn);
        return new CelErr(`no such attribute: ${k.value.name}`);
      }
      case 'selectExpr': {
        this.charge(1);
        const sel = k.value;
        if (!sel.operand) return new CelErr('invalid select');
        const q = sel.testOnly ? undefined : qualifiedName(e);
        if (
          q !== undefined &&
          Object.prototype.hasOwnProperty.call(TYPE_IDENTS, q) &&
          this.lookup(scope, rootIdent(q)) === undefined
        ) {
          return new TypeValue(q);
        }
        const operand = this.eval(sel.operand, scope);
        if (operand instanceof CelErr) return operand;
        if (sel.testOnly) {
          if (!(operand instanceof MapValue)) return new CelErr('no such overload');
          // A present field whose data does not match its schema makes has() fail, as in Kubernetes.
          const v = operand.get(sel.field);
          return v instanceof CelErr ? v : v !== undefined;
        }
        if (operand instanceof MapValue) {
          const v = operand.get(sel.field);
          return v === undefined ? new CelErr(`no such key: ${sel.field}`) : v;
        }
        return new CelErr('no such overload');
      }
      case 'callExpr':
        this.charge(1);
        return this.call(k.value, scope);
      case 'listExpr': {
        this.charge(1);
        const items: Val[] = [];
        for (const el of k.value.elements) {
          const v = this.eval(el, scope);
          if (v instanceof CelErr) return v;
          items.push(v);
        }
        return new ArrayList(items);
      }
      case 'structExpr': {
        this.charge(1);
        const s = k.value;
        if (s.messageName !== '') return new CelErr(`unknown type: ${s.messageName}`);
        const entries = new Map<string, [Val, Val]>();
        for (const en of s.entries) {
          if (en.keyKind.case !== 'mapKey' || !en.value) return new CelErr('invalid map entry');
          const key = this.eval(en.keyKind.value, scope);
          if (key instanceof CelErr) return key;
          const val = this.eval(en.value, scope);
          if (val instanceof CelErr) return val;
          const mk = mapKeyOf(key);
          if (mk === undefined) return new CelErr('unsupported key type');
          if (entries.has(mk)) return new CelErr('Failed with repeated key');
          entries.set(mk, [key, val]);
        }
        return new ValueMap(entries);
      }
      case 'comprehensionExpr':
        return this.comprehension(k.value, scope);
      default:
        return new CelErr('unsupported expression');
    }
  }

  private comprehension(c: Comprehension, scope: Scope | undefined): Val {
    if (!c.iterRange || !c.accuInit || !c.loopCondition || !c.loopStep || !c.result) {
      return new CelErr('invalid comprehension');
    }
    const range = this.eval(c.iterRange, scope);
    if (range instanceof CelErr) return range;
    let items: Iterable<Val>;
    if (range instanceof ListValue) items = range.values();
    else if (range instanceof MapValue) items = range.keys();
    else return new CelErr('no such overload');
    let accu = this.eval(c.accuInit, scope);
    for (const item of items) {
      this.charge(1);
      const inner: Scope = {
        name: c.iterVar,
        value: item,
        parent: { name: c.accuVar, value: accu, parent: scope },
      };
      const cond = this.eval(c.loopCondition, inner);
      if (cond === false) break;
      accu = this.eval(c.loopStep, inner);
    }
    return this.eval(c.result, { name: c.accuVar, value: accu, parent: scope });
  }

  private call(call: CallExpr, scope: Scope | undefined): Val {
    const name = call.function;
    const args = call.args;
    switch (name) {
      case '_&&_':
      case '_||_': {
        const short = name === '_||_';
        const [l, r] = args;
        if (!l || !r) return new CelErr('no such overload');
        const a = this.eval(l, scope);
        if (a === short) return short;
        const b = this.eval(r, scope);
        if (b === short) return short;
        if (a instanceof CelErr) return a;
        if (b instanceof CelErr) return b;
        if (typeof a !== 'boolean' || typeof b !== 'boolean') return new CelErr('no such overload');
        return !short;
      }
      case '_?_:_': {
        const [c, a, b] = args;
        if (!c || !a || !b) return new CelErr('no such overload');
        const cond = this.eval(c, scope);
        if (cond instanceof CelErr) return cond;
        if (typeof cond !== 'boolean') return new CelErr('no such overload');
        return this.eval(cond ? a : b, scope);
      }
      case '@not_strictly_false': {
        const v = args[0] ? this.eval(args[0], scope) : false;
        return v !== false;
      }
      case '_[_]': {
        const [a, b] = args;
        if (!a || !b) return new CelErr('no such overload');
        const container = this.eval(a, scope);
        if (container instanceof CelErr) return container;
        const key = this.eval(b, scope);
        if (key instanceof CelErr) return key;
        return index(container, key);
      }
    }
    if (call.target) {
      const q = qualifiedName(call.target);
      if (q !== undefined && this.lookup(scope, rootIdent(q)) === undefined) {
        if (q === 'cel' && name === 'bind') return this.bind(call, scope);
        const full = q + '.' + name;
        if (hasFunction(full)) return this.dispatch(full, false, call.args, scope);
      }
    }
    const all = call.target ? [call.target, ...args] : args;
    return this.dispatch(name, call.target !== undefined, all, scope);
  }

  private bind(call: CallExpr, scope: Scope | undefined): Val {
    const [v, init, body] = call.args;
    if (!v || !init || !body || v.exprKind.case !== 'identExpr') return new CelErr('invalid cel.bind');
    const value = this.eval(init, scope);
    return this.eval(body, { name: v.exprKind.value.name, value, parent: scope });
  }

  private dispatch(name: string, member: boolean, argExprs: Expr[], scope: Scope | undefined): Val {
    const vals: Val[] = [];
    for (const a of argExprs) {
      const v = this.eval(a, scope);
      if (v instanceof CelErr) return v;
      vals.push(v);
    }
    for (const o of overloads(name)) {
      if (o.member !== member || o.params.length !== vals.length) continue;
      if (!o.params.every((p, i) => deepMatches(p, vals[i] as Val))) continue;
      const r = o.impl(vals, this);
      return r;
    }
    return new CelErr('no such overload');
  }
}

/** Dispatch check that also looks at the first element of typed lists (list(int) vs list(double)). */
function deepMatches(p: Parameters<typeof valueMatches>[0], v: Val): boolean {
  if (!valueMatches(p, v)) return false;
  if (
    p.kind === 'list' &&
    v instanceof ListValue &&
    v.size > 0 &&
    p.elem.kind !== 'param' &&
    p.elem.kind !== 'dyn'
  ) {
    return valueMatches(p.elem, v.get(0));
  }
  return true;
}

function formatKey(k: Val): string {
  if (typeof k === 'string') return k;
  if (typeof k === 'bigint') return k.toString();
  if (k instanceof CelUint) return k.v.toString();
  if (typeof k === 'number') return String(k);
  if (typeof k === 'boolean') return k ? 'true' : 'false';
  return k === null ? '<nil>' : k.constructor.name;
}

function index(container: Val, key: Val): Val {
  if (container instanceof ListValue) {
    let i: number;
    if (typeof key === 'bigint') i = Number(key);
    else if (key instanceof CelUint) i = Number(key.v);
    else if (typeof key === 'number' && Number.isInteger(key)) i = key;
    else
      return new CelErr(`unsupported index type '${typeof key === 'number' ? 'double' : 'other'}' in list`);
    if (i < 0 || i >= container.size) return new CelErr(`index out of bounds: ${i}`);
    return container.get(i);
  }
  if (container instanceof MapValue) {
    const v = container.get(key);
    return v === undefined ? new CelErr(`no such key: ${formatKey(key)}`) : v;
  }
  return new CelErr('no such overload');
}
