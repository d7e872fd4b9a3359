/** Small shape conversions shared by the playbook loader. */

/** A string or a list of strings/numbers as a list; tags written "a,b" are split. */
export function toList(value: unknown, splitCommas = false): string[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  const out = items.map((v) => String(v));
  return splitCommas ? out.flatMap((s) => s.split(',').map((t) => t.trim())).filter(Boolean) : out;
}

/** Union keeping first-seen order. */
export function union(...lists: string[][]): string[] {
  return [...new Set(lists.flat())];
}
