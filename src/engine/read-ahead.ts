/**
 * Read-ahead for serial plays (on unless --no-read-ahead). From the start of the play every host
 * runs the play's plans in the background, several at a time (src/engine/read-ahead-host.ts):
 * plans only, never apply. When the host's turn reaches a task whose plan was read ahead, it uses
 * that answer instead of asking the host again, but only if all of these hold:
 *
 *  - nothing changed anywhere since it was read: every apply, and every plan that says it would
 *    change (check mode too), makes all read-ahead plans of the play void and stops the read-ahead;
 *  - the plan says "no change" (a plan that would change is read again on the turn, then applied);
 *  - the same task with the same rendered arguments, become settings and rendered templates;
 *  - the module declares its plan a pure read of state the run itself changes (`readAhead`).
 *
 * So a converged serial play costs little more than one batch's commands at once, and a rolling
 * change is exactly as before: the first change voids everything, and every later host reads again
 * on its turn.
 */
import type { PlanResult } from '../modules/types.js';

/** One plan read ahead: under way or done, and the change count ("epoch") it was read under. */
interface Entry {
  plan: Promise<PlanResult | undefined>;
  epoch: number;
  /** The epoch when the plan came back (unset while it runs). */
  endEpoch?: number;
  /** Templates the plan rendered, and what they rendered to. */
  renders: Array<[path: string, output: string]>;
}

interface HostBook {
  entries: Map<string, Entry[]>;
  stop: AbortController;
  started: boolean;
  /** Tasks (by index in the play) whose read-ahead is over: no more entries will come for them. */
  done: Set<number>;
  /** Resolves at the next entry, finished task or stop (and is then replaced). */
  progress: Promise<void>;
  wake: () => void;
}

/** What a module context renders templates with: the one thing a cached plan must re-check. */
export interface RenderCheck {
  renderTemplate(path: string): string;
}

const taskIds = new WeakMap<object, number>();
let lastTaskId = 0;

/** The lookup key of one plan: task, rendered arguments, become. */
export function planKey(task: object, args: unknown, become: boolean, becomeUser: string | undefined): string {
  let id = taskIds.get(task);
  if (id === undefined) taskIds.set(task, (id = ++lastTaskId));
  return `${id}\u0000${become ? 1 : 0}\u0000${becomeUser ?? ''}\u0000${JSON.stringify(args)}`;
}

export class ReadAhead {
  /** Changes seen in this play so far: a plan read under another count is void. */
  private epoch = 0;
  private readonly books = new Map<string, HostBook>();
  private readonly index: Map<object, number>;
  /** Plans read ahead, and how many of them the hosts' turns used. */
  readonly counts = { read: 0, used: 0 };

  /** `tasks`: the play's tasks in order (handlers are never read ahead). */
  constructor(tasks: readonly object[]) {
    this.index = new Map(tasks.map((t, i) => [t, i]));
  }

  /** Start a host's book; returns the signal that stops its read-ahead. */
  open(host: string, runSignal: AbortSignal): AbortSignal {
    const stop = new AbortController();
    const book: HostBook = { entries: new Map(), stop, started: false, done: new Set(), progress: Promise.resolve(), wake: () => {} };
    renew(book);
    this.books.set(host, book);
    return AbortSignal.any([runSignal, stop.signal]);
  }

  /** The host's read-ahead has begun (until then, its turn does not wait for it). */
  started(host: string): void {
    const book = this.books.get(host);
    if (book) book.started = true;
  }

  /** The read-ahead is over for this task of the host (all its plans recorded, or none will be). */
  finished(host: string, task: object): void {
    const book = this.books.get(host);
    const i = this.index.get(task);
    if (!book || i === undefined) return;
    book.done.add(i);
    book.wake();
  }

  /** The read-ahead side: run `plan` now and keep its answer for the host's turn. */
  record(host: string, key: string, plan: (renders: Entry['renders']) => Promise<PlanResult>): Promise<PlanResult> {
    const book = this.books.get(host);
    const entry: Entry = { plan: Promise.resolve(undefined), epoch: this.epoch, renders: [] };
    const running = plan(entry.renders).then((p) => {
      entry.endEpoch = this.epoch;
      return p;
    });
    entry.plan = running.catch(() => undefined);
    if (book && !book.stop.signal.aborted) {
      const list = book.entries.get(key);
      if (list) list.push(entry);
      else book.entries.set(key, [entry]);
      this.counts.read++;
      book.wake();
    }
    return running;
  }

  /**
   * The host's turn: the plan read ahead for this key, if it is still good (see the file comment),
   * waiting for it when the read-ahead has not got there yet. Otherwise undefined, and the host's
   * read-ahead stops (it went another way than the turn, or fell behind).
   */
  async take(host: string, task: object, key: string, ctx: RenderCheck): Promise<PlanResult | undefined> {
    const i = this.index.get(task);
    for (;;) {
      const book = this.books.get(host);
      if (!book || !book.started || i === undefined) return this.miss(host);
      const entry = book.entries.get(key)?.shift();
      if (entry) {
        const plan = await entry.plan;
        if (!plan || !this.stillGood(entry, plan, ctx)) return this.miss(host);
        this.counts.used++;
        return plan;
      }
      if (book.done.has(i) || book.stop.signal.aborted) return this.miss(host);
      await book.progress;
    }
  }

  /** Something changed (or would change): every plan read so far is void, and reading stops. */
  changed(): void {
    this.epoch++;
    for (const host of [...this.books.keys()]) this.stopHost(host);
  }

  /** The play is over: stop every host's read-ahead. */
  close(): void {
    for (const host of [...this.books.keys()]) this.stopHost(host);
  }

  /** The host's read-ahead ended early: its turn stops waiting for it. */
  stopHost(host: string): void {
    const book = this.books.get(host);
    if (!book) return;
    this.books.delete(host);
    book.stop.abort();
    book.wake();
  }

  private miss(host: string): undefined {
    this.stopHost(host);
    return undefined;
  }

  private stillGood(entry: Entry, plan: PlanResult, ctx: RenderCheck): boolean {
    if (plan.changed && !plan.skipped) return false;
    if (entry.epoch !== this.epoch || entry.endEpoch !== this.epoch) return false;
    return entry.renders.every(([path, output]) => {
      try {
        return ctx.renderTemplate(path) === output;
      } catch {
        return false;
      }
    });
  }
}

function renew(book: HostBook): void {
  book.progress = new Promise<void>((resolve) => {
    book.wake = () => {
      renew(book);
      resolve();
    };
  });
}
