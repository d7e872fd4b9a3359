/** What a tool left on disk: every path under a root with its type, mode and sha256 (or link target). */
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

/** @returns {Record<string, string>} relative path -> "file 644 <sha256>" | "dir 755" | "link -> target" */
export function snapshotTree(root) {
  const out = {};
  const walk = (dir, rel) => {
    for (const name of readdirSync(dir).sort()) {
      const abs = join(dir, name);
      const r = rel ? `${rel}/${name}` : name;
      const st = lstatSync(abs);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) out[r] = `link -> ${readlinkSync(abs)}`;
      else if (st.isDirectory()) {
        out[r] = `dir ${mode}`;
        walk(abs, r);
      } else out[r] = `file ${mode} ${createHash('sha256').update(readFileSync(abs)).digest('hex')}`;
    }
  };
  walk(root, '');
  return out;
}

/** Lines naming each difference between two snapshots (empty when identical). */
export function compareSnapshots(a, b, labels = ['lbrun', 'ansible']) {
  const diffs = [];
  for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    if (a[k] !== b[k]) diffs.push(`${k}: ${labels[0]} ${a[k] ?? 'absent'}, ${labels[1]} ${b[k] ?? 'absent'}`);
  }
  return diffs;
}
