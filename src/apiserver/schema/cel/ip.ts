// IP and CIDR parsing with Go's rules: net/netip for the CEL ip()/cidr() library and net.ParseIP /
// net.ParseCIDR for the OpenAPI ipv4/ipv6/cidr formats. IPv4 parts must not have leading zeros
// (Go rejects them since 1.17).

/** Strict dotted-quad IPv4, or undefined. */
export function parseIPv4(s: string): Uint8Array | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i] ?? '';
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p.startsWith('0'))) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

/** IPv6 text (optionally ending in an embedded IPv4) to 16 bytes, or undefined. No zones. */
export function parseIPv6(s: string): Uint8Array | undefined {
  if (s.length === 0 || s.length > 64) return undefined;
  let text = s;
  let tail: Uint8Array | undefined;
  const lastColon = text.lastIndexOf(':');
  if (lastColon >= 0 && text.slice(lastColon + 1).includes('.')) {
    tail = parseIPv4(text.slice(lastColon + 1));
    if (!tail) return undefined;
    // Keep the separator so "::1.2.3.4" still splits around "::".
    text = text.slice(0, lastColon + 1) + 'X';
  }
  const dbl = text.indexOf('::');
  if (dbl >= 0 && text.indexOf('::', dbl + 1) >= 0) return undefined;
  const groups: number[] = [];
  const parseGroups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const res: number[] = [];
    for (const g of part.split(':')) {
      if (g === 'X') {
        if (!tail) return undefined;
        res.push((tail[0]! << 8) | tail[1]!, (tail[2]! << 8) | tail[3]!);
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      res.push(parseInt(g, 16));
    }
    return res;
  };
  if (dbl >= 0) {
    const head = parseGroups(text.slice(0, dbl));
    const rest = parseGroups(text.slice(dbl + 2));
    if (!head || !rest) return undefined;
    // An embedded IPv4 may only be the last element.
    if (head.length + rest.length > 7) return undefined;
    groups.push(...head, ...new Array<number>(8 - head.length - rest.length).fill(0), ...rest);
  } else {
    const all = parseGroups(text);
    if (!all || all.length !== 8) return undefined;
    groups.push(...all);
  }
  if (tail && !text.endsWith('X')) return undefined;
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/** net.ParseIP: returns 4 or 16 bytes. */
export function goParseIP(s: string): Uint8Array | undefined {
  if (s.includes(':')) return parseIPv6(s);
  return parseIPv4(s);
}

/** net.ParseCIDR (mask digits may have leading zeros, as Go's dtoi accepts them). */
export function goParseCIDR(s: string): { ip: Uint8Array; bits: number } | undefined {
  const i = s.indexOf('/');
  if (i < 0) return undefined;
  const addr = s.slice(0, i);
  const mask = s.slice(i + 1);
  const ip = goParseIP(addr);
  if (!ip || !/^\d{1,8}$/.test(mask)) return undefined;
  const bits = Number(mask);
  if (bits > ip.length * 8) return undefined;
  return { ip, bits };
}

export interface NetipAddr {
  bytes: Uint8Array;
  /** True for an IPv6 text that embeds an IPv4-mapped address (::ffff:a.b.c.d). */
  is4in6: boolean;
}

/** netip.ParseAddr; zones are reported separately because Kubernetes rejects them. */
export function netipParseAddr(s: string): { addr?: NetipAddr; error?: string } {
  if (s.includes('%')) return { error: 'IPv6 zone value is not allowed' };
  if (s.includes(':')) {
    const b = parseIPv6(s);
    if (!b) return { error: `ParseAddr(${JSON.stringify(s)}): unable to parse IP` };
    const mapped = b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
    return { addr: { bytes: b, is4in6: mapped } };
  }
  const b = parseIPv4(s);
  if (!b) return { error: `ParseAddr(${JSON.stringify(s)}): unable to parse IP` };
  return { addr: { bytes: b, is4in6: false } };
}

/** Kubernetes' ip() parsing: netip rules, no zones, no IPv4-mapped IPv6. */
export function k8sParseIP(s: string): { bytes?: Uint8Array; error?: string } {
  const r = netipParseAddr(s);
  if (!r.addr) return { error: r.error ?? 'unable to parse IP' };
  if (r.addr.is4in6) return { error: 'IPv4-mapped IPv6 address is not allowed' };
  return { bytes: r.addr.bytes };
}

/** Kubernetes' cidr() parsing: netip.ParsePrefix without zones or IPv4-mapped IPv6 addresses. */
export function k8sParseCIDR(s: string): { bytes?: Uint8Array; bits?: number; error?: string } {
  const i = s.lastIndexOf('/');
  if (i < 0) return { error: `netip.ParsePrefix(${JSON.stringify(s)}): no '/'` };
  const ip = k8sParseIP(s.slice(0, i));
  if (!ip.bytes) return { error: ip.error ?? 'bad IP' };
  const bitsText = s.slice(i + 1);
  if (!/^(0|[1-9]\d{0,2})$/.test(bitsText)) {
    return {
      error: `netip.ParsePrefix(${JSON.stringify(s)}): bad bits after slash: ${JSON.stringify(bitsText)}`,
    };
  }
  const bits = Number(bitsText);
  if (bits > ip.bytes.length * 8) {
    return { error: `netip.ParsePrefix(${JSON.stringify(s)}): prefix length out of range` };
  }
  return { bytes: ip.bytes, bits };
}

/** netip.Addr.String(): dotted IPv4, RFC 5952 IPv6. */
export function formatIP(b: Uint8Array): string {
  if (b.length === 4) return Array.from(b).join('.');
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((b[2 * i]! << 8) | b[2 * i + 1]!);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return '::ffff:' + Array.from(b.slice(12)).join('.');
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return hex.slice(0, bestStart).join(':') + '::' + hex.slice(bestStart + bestLen).join(':');
}

export function maskBytes(b: Uint8Array, bits: number): Uint8Array {
  const out = new Uint8Array(b);
  for (let i = 0; i < out.length; i++) {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    out[i] = out[i]! & ((0xff << (8 - keep)) & 0xff);
  }
  return out;
}

export function prefixContains(prefix: Uint8Array, bits: number, ip: Uint8Array): boolean {
  if (prefix.length !== ip.length) return false;
  const a = maskBytes(prefix, bits);
  const b = maskBytes(ip, bits);
  return a.every((x, i) => x === b[i]);
}

export function isUnspecified(b: Uint8Array): boolean {
  return b.every((x) => x === 0);
}

export function isLoopback(b: Uint8Array): boolean {
  if (b.length === 4) return b[0] === 127;
  return b.slice(0, 15).every((x) => x === 0) && b[15] === 1;
}

export function isMulticast(b: Uint8Array): boolean {
  return b.length === 4 ? (b[0]! & 0xf0) === 0xe0 : b[0] === 0xff;
}

export function isLinkLocalMulticast(b: Uint8Array): boolean {
  if (b.length === 4) return b[0] === 224 && b[1] === 0 && b[2] === 0;
  return b[0] === 0xff && (b[1]! & 0x0f) === 0x02;
}

export function isLinkLocalUnicast(b: Uint8Array): boolean {
  if (b.length === 4) return b[0] === 169 && b[1] === 254;
  return b[0] === 0xfe && (b[1]! & 0xc0) === 0x80;
}

export function isGlobalUnicast(b: Uint8Array): boolean {
  if (b.length === 4 && b.every((x) => x === 255)) return false;
  return !isUnspecified(b) && !isLoopback(b) && !isMulticast(b) && !isLinkLocalUnicast(b);
}

/** net.ParseMAC: 6, 8 or 20 octets separated by ':' or '-', or dotted groups of four hex digits. */
export function goParseMAC(s: string): boolean {
  const okLen = (n: number): boolean => n === 6 || n === 8 || n === 20;
  if (s.length < 14) return false;
  if (s[2] === ':' || s[2] === '-') {
    const sep = s[2];
    const parts = s.split(sep);
    return okLen(parts.length) && parts.every((p) => /^[0-9a-fA-F]{2}$/.test(p));
  }
  if (s[4] === '.') {
    const parts = s.split('.');
    return okLen(parts.length * 2) && parts.every((p) => /^[0-9a-fA-F]{4}$/.test(p));
  }
  return false;
}
