// Pure IP address maths on bigint: strict parsing, RFC 5952 formatting, CIDRs and ranges.
// Nothing here throws on input; parsers return result objects whose errors are user-facing sentences.

export type IPFamily = 'IPv4' | 'IPv6';

export interface IPAddress {
  readonly family: IPFamily;
  readonly value: bigint;
}

/** An inclusive address range of one family. */
export interface IPRange {
  readonly family: IPFamily;
  readonly first: bigint;
  readonly last: bigint;
}

/** Why a parse failed, for callers that classify problems (pool validation does). */
export type ParseErrorCode = 'syntax' | 'mixedFamilies' | 'backwards';

export type Result<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: string; readonly code: ParseErrorCode };

const ok = <T>(value: T): Result<T> => ({ ok: true, value });
const fail = <T>(error: string, code: ParseErrorCode = 'syntax'): Result<T> => ({ ok: false, error, code });

export const IPV4_BITS = 32;
export const IPV6_BITS = 128;

export function familyBits(family: IPFamily): number {
  return family === 'IPv4' ? IPV4_BITS : IPV6_BITS;
}

export function otherFamily(family: IPFamily): IPFamily {
  return family === 'IPv4' ? 'IPv6' : 'IPv4';
}

function maxValue(family: IPFamily): bigint {
  return (1n << BigInt(familyBits(family))) - 1n;
}

// Decimal octet without leading zeros: "010" is ambiguous (octal in some parsers), so we refuse it
// as Go's net.ParseIP and Kubernetes' strict validation do.
const OCTET = /^(?:0|[1-9][0-9]{0,2})$/;
const HEXTET = /^[0-9a-fA-F]{1,4}$/;

function parseIPv4Value(text: string): bigint | string {
  const parts = text.split('.');
  if (parts.length !== 4) return 'an IPv4 address has four dot-separated numbers';
  let value = 0;
  for (const part of parts) {
    if (!OCTET.test(part)) {
      return part.length > 1 && part.startsWith('0') && /^[0-9]+$/.test(part)
        ? `"${part}" has a leading zero`
        : `"${part}" is not a number from 0 to 255`;
    }
    const n = Number(part);
    if (n > 255) return `"${part}" is not a number from 0 to 255`;
    value = value * 256 + n;
  }
  return BigInt(value);
}

function parseIPv6Value(text: string): bigint | string {
  if (text.includes('%')) return 'zone identifiers (%...) are not allowed';
  const halves = text.split('::');
  if (halves.length > 2) return '"::" may appear only once';
  const parseGroups = (part: string, mayEndWithIPv4: boolean): number[] | string => {
    if (part === '') return [];
    const fields = part.split(':');
    const groups: number[] = [];
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i] ?? '';
      if (field === '') return 'empty group between colons';
      if (i === fields.length - 1 && mayEndWithIPv4 && field.includes('.')) {
        const v4 = parseIPv4Value(field);
        if (typeof v4 === 'string') return `embedded IPv4 address: ${v4}`;
        const n = Number(v4);
        groups.push(Math.floor(n / 65536), n % 65536);
        continue;
      }
      if (!HEXTET.test(field)) return `"${field}" is not a group of 1 to 4 hex digits`;
      groups.push(parseInt(field, 16));
    }
    return groups;
  };
  const compressed = halves.length === 2;
  const head = parseGroups(halves[0] ?? '', !compressed);
  if (typeof head === 'string') return head;
  const tail = compressed ? parseGroups(halves[1] ?? '', true) : [];
  if (typeof tail === 'string') return tail;
  const count = head.length + tail.length;
  if (compressed ? count > 7 : count !== 8) {
    return compressed ? 'too many groups around "::"' : 'an IPv6 address has eight groups';
  }
  const groups = [...head, ...new Array<number>(8 - count).fill(0), ...tail];
  let value = 0n;
  for (const g of groups) value = (value << 16n) | BigInt(g);
  return value;
}

/** Parses one IPv4 or IPv6 address strictly: no whitespace, no leading zeros, no zone ids. */
export function parseIP(text: string): Result<IPAddress> {
  if (typeof text !== 'string' || text === '') return fail('empty address');
  if (text.trim() !== text || /\s/.test(text)) return fail(`"${text}" contains whitespace`);
  if (text.includes(':')) {
    const v = parseIPv6Value(text);
    return typeof v === 'string'
      ? fail(`"${text}" is not a valid IPv6 address: ${v}`)
      : ok({ family: 'IPv6', value: v });
  }
  if (text.includes('.')) {
    const v = parseIPv4Value(text);
    return typeof v === 'string'
      ? fail(`"${text}" is not a valid IPv4 address: ${v}`)
      : ok({ family: 'IPv4', value: v });
  }
  return fail(`"${text}" is not an IP address`);
}

function formatIPv4Value(value: bigint): string {
  const n = Number(value);
  return `${Math.floor(n / 16777216) % 256}.${Math.floor(n / 65536) % 256}.${Math.floor(n / 256) % 256}.${n % 256}`;
}

const MAPPED_PREFIX = 0xffffn << 32n;

/** True for ::ffff:a.b.c.d, an IPv4 address dressed as IPv6 (RFC 4291 2.5.5.2). */
export function isIPv4Mapped(addr: IPAddress): boolean {
  return addr.family === 'IPv6' && addr.value >> 32n === 0xffffn;
}

/** The IPv4 address inside an IPv4-mapped IPv6 address; other addresses come back unchanged. */
export function unmapIPv4(addr: IPAddress): IPAddress {
  return isIPv4Mapped(addr) ? { family: 'IPv4', value: addr.value & 0xffffffffn } : addr;
}

/** The IPv4-mapped IPv6 block ::ffff:0:0/96. */
export const IPV4_MAPPED_RANGE: IPRange = {
  family: 'IPv6',
  first: MAPPED_PREFIX,
  last: MAPPED_PREFIX | 0xffffffffn,
};

/** Canonical text: dotted quad for IPv4, RFC 5952 for IPv6 (lower case, longest zero run compressed). */
export function formatIP(addr: IPAddress): string {
  if (addr.family === 'IPv4') return formatIPv4Value(addr.value);
  if (isIPv4Mapped(addr)) return `::ffff:${formatIPv4Value(addr.value & 0xffffffffn)}`;
  const groups: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(Number((addr.value >> shift) & 0xffffn));
  // RFC 5952 4.2: compress the longest run of two or more zero groups, the first one on a tie.
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (gs: number[]): string => gs.map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

/** Orders IPv4 before IPv6, then numerically. */
export function compareIP(a: IPAddress, b: IPAddress): number {
  if (a.family !== b.family) return a.family === 'IPv4' ? -1 : 1;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

export function sameIP(a: IPAddress, b: IPAddress): boolean {
  return a.family === b.family && a.value === b.value;
}

export interface ParsedCIDR {
  readonly range: IPRange;
  readonly prefixLength: number;
  /** The text named an address inside the network rather than the network itself (e.g. 10.0.0.5/24). */
  readonly hostBitsSet: boolean;
}

const PREFIX_LENGTH = /^(?:0|[1-9][0-9]{0,2})$/;

export function parseCIDR(text: string): Result<ParsedCIDR> {
  if (typeof text !== 'string') return fail('not a string');
  const slash = text.indexOf('/');
  if (slash < 0 || text.indexOf('/', slash + 1) >= 0)
    return fail(`"${text}" is not a CIDR (address/prefix-length)`);
  const addr = parseIP(text.slice(0, slash));
  if (!addr.ok) return fail(`"${text}" is not a valid CIDR: ${addr.error}`);
  const lengthText = text.slice(slash + 1);
  const bits = familyBits(addr.value.family);
  if (!PREFIX_LENGTH.test(lengthText) || Number(lengthText) > bits) {
    return fail(`"${text}" is not a valid CIDR: prefix length must be a number from 0 to ${bits}`);
  }
  const prefixLength = Number(lengthText);
  const hostMask = (1n << BigInt(bits - prefixLength)) - 1n;
  const first = addr.value.value & ~hostMask & maxValue(addr.value.family);
  return ok({
    range: { family: addr.value.family, first, last: first | hostMask },
    prefixLength,
    hostBitsSet: first !== addr.value.value,
  });
}

/** Parses "first-last" (spaces around the dash are tolerated); both ends inclusive. */
export function parseRange(text: string): Result<IPRange> {
  if (typeof text !== 'string') return fail('not a string');
  const parts = text.split('-');
  if (parts.length !== 2) return fail(`"${text}" is not a range (first-last)`);
  const [startText = '', endText = ''] = parts.map((p) => p.trim());
  const start = parseIP(startText);
  if (!start.ok) return fail(`range "${text}" has an invalid start: ${start.error}`);
  const end = parseIP(endText);
  if (!end.ok) return fail(`range "${text}" has an invalid end: ${end.error}`);
  if (start.value.family !== end.value.family) {
    return fail(
      `range "${text}" mixes families: ${startText} is ${start.value.family} but ${endText} is ${end.value.family}`,
      'mixedFamilies',
    );
  }
  if (start.value.value > end.value.value) {
    return fail(`range "${text}" is backwards: start ${startText} is after end ${endText}`, 'backwards');
  }
  return ok({ family: start.value.family, first: start.value.value, last: end.value.value });
}

export interface AddressEntry {
  readonly kind: 'cidr' | 'range';
  readonly range: IPRange;
  readonly hostBitsSet: boolean;
}

/** One `IPAddressPool.spec.addresses` entry: a CIDR or a range. */
export function parseAddressEntry(text: string): Result<AddressEntry> {
  if (typeof text !== 'string') return fail('an address entry must be a string');
  if (text.trim() === '') return fail('empty address entry');
  if (text.trim() !== text) return fail(`"${text}" has leading or trailing whitespace`);
  if (text.includes('-')) {
    const r = parseRange(text);
    return r.ok ? ok({ kind: 'range', range: r.value, hostBitsSet: false }) : r;
  }
  if (text.includes('/')) {
    const c = parseCIDR(text);
    return c.ok ? ok({ kind: 'cidr', range: c.value.range, hostBitsSet: c.value.hostBitsSet }) : c;
  }
  const single = parseIP(text);
  return single.ok
    ? fail(`"${text}" is a single address; write it as ${text}/${familyBits(single.value.family)}`)
    : fail(`"${text}" is neither a CIDR (192.0.2.0/24) nor a range (192.0.2.10-192.0.2.20)`);
}

export function rangeSize(r: IPRange): bigint {
  return r.last - r.first + 1n;
}

export function rangeContains(r: IPRange, addr: IPAddress): boolean {
  return r.family === addr.family && addr.value >= r.first && addr.value <= r.last;
}

export function rangesOverlap(a: IPRange, b: IPRange): boolean {
  return a.family === b.family && a.first <= b.last && b.first <= a.last;
}

/** "first-last", or the single address when the range holds one. */
export function formatRange(r: IPRange): string {
  const first = formatIP({ family: r.family, value: r.first });
  return r.first === r.last ? first : `${first}-${formatIP({ family: r.family, value: r.last })}`;
}

/** IPv4 addresses ending in .0 or .255, which some consumer firmware drops as broadcast. */
export function isBuggyIP(family: IPFamily, value: bigint): boolean {
  if (family !== 'IPv4') return false;
  const low = value & 0xffn;
  return low === 0n || low === 255n;
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/** How many addresses of `r` end in .0 or .255 (always 0 for IPv6). */
export function countBuggyIPs(r: IPRange): bigint {
  if (r.family !== 'IPv4') return 0n;
  const countResidue = (k: bigint): bigint => floorDiv(r.last - k, 256n) - floorDiv(r.first - 1n - k, 256n);
  return countResidue(0n) + countResidue(255n);
}
