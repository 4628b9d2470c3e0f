/** Durations as users write them: `90s`, `5m`, `2h`, `1d`, `1h30m`. Returns seconds or undefined. */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d|w))+$/.test(s)) return undefined;
  const factors: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  let total = 0;
  for (const [, n, , u] of s.matchAll(/(\d+(\.\d+)?)(ms|s|m|h|d|w)/g)) total += Number(n) * factors[u!]!;
  return total;
}

export function formatDuration(seconds: number): string {
  if (seconds % 86400 === 0 && seconds >= 86400) return `${seconds / 86400}d`;
  if (seconds % 3600 === 0 && seconds >= 3600) return `${seconds / 3600}h`;
  if (seconds % 60 === 0 && seconds >= 60) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/** `50%` -> { value: 50, percent: true }; `1` -> { value: 1, percent: false }. */
export function parseRaise(text: string | number): { value: number; percent: boolean } | undefined {
  if (typeof text === 'number')
    return Number.isFinite(text) && text > 0 ? { value: text, percent: false } : undefined;
  const m = /^\s*(\d+(\.\d+)?)\s*(%?)\s*$/.exec(text);
  if (!m) return undefined;
  const value = Number(m[1]);
  if (!(value > 0)) return undefined;
  return { value, percent: m[3] === '%' };
}

/** Kubernetes quantities: `3500m` cpu -> 3500 millicores; `14Gi` -> bytes. */
export function parseCpuMillis(q: string | number): number | undefined {
  if (typeof q === 'number') return q * 1000;
  const m = /^(\d+(\.\d+)?)(m?)$/.exec(q.trim());
  if (!m) return undefined;
  return m[3] === 'm' ? Number(m[1]) : Number(m[1]) * 1000;
}

export function parseMemoryBytes(q: string | number): number | undefined {
  if (typeof q === 'number') return q;
  const m = /^(\d+(\.\d+)?)(Ki|Mi|Gi|Ti|K|M|G|T|k)?$/.exec(q.trim());
  if (!m) return undefined;
  const f: Record<string, number> = {
    '': 1,
    k: 1e3,
    K: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    Ki: 1024,
    Mi: 1024 ** 2,
    Gi: 1024 ** 3,
    Ti: 1024 ** 4,
  };
  return Number(m[1]) * f[m[3] ?? '']!;
}
