/**
 * --tags / --skip-tags selection with Ansible semantics:
 * - no --tags means `all`: every task except those tagged `never`;
 * - `always` tasks run unless `always` (or one of their tags) is skipped explicitly;
 * - `never` tasks run only when one of their other tags (or `never`) is asked for;
 * - special selectors: `all`, `tagged` (has any tag), `untagged` (has none).
 */
export interface TagSelection {
  tags?: string[];
  skipTags?: string[];
}

export function isTaskSelected(taskTags: string[], sel: TagSelection): boolean {
  const tags = new Set(taskTags);
  const only = sel.tags?.length ? sel.tags : ['all'];
  const skip = sel.skipTags ?? [];
  const matches = (selector: string): boolean => {
    switch (selector) {
      case 'all':
        return !tags.has('never');
      case 'tagged':
        return tags.size > 0 && !tags.has('never');
      case 'untagged':
        return tags.size === 0;
      default:
        return tags.has(selector);
    }
  };
  const selected = tags.has('always') || only.some(matches);
  if (!selected) return false;
  const skipped = skip.some((s) => (s === 'all' ? !tags.has('always') : matches(s)));
  return !skipped;
}
