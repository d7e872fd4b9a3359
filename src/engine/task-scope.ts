/**
 * One task on one host: where it runs (play, host, connection settings) and the ModuleContext a
 * module receives (findFile bound to the task's role and project, renderTemplate bound to the vars).
 */
import { dirname } from 'node:path';
import type { Connection, ConnectionSettings } from '../connection/types.js';
import type { ModuleContext, Vars } from '../modules/types.js';
import type { PlaySpec, TaskSpec } from '../playbook/types.js';
import { findFile } from '../validate/find-file.js';
import { renderTemplateFile } from '../vars/template.js';
import type { ReadAhead } from './read-ahead.js';
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
  /** The play's read-ahead: `record` when this is the read-ahead itself, else the host's turn. */
  readAhead?: { book: ReadAhead; record: boolean };
}

export function moduleContext(scope: TaskScope, conn: Connection, vars: Vars, signal: AbortSignal): ModuleContext {
  const { run, play, task, host, settings } = scope;
  return {
    host,
    conn,
    check: run.options.check === true,
    diff: run.options.diff === true,
    become: task.become ?? (play.become || settings.become),
    becomeUser: task.becomeUser ?? play.becomeUser ?? settings.becomeUser,
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
      if (run.options.verbose && !task.noLog) run.emit({ event: 'log', host, task: scope.taskName, msg: message });
    },
  };
}
