// Pure matcher for metav1.LabelSelector (matchLabels + matchExpressions), shared by the controller
// (pool serviceAllocation) and the agent (L2Advertisement node selectors). Selectors are compiled
// once; problems come back as values with a field path, never as exceptions.
import type { V1LabelSelector } from '@kubernetes/client-node';

export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface SelectorRequirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values: ReadonlySet<string>;
}

/** A validated selector. No requirements means "matches everything" (the empty selector `{}`). */
export interface CompiledSelector {
  readonly requirements: readonly SelectorRequirement[];
}

export type SelectorResult =
  | { readonly ok: true; readonly selector: CompiledSelector }
  | { readonly ok: false; readonly errors: readonly string[] };

export type Labels = Readonly<Record<string, string>>;

const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const OPERATORS: ReadonlySet<string> = new Set<SelectorOperator>(['In', 'NotIn', 'Exists', 'DoesNotExist']);

/** Why `key` is not a valid label key (`[prefix/]name`), or undefined when it is. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return `label key "${key}" has an invalid prefix (a lower-case DNS subdomain of at most 253 characters)`;
  }
  if (name.length === 0 || name.length > 63 || !NAME.test(name)) {
    return `label key "${key}" is invalid (at most 63 letters, digits, "-", "_" or ".", starting and ending alphanumeric)`;
  }
  return undefined;
}

/** Why `value` is not a valid label value, or undefined when it is (the empty value is valid). */
export function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63 || !NAME.test(value)) {
    return `label value "${value}" is invalid (at most 63 letters, digits, "-", "_" or ".", starting and ending alphanumeric)`;
  }
  return undefined;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Validates and compiles a selector. `path` prefixes error messages (e.g.
 * "spec.serviceAllocation.serviceSelectors[0]").
 */
export function compileLabelSelector(
  selector: V1LabelSelector | null | undefined,
  path = 'selector',
): SelectorResult {
  // Runtime checks below guard against JSON that does not follow the declared type.
  const raw: unknown = selector;
  if (!isRecord(raw)) return { ok: false, errors: [`${path} must be an object`] };
  const errors: string[] = [];
  const requirements: SelectorRequirement[] = [];

  const matchLabels = raw['matchLabels'];
  if (matchLabels !== undefined && matchLabels !== null) {
    if (!isRecord(matchLabels)) {
      errors.push(`${path}.matchLabels must be a map of label keys to values`);
    } else {
      for (const key of Object.keys(matchLabels).sort()) {
        const value = matchLabels[key];
        const keyProblem = labelKeyProblem(key);
        if (keyProblem) errors.push(`${path}.matchLabels: ${keyProblem}`);
        if (typeof value !== 'string') {
          errors.push(`${path}.matchLabels["${key}"] must be a string`);
          continue;
        }
        const valueProblem = labelValueProblem(value);
        if (valueProblem) errors.push(`${path}.matchLabels["${key}"]: ${valueProblem}`);
        requirements.push({ key, operator: 'In', values: new Set([value]) });
      }
    }
  }

  const expressions = raw['matchExpressions'];
  if (expressions !== undefined && expressions !== null) {
    if (!Array.isArray(expressions)) {
      errors.push(`${path}.matchExpressions must be a list`);
    } else {
      expressions.forEach((expr: unknown, i) => {
        const at = `${path}.matchExpressions[${i}]`;
        if (!isRecord(expr)) {
          errors.push(`${at} must be an object`);
          return;
        }
        const { key, operator, values } = expr;
        if (typeof key !== 'string') {
          errors.push(`${at}.key must be a string`);
          return;
        }
        const keyProblem = labelKeyProblem(key);
        if (keyProblem) errors.push(`${at}: ${keyProblem}`);
        if (typeof operator !== 'string' || !OPERATORS.has(operator)) {
          errors.push(
            `${at}.operator must be one of In, NotIn, Exists, DoesNotExist (got ${JSON.stringify(operator)})`,
          );
          return;
        }
        const op = operator as SelectorOperator;
        if (values !== undefined && values !== null && !Array.isArray(values)) {
          errors.push(`${at}.values must be a list`);
          return;
        }
        const list: unknown[] = Array.isArray(values) ? values : [];
        if ((op === 'In' || op === 'NotIn') && list.length === 0) {
          errors.push(`${at}.values must not be empty for operator ${op}`);
          return;
        }
        if ((op === 'Exists' || op === 'DoesNotExist') && list.length > 0) {
          errors.push(`${at}.values must be empty for operator ${op}`);
          return;
        }
        const set = new Set<string>();
        for (const v of list) {
          if (typeof v !== 'string') {
            errors.push(`${at}.values must hold strings`);
            continue;
          }
          const valueProblem = labelValueProblem(v);
          if (valueProblem) errors.push(`${at}: ${valueProblem}`);
          set.add(v);
        }
        requirements.push({ key, operator: op, values: set });
      });
    }
  }

  return errors.length > 0 ? { ok: false, errors } : { ok: true, selector: { requirements } };
}

/** Does the compiled selector match these labels? Missing labels count as an empty map. */
export function selectorMatches(selector: CompiledSelector, labels: Labels | undefined): boolean {
  for (const r of selector.requirements) {
    const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
    const value = has ? labels[r.key] : undefined;
    switch (r.operator) {
      case 'In':
        if (value === undefined || !r.values.has(value)) return false;
        break;
      case 'NotIn':
        // As in Kubernetes: a missing label satisfies NotIn.
        if (value !== undefined && r.values.has(value)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}

/** True when any of the selectors matches. An empty list matches nothing. */
export function anySelectorMatches(
  selectors: readonly CompiledSelector[],
  labels: Labels | undefined,
): boolean {
  return selectors.some((s) => selectorMatches(s, labels));
}

/** Human-readable form in kubectl's syntax, for messages: `app=web,tier in (a,b),!legacy`. */
export function formatSelector(selector: CompiledSelector): string {
  if (selector.requirements.length === 0) return '<everything>';
  return selector.requirements
    .map((r) => {
      const values = [...r.values].sort();
      switch (r.operator) {
        case 'In':
          return values.length === 1 ? `${r.key}=${values[0]}` : `${r.key} in (${values.join(',')})`;
        case 'NotIn':
          return `${r.key} notin (${values.join(',')})`;
        case 'Exists':
          return r.key;
        case 'DoesNotExist':
          return `!${r.key}`;
      }
    })
    .join(',');
}

export interface SelectorListResult {
  readonly selectors: readonly CompiledSelector[];
  readonly errors: readonly string[];
}

/** Compiles an optional list of selectors found at `path` (absent or null = empty list). */
export function compileSelectorList(value: unknown, path: string): SelectorListResult {
  if (value === undefined || value === null) return { selectors: [], errors: [] };
  if (!Array.isArray(value)) return { selectors: [], errors: [`${path} must be a list of label selectors`] };
  const selectors: CompiledSelector[] = [];
  const errors: string[] = [];
  value.forEach((item: unknown, i) => {
    const r = compileLabelSelector(item as V1LabelSelector, `${path}[${i}]`);
    if (r.ok) selectors.push(r.selector);
    else errors.push(...r.errors);
  });
  return { selectors, errors };
}
