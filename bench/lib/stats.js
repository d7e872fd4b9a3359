/** Small statistics for the benchmark table. */

/** @param {number[]} xs */
export function median(xs) {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/** "1.23 s" / "456 ms" */
export function fmtMs(ms) {
  if (!Number.isFinite(ms)) return 'n/a';
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

/** ratio a/b as "12.3x" */
export function fmtRatio(slow, fast) {
  if (!Number.isFinite(slow) || !Number.isFinite(fast) || fast <= 0) return 'n/a';
  const r = slow / fast;
  return `${r >= 10 ? r.toFixed(0) : r.toFixed(1)}x`;
}

/** lbrun's connection counters (the JSON recap's `stats`) summed over hosts. */
export function sumStats(stats) {
  const t = { commands: 0, puts: 0, bytesOut: 0 };
  for (const s of Object.values(stats ?? {})) {
    t.commands += s.commands;
    t.puts += s.puts;
    t.bytesOut += s.bytesOut;
  }
  return t;
}
