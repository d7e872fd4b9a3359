/**
 * One task on one host: where it runs (play, host, connection settings) and the ModuleContext a
 * module receives (findFile bound to the task's role and project, renderTemplate bound to the vars).
 */
import { dirname } from 'node:path';
import type { Connection, ConnectionSettings } from '../connection/types.js';
import type { FactInput, ModuleContext } from '../modules/types.js';
import type { Vars } from '../types.js';
import type { PlaySpec, TaskSpec } from '../playbook/types.js';
import { findFile } from '../playbook/find-file.js';
import { renderTemplateFile } from '../vars/template.js';
import { becomeUserOf, becomeUserSource } from './become-user.js';
import type { RunContext } from './run-context.js';

export interface TaskScope {
  run: RunContext;
  play: PlaySpec;
  task: TaskSpec;
  /** Display name of the task (as in TASK [...]). */
  taskName: string;
  host: string;
  settings: ConnectionSettings;
  handler: boolean;
  /** Report only failures (meta tasks). */
  silent: boolean;
  /** Hosts of the play (play_hosts): the reads of the host's next tasks render with them. */
  playHosts?: string[];
  /** A failure here is taken by an enclosing block's rescue (counted as rescued). */
  rescuable?: boolean;
  /** delegate_to: where the task runs for `host` (src/engine/delegate.ts); unset: on `host` itself. */
  target?: Target;
}

/** The machine a task runs on. */
export interface Target {
  host: string;
  settings: ConnectionSettings;
}

/** Where the task runs: the delegate, or the host itself. */
export function targetOf(scope: TaskScope): Target {
  return scope.target ?? { host: scope.host, settings: scope.settings };
}

/** check_mode on the task wins over --check. */
export function checkModeOf(scope: Pick<TaskScope, 'run' | 'task'>): boolean {
  return scope.task.checkMode ?? scope.run.options.check === true;
}

/** diff on the task wins over --diff. */
export function diffOf(scope: Pick<TaskScope, 'run' | 'task'>): boolean {
  return scope.task.diff ?? scope.run.options.diff === true;
}

/** The fact's input: the same for a task's own read and for the reads made ahead of it. */
export function factInputOf(scope: Pick<TaskScope, 'run' | 'task'>): Required<FactInput> {
  return { check: checkModeOf(scope), diff: diffOf(scope) };
}

/**
 * Whether and as whom the task's commands run with become (the task, else the play, else the host).
 * become_user is templated, as in Ansible (`become_user: "{{ app_user }}"`).
 */
export function becomeOf(scope: TaskScope, vars: Vars): { become: boolean; becomeUser?: string } {
  const { play, task } = scope;
  const { settings } = targetOf(scope);
  const own = task.becomeUser ?? play.becomeUser;
  const becomeUser = own === undefined ? settings.becomeUser : becomeUserOf(own, vars, becomeUserSource(task, play));
  return { become: task.become ?? (play.become || settings.become), becomeUser };
}

export function moduleContext(scope: TaskScope, conn: Connection, vars: Vars, signal: AbortSignal): ModuleContext {
  const { run, play, task } = scope;
  const { host } = targetOf(scope);
  return {
    host,
    conn,
    ...factInputOf(scope),
    ...becomeOf(scope, vars),
    vars,
    source: task.source,
    roleDir: task.role?.dir,
    findFile: (kind, name) =>
      findFile(kind, name, {
        roleDir: task.role?.dir,
        projectDir: run.playbook.projectDir,
        playbookDir: dirname(play.source.file),
        source: task.source,
      }),
    renderTemplate: (path) => renderTemplateFile(path, vars),
    state: run.memory(host).state,
    timeoutMs: task.timeout === undefined ? undefined : task.timeout * 1000,
    signal,
    log: (message) => {
      if (run.options.verbose && !task.noLog) run.emit({ event: 'log', host: scope.host, task: scope.taskName, msg: message });
    },
  };
}
