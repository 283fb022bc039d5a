// Compiles one x-kubernetes-validations rule for the schema node it sits on: parse, type-check against
// the node's CEL type (self, and oldSelf for transition rules), require a bool result, compile the
// messageExpression, and normalise fieldPath. Failures become the detail strings the real server puts
// in its 422 causes.
import { Path } from '../field.js';
import type { CompiledRule, SchemaNode, ValidationRuleSpec } from '../node.js';

export type { CompiledRule };
import { formatIssue, parseExpression, type Expr } from './ast.js';
import { Checker } from './checker.js';
import { schemaType, T, type CelType } from './types.js';

function compileExpr(
  src: string,
  vars: Map<string, CelType>,
  prefix: string,
): { expr?: Expr; type?: CelType; usesOldSelf: boolean; error?: string } {
  const p = parseExpression(src);
  if (!p.parsed) {
    const err = p.error ?? { message: 'Syntax error', offset: -1 };
    return { usesOldSelf: false, error: prefix + formatIssue(src, err.offset, err.message) };
  }
  const checker = new Checker(p.parsed, src, vars);
  const type = checker.run();
  if (checker.issues.length > 0) {
    const text = [...checker.issues]
      .sort((a, b) => a.offset - b.offset)
      .map((i) => formatIssue(src, i.offset, i.message))
      .join('\n');
    return { usesOldSelf: checker.usesOldSelf, error: prefix + text };
  }
  return { expr: p.parsed.expr, type, usesOldSelf: checker.usesOldSelf };
}

/** The CEL type of `self` for a node, or an error text when rules cannot be declared there. */
export function selfType(node: SchemaNode, resourceRoot: boolean): CelType | string {
  const t = schemaType(node, resourceRoot);
  if (t === undefined) {
    return `rule declared on schema that does not support validation rules type: '${node.type}' x-kubernetes-preserve-unknown-fields: '${node.preserveUnknownFields === true ? 'true' : 'false'}'`;
  }
  return t;
}

export function compileRule(spec: ValidationRuleSpec, node: SchemaNode, resourceRoot: boolean): CompiledRule {
  const out: CompiledRule = {
    spec,
    expr: undefined,
    messageExpr: undefined,
    usesOldSelf: false,
    fieldPath: undefined,
    ruleError: undefined,
    messageExpressionError: undefined,
  };
  if (spec.rule.trim() === '') return out;
  const self = selfType(node, resourceRoot);
  if (typeof self === 'string') {
    out.ruleError = self;
    return out;
  }
  const vars = new Map<string, CelType>([
    ['self', self],
    ['oldSelf', spec.optionalOldSelf === true ? T.optional(self) : self],
  ]);
  const r = compileExpr(spec.rule, vars, 'compilation failed: ');
  out.usesOldSelf = r.usesOldSelf;
  if (r.error !== undefined) out.ruleError = r.error;
  else if (r.type?.kind !== 'bool') out.ruleError = 'cel expression must evaluate to a bool';
  else out.expr = r.expr;

  if (spec.messageExpression.trim() !== '') {
    const m = compileExpr(spec.messageExpression, vars, 'messageExpression compilation failed: ');
    if (m.error !== undefined) out.messageExpressionError = m.error;
    else if (m.type?.kind !== 'string') out.messageExpressionError = 'must evaluate to a string';
    else out.messageExpr = m.expr;
  }
  if (spec.fieldPath.trim() !== '') out.fieldPath = validFieldPath(spec.fieldPath, node)?.toString();
  return out;
}

/**
 * ValidFieldPath: a JSON path of `.name` and `['name']` steps through properties (named) or
 * additionalProperties (keys). Returns undefined for paths that do not fit the schema.
 */
export function validFieldPath(jsonPath: string, root: SchemaNode): Path | undefined {
  const tokens: string[] = [];
  for (let i = 0; i < jsonPath.length;) {
    const ch = jsonPath[i] ?? '';
    if (ch === '.' || ch === '[' || ch === ']') {
      tokens.push(ch);
      i++;
      continue;
    }
    if (ch === "'") {
      let j = i + 1;
      while (j < jsonPath.length && !(jsonPath[j] === "'" && jsonPath[j - 1] !== '\\')) j++;
      if (j >= jsonPath.length) return undefined;
      tokens.push(jsonPath.slice(i, j + 1));
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < jsonPath.length && !'.[]'.includes(jsonPath[j] ?? '')) j++;
    tokens.push(jsonPath.slice(i, j));
    i = j;
  }
  let path: Path | undefined;
  let node: SchemaNode | undefined = root;
  const step = (name: string): boolean => {
    if (!node) return false;
    if (node.properties !== undefined) {
      const sub = node.properties.get(name);
      if (!sub) return false;
      path = path ? path.child(name) : Path.of(name);
      node = sub;
      return true;
    }
    if (node.additionalProperties?.schema) {
      path = (path ?? Path.root()).key(name);
      node = node.additionalProperties.schema;
      return true;
    }
    return false;
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] ?? '';
    if (t === '.') {
      const name = tokens[++i];
      if (name === undefined || !step(name)) return undefined;
    } else if (t === '[') {
      const q = tokens[++i] ?? '';
      if (q.length < 2 || !q.startsWith("'") || !q.endsWith("'")) return undefined;
      const unescaped = unescapeSingleQuote(q.slice(1, -1));
      if (unescaped === undefined || !step(unescaped)) return undefined;
      if (tokens[++i] !== ']') return undefined;
    } else {
      return undefined;
    }
  }
  return path;
}

function unescapeSingleQuote(s: string): string | undefined {
  let ok = true;
  const out = s.replace(/\\./g, (m) => {
    switch (m[1]) {
      case 'a':
        return '\x07';
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case 'v':
        return '\v';
      case "'":
        return "'";
      case '\\':
        return '\\';
      default:
        ok = false;
        return '';
    }
  });
  return ok ? out : undefined;
}
