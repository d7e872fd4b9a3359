/**
 * delegate_to (and local_action): the task runs on another machine for the host. An inventory host
 * is reached with its own connection settings; `localhost` (or 127.0.0.1, ::1) that the inventory
 * does not name is the controller itself, through the local connection. Any other name is refused:
 * lbrun never contacts a machine the inventory does not list.
 */
import { userInfo } from 'node:os';
import type { ConnectionSettings } from '../connection/types.js';
import { didYouMean } from '../load/did-you-mean.js';
import { InputError, type Source } from '../errors.js';
import type { Inventory } from '../inventory/types.js';
import type { Vars } from '../types.js';
import type { PlaySpec } from '../playbook/types.js';
import { renderValue } from '../vars/render.js';
import { settingsOf } from './play.js';
import type { RunContext } from './run-context.js';
import type { Target, TaskScope } from './task-scope.js';

export const LOCAL_NAMES = ['localhost', '127.0.0.1', '::1'];

/** The controller as an implicit host: local connection, as the user running lbrun. */
export function controllerSettings(): ConnectionSettings {
  return { kind: 'local', address: 'localhost', port: 22, user: userInfo().username, connectTimeout: 10, connectRetries: 0, become: false };
}

/** The delegate of the task for this host (rendered), or undefined when it runs on the host itself. */
export function delegateTarget(scope: TaskScope, vars: Vars, playHosts: string[]): Target | undefined {
  const { run, play, task, host } = scope;
  if (task.delegateTo === undefined) return undefined;
  const at = task.keySources?.delegate_to ?? task.source;
  const name = renderValue(task.delegateTo, vars, at);
  if (typeof name !== 'string' || name === '') throw new InputError(`delegate_to must name a host, got ${JSON.stringify(name)}`, at);
  if (name === host) return undefined;
  return { host: name, settings: delegateSettings(run, play, name, playHosts, at) };
}

/** Connection settings of a delegate: its inventory settings, or the controller for localhost. */
export function delegateSettings(
  run: Pick<RunContext, 'inventory' | 'options' | 'inventoryDir'>,
  play: PlaySpec,
  name: string,
  playHosts: string[],
  at: Source,
): ConnectionSettings {
  checkDelegate(run.inventory, name, at);
  return run.inventory.hosts.has(name) ? settingsOf(run, play, name, playHosts) : controllerSettings();
}

/** A delegate must be an inventory host or the controller (localhost). */
export function checkDelegate(inventory: Inventory, name: string, at: Source): void {
  if (inventory.hosts.has(name) || LOCAL_NAMES.includes(name)) return;
  throw new InputError(`delegate_to '${name}' is not a host of the inventory${didYouMean(name, [...inventory.hosts.keys(), 'localhost'])}`, at, {
    expected: `an inventory host or localhost`,
  });
}
