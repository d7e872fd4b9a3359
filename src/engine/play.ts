/**
 * One play: its hosts (pattern ∩ --limit, minus hosts gone earlier), split into serial batches.
 * Returns 'stop' when the run must not go on (a batch broke the play's failure limit, or interrupt).
 */
import type { ConnectionSettings } from '../connection/types.js';
import { connectionSettings, hostVarSource } from '../inventory/connection-vars.js';
import { playHosts } from '../inventory/play-hosts.js';
import { getModule } from '../modules/index.js';
import type { PlaySpec } from '../playbook/types.js';
import { taskVars } from '../vars/precedence.js';
import { splitBatches } from './batches.js';
import { BatchRunner } from './batch.js';
import { DEFAULT_FORKS } from './defaults.js';
import type { RunContext } from './run-context.js';
import type { PlayScope } from './task.js';
import { allTasks } from '../playbook/includes.js';

export async function runPlay(run: RunContext, play: PlaySpec): Promise<'continue' | 'stop'> {
  const hosts = playHosts(run, play);
  run.emit({ event: 'play_start', play: play.name, pattern: play.hosts, hosts });
  if (hosts.length === 0) return 'continue';
  const ps: PlayScope = { run, play, hosts, settings: new Map(hosts.map((h) => [h, settingsOf(run, play, h, hosts)])) };
  return runBatches(run, ps, splitBatches(hosts, play.serial));
}

async function runBatches(run: RunContext, ps: PlayScope, batches: string[][]): Promise<'continue' | 'stop'> {
  const { play } = ps;
  // SSH handshakes overlap other work, unless the play only runs controller modules or delegates
  // every task elsewhere: at the start, the first batch's and those of later batches up to --forks
  // hosts in all (a serial play's earlier turns may read them: facts of peers); then, during each
  // batch, the next batch's
  const needsConnections = [...allTasks(play.tasks), ...play.handlers].some((t) => getModule(t.module)?.controllerOnly !== true && t.delegateTo === undefined);
  const forks = Math.max(1, run.options.forks ?? DEFAULT_FORKS);
  const atStart = batches.flat().slice(0, Math.max(forks, batches[0]?.length ?? 0));
  for (const [i, batch] of batches.entries()) {
    if (run.signal.aborted) return 'stop';
    if (batches.length > 1) run.emit({ event: 'batch_start', play: play.name, batch: i + 1, hosts: batch });
    for (const h of batch) run.recap.touch(h);
    if (needsConnections) for (const h of [...(i === 0 ? atStart : []), ...(batches[i + 1] ?? [])]) run.pool.warm(h, ps.settings.get(h)!);
    const end = await new BatchRunner(ps, batch).run();
    if (end === 'abort') return 'stop';
    if (end === 'end_play') return 'continue';
  }
  return run.signal.aborted ? 'stop' : 'continue';
}

/** Connection settings from the host's play-level variables; `connection: local` on the play wins. */
export function settingsOf(
  run: Pick<RunContext, 'inventory' | 'options' | 'inventoryDir'>,
  play: PlaySpec,
  host: string,
  hosts: string[],
): ConnectionSettings {
  const vars = taskVars({
    inventory: run.inventory,
    host,
    play,
    extraVars: run.options.extraVars,
    playHosts: hosts,
    check: run.options.check === true,
  });
  const sourceOf = hostVarSource(run.inventory, host, play, run.options.extraVars);
  const settings = connectionSettings(host, vars, run.inventoryDir, run.inventory.hosts.get(host)?.source, sourceOf);
  return play.connection ? { ...settings, kind: play.connection } : settings;
}
