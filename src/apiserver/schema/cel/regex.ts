// Regular expressions with RE2 semantics. Matching goes through @bufbuild/cel's `matches`, which uses a
// linear-time RE2 engine (no catastrophic backtracking on hostile input). Match extraction for the
// Kubernetes find()/findAll() functions has no RE2 API there, so it uses a translated JS RegExp; see
// the README deviations (those two functions can backtrack).
import { celEnv, CelScalar, isCelError, parse, plan } from '@bufbuild/cel';

const env = celEnv({ variables: { s: CelScalar.STRING, p: CelScalar.STRING } });
let matchProgram: ((ctx: { s: string; p: string }) => unknown) | undefined;

function program(): (ctx: { s: string; p: string }) => unknown {
  matchProgram ??= plan(env, parse('s.matches(p)'));
  return matchProgram;
}

/** RE2 partial match (like Go's regexp.MatchString). Returns an error text for an invalid pattern. */
export function re2Match(pattern: string, s: string): boolean | { error: string } {
  try {
    const r = program()({ s, p: pattern });
    if (isCelError(r)) return { error: goRegexpError(r.message) };
    return r === true;
  } catch (e) {
    return { error: goRegexpError(e instanceof Error ? e.message : String(e)) };
  }
}

/** Validates RE2 syntax; undefined when the pattern compiles. */
export function re2Check(pattern: string): string | undefined {
  const r = re2Match(pattern, '');
  return typeof r === 'object' ? r.error : undefined;
}

function goRegexpError(msg: string): string {
  // RE2JS reports Go-style texts ("error parsing regexp: ..."); keep them, add the prefix otherwise.
  const m = /error parsing regexp:.*/.exec(msg);
  return m ? m[0] : 'error parsing regexp: ' + msg;
}

const POSIX: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-/:-@[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

/** Translates RE2 syntax to a JS RegExp (unicode mode); undefined when a construct has no equivalent. */
export function toJsRegExp(pattern: string, global: boolean): RegExp | undefined {
  let flags = 'u' + (global ? 'g' : '');
  let src = pattern;
  const lead = /^\(\?([imsU]+)\)/.exec(src);
  if (lead) {
    const f = lead[1] ?? '';
    if (f.includes('U')) return undefined;
    if (f.includes('i')) flags += 'i';
    if (f.includes('m')) flags += 'm';
    if (f.includes('s')) flags += 's';
    src = src.slice(lead[0].length);
  }
  if (/\(\?[imsU-]/.test(src) || src.includes('\\C') || src.includes('\\Q')) return undefined;
  src = src
    .replace(/\(\?P</g, '(?<')
    .replace(/\\A/g, '^')
    .replace(/\\z/g, '$(?![\\s\\S])')
    .replace(/\[:(\^?)([a-z]+):\]/g, (_m, neg: string, name: string) => {
      const cls = POSIX[name];
      return cls === undefined || neg !== '' ? '\u0000' : cls;
    });
  if (src.includes('\u0000')) return undefined;
  try {
    return new RegExp(src, flags);
  } catch {
    return undefined;
  }
}
