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
import { isBlock, type PlayItem, type TaskSpec } from '../playbook/types.js';
import { runOnHost } from './host-task.js';
import type { ReadAhead } from './read-ahead.js';
import { Recap } from './recap.js';
import { copyHostMemory, type RunContext } from './run-context.js';
import { taskScope, type PlayScope } from './task.js';

/**
 * The tasks a host runs when nothing fails, in order: a block's tasks then its always (its rescue
 * runs only after a failure, where the read-ahead stops anyway).
 */
export function readAheadTasks(items: readonly PlayItem[]): TaskSpec[] {
  return items.flatMap((i) => (isBlock(i) ? [...readAheadTasks(i.block), ...readAheadTasks(i.always)] : [i]));
}

/** Plans of one host read at once (a connection runs at most 8 commands at once). */
const WINDOW = 4;

export async function readAheadHost(ps: PlayScope, host: string, book: ReadAhead, signal: AbortSignal): Promise<void> {
  const run = readAheadContext(ps.run, host, signal);
  const ahead: PlayScope = { ...ps, run };
  const inFlight = new Set<Promise<void>>();
  let stop = false;
  // its own connect attempt is forgotten if it fails: the host's turn connects again and reports
  run.pool.warm(host, ps.settings.get(host)!);
  book.started(host);
  for (const task of readAheadTasks(ps.play.body)) {
    if (stop || signal.aborted || task.runOnce) break;
    const mod = getModule(task.module);
    // not selected, not a pure read (wait_for, proxmox_lxc), retried (until) or run on another
    // machine (delegate_to): nothing to read ahead here
    if (!isTaskSelected(task.tags, run.options) || mod?.readAhead !== true || task.until !== undefined || task.retries !== undefined || task.delegateTo !== undefined) {
      book.finished(host, task);
      continue;
    }
    while (inFlight.size >= WINDOW) await Promise.race(inFlight);
    if (stop || signal.aborted) break;
    const scope = taskScope(ahead, task, host, { taskName: task.name, handler: false, readAhead: { book, record: true } });
    const step: Promise<void> = runOnHost(scope, ps.hosts)
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

/** The run as the read-ahead sees it: its own memory copy, counters and stop signal; no output. */
function readAheadContext(run: RunContext, host: string, signal: AbortSignal): RunContext {
  const memory = copyHostMemory(run.memory(host));
  return {
    ...run,
    recap: new Recap(),
    gone: new Set(),
    signal,
    memory: () => memory,
    emit: () => {},
  };
}
