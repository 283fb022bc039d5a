// AST access for expressions parsed by @bufbuild/cel. Only the parser is used from that package; the
// checker and evaluator here walk its protobuf AST.
import { parse } from '@bufbuild/cel';

export type ParsedExpr = ReturnType<typeof parse>;
export type Expr = ParsedExpr['expr'];
export type Constant = Extract<Expr['exprKind'], { case: 'constExpr' }>['value'];
export type CallExpr = Extract<Expr['exprKind'], { case: 'callExpr' }>['value'];
export type SelectExpr = Extract<Expr['exprKind'], { case: 'selectExpr' }>['value'];
export type Comprehension = Extract<Expr['exprKind'], { case: 'comprehensionExpr' }>['value'];
export type StructExpr = Extract<Expr['exprKind'], { case: 'structExpr' }>['value'];
export type ListExpr = Extract<Expr['exprKind'], { case: 'listExpr' }>['value'];

/** cel-go's default parser recursion limit. */
export const MAX_AST_DEPTH = 250;
/** cel-go's default expression size limit, in code points. */
export const MAX_EXPRESSION_CODE_POINTS = 100_000;

export interface ParseResult {
  parsed?: ParsedExpr;
  error?: { message: string; offset: number };
}

export function parseExpression(src: string): ParseResult {
  const cps = Array.from(src).length;
  if (cps > MAX_EXPRESSION_CODE_POINTS) {
    return {
      error: {
        message: `expression code point size exceeds limit: size: ${cps}, limit ${MAX_EXPRESSION_CODE_POINTS}`,
        offset: -1,
      },
    };
  }
  try {
    const parsed = parse(src);
    if (astDepth(parsed.expr) > MAX_AST_DEPTH) {
      return { error: { message: `expression recursion limit exceeded: ${MAX_AST_DEPTH}`, offset: -1 } };
    }
    return { parsed };
  } catch (e) {
    if (e instanceof RangeError) {
      return { error: { message: `expression recursion limit exceeded: ${MAX_AST_DEPTH}`, offset: -1 } };
    }
    const msg = e instanceof Error ? e.message : String(e);
    // The parser prefixes "<input>:line:col: "; convert it back to an offset for cel-go style output.
    const m = /^<input>:(\d+):(\d+): (.*)$/s.exec(msg);
    if (m) {
      return {
        error: {
          message: 'Syntax error: ' + (m[3] ?? ''),
          offset: lineColToOffset(src, Number(m[1]), Number(m[2])),
        },
      };
    }
    return { error: { message: 'Syntax error: ' + msg, offset: -1 } };
  }
}

function lineColToOffset(src: string, line: number, col: number): number {
  const lines = src.split('\n');
  let off = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) off += (lines[i] ?? '').length + 1;
  return off + Math.max(0, col - 1);
}

/** Iterative depth measurement (the AST may be deep before our own recursion limits apply). */
export function astDepth(root: Expr): number {
  let max = 0;
  const stack: Array<[Expr, number]> = [[root, 1]];
  while (stack.length > 0) {
    const [e, d] = stack.pop() as [Expr, number];
    if (d > max) max = d;
    if (max > MAX_AST_DEPTH) return max;
    for (const c of children(e)) stack.push([c, d + 1]);
  }
  return max;
}

export function children(e: Expr): Expr[] {
  const k = e.exprKind;
  switch (k.case) {
    case 'selectExpr':
      return k.value.operand ? [k.value.operand] : [];
    case 'callExpr':
      return [...(k.value.target ? [k.value.target] : []), ...k.value.args];
    case 'listExpr':
      return [...k.value.elements];
    case 'structExpr': {
      const out: Expr[] = [];
      for (const en of k.value.entries) {
        if (en.keyKind.case === 'mapKey') out.push(en.keyKind.value);
        if (en.value) out.push(en.value);
      }
      return out;
    }
    case 'comprehensionExpr': {
      const c = k.value;
      return [c.iterRange, c.accuInit, c.loopCondition, c.loopStep, c.result].filter(
        (x): x is Expr => x !== undefined,
      );
    }
    default:
      return [];
  }
}

/** The dotted name an expression spells (a.b.c), used to resolve namespaced functions. */
export function qualifiedName(e: Expr): string | undefined {
  if (e.exprKind.case === 'identExpr') return e.exprKind.value.name;
  if (e.exprKind.case === 'selectExpr' && !e.exprKind.value.testOnly && e.exprKind.value.operand) {
    const head = qualifiedName(e.exprKind.value.operand);
    return head === undefined ? undefined : head + '.' + e.exprKind.value.field;
  }
  return undefined;
}

export function rootIdent(name: string): string {
  const i = name.indexOf('.');
  return i < 0 ? name : name.slice(0, i);
}

export function position(parsed: ParsedExpr, id: bigint): number {
  const p = parsed.sourceInfo?.positions[id.toString()];
  return typeof p === 'number' ? p : -1;
}

/** cel-go's issue rendering: "ERROR: <input>:L:C: msg" plus the source line and a caret. */
export function formatIssue(src: string, offset: number, message: string): string {
  if (offset < 0) return `ERROR: <input>:-1:0: ${message}`;
  const before = src.slice(0, offset);
  const line = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  const col = Array.from(src.slice(lineStart, offset)).length;
  const lineEnd = src.indexOf('\n', offset);
  const snippet = src.slice(lineStart, lineEnd < 0 ? undefined : lineEnd).replace(/\t/g, ' ');
  return `ERROR: <input>:${line}:${col + 1}: ${message}\n | ${snippet}\n | ${'.'.repeat(col)}^`;
}
