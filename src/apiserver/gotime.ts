// Go's time.Parse for the two layouts Kubernetes uses on the wire, with Go's exact error texts:
// clients see them verbatim in 400 answers ("parsing time \"x\" as \"2006-...\": cannot parse ...").

export const RFC3339 = '2006-01-02T15:04:05Z07:00';
export const RFC3339Micro = '2006-01-02T15:04:05.000000Z07:00';

type Chunk = { lit: string } | { std: '2006' | '01' | '02' | '15' | '04' | '05' | '.000000' | 'Z07:00' };

const LAYOUTS: Record<string, Chunk[]> = {
  [RFC3339]: [
    { std: '2006' },
    { lit: '-' },
    { std: '01' },
    { lit: '-' },
    { std: '02' },
    { lit: 'T' },
    { std: '15' },
    { lit: ':' },
    { std: '04' },
    { lit: ':' },
    { std: '05' },
    { std: 'Z07:00' },
  ],
};
LAYOUTS[RFC3339Micro] = [...(LAYOUTS[RFC3339] ?? []).slice(0, 11), { std: '.000000' }, { std: 'Z07:00' }];

export class GoTimeError extends Error {}

/** Go's strconv.Quote for the ASCII texts that reach it here. */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

const isDigit = (s: string, i: number): boolean =>
  i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57;

/** Milliseconds since the epoch plus the sub-millisecond microseconds, in UTC. */
export interface ParsedTime {
  ms: number;
  micros: number;
}

export function parseGoTime(layout: typeof RFC3339 | typeof RFC3339Micro, value: string): ParsedTime {
  const chunks = LAYOUTS[layout] ?? [];
  const bad = (valueElem: string, layoutElem: string): GoTimeError =>
    new GoTimeError(
      `parsing time ${goQuote(value)} as ${goQuote(layout)}: cannot parse ${goQuote(valueElem)} as ${goQuote(layoutElem)}`,
    );
  const range = (what: string): GoTimeError =>
    new GoTimeError(`parsing time ${goQuote(value)}: ${what} out of range`);
  let rest = value;
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let nanos = 0;
  let offsetSec = 0;
  // getnum: one or two digits; `fixed` demands two.
  const getnum = (s: string, fixed: boolean): [number, string] | undefined => {
    if (!isDigit(s, 0)) return undefined;
    if (!isDigit(s, 1)) {
      if (fixed) return undefined;
      return [Number(s[0]), s.slice(1)];
    }
    return [Number(s.slice(0, 2)), s.slice(2)];
  };
  for (let ci = 0; ci < chunks.length; ci++) {
    const c = chunks[ci] as Chunk;
    if ('lit' in c) {
      if (!rest.startsWith(c.lit)) throw bad(rest, c.lit);
      rest = rest.slice(c.lit.length);
      continue;
    }
    const before = rest;
    switch (c.std) {
      case '2006': {
        if (rest.length < 4 || !isDigit(rest, 0) || !/^\d{4}/.test(rest)) throw bad(before, c.std);
        year = Number(rest.slice(0, 4));
        rest = rest.slice(4);
        break;
      }
      case '01':
      case '02':
      case '04':
      case '05':
      case '15': {
        const got = getnum(rest, c.std !== '15');
        if (!got) throw bad(before, c.std);
        const [n, r] = got;
        rest = r;
        if (c.std === '01') {
          if (n < 1 || n > 12) throw range('month');
          month = n;
        } else if (c.std === '02') day = n;
        else if (c.std === '15') {
          if (n >= 24) throw range('hour');
          hour = n;
        } else if (c.std === '04') {
          if (n >= 60) throw range('minute');
          minute = n;
        } else {
          if (n >= 60) throw range('second');
          second = n;
          // A fraction the layout does not name is still accepted after seconds.
          const next = chunks[ci + 1];
          const layoutHasFrac = next !== undefined && 'std' in next && next.std === '.000000';
          if (
            !layoutHasFrac &&
            rest.length >= 2 &&
            (rest[0] === '.' || rest[0] === ',') &&
            isDigit(rest, 1)
          ) {
            let n2 = 2;
            while (isDigit(rest, n2)) n2++;
            nanos = fracToNanos(rest.slice(1, n2));
            rest = rest.slice(n2);
          }
        }
        break;
      }
      case '.000000': {
        if (rest.length < 7) throw bad(before, c.std);
        if (rest[0] !== '.' && rest[0] !== ',') throw bad(before, c.std);
        const digits = rest.slice(1, 7);
        if (!/^\d{6}$/.test(digits)) throw bad(before, c.std);
        nanos = fracToNanos(digits);
        rest = rest.slice(7);
        break;
      }
      case 'Z07:00': {
        if (rest.startsWith('Z')) {
          rest = rest.slice(1);
          offsetSec = 0;
          break;
        }
        if (rest.length < 6 || rest[3] !== ':') throw bad(before, c.std);
        const sign = rest[0];
        const hh = getnum(rest.slice(1, 3), true);
        const mm = getnum(rest.slice(4, 6), true);
        if (!hh || !mm || hh[1] !== '' || mm[1] !== '' || (sign !== '+' && sign !== '-'))
          throw bad(before, c.std);
        if (hh[0] > 24) throw range('time zone offset hour');
        if (mm[0] > 60) throw range('time zone offset minute');
        offsetSec = (hh[0] * 3600 + mm[0] * 60) * (sign === '-' ? -1 : 1);
        rest = rest.slice(6);
        break;
      }
    }
  }
  if (rest.length > 0) throw new GoTimeError(`parsing time ${goQuote(value)}: extra text: ${goQuote(rest)}`);
  if (day < 1 || day > daysIn(month, year)) throw range('day');
  const ms = Date.UTC(year, month - 1, day, hour, minute, second) - offsetSec * 1000;
  // Date.UTC maps years 0-99 to 1900+; Kubernetes times never live there, but stay exact anyway.
  const fixedMs = year < 100 ? shiftYear(ms, year) : ms;
  return { ms: fixedMs + Math.floor(nanos / 1e6), micros: Math.floor((nanos % 1e6) / 1e3) };
}

function shiftYear(ms: number, year: number): number {
  const d = new Date(ms);
  d.setUTCFullYear(year);
  return d.getTime();
}

function fracToNanos(digits: string): number {
  return Number((digits + '000000000').slice(0, 9));
}

function daysIn(month: number, year: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Go's zero time.Time (year 1) encodes as JSON null in metav1.Time. */
export function isZeroTime(t: ParsedTime): boolean {
  return t.ms === ZERO_TIME_MS && t.micros === 0;
}

const ZERO_TIME_MS = ((): number => {
  const d = new Date(0);
  d.setUTCFullYear(1, 0, 1);
  d.setUTCHours(0, 0, 0, 0);
  return d.getTime();
})();

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

function formatBase(ms: number): string {
  const d = new Date(ms);
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}` +
    `T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`
  );
}

/** metav1.Time on the wire: UTC, seconds precision. */
export function formatTime(t: ParsedTime): string {
  return formatBase(t.ms) + 'Z';
}

/** metav1.MicroTime on the wire: UTC, exactly six fractional digits. */
export function formatMicroTime(t: ParsedTime): string {
  const msPart = ((t.ms % 1000) + 1000) % 1000;
  return `${formatBase(t.ms)}.${pad(msPart * 1000 + t.micros, 6)}Z`;
}

export function nowTime(nowMs = Date.now()): string {
  return formatTime({ ms: nowMs, micros: 0 });
}

export function nowMicroTime(nowMs = Date.now()): string {
  return formatMicroTime({ ms: nowMs, micros: 0 });
}
