/**
 * --start-at-task NAME (Ansible's): the run begins at the first task whose name (or "role : name")
 * is NAME, or matches it as a shell pattern (`*`, `?`, `[...]`); the tasks before it are passed over
 * (handlers still run when notified). No task of that name: an input error (exit 3) before any host.
 */
import { argumentSource, InputError } from '../errors.js';
import type { PlaybookSpec, TaskSpec } from '../playbook/types.js';
import { GlobError, globToRegExp } from '../text/glob.js';

/** The predicate the engine asks for each task in order (true from the first match on). */
export function startAtTask(playbook: PlaybookSpec, name: string): (task: TaskSpec) => boolean {
  const first = playbook.plays.flatMap((p) => p.tasks).find(nameMatcher(name));
  if (!first) {
    const names = playbook.plays.flatMap((p) => p.tasks).filter((t) => t.module !== 'meta').map(displayName);
    throw new InputError(`--start-at-task '${name}': no task of that name`, argumentSource('--start-at-task', name), { expected: `a task name: ${names.slice(0, 15).join(', ')}` });
  }
  let started = false;
  return (task) => started || (started = task === first);
}

function displayName(t: TaskSpec): string {
  return t.role ? `${t.role.name} : ${t.name}` : t.name;
}

/** Whether the task's name (or "role : name") is the pattern or matches it as a glob. */
function nameMatcher(pattern: string): (t: TaskSpec) => boolean {
  let re: RegExp | undefined;
  try {
    re = globToRegExp(pattern, { dotAll: true });
  } catch (err) {
    if (!(err instanceof GlobError)) throw err;
  }
  // not a valid glob (a reversed range): only the very name matches
  return (t) => [t.name, displayName(t)].some((n) => n === pattern || re?.test(n) === true);
}
