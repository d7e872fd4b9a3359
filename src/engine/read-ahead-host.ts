/**
 * The read-ahead of one host (src/engine/read-ahead.ts): the play's tasks in order, as the host's
 * turn will run them, but plans only, on a copy of the host's memory, reporting nothing, up to
 * WINDOW tasks at once. A task that registers a result or sets facts is waited for before the next
 * one starts, since the next may read them. The read-ahead stops at the first task that would
 * change, fails or runs once, and passes over a task whose module's plan is not a pure read (the
 * host's turn runs that one itself, and what it changes voids the rest).
 */
import { getModule } from '../modules/index.js';
import { isTaskSelected } from '../playbook/tags.js';
import type { TaskSpec } from '../playbook/types.js';
import { runOnHost } from './host-task.js';
import type { ReadAhead } from './read-ahead.js';
import { Recap } from './recap.js';
import type { HostMemory, RunContext } from './run-context.js';
import { isSilent, type PlayScope } from './task.js';

/** Plans of one host read at once (a connection runs at most 8 commands at once). */
const WINDOW = 4;

export async function readAheadHost(ps: PlayScope, host: string, book: ReadAhead, signal: AbortSignal): Promise<void> {
  const run = readAheadContext(ps.run, host, signal);
  const { tags, skipTags } = run.options;
  const inFlight = new Set<Promise<void>>();
  let stop = false;
  // its own connect attempt is forgotten if it fails: the host's turn connects again and reports
  run.pool.warm(host, ps.settings.get(host)!);
  book.started(host);
  for (const task of ps.play.tasks) {
    if (stop || signal.aborted || task.runOnce) break;
    const mod = getModule(task.module);
    // not selected, or not a pure read (wait_for, proxmox_lxc): nothing to read ahead here
    if (!isTaskSelected(task.tags, { tags: tags ?? [], skipTags: skipTags ?? [] }) || mod?.readAhead !== true) {
      book.finished(host, task);
      continue;
    }
    while (inFlight.size >= WINDOW) await Promise.race(inFlight);
    if (stop || signal.aborted) break;
    const step: Promise<void> = runOnHost(scopeOf(ps, run, task, host, book), ps.hosts)
      .then(
        (o) => {
          // flush_handlers goes on: nothing was notified, as nothing changed
          if (!o || (o.status !== 'ok' && o.status !== 'skipped') || o.control === 'end_host' || o.control === 'end_play') stop = true;
        },
        () => {
          stop = true;
        },
      )
      .finally(() => {
        inFlight.delete(step);
        book.finished(host, task);
      });
    inFlight.add(step);
    if (task.register || mod.setsFacts) await Promise.all(inFlight);
  }
  await Promise.all(inFlight);
  // what was read stays for the host's turn; the rest it reads itself, without waiting
  for (const task of ps.play.tasks) book.finished(host, task);
}

function scopeOf(ps: PlayScope, run: RunContext, task: TaskSpec, host: string, book: ReadAhead) {
  return {
    run,
    play: ps.play,
    task,
    taskName: task.name,
    host,
    settings: ps.settings.get(host)!,
    handler: false,
    silent: isSilent(task),
    readAhead: { book, record: true },
  };
}

/** The run as the read-ahead sees it: its own memory copy, counters and stop signal; no output. */
function readAheadContext(run: RunContext, host: string, signal: AbortSignal): RunContext {
  const real = run.memory(host);
  const memory: HostMemory = {
    registered: { ...real.registered },
    state: {
      pendingPackages: new Set(real.state.pendingPackages),
      pendingPaths: new Set(real.state.pendingPaths),
      pendingUsers: new Set(real.state.pendingUsers),
      cache: new Map(real.state.cache),
    },
  };
  return {
    ...run,
    recap: new Recap(),
    gone: new Set(),
    signal,
    memory: () => memory,
    emit: () => {},
  };
}
