// Field selectors (fields.ParseSelector): `key=value`, `key==value`, `key!=value`, comma
// separated, with `\` escapes. Which keys a resource supports is the registry's business.

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

export class FieldSelectorError extends Error {}

export interface FieldSelector {
  requirements: FieldRequirement[];
  empty: boolean;
  matches(fields: Record<string, string>): boolean;
}

function splitTerms(s: string): string[] {
  const terms: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '\\' && i + 1 < s.length) {
      cur += c + (s[i + 1] as string);
      i++;
    } else if (c === ',') {
      terms.push(cur);
      cur = '';
    } else cur += c;
  }
  terms.push(cur);
  return terms;
}

function unescape(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '\\') {
      const n = s[i + 1];
      if (n === undefined || !['\\', ',', '=', '!'].includes(n))
        throw new FieldSelectorError(`invalid field selector: invalid escape sequence: \\${n ?? ''}`);
      out += n;
      i++;
    } else if (c === ',' || c === '=') {
      throw new FieldSelectorError(`invalid field selector: unescaped ${c}`);
    } else out += c;
  }
  return out;
}

/** Finds the first unescaped operator in a term. */
function splitTerm(term: string): [string, '=' | '==' | '!=', string] | undefined {
  for (let i = 0; i < term.length; i++) {
    const c = term[i];
    if (c === '\\') {
      i++;
      continue;
    }
    for (const op of ['!=', '==', '='] as const) {
      if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)];
    }
  }
  return undefined;
}

export function parseFieldSelector(input: string): FieldSelector {
  const reqs: FieldRequirement[] = [];
  if (input.length > 0) {
    for (const term of splitTerms(input)) {
      if (term === '') continue;
      const parts = splitTerm(term);
      if (!parts) throw new FieldSelectorError(`invalid selector: '${input}'; can't understand '${term}'`);
      const [lhs, op, rhs] = parts;
      reqs.push({ field: lhs, op: op === '!=' ? '!=' : '=', value: unescape(rhs) });
    }
  }
  return {
    requirements: reqs,
    empty: reqs.length === 0,
    matches(fields) {
      return reqs.every((r) => {
        const v = fields[r.field];
        return r.op === '=' ? v === r.value : v !== r.value;
      });
    },
  };
}
