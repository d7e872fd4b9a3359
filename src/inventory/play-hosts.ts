/** The hosts a play runs on: its pattern, within --limit, minus hosts gone earlier in the run. */
import type { PlaySpec } from '../playbook/types.js';
import { matchHosts } from './pattern.js';
import type { Inventory } from './types.js';

export interface PlayHostsScope {
  inventory: Inventory;
  /** Hosts that failed or became unreachable earlier in the run. */
  gone: ReadonlySet<string>;
  options: { limit?: string };
}

export function playHosts(run: PlayHostsScope, play: PlaySpec): string[] {
  let hosts = matchHosts(run.inventory, play.hosts, play.hostsSource);
  if (run.options.limit) {
    const limit = new Set(matchHosts(run.inventory, run.options.limit));
    hosts = hosts.filter((h) => limit.has(h));
  }
  return hosts.filter((h) => !run.gone.has(h));
}
