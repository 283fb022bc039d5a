// Service ClusterIP allocation from one CIDR. Like kube-apiserver, dynamic allocation prefers
// the upper part of the range and leaves a lower band for addresses users pick themselves.
import { isIP } from 'node:net';

export type IPFamily = 'IPv4' | 'IPv6';

export function ipToBig(ip: string): bigint {
  if (isIP(ip) === 4) return ip.split('.').reduce((acc, o) => (acc << 8n) + BigInt(Number(o)), 0n);
  const [head = '', tail = ''] = ip.includes('::') ? ip.split('::') : [ip, ''];
  const h = head ? head.split(':') : [];
  let t = tail ? tail.split(':') : [];
  // An embedded IPv4 tail counts as two groups.
  const last = t[t.length - 1] ?? h[h.length - 1];
  const v4: string[] = [];
  if (last && last.includes('.')) {
    const n = ipToBig(last);
    v4.push((n >> 16n).toString(16), (n & 0xffffn).toString(16));
    if (t.length) t = t.slice(0, -1);
    else h.pop();
  }
  const groups = ip.includes('::')
    ? [...h, ...new Array<string>(8 - h.length - t.length - v4.length).fill('0'), ...t, ...v4]
    : [...h, ...v4];
  return groups.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g || '0', 16)), 0n);
}

export function bigToIP(n: bigint, family: IPFamily): string {
  if (family === 'IPv4') return [24n, 16n, 8n, 0n].map((s) => ((n >> s) & 0xffn).toString()).join('.');
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((n >> BigInt(i * 16)) & 0xffffn).toString(16));
  // Compress the longest run of zero groups, as Go's net.IP.String does.
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

export class IPRange {
  readonly family: IPFamily;
  readonly base: bigint;
  readonly first: bigint;
  readonly last: bigint;
  private readonly used = new Set<bigint>();

  constructor(readonly cidr: string) {
    const [ip = '', bitsStr = ''] = cidr.split('/');
    const v = isIP(ip);
    if (v === 0 || !/^\d+$/.test(bitsStr)) throw new Error(`invalid CIDR ${cidr}`);
    this.family = v === 4 ? 'IPv4' : 'IPv6';
    const width = v === 4 ? 32n : 128n;
    const bits = BigInt(Number(bitsStr));
    const hostBits = width - bits;
    this.base = (ipToBig(ip) >> hostBits) << hostBits;
    const size = 1n << hostBits;
    // Network and (IPv4) broadcast addresses are never handed out.
    this.first = this.base + 1n;
    this.last = this.base + size - (this.family === 'IPv4' ? 2n : 1n);
    if (this.last < this.first) throw new Error(`CIDR ${cidr} is too small for services`);
  }

  contains(ip: string): boolean {
    if ((isIP(ip) === 4 ? 'IPv4' : isIP(ip) === 6 ? 'IPv6' : '') !== this.family) return false;
    const n = ipToBig(ip);
    return n >= this.first && n <= this.last;
  }

  /** Reserves a specific address; returns an error text for the 422 when it cannot. */
  allocate(ip: string): string | undefined {
    if (!this.contains(ip))
      return `provided IP (${ip}) is not in the valid range. The range of valid IPs is ${this.cidr}`;
    const n = ipToBig(ip);
    if (this.used.has(n)) return 'provided IP is already allocated';
    this.used.add(n);
    return undefined;
  }

  allocateNext(): string | undefined {
    const size = this.last - this.first + 1n;
    if (BigInt(this.used.size) >= size) return undefined;
    // Lower band reserved for static picks: size/16, clamped to [16, 256].
    let band = size / 16n;
    if (band < 16n) band = 16n;
    if (band > 256n) band = 256n;
    if (band >= size) band = 0n;
    const tryBand = (lo: bigint, hi: bigint): bigint | undefined => {
      const span = hi - lo + 1n;
      if (span <= 0n) return undefined;
      const start = randomBig(span);
      // Random probes first, then a linear walk so a nearly full range still finishes.
      for (let i = 0; i < 64; i++) {
        const c = lo + randomBig(span);
        if (!this.used.has(c)) return c;
      }
      for (let off = 0n; off < span; off++) {
        const c = lo + ((start + off) % span);
        if (!this.used.has(c)) return c;
      }
      return undefined;
    };
    const pick = tryBand(this.first + band, this.last) ?? tryBand(this.first, this.first + band - 1n);
    if (pick === undefined) return undefined;
    this.used.add(pick);
    return bigToIP(pick, this.family);
  }

  release(ip: string): void {
    if (this.contains(ip)) this.used.delete(ipToBig(ip));
  }

  /** The first usable address (the `kubernetes` Service's). */
  firstIP(): string {
    return bigToIP(this.first, this.family);
  }
}

function randomBig(span: bigint): bigint {
  if (span <= BigInt(Number.MAX_SAFE_INTEGER)) return BigInt(Math.floor(Math.random() * Number(span)));
  let r = 0n;
  for (let i = 0; i < 4; i++) r = (r << 32n) + BigInt(Math.floor(Math.random() * 2 ** 32));
  return r % span;
}
