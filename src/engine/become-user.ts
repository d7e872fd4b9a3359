/**
 * become_user as Ansible has it: templated per host, on the task, a block or the play. A value that
 * renders to no user name is bad input, reported offline before any host is contacted.
 */
import { InputError, type Source } from '../errors.js';
import type { PlaySpec, TaskSpec } from '../playbook/types.js';
import type { Vars } from '../types.js';
import { hasTemplate, renderValue } from '../vars/render.js';
import { isUnknown } from '../vars/unknown.js';

/** Where a task's become_user is written: on the task, else the play (inherited from a block: the task's line). */
export function becomeUserSource(task: TaskSpec, play: PlaySpec): Source {
  return task.keySources?.become_user ?? (task.becomeUser === undefined ? play.becomeUserSource : undefined) ?? task.source;
}

/** A become_user value rendered: a user name, or an InputError where it is written (unknown offline: as is). */
export function becomeUserOf(value: string, vars: Vars, source: Source): string {
  if (!hasTemplate(value)) return value;
  const v = renderValue(value, vars, source);
  if (isUnknown(v)) return value;
  if ((typeof v !== 'string' && typeof v !== 'number') || String(v).trim() === '') {
    throw new InputError(`become_user ${JSON.stringify(value)} renders to ${JSON.stringify(v)}, which is no user name`, source, { expected: 'a user name or uid' });
  }
  return String(v);
}
