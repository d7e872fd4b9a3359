/**
 * `--tags` / `--skip-tags` checked before any connection: a name that no task has (a typo like
 * `--tags hapoxy` in CI would otherwise check nothing and pass) or a `--tags` that selects no task
 * is an input error naming the flag and the tags that exist.
 */
import { InputError } from '../errors.js';
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
    for (const name of names) {
      if (known.has(name) || SPECIAL.includes(name)) continue;
      errors.push(
        new InputError(`no task has the tag ${JSON.stringify(name)}${didYouMean(name, known)}`, { file: flag }, { expected: `a tag of the playbook (${listed}) or one of ${SPECIAL.join(', ')}` }),
      );
    }
  }
  if (errors.length === 0 && tags.length > 0 && !playbook.plays.some((p) => p.tasks.some((t) => isTaskSelected(t.tags, { tags: [...tags], skipTags: [...skipTags] })))) {
    errors.push(new InputError(`${JSON.stringify(tags.join(','))}${skipTags.length ? ` with --skip-tags ${JSON.stringify(skipTags.join(','))}` : ''} selects no task`, { file: '--tags' }, { expected: `tags that some task has (${listed})` }));
  }
  return errors;
}
