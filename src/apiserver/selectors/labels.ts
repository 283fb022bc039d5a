// Label selectors in the string syntax of apimachinery's labels.Parse: =, ==, !=, in, notin,
// exists, !exists, and the numeric > and <. Parsing errors surface as 400 answers.
import { isQualifiedName, isValidLabelValue } from '../validation/names.js';

export type Operator = 'in' | 'notin' | 'exists' | '!' | '=' | '==' | '!=' | 'gt' | 'lt';

export interface Requirement {
  key: string;
  op: Operator;
  values: string[];
}

export interface LabelSelector {
  requirements: Requirement[];
  matches(labels: Record<string, string> | undefined): boolean;
  empty: boolean;
}

export class SelectorParseError extends Error {}

type Tok =
  | { t: 'id'; v: string }
  | { t: 'in' | 'notin' | '(' | ')' | ',' | '!' | '=' | '==' | '!=' | '>' | '<' | 'eos' };

const SPECIAL = new Set(['=', '!', '(', ')', ',', '>', '<']);

function lex(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i] as string;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '=' && s[i + 1] === '=') {
      out.push({ t: '==' });
      i += 2;
    } else if (c === '!' && s[i + 1] === '=') {
      out.push({ t: '!=' });
      i += 2;
    } else if (SPECIAL.has(c)) {
      out.push({ t: c as '=' | '!' | '(' | ')' | ',' | '>' | '<' });
      i++;
    } else {
      let j = i;
      while (j < s.length && !SPECIAL.has(s[j] as string) && !/\s/.test(s[j] as string)) j++;
      const word = s.slice(i, j);
      if (word === 'in' || word === 'notin') out.push({ t: word });
      else out.push({ t: 'id', v: word });
      i = j;
    }
  }
  out.push({ t: 'eos' });
  return out;
}

const show = (t: Tok): string => (t.t === 'id' ? t.v : t.t === 'eos' ? '' : t.t);

function validateRequirement(r: Requirement): void {
  const keyErrs = isQualifiedName(r.key);
  if (keyErrs.length)
    throw new SelectorParseError(
      `unable to parse requirement: key: Invalid value: "${r.key}": ${keyErrs.join('; ')}`,
    );
  if ((r.op === 'in' || r.op === 'notin') && r.values.length === 0)
    throw new SelectorParseError(
      `unable to parse requirement: values: Required value: for 'in', 'notin' operators, values set can't be empty`,
    );
  if ((r.op === '=' || r.op === '==' || r.op === '!=') && r.values.length !== 1)
    throw new SelectorParseError(
      `unable to parse requirement: values: Invalid value: exact-match compatibility requires one single value`,
    );
  if (r.op === 'gt' || r.op === 'lt') {
    if (r.values.length !== 1 || !/^-?\d+$/.test(r.values[0] ?? ''))
      throw new SelectorParseError(
        `unable to parse requirement: values[0]: Invalid value: "${r.values[0] ?? ''}": for 'Gt', 'Lt' operators, the value must be an integer`,
      );
    return;
  }
  r.values.forEach((v, i) => {
    const errs = isValidLabelValue(v);
    if (errs.length)
      throw new SelectorParseError(
        `unable to parse requirement: values[${i}][${r.key}]: Invalid value: "${v}": ${errs.join('; ')}`,
      );
  });
}

export function parseLabelSelector(input: string): LabelSelector {
  const toks = lex(input);
  let p = 0;
  const peek = (): Tok => toks[p] as Tok;
  const next = (): Tok => toks[p++] as Tok;
  const reqs: Requirement[] = [];
  // In value position the keywords are plain words, as in Go's Values lexer mode.
  const asId = (t: Tok): string | undefined =>
    t.t === 'id' ? t.v : t.t === 'in' || t.t === 'notin' ? t.t : undefined;
  const parseValues = (): string[] => {
    const open = next();
    if (open.t !== '(') throw new SelectorParseError(`found '${show(open)}' expected: '('`);
    const first = peek();
    if (first.t === ')') {
      next();
      return [''];
    }
    if (asId(first) === undefined && first.t !== ',')
      throw new SelectorParseError(`found '${show(first)}', expected: ',', ')' or identifier`);
    const set = new Set<string>();
    for (;;) {
      const t = next();
      const id = asId(t);
      if (id !== undefined) {
        set.add(id);
        const t2 = peek();
        if (t2.t === ',') {
          next();
          if (peek().t === ')') set.add('');
          continue;
        }
        if (t2.t === ')') break;
        throw new SelectorParseError(`found '${show(t2)}', expected: ',' or ')'`);
      } else if (t.t === ',') {
        if (set.size === 0) set.add('');
        const t2 = peek();
        if (t2.t === ')') {
          set.add('');
          break;
        }
        if (t2.t === ',') {
          next();
          set.add('');
        }
      } else if (t.t === ')') {
        p--;
        break;
      } else throw new SelectorParseError(`found '${show(t)}', expected: ',', or identifier`);
    }
    const close = next();
    if (close.t !== ')') throw new SelectorParseError(`found '${show(close)}', expected: ')'`);
    return [...set].sort();
  };
  if (peek().t !== 'eos') {
    for (;;) {
      let t = next();
      let negate = false;
      if (t.t === '!') {
        negate = true;
        t = next();
      }
      if (t.t !== 'id')
        throw new SelectorParseError(`found '${show(t)}', expected: !, identifier, or 'end of string'`);
      const key = t.v;
      if (negate) {
        const after = peek();
        if (after.t !== ',' && after.t !== 'eos')
          throw new SelectorParseError(`found '${show(after)}', expected: ',' or 'end of string'`);
        reqs.push({ key, op: '!', values: [] });
      } else {
        const op = peek();
        if (op.t === ',' || op.t === 'eos') {
          reqs.push({ key, op: 'exists', values: [] });
        } else if (op.t === 'in' || op.t === 'notin') {
          next();
          const values = parseValues();
          reqs.push({ key, op: op.t, values });
        } else if (op.t === '=' || op.t === '==' || op.t === '!=' || op.t === '>' || op.t === '<') {
          next();
          const v = peek();
          let value = '';
          const id = asId(v);
          if (id !== undefined) {
            value = id;
            next();
          } else if (v.t !== ',' && v.t !== 'eos') {
            throw new SelectorParseError(`found '${show(v)}', expected: identifier`);
          }
          const mapped: Operator = op.t === '>' ? 'gt' : op.t === '<' ? 'lt' : op.t;
          reqs.push({ key, op: mapped, values: [value] });
        } else {
          throw new SelectorParseError(`found '${show(op)}', expected: in, notin, =, ==, !=, gt, lt`);
        }
      }
      const sep = next();
      if (sep.t === 'eos') break;
      if (sep.t !== ',')
        throw new SelectorParseError(`found '${show(sep)}', expected: ',' or 'end of string'`);
    }
  }
  for (const r of reqs) validateRequirement(r);
  return makeSelector(reqs);
}

function makeSelector(requirements: Requirement[]): LabelSelector {
  return {
    requirements,
    empty: requirements.length === 0,
    matches(labels) {
      const l = labels ?? {};
      return requirements.every((r) => matchOne(r, l));
    },
  };
}

function matchOne(r: Requirement, l: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(l, r.key);
  const v = l[r.key];
  switch (r.op) {
    case 'exists':
      return has;
    case '!':
      return !has;
    case '=':
    case '==':
    case 'in':
      return has && r.values.includes(v ?? '');
    case '!=':
    case 'notin':
      return !has || !r.values.includes(v ?? '');
    case 'gt':
    case 'lt': {
      if (!has || !/^-?\d+$/.test(v ?? '')) return false;
      const n = Number(v);
      const bound = Number(r.values[0]);
      return r.op === 'gt' ? n > bound : n < bound;
    }
  }
}

export const everything: LabelSelector = makeSelector([]);
