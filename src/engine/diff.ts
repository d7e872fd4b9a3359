/** Unified diffs for --diff (the `diff` library), as carried by events and printed by humans. */
import { createTwoFilesPatch } from 'diff';
import type { DiffEvent } from './events.js';
import type { FileDiff } from '../types.js';

export function toDiffEvents(diffs: FileDiff[]): DiffEvent[] {
  return diffs.map((d) => {
    if (d.summary !== undefined) return { path: d.path, patch: '', summary: d.summary };
    const patch = createTwoFilesPatch(`${d.path} (before)`, `${d.path} (after)`, d.before, d.after, undefined, undefined, {
      context: 3,
    });
    // Drop the "====" separator line the library puts first; keep ---/+++ and the hunks.
    return { path: d.path, patch: patch.replace(/^=+\n/, '') };
  });
}
