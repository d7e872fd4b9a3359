/**
 * One task (or handler) on the hosts of a batch: the TASK banner event, then every host in parallel
 * within --forks, or only the first host for run_once (its result given to all).
 */
import pLimit from 'p-limit';
import type { ConnectionSettings } from '../connection/types.js';
import type { PlaySpec, TaskSpec } from '../playbook/types.js';
import { isSilent } from '../playbook/silent.js';
import { renderString } from '../vars/render.js';
import { runOnHost, varsFor, type HostOutcome } from './host-task.js';
import type { RunContext } from './run-context.js';
import type { TaskScope } from './task-scope.js';

export interface PlayScope {
  run: RunContext;
  play: PlaySpec;
  /** Hosts of the play (play_hosts). */
  hosts: string[];
  settings: Map<string, ConnectionSettings>;
}

/** The task on one host of the play. */
export function taskScope(
  ps: PlayScope,
  task: TaskSpec,
  host: string,
  how: { taskName: string; handler: boolean; rescuable?: boolean },
): TaskScope {
  return { run: ps.run, play: ps.play, task, host, settings: ps.settings.get(host)!, silent: isSilent(task), playHosts: ps.hosts, ...how };
}

/** meta tasks steer the engine and print nothing unless they fail. */
export async function runTask(ps: PlayScope, task: TaskSpec, hosts: string[], handler: boolean, rescuable = false): Promise<HostOutcome[]> {
  const { run, play } = ps;
  const scopeOf = (host: string, taskName: string) => taskScope(ps, task, host, { taskName, handler, rescuable });
  const taskName = displayName(scopeOf(hosts[0], task.name), ps.hosts);
  if (!isSilent(task)) run.emit({ event: 'task_start', play: play.name, task: taskName, module: task.module, ...(handler ? { handler } : {}) });

  if (task.runOnce) return runOnce(ps, hosts, (h) => scopeOf(h, taskName));
  // throttle: at most that many hosts at once for this task (within --forks)
  const throttle = task.throttle === undefined ? undefined : pLimit(task.throttle);
  const one = (h: string) => runOnHost(scopeOf(h, taskName), ps.hosts);
  const outcomes = await Promise.all(hosts.map((h) => (throttle ? throttle(() => run.limit(() => one(h))) : run.limit(() => one(h)))));
  return outcomes.filter((o): o is HostOutcome => o !== undefined);
}

/**
 * run_once: the first host that can be reached runs the task; every host of the batch gets its
 * result (register, notify, failure) but only the host that ran it counts it.
 */
async function runOnce(ps: PlayScope, hosts: string[], scopeOf: (h: string) => TaskScope): Promise<HostOutcome[]> {
  const outcomes: HostOutcome[] = [];
  for (const [i, host] of hosts.entries()) {
    const o = await runOnHost(scopeOf(host), ps.hosts);
    if (!o) return outcomes;
    outcomes.push(o);
    if (o.status === 'unreachable') continue;
    const register = scopeOf(host).task.register;
    for (const other of hosts.slice(i + 1)) {
      if (register) ps.run.memory(other).registered[register] = o.result;
      outcomes.push({ ...o, host: other });
    }
    break;
  }
  return outcomes;
}

/** "role : name", the name rendered with the first host's variables when it holds {{ }}. */
function displayName(scope: TaskScope, playHosts: string[]): string {
  const { task } = scope;
  let name = task.name;
  if (name.includes('{{')) {
    try {
      name = renderString(name, varsFor(scope, playHosts), task.source);
    } catch {
      // names may use loop items or registered values not known yet: show the name as written
    }
  }
  return task.role ? `${task.role.name} : ${name}` : name;
}
