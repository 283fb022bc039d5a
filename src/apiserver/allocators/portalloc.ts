// NodePort allocation from the node port range (default 30000-32767), with the same static
// lower band kube-apiserver keeps for user-chosen ports.

export class PortRange {
  private readonly used = new Set<number>();
  constructor(
    readonly lo: number,
    readonly hi: number,
  ) {}

  contains(p: number): boolean {
    return p >= this.lo && p <= this.hi;
  }

  allocate(p: number): string | undefined {
    if (!this.contains(p))
      return `provided port is not in the valid range. The range of valid ports is ${this.lo}-${this.hi}`;
    if (this.used.has(p)) return 'provided port is already allocated';
    this.used.add(p);
    return undefined;
  }

  allocateNext(): number | undefined {
    const size = this.hi - this.lo + 1;
    if (this.used.size >= size) return undefined;
    const band = Math.min(Math.max(16, Math.floor(size / 32)), 128);
    const tryBand = (lo: number, hi: number): number | undefined => {
      const span = hi - lo + 1;
      if (span <= 0) return undefined;
      for (let i = 0; i < 64; i++) {
        const c = lo + Math.floor(Math.random() * span);
        if (!this.used.has(c)) return c;
      }
      const start = Math.floor(Math.random() * span);
      for (let off = 0; off < span; off++) {
        const c = lo + ((start + off) % span);
        if (!this.used.has(c)) return c;
      }
      return undefined;
    };
    const pick =
      band < size
        ? (tryBand(this.lo + band, this.hi) ?? tryBand(this.lo, this.lo + band - 1))
        : tryBand(this.lo, this.hi);
    if (pick === undefined) return undefined;
    this.used.add(pick);
    return pick;
  }

  release(p: number): void {
    this.used.delete(p);
  }

  has(p: number): boolean {
    return this.used.has(p);
  }
}
