/**
 * One serial batch of a play: tasks in order, all hosts of the batch together. A host that fails
 * stops there; the batch stops the play when any_errors_fatal sees a failure, when the failed
 * share exceeds max_fail_percentage, or when every host of the batch failed. Notified handlers run
 * at meta: flush_handlers and at the end of the batch (with --force-handlers also on failed hosts).
 * An include runs its tasks right after it, on the hosts that included them (src/engine/include.ts).
 */
import { isTaskSelected } from '../playbook/tags.js';
import type { TaskSpec } from '../playbook/types.js';
import { HandlerQueue } from './handlers.js';
import type { HostOutcome } from './host-task.js';
import { includeRuns } from './include.js';
import { runTask, type PlayScope } from './task.js';

export type BatchEnd = 'done' | 'end_play' | 'abort';

export class BatchRunner {
  /** Hosts still running, in inventory order. */
  private active: string[];
  /** Hosts that failed in this batch (not unreachable): eligible for forced handlers. */
  private readonly failed = new Set<string>();
  private readonly unreachable = new Set<string>();
  private readonly queue: HandlerQueue;
  private endPlay = false;

  constructor(
    private readonly ps: PlayScope,
    private readonly batch: string[],
  ) {
    this.active = [...batch];
    this.queue = new HandlerQueue(ps.play.handlers);
  }

  private get ctx() {
    return this.ps.run;
  }

  private get forceHandlers(): boolean {
    return this.ctx.options.forceHandlers === true || this.ps.play.forceHandlers === true;
  }

  async run(): Promise<BatchEnd> {
    const end = await this.runTasks(this.ps.play.tasks);
    if (end) return end;
    if (this.ctx.signal.aborted) return 'done';
    await this.flushHandlers();
    const abort = this.failureLimit();
    return abort ? this.abort(abort) : 'done';
  }

  /** Tasks in order on the active hosts (`only`: of those, the hosts that included these tasks). */
  private async runTasks(tasks: readonly TaskSpec[], only?: ReadonlySet<string>): Promise<BatchEnd | undefined> {
    for (const task of tasks) {
      if (this.ctx.signal.aborted || this.active.length === 0) break;
      if (!isTaskSelected(task.tags, this.ctx.options)) continue;
      const hosts = only ? this.active.filter((h) => only.has(h)) : this.active;
      if (hosts.length === 0) break;
      const outcomes = await runTask(this.ps, task, hosts, false);
      if (this.ctx.signal.aborted) break;
      const flush = this.absorb(task, outcomes);
      const abort = this.failureLimit();
      if (abort) return this.abort(abort);
      if (this.endPlay) return 'end_play';
      if (flush) {
        await this.flushHandlers();
        const after = this.failureLimit();
        if (after) return this.abort(after);
      }
      for (const included of includeRuns(task, outcomes)) {
        const end = await this.runTasks(included.tasks, new Set(included.hosts));
        if (end) return end;
      }
    }
    return undefined;
  }

  /** Apply outcomes: failures leave the batch, changes notify handlers. Returns "flush requested". */
  private absorb(task: TaskSpec, outcomes: HostOutcome[]): boolean {
    let flush = false;
    for (const o of outcomes) {
      if (o.status === 'unreachable') {
        this.leave(o.host);
        this.unreachable.add(o.host);
      } else if (o.status === 'failed' && !o.ignored) {
        this.leave(o.host);
        this.failed.add(o.host);
        this.ctx.gone.add(o.host);
      } else {
        if (o.changed && task.notify.length > 0) this.notify(task, o.host);
        if (o.control === 'flush_handlers') flush = true;
        if (o.control === 'end_host') this.leave(o.host);
        if (o.control === 'end_play') this.endPlay = true;
      }
    }
    return flush;
  }

  private notify(task: TaskSpec, host: string): void {
    for (const h of this.queue.notify(task.notify, host)) {
      this.ctx.emit({ event: 'handler_notified', host, handler: h.name, by: task.name });
    }
  }

  private leave(host: string): void {
    this.active = this.active.filter((h) => h !== host);
  }

  /** Run pending handlers in definition order on the hosts that notified them. */
  private async flushHandlers(): Promise<void> {
    const eligible = (h: string) => this.active.includes(h) || (this.forceHandlers && this.failed.has(h));
    // A handler may notify another; each notification runs once. Bound the passes against loops.
    for (let guard = 0; guard < 100 * (this.queue.handlers.length + 1); guard++) {
      if (this.ctx.signal.aborted) return;
      const next = this.queue.next(eligible);
      if (!next) return;
      const hosts = this.batch.filter((h) => next.hosts.includes(h));
      const outcomes = await runTask(this.ps, next.handler, hosts, true);
      if (this.ctx.signal.aborted) return;
      this.absorb(next.handler, outcomes);
    }
  }

  /** Why the play must stop, if it must. Unreachable hosts count as failed here. */
  private failureLimit(): string | undefined {
    const down = this.failed.size + this.unreachable.size;
    if (down === 0) return undefined;
    const { play } = this.ps;
    if (play.anyErrorsFatal) return `any_errors_fatal: ${[...this.failed, ...this.unreachable].join(', ')} failed`;
    if (play.maxFailPercentage !== undefined) {
      const pct = (down / this.batch.length) * 100;
      if (pct > play.maxFailPercentage) {
        return `max_fail_percentage ${play.maxFailPercentage}% exceeded: ${down} of ${this.batch.length} hosts failed`;
      }
    }
    if (down === this.batch.length) return 'every host of the batch failed';
    return undefined;
  }

  private async abort(reason: string): Promise<BatchEnd> {
    this.ctx.emit({ event: 'play_abort', play: this.ps.play.name, reason });
    if (this.forceHandlers) await this.flushHandlers();
    return 'abort';
  }
}
