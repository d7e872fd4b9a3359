/**
 * `--tags` / `--skip-tags` checked before any connection: a name that no task has (a typo like
 * `--tags hapoxy` in CI would otherwise check nothing and pass) or a `--tags` that selects no task
 * is an input error naming the flag and the tags that exist.
 */
import { argumentSource, InputError } from '../errors.js';
import { didYouMean } from '../load/did-you-mean.js';
import type { PlaybookSpec } from '../playbook/types.js';
import { isTaskSelected } from '../playbook/tags.js';

const SPECIAL = ['all', 'tagged', 'untagged', 'always', 'never'];

export function checkTagFlags(playbook: PlaybookSpec, tags: readonly string[] = [], skipTags: readonly string[] = []): InputError[] {
  const tasks = playbook.plays.flatMap((p) => [...p.tasks, ...p.handlers]);
  const known = new Set(tasks.flatMap((t) => t.tags));
  const listed = known.size ? [...known].sort().join(', ') : 'none: no task has a tag';
  const errors: InputError[] = [];
  for (const [flag, names] of [['--tags', tags], ['--skip-tags', skipTags]] as const) {
    // the column counts in the flag's value as given (comma separated; several flags read as one list)
    const text = names.join(',');
    names.forEach((name, i) => {
      if (known.has(name) || SPECIAL.includes(name)) return;
      const at = names.slice(0, i).reduce((n, x) => n + x.length + 1, 0);
      errors.push(
        new InputError(`no task has the tag ${JSON.stringify(name)}${didYouMean(name, known)}`, argumentSource(flag, text, at), { expected: `a tag of the playbook (${listed}) or one of ${SPECIAL.join(', ')}` }),
      );
    });
  }
  if (errors.length === 0 && tags.length > 0 && !playbook.plays.some((p) => p.tasks.some((t) => isTaskSelected(t.tags, { tags: [...tags], skipTags: [...skipTags] })))) {
    errors.push(new InputError(`${JSON.stringify(tags.join(','))}${skipTags.length ? ` with --skip-tags ${JSON.stringify(skipTags.join(','))}` : ''} selects no task`, argumentSource('--tags', tags.join(',')), { expected: `tags that some task has (${listed})` }));
  }
  return errors;
}
