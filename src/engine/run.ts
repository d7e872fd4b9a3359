/**
 * run(): validate everything (nothing is contacted when input is bad: InputError, exit 3), then
 * every play in order, then the recap. One connection per host for the whole run, closed at the end.
 */
import { setMaxListeners } from 'node:events';
import { dirname } from 'node:path';
import pLimit from 'p-limit';
import '../modules/index.js';
import { redactError, redactor } from '../secrets/redact.js';
import { validateProject } from '../validate/walk.js';
import { trackSecrets } from '../vars/expr.js';
import { needsBecomePassword } from './become.js';
import { ConnectionPool } from './connections.js';
import type { RunEvent } from './events.js';
import { runPlay } from './play.js';
import { exitCodeFor, Recap } from './recap.js';
import { newHostMemory, type HostMemory, type RunContext } from './run-context.js';
import { collectSecrets, learnProjectSecrets } from './secrets.js';
import { startAtTask } from './start-at.js';
import type { RunOptions, RunSummary } from './types.js';
import { factStore } from '../vars/facts.js';
import { DEFAULT_FORKS } from './defaults.js';
import { favourMemoryFor } from './memory-mode.js';

export { DEFAULT_FORKS };

export async function run(options: RunOptions): Promise<RunSummary> {
  const started = Date.now();
  trackSecrets(redactor);
  if (options.becomePassword) redactor.add(options.becomePassword);
  const { playbook, inventory } = await validateProject({
    playbookFile: options.playbookFile,
    inventoryFile: options.inventoryFile,
    extraVars: options.extraVars,
    limit: options.limit,
    tags: options.tags,
    skipTags: options.skipTags,
  }).catch(async (err: unknown) => {
    await learnProjectSecrets(options, redactor);
    throw redactError(err, redactor);
  });
  // from here facts are gathered when read (offline, above, they were unknown values)
  factStore(inventory);
  const startAt = options.startAtTask === undefined ? undefined : startAtTask(playbook, options.startAtTask);
  const secretNames = collectSecrets(playbook, inventory, options.extraVars, redactor);
  const signal = options.signal ?? new AbortController().signal;
  // every running command listens for the abort: with many hosts in parallel that is more than
  // the default 10 listeners, which is no leak (Node would warn on stderr)
  setMaxListeners(0, signal);
  const memories = new Map<string, HostMemory>();
  const base = { inventory, options, gone: new Set<string>(), inventoryDir: dirname(inventory.file) };
  const forks = Math.max(1, options.forks ?? DEFAULT_FORKS);
  const restoreMemoryMode = favourMemoryFor(Math.min(forks, inventory.hosts.size));

  try {
    let becomePassword = options.becomePassword;
    if (becomePassword === undefined && options.askBecomePassword && needsBecomePassword(base, playbook.plays)) {
      becomePassword = await options.askBecomePassword();
      if (becomePassword) redactor.add(becomePassword);
    }
    const ctx: RunContext = {
      ...base,
      playbook,
      redactor,
      secretNames,
      recap: new Recap(),
      pool: new ConnectionPool({ acceptNewHostKeys: options.acceptNewHostKeys, becomePassword, readAhead: options.readAhead }),
      limit: pLimit(forks),
      signal,
      startAt,
      memory(host) {
        let m = memories.get(host);
        if (!m) memories.set(host, (m = newHostMemory()));
        return m;
      },
      emit(e: RunEvent) {
        options.onEvent?.(redactor.value(e));
      },
    };
    ctx.emit({ event: 'run_start', playbook: playbook.file, inventory: inventory.file, check: options.check === true });
    let stats: ReturnType<ConnectionPool['stats']> = {};
    try {
      for (const play of playbook.plays) {
        if (signal.aborted) break;
        if ((await runPlay(ctx, play)) === 'stop') break;
      }
    } finally {
      stats = ctx.pool.stats();
      await ctx.pool.closeAll();
    }
    const hosts = ctx.recap.toObject();
    const interrupted = signal.aborted;
    const durationMs = Date.now() - started;
    ctx.emit({
      event: 'recap',
      hosts,
      duration_ms: durationMs,
      check: options.check === true,
      ...(interrupted ? { interrupted } : {}),
      stats,
      read_ahead: { ...ctx.pool.reads.counts },
    });
    return {
      hosts,
      durationMs,
      interrupted,
      exitCode: exitCodeFor(hosts, { interrupted, failOnChange: options.failOnChange === true }),
    };
  } catch (err) {
    throw redactError(err, redactor);
  } finally {
    restoreMemoryMode();
  }
}
