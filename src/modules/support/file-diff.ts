/** FileDiff for --diff: text before/after, or a one-line summary for binary or large content. */
import type { FileDiff } from '../types.js';
import { MAX_CONTENT } from './file-facts.js';

function isText(s: string | Buffer): boolean {
  const b = typeof s === 'string' ? Buffer.from(s) : s;
  return b.length <= MAX_CONTENT && !b.includes(0);
}

export function contentDiff(path: string, before: string | Buffer | undefined, after: string | Buffer): FileDiff {
  const b = before ?? '';
  if (!isText(b) || !isText(after)) {
    return { path, before: '', after: '', summary: `binary or large content changed (${Buffer.byteLength(after)} bytes)` };
  }
  return { path, before: b.toString(), after: after.toString() };
}
