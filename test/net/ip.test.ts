import { describe, expect, it } from 'vitest';
import {
  compareIP,
  countBuggyIPs,
  formatIP,
  formatRange,
  isBuggyIP,
  isIPv4Mapped,
  parseAddressEntry,
  parseCIDR,
  parseIP,
  parseRange,
  rangeContains,
  rangeSize,
  rangesOverlap,
  unmapIPv4,
  type IPAddress,
  type IPRange,
} from '../../src/net/ip.js';

const ip = (text: string): IPAddress => {
  const r = parseIP(text);
  if (!r.ok) throw new Error(r.error);
  return r.value;
};
const range = (text: string): IPRange => {
  const r = parseAddressEntry(text);
  if (!r.ok) throw new Error(r.error);
  return r.value.range;
};

describe('parseIP + formatIP', () => {
  const valid: [rule: string, input: string, canonical: string, family: 'IPv4' | 'IPv6'][] = [
    ['dotted quad', '192.0.2.1', '192.0.2.1', 'IPv4'],
    ['all zeros', '0.0.0.0', '0.0.0.0', 'IPv4'],
    ['all ones', '255.255.255.255', '255.255.255.255', 'IPv4'],
    ['unspecified IPv6', '::', '::', 'IPv6'],
    ['loopback IPv6', '::1', '::1', 'IPv6'],
    ['upper-case hex is lowered', '2001:DB8::1', '2001:db8::1', 'IPv6'],
    ['leading zeros in groups dropped', '2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1', 'IPv6'],
    ['first of two equal zero runs compressed', '2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1', 'IPv6'],
    ['longest zero run compressed', '2001:0:0:1:0:0:0:1', '2001:0:0:1::1', 'IPv6'],
    ['single zero group not compressed', '2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1', 'IPv6'],
    ['"::" standing for one group', '1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0', 'IPv6'],
    ['leading single zero stays', '::2:3:4:5:6:7:8', '0:2:3:4:5:6:7:8', 'IPv6'],
    ['embedded IPv4 in a NAT64 address', '64:ff9b::192.0.2.33', '64:ff9b::c000:221', 'IPv6'],
    ['IPv4-mapped keeps the dotted form (RFC 5952 5)', '::ffff:c000:201', '::ffff:192.0.2.1', 'IPv6'],
    ['IPv4-mapped written dotted', '::FFFF:192.0.2.1', '::ffff:192.0.2.1', 'IPv6'],
    ['full eight groups', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8', 'IPv6'],
  ];
  it.each(valid)('%s: %s → %s', (_rule, input, canonical, family) => {
    const r = parseIP(input);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.family).toBe(family);
    expect(formatIP(r.value)).toBe(canonical);
    // canonical text parses back to the same address
    const again = parseIP(canonical);
    expect(again.ok && again.value.value === r.value.value).toBe(true);
  });

  const invalid: [rule: string, input: string, message: RegExp][] = [
    ['empty', '', /empty/],
    ['surrounding whitespace', ' 192.0.2.1', /whitespace/],
    ['three octets', '192.0.2', /four/],
    ['five octets', '192.0.2.1.5', /four/],
    ['octet above 255', '256.0.0.1', /0 to 255/],
    ['leading zero (octal ambiguity)', '010.0.0.1', /leading zero/],
    ['negative octet', '1.2.3.-1', /0 to 255/],
    ['hex octet', '0x1.2.3.4', /0 to 255/],
    ['zone id', 'fe80::1%eth0', /zone/],
    ['two "::"', '1::2::3', /only once/],
    ['five hex digits', '12345::', /1 to 4 hex/],
    ['triple colon', ':::', /empty group/],
    ['nine groups', '1:2:3:4:5:6:7:8:9', /eight groups/],
    ['"::" with eight groups', '1:2:3:4:5:6:7:8::', /too many/],
    ['seven groups without "::"', '1:2:3:4:5:6:7', /eight groups/],
    ['embedded IPv4 not last', '::1.2.3.4:5', /hex/],
    ['bad embedded IPv4', '::ffff:1.2.3', /embedded IPv4/],
    ['non-hex letters', 'g::1', /hex/],
    ['trailing single colon', '1::2:', /empty group/],
    ['CIDR is not an address', '192.0.2.0/24', /0 to 255/],
    ['brackets', '[::1]', /hex/],
    ['a word', 'localhost', /not an IP address/],
  ];
  it.each(invalid)('rejects %s: %j', (_rule, input, message) => {
    const r = parseIP(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
  });

  it('never throws on non-string input', () => {
    expect(parseIP(undefined as unknown as string).ok).toBe(false);
    expect(parseAddressEntry(42 as unknown as string).ok).toBe(false);
  });
});

describe('CIDRs, ranges and address entries', () => {
  const cidrs: [rule: string, input: string, first: string, last: string, hostBits: boolean][] = [
    ['IPv4 /24', '192.0.2.0/24', '192.0.2.0', '192.0.2.255', false],
    ['IPv4 /32 single address', '192.0.2.7/32', '192.0.2.7', '192.0.2.7', false],
    ['host bits are masked (as Go net.ParseCIDR)', '192.0.2.77/24', '192.0.2.0', '192.0.2.255', true],
    ['everything IPv4', '0.0.0.0/0', '0.0.0.0', '255.255.255.255', false],
    ['IPv6 /120', '2001:db8::/120', '2001:db8::', '2001:db8::ff', false],
    ['IPv6 /64', '2001:db8:1:2::/64', '2001:db8:1:2::', '2001:db8:1:2:ffff:ffff:ffff:ffff', false],
    ['IPv6 host bits', '2001:db8::1/64', '2001:db8::', '2001:db8::ffff:ffff:ffff:ffff', true],
  ];
  it.each(cidrs)('%s: %s', (_rule, input, first, last, hostBits) => {
    const r = parseCIDR(input);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(formatIP({ family: r.value.range.family, value: r.value.range.first })).toBe(first);
    expect(formatIP({ family: r.value.range.family, value: r.value.range.last })).toBe(last);
    expect(r.value.hostBitsSet).toBe(hostBits);
  });

  const badCidrs: [rule: string, input: string][] = [
    ['prefix too long for IPv4', '192.0.2.0/33'],
    ['prefix too long for IPv6', '2001:db8::/129'],
    ['empty prefix', '192.0.2.0/'],
    ['prefix with leading zero', '192.0.2.0/024'],
    ['two slashes', '192.0.2.0/24/8'],
    ['negative prefix', '192.0.2.0/-1'],
    ['garbage address', 'foo/24'],
  ];
  it.each(badCidrs)('rejects %s: %s', (_rule, input) => {
    expect(parseCIDR(input).ok).toBe(false);
  });

  const ranges: [rule: string, input: string, expected: string | RegExp, code?: string][] = [
    ['IPv4 range', '192.0.2.10-192.0.2.20', '192.0.2.10-192.0.2.20'],
    ['spaces around the dash are tolerated (as MetalLB)', '192.0.2.10 - 192.0.2.20', '192.0.2.10-192.0.2.20'],
    ['one-address range', '192.0.2.10-192.0.2.10', '192.0.2.10'],
    ['IPv6 range, canonicalised', '2001:DB8::10-2001:db8::0:20', '2001:db8::10-2001:db8::20'],
    ['start after end', '192.0.2.20-192.0.2.10', /start 192.0.2.20 is after end 192.0.2.10/, 'backwards'],
    ['mixed families', '192.0.2.1-2001:db8::1', /mixes families/, 'mixedFamilies'],
    ['missing end', '192.0.2.1-', /invalid end/, 'syntax'],
    ['two dashes', '192.0.2.1-192.0.2.5-192.0.2.9', /not a range/, 'syntax'],
    ['garbage start', 'abc-192.0.2.5', /invalid start/, 'syntax'],
  ];
  it.each(ranges)('%s: %s', (_rule, input, expected, code) => {
    const r = parseRange(input);
    if (typeof expected === 'string') {
      expect(r.ok && formatRange(r.value)).toBe(expected);
    } else {
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error).toMatch(expected);
        expect(r.code).toBe(code);
      }
    }
  });

  const entries: [rule: string, input: string, ok: boolean, message?: RegExp][] = [
    ['CIDR entry', '192.0.2.0/28', true],
    ['range entry', '192.0.2.1-192.0.2.3', true],
    ['single address needs a prefix', '192.0.2.1', false, /write it as 192.0.2.1\/32/],
    ['single IPv6 address needs a prefix', '2001:db8::1', false, /2001:db8::1\/128/],
    ['empty entry', '', false, /empty/],
    ['surrounding whitespace', ' 192.0.2.0/24', false, /whitespace/],
    ['free text', 'my pool', false, /neither a CIDR/],
  ];
  it.each(entries)('%s: %j', (_rule, input, ok, message) => {
    const r = parseAddressEntry(input);
    expect(r.ok).toBe(ok);
    if (!r.ok && message) expect(r.error).toMatch(message);
  });
});

describe('address maths', () => {
  it.each([
    ['same range', '192.0.2.0/24', '192.0.2.0/24', true],
    ['nested', '192.0.2.0/24', '192.0.2.128/25', true],
    ['touching ends', '192.0.2.0-192.0.2.10', '192.0.2.10-192.0.2.20', true],
    ['adjacent', '192.0.2.0-192.0.2.9', '192.0.2.10-192.0.2.20', false],
    ['different families never overlap', '0.0.0.0/0', '::/0', false],
    ['IPv6 nested', '2001:db8::/32', '2001:db8:1::/48', true],
  ])('overlap: %s', (_rule, a, b, expected) => {
    expect(rangesOverlap(range(a), range(b))).toBe(expected);
    expect(rangesOverlap(range(b), range(a))).toBe(expected);
  });

  it.each([
    ['IPv4 /24', '192.0.2.0/24', 256n, 2n],
    ['IPv4 /23', '192.0.2.0/23', 512n, 4n],
    ['range avoiding the ends', '192.0.2.1-192.0.2.254', 254n, 0n],
    ['range crossing a /24 boundary', '192.0.2.255-192.0.3.0', 2n, 2n],
    ['IPv4 /32 at .0', '192.0.2.0/32', 1n, 1n],
    ['all of IPv4', '0.0.0.0/0', 2n ** 32n, 2n ** 25n],
    ['IPv6 has no buggy addresses', '2001:db8::/120', 256n, 0n],
    ['huge IPv6', '2001:db8::/32', 2n ** 96n, 0n],
  ])('size and .0/.255 count: %s', (_rule, text, size, buggy) => {
    expect(rangeSize(range(text))).toBe(size);
    expect(countBuggyIPs(range(text))).toBe(buggy);
  });

  it('isBuggyIP only flags IPv4 .0 and .255', () => {
    expect(isBuggyIP('IPv4', ip('10.0.0.0').value)).toBe(true);
    expect(isBuggyIP('IPv4', ip('10.0.0.255').value)).toBe(true);
    expect(isBuggyIP('IPv4', ip('10.0.0.1').value)).toBe(false);
    expect(isBuggyIP('IPv6', ip('::ff').value)).toBe(false);
  });

  it('orders IPv4 before IPv6, then numerically', () => {
    const sorted = ['2001:db8::1', '10.0.0.2', '::1', '10.0.0.10', '9.255.255.255']
      .map(ip)
      .sort(compareIP)
      .map(formatIP);
    expect(sorted).toEqual(['9.255.255.255', '10.0.0.2', '10.0.0.10', '::1', '2001:db8::1']);
  });

  it('contains checks family and bounds', () => {
    expect(rangeContains(range('192.0.2.0/24'), ip('192.0.2.255'))).toBe(true);
    expect(rangeContains(range('192.0.2.0/24'), ip('192.0.3.0'))).toBe(false);
    expect(rangeContains(range('::/96'), ip('192.0.2.1'))).toBe(false);
  });

  it('recognises and unmaps IPv4-mapped IPv6 addresses', () => {
    expect(isIPv4Mapped(ip('::ffff:192.0.2.1'))).toBe(true);
    expect(isIPv4Mapped(ip('::192.0.2.1'))).toBe(false);
    expect(isIPv4Mapped(ip('192.0.2.1'))).toBe(false);
    expect(formatIP(unmapIPv4(ip('::ffff:192.0.2.1')))).toBe('192.0.2.1');
    expect(formatIP(unmapIPv4(ip('2001:db8::1')))).toBe('2001:db8::1');
  });
});
