/**
 * `serial:` batching. Sizes are numbers or percentages of the play's hosts (rounded down, at least
 * 1); the last size repeats until every host is in a batch. No serial: one batch of all hosts.
 */
export function batchSizes(serial: Array<number | string> | undefined, total: number): number[] {
  if (!serial || serial.length === 0 || total === 0) return [total];
  return serial.map((s) => sizeOf(s, total));
}

function sizeOf(s: number | string, total: number): number {
  if (typeof s === 'number') return s <= 0 ? total : Math.max(1, Math.floor(s));
  const m = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(s);
  if (m) return Math.max(1, Math.floor((Number(m[1]) * total) / 100));
  const n = Number(s);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : total;
}

export function splitBatches<T>(hosts: T[], serial: Array<number | string> | undefined): T[][] {
  const sizes = batchSizes(serial, hosts.length);
  const batches: T[][] = [];
  let i = 0;
  let k = 0;
  while (i < hosts.length) {
    const size = sizes[Math.min(k, sizes.length - 1)];
    batches.push(hosts.slice(i, i + size));
    i += size;
    k++;
  }
  return batches;
}
