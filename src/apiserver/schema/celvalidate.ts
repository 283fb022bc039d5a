// Runs compiled x-kubernetes-validations rules over an object, node by node, with `self` bound to the
// value at that node (and `oldSelf` to the correlated old value on updates). Mirrors apiextensions'
// cel.Validator in Kubernetes 1.24 (causes carry the node's value) plus the later messageExpression,
// reason, fieldPath and optionalOldSelf features.
import { CostLimitExceeded, Interpreter } from './cel/interp.js';
import type { CompiledRule } from './cel/compile.js';
import { CelErr, fromData, Optional, type Val } from './cel/values.js';
import { duplicate, forbidden, invalid, required, type FieldCause, Path } from './field.js';
import { hasOwn, isObject, sortedKeys, deepEqual } from './json.js';
import type { SchemaNode } from './node.js';

/** Per-rule cost limit (Kubernetes' PerCallLimit). */
export const PER_CALL_COST_LIMIT = 1_000_000;
/** Cost budget for all rules of one object (Kubernetes' RuntimeCELCostBudget). */
export const RUNTIME_COST_BUDGET = 10_000_000;
/** Wall-clock guard for all rules of one object; exceeding it counts as hitting the cost limit. */
export const CEL_TIME_LIMIT_MS = 3_000;
/** Longest messageExpression result accepted (Kubernetes' MaxEvaluatedMessageExpressionSizeBytes). */
const MAX_MESSAGE_EXPRESSION_BYTES = 5 * 1024;

const hasRulesCache = new WeakMap<SchemaNode, boolean>();

function hasRules(n: SchemaNode | undefined, depth = 0): boolean {
  if (!n || depth > 300) return false;
  const cached = hasRulesCache.get(n);
  if (cached !== undefined) return cached;
  let r = n.rules.length > 0;
  if (!r) r = hasRules(n.items, depth + 1);
  if (!r) r = hasRules(n.additionalProperties?.schema, depth + 1);
  if (!r) for (const p of n.properties?.values() ?? []) if (hasRules(p, depth + 1)) r = true;
  hasRulesCache.set(n, r);
  return r;
}

interface State {
  remaining: number;
  stopped: boolean;
  deadline: number;
  errs: FieldCause[];
}

function ruleErrorString(r: CompiledRule): string {
  return r.spec.message.trim().length > 0 ? r.spec.message.trim() : r.spec.rule.trim();
}

function ruleMessageOrDefault(r: CompiledRule): string {
  return r.spec.message.trim().length > 0 ? r.spec.message.trim() : `failed rule: ${ruleErrorString(r)}`;
}

function errorForReason(p: Path, value: unknown, detail: string, reason: string | undefined): FieldCause {
  switch (reason) {
    case 'FieldValueForbidden':
      return forbidden(p, detail);
    case 'FieldValueRequired':
      return required(p, detail);
    case 'FieldValueDuplicate':
      return duplicate(p, value);
    default:
      return invalid(p, value, detail);
  }
}

function run(
  state: State,
  expr: NonNullable<CompiledRule['expr']>,
  vars: Record<string, Val>,
): { value?: Val; cost: number; limited: boolean } {
  const interp = new Interpreter(PER_CALL_COST_LIMIT, state.deadline);
  try {
    const value = interp.evaluate(expr, vars);
    return { value, cost: interp.cost, limited: false };
  } catch (e) {
    if (e instanceof CostLimitExceeded) return { cost: interp.cost, limited: true };
    return { value: new CelErr('internal error'), cost: interp.cost, limited: false };
  }
}

function evalNode(
  state: State,
  node: SchemaNode,
  p: Path,
  obj: unknown,
  old: unknown,
  resourceRoot: boolean,
): void {
  if (state.remaining <= 0) {
    state.errs.push(
      invalid(
        p,
        obj,
        'validation failed due to running out of cost budget, no further validation rules will be run',
      ),
    );
    state.stopped = true;
    return;
  }
  let self: Val | undefined;
  for (const rule of node.rules) {
    if (state.stopped) return;
    if (!rule.expr) continue;
    const optional = rule.spec.optionalOldSelf === true;
    if (rule.usesOldSelf && old === undefined && !optional) continue;
    self ??= fromData(obj, node, resourceRoot);
    const vars: Record<string, Val> = { self };
    if (rule.usesOldSelf || optional) {
      const oldVal = old === undefined ? undefined : fromData(old, node, resourceRoot);
      vars['oldSelf'] = optional ? new Optional(oldVal) : (oldVal ?? null);
    }
    const r = run(state, rule.expr, vars);
    if (r.limited) {
      state.errs.push(
        invalid(
          p,
          obj,
          `'operation cancelled: actual cost limit exceeded': no further validation rules will be run due to call cost exceeds limit for rule: ${ruleErrorString(rule)}`,
        ),
      );
      state.stopped = true;
      return;
    }
    if (r.cost > state.remaining) {
      state.errs.push(
        invalid(
          p,
          obj,
          'validation failed due to running out of cost budget, no further validation rules will be run',
        ),
      );
      state.stopped = true;
      return;
    }
    state.remaining -= r.cost;
    const v = r.value;
    if (v instanceof CelErr) {
      if (v.message.startsWith('no such overload')) {
        state.errs.push(
          invalid(
            p,
            obj,
            `'${v.message}': call arguments did not match a supported operator, function or macro signature for rule: ${ruleErrorString(rule)}`,
          ),
        );
      } else {
        state.errs.push(invalid(p, obj, `${v.message} evaluating rule: ${ruleErrorString(rule)}`));
      }
      continue;
    }
    if (v === true) continue;
    const target = rule.fieldPath !== undefined ? p.child(rule.fieldPath) : p;
    let detail: string | undefined;
    if (rule.messageExpr) {
      const m = run(state, rule.messageExpr, vars);
      if (m.limited) {
        state.errs.push(
          invalid(
            target,
            obj,
            `no further validation rules will be run due to call cost exceeds limit for messageExpression: ${JSON.stringify(rule.spec.messageExpression)}`,
          ),
        );
        state.stopped = true;
        return;
      }
      if (m.cost > state.remaining) {
        state.errs.push(
          invalid(
            target,
            obj,
            'messageExpression evaluation failed due to running out of cost budget, no further validation rules will be run',
          ),
        );
        state.stopped = true;
        return;
      }
      state.remaining -= m.cost;
      if (typeof m.value === 'string') {
        const trimmed = m.value.trim();
        // Over-long, multi-line or empty messages fall back to the static message, as in Kubernetes.
        if (
          trimmed.length > 0 &&
          Buffer.byteLength(trimmed) <= MAX_MESSAGE_EXPRESSION_BYTES &&
          !/\n/.test(trimmed)
        ) {
          detail = trimmed;
        }
      }
    }
    state.errs.push(errorForReason(target, obj, detail ?? ruleMessageOrDefault(rule), rule.spec.reason));
  }
}

function mapListItem(old: unknown, item: unknown, keys: readonly string[]): unknown {
  if (!Array.isArray(old) || !isObject(item)) return undefined;
  for (const o of old) {
    if (!isObject(o)) continue;
    if (keys.every((k) => hasOwn(o, k) === hasOwn(item, k) && deepEqual(o[k], item[k]))) return o;
  }
  return undefined;
}

function walk(
  state: State,
  node: SchemaNode,
  p: Path,
  obj: unknown,
  old: unknown,
  resourceRoot: boolean,
  depth: number,
): void {
  if (state.stopped || obj === null || obj === undefined || depth > 300 || !hasRules(node)) return;
  if (old === null) old = undefined;
  if (node.rules.length > 0) evalNode(state, node, p, obj, old, resourceRoot);
  if (Array.isArray(obj)) {
    const items = node.items;
    if (!items || !hasRules(items)) return;
    obj.forEach((x, i) => {
      const oldItem = node.listType === 'map' ? mapListItem(old, x, node.listMapKeys) : undefined;
      walk(state, items, p.index(i), x, oldItem, items.embeddedResource, depth + 1);
    });
    return;
  }
  if (!isObject(obj)) return;
  const oldMap = isObject(old) && node.mapType !== 'atomic' ? old : undefined;
  const ap = node.additionalProperties?.schema;
  if (ap && hasRules(ap)) {
    for (const k of sortedKeys(obj)) {
      const oldV = oldMap && hasOwn(oldMap, k) ? oldMap[k] : undefined;
      walk(state, ap, p.key(k), obj[k], oldV, ap.embeddedResource, depth + 1);
    }
  }
  if (node.properties) {
    for (const k of sortedKeys(obj)) {
      const sub = node.properties.get(k);
      if (!sub) continue;
      const oldV = oldMap && hasOwn(oldMap, k) ? oldMap[k] : undefined;
      walk(state, sub, p.child(k), obj[k], oldV, sub.embeddedResource, depth + 1);
    }
  }
}

export function validateRules(root: SchemaNode, obj: unknown, old: unknown): FieldCause[] {
  const state: State = {
    remaining: RUNTIME_COST_BUDGET,
    stopped: false,
    deadline: Date.now() + CEL_TIME_LIMIT_MS,
    errs: [],
  };
  walk(state, root, Path.root(), obj, old, true, 0);
  return state.errs;
}
