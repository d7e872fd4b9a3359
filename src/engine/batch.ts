/**
 * One serial batch of a play: tasks in order, all hosts of the batch together. A host that fails
 * stops there; the batch stops the play when any_errors_fatal sees a failure, when the failed
 * share exceeds max_fail_percentage, or when every host of the batch failed. Notified handlers run
 * at meta: flush_handlers and at the end of the batch (with --force-handlers also on failed hosts).
 * An include runs its tasks right after it, on the hosts that included them (src/engine/include.ts).
 */
import { isTaskSelected } from '../playbook/tags.js';
import { isBlock, type BlockSpec, type PlayItem, type TaskSpec } from '../playbook/types.js';
import { HandlerQueue } from './handlers.js';
import type { HostOutcome } from './host-task.js';
import { includeRuns } from './include.js';
import { runTask, type PlayScope } from './task.js';

export type BatchEnd = 'done' | 'end_play' | 'abort';

/**
 * Where a task list runs. rescuable: an enclosing block has a rescue that will take a failure here
 * (it counts as rescued, as Ansible counts it). deferred: an enclosing rescue or always still runs
 * for a host that fails here, so its failure is decided when the block ends.
 */
interface Frame {
  rescuable: boolean;
  deferred: boolean;
}

const ROOT: Frame = { rescuable: false, deferred: false };

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
    const end = await this.runItems(this.ps.play.body, [...this.batch], ROOT);
    if (typeof end === 'string') return end;
    if (this.ctx.signal.aborted) return 'done';
    await this.flushHandlers();
    const abort = this.failureLimit();
    return abort ? this.abort(abort) : 'done';
  }

  /**
   * Runs a task list on the hosts, all together, task by task. A host that fails stops there: with
   * `frame.deferred` it waits for the block's rescue or always (the failure is returned to the
   * block), otherwise it leaves the batch at once.
   */
  private async runItems(items: PlayItem[], hosts: string[], frame: Frame): Promise<Set<string> | BatchEnd> {
    const failed = new Set<string>();
    for (const item of items) {
      const live = hosts.filter((h) => this.active.includes(h) && !failed.has(h));
      if (this.ctx.signal.aborted || live.length === 0) break;
      if (isBlock(item)) {
        const r = await this.runBlock(item, live, frame);
        if (typeof r === 'string') return r;
        for (const h of r) failed.add(h);
        const abort = this.failureLimit();
        if (abort) return this.abort(abort);
        continue;
      }
      if (!isTaskSelected(item.tags, this.ctx.options) || !this.startAt(item)) continue;
      const outcomes = await runTask(this.ps, item, live, false, frame.rescuable);
      if (this.ctx.signal.aborted) break;
      const { flush, failures } = this.absorb(item, outcomes);
      for (const h of failures) {
        failed.add(h);
        if (!frame.deferred) this.fail(h);
      }
      const abort = this.failureLimit();
      if (abort) return this.abort(abort);
      if (this.endPlay) return 'end_play';
      if (flush) {
        await this.flushHandlers();
        const after = this.failureLimit();
        if (after) return this.abort(after);
      }
      for (const included of includeRuns(item, outcomes)) {
        const r = await this.runItems(included.tasks, included.hosts, frame);
        if (typeof r === 'string') return r;
        for (const h of r) failed.add(h);
      }
    }
    return failed;
  }

  /**
   * block, then rescue on the hosts that failed in it, then always on every host that entered it.
   * Returns the hosts whose failure the block did not rescue.
   */
  private async runBlock(block: BlockSpec, hosts: string[], outer: Frame): Promise<Set<string> | BatchEnd> {
    const hasRescue = block.rescue.length > 0;
    const hasAlways = block.always.length > 0;
    const inBlock: Frame = { rescuable: outer.rescuable || hasRescue, deferred: outer.deferred || hasRescue || hasAlways };
    const after: Frame = { rescuable: outer.rescuable, deferred: outer.deferred || hasAlways };
    const tried = await this.runItems(block.block, hosts, inBlock);
    if (typeof tried === 'string') return tried;
    let failed = tried;
    if (hasRescue && tried.size > 0) {
      const rescued = await this.runItems(block.rescue, hosts.filter((h) => tried.has(h)), after);
      if (typeof rescued === 'string') return rescued;
      failed = rescued;
    }
    if (hasAlways) {
      const always = await this.runItems(block.always, hosts, outer);
      if (typeof always === 'string') return always;
      for (const h of always) failed.add(h);
    }
    // failures nothing rescued: final now, unless an enclosing block still has a rescue or always
    if (!outer.deferred) for (const h of failed) this.fail(h);
    return failed;
  }

  /** --start-at-task: tasks before the first one of that name are passed over. */
  private startAt(task: TaskSpec): boolean {
    return this.ctx.startAt === undefined || this.ctx.startAt(task);
  }

  /** The host failed for good: it leaves the batch and the run. */
  private fail(host: string): void {
    this.leave(host);
    this.failed.add(host);
    this.ctx.gone.add(host);
  }

  /** Apply outcomes: changes notify handlers, control tasks steer. Returns the failed hosts and "flush requested". */
  private absorb(task: TaskSpec, outcomes: HostOutcome[]): { flush: boolean; failures: string[] } {
    let flush = false;
    const failures: string[] = [];
    for (const o of outcomes) {
      if (o.status === 'unreachable') {
        this.leave(o.host);
        this.unreachable.add(o.host);
      } else if (o.status === 'failed' && !o.ignored) {
        failures.push(o.host);
      } else {
        if (o.changed && task.notify.length > 0) this.notify(task, o.host);
        if (o.control === 'flush_handlers') flush = true;
        if (o.control === 'end_host') this.leave(o.host);
        if (o.control === 'end_play') this.endPlay = true;
      }
    }
    return { flush, failures };
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
      for (const h of this.absorb(next.handler, outcomes).failures) this.fail(h);
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
