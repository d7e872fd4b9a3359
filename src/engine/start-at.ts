/**
 * --start-at-task NAME (Ansible's): the run begins at the first task whose name (or "role : name")
 * is NAME, or matches it as a shell pattern (`*`, `?`, `[...]`); the tasks before it are passed over
 * (handlers still run when notified). No task of that name: an input error (exit 3) before any host.
 */
import { argumentSource, InputError } from '../errors.js';
import type { PlaybookSpec, TaskSpec } from '../playbook/types.js';

/** The predicate the engine asks for each task in order (true from the first match on). */
export function startAtTask(playbook: PlaybookSpec, name: string): (task: TaskSpec) => boolean {
  const first = playbook.plays.flatMap((p) => p.tasks).find((t) => nameMatches(t, name));
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

function nameMatches(t: TaskSpec, pattern: string): boolean {
  const re = globRegExp(pattern);
  return [t.name, displayName(t)].some((n) => n === pattern || re.test(n));
}

/** fnmatch: * ? [...] (the rest literal). */
function globRegExp(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) out += '\\[';
      else {
        const body = pattern.slice(i + 1, end);
        out += `[${body.startsWith('!') ? '^' + body.slice(1).replace(/\\/g, '\\\\') : body.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else out += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${out}$`, 's');
}
