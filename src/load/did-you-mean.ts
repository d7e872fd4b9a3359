/** "did you mean" suggestions for misspelt keys, modules, roles and host names. */

/** Ansible spellings with a different lbrun name. */
const ALIASES: Record<string, string> = { with_items: 'loop', with_list: 'loop' };

/** The closest candidate within a small edit distance, if any. */
export function suggest(name: string, candidates: Iterable<string>): string | undefined {
  const list = [...candidates];
  if (ALIASES[name] && list.includes(ALIASES[name])) return ALIASES[name];
  const limit = Math.max(1, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestDist = Infinity;
  for (const c of list) {
    const d = distance(name.toLowerCase(), c.toLowerCase());
    if (d <= limit && d < bestDist) {
      best = c;
      bestDist = d;
    }
  }
  return best;
}

/** " (did you mean 'x'?)" or "". */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const s = suggest(name, candidates);
  return s === undefined ? '' : ` (did you mean '${s}'?)`;
}

/** Damerau-Levenshtein distance (optimal string alignment). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
