/**
 * What an include_tasks / include_role task leads to once it ran on the hosts of a batch: its included
 * tasks once per distinct loop item (or once, without a loop), for the hosts that included them, in
 * the order the items first appear (as Ansible runs included files). The included tasks get the
 * include's vars and loop variable as vars above their own.
 */
import type { Vars } from '../types.js';
import { mapTasks, type PlayItem, type TaskSpec } from '../playbook/types.js';
import type { HostOutcome } from './host-task.js';

export interface IncludeRun {
  hosts: string[];
  tasks: PlayItem[];
}

export function includeRuns(task: TaskSpec, outcomes: HostOutcome[]): IncludeRun[] {
  const include = task.include;
  if (!include) return [];
  const runs = new Map<string, { hosts: string[]; vars: Vars }>();
  for (const o of outcomes) {
    if (o.status !== 'ok' && o.status !== 'changed') continue;
    const items =
      task.loop === undefined
        ? [{ vars: task.vars }]
        : ((o.result.results as Vars[] | undefined) ?? []).filter((r) => r.skipped !== true && r.failed !== true).map((r) => ({ vars: { ...task.vars, [task.loopVar]: r.item } }));
    for (const { vars } of items) {
      const key = JSON.stringify(vars);
      const run = runs.get(key);
      if (run) {
        if (!run.hosts.includes(o.host)) run.hosts.push(o.host);
      } else runs.set(key, { hosts: [o.host], vars });
    }
  }
  return [...runs.values()].map(({ hosts, vars }) => ({ hosts, tasks: mapTasks(include.tasks, (t) => ({ ...t, vars: { ...t.vars, ...vars } })) }));
}
