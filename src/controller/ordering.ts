// The one deterministic order for objects competing for the same thing: oldest first, then by key.
// Used where a conflict needs a winner (overlapping pools, two Services claiming one IP).

/** Milliseconds since the epoch; a missing or unreadable timestamp sorts after every real one. */
export function timestampMs(t: Date | string | undefined | null): number {
  if (t === undefined || t === null) return Number.POSITIVE_INFINITY;
  const ms = t instanceof Date ? t.getTime() : Date.parse(t);
  return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms;
}

export interface Aged {
  readonly createdMs: number;
  readonly key: string;
}

export function compareAged(a: Aged, b: Aged): number {
  if (a.createdMs !== b.createdMs) return a.createdMs < b.createdMs ? -1 : 1;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
