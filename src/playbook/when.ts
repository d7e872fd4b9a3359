/** A task's `when` conditions with their sources (a role entry's `when` is written in the playbook). */
import type { Source } from '../errors.js';
import type { TaskSpec } from './types.js';

export function whenOf(task: TaskSpec): Array<{ text: string; source: Source }> {
  const own = task.expressions?.filter((e) => e.key === 'when');
  if (own && own.length === task.when.length && own.every((e, i) => e.text === task.when[i])) return own;
  return task.when.map((text) => ({ text, source: task.keySources?.when ?? task.source }));
}
