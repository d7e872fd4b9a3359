import type { TaskSpec } from './types.js';

/** A task that prints no header of its own (meta): the run and --list-tasks agree on this. */
export function isSilent(task: TaskSpec): boolean {
  return task.module === 'meta';
}
