// Parses Go-style durations ("15s", "500ms", "1m30s") used by ironlb's flags.
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(text: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? NaN);
    matched = re.lastIndex;
  }
  if (text.length === 0 || matched !== text.length || !Number.isFinite(total)) {
    throw new Error(`invalid duration "${text}": use e.g. 500ms, 15s, 1m`);
  }
  return total;
}
