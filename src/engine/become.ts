/**
 * Does any play need a sudo password? Only when some task would become root on a host reached over
 * SSH as a user other than root (local runs and root logins never ask), the play's hosts or the
 * inventory hosts its tasks delegate to.
 */
import type { PlaySpec } from '../playbook/types.js';
import { playHosts } from '../inventory/play-hosts.js';
import { settingsOf } from './play.js';
import type { RunContext } from './run-context.js';
import { allTasks } from '../playbook/includes.js';

export function needsBecomePassword(run: Pick<RunContext, 'inventory' | 'options' | 'gone' | 'inventoryDir'>, plays: PlaySpec[]): boolean {
  for (const play of plays) {
    const tasks = [...allTasks(play.tasks), ...play.handlers];
    const anyTaskBecomes = tasks.some((t) => t.become === true);
    const hosts = playHosts(run, play);
    // delegates named literally that the inventory lists are reached with their own settings
    const delegates = [...new Set(tasks.map((t) => t.delegateTo).filter((d): d is string => d !== undefined && run.inventory.hosts.has(d)))];
    for (const host of [...hosts, ...delegates.filter((d) => !hosts.includes(d))]) {
      const s = settingsOf(run, play, host, hosts);
      if (s.kind !== 'ssh' || s.user === 'root') continue;
      if (play.become || s.become || anyTaskBecomes) return true;
    }
  }
  return false;
}
