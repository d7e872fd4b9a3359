/**
 * Notified handlers of one batch: `notify` matches a handler's name ("name" or "role : name") or one
 * of its `listen` topics. Handlers run in definition order, once per flush, only on notifying hosts.
 */
import type { HandlerSpec } from '../playbook/types.js';

export class HandlerQueue {
  /** Handler index -> hosts that notified it and have not run it yet. */
  private readonly pending = new Map<number, Set<string>>();

  constructor(readonly handlers: HandlerSpec[]) {}

  /** Record notifications of `host`; returns the handlers it reached (for events). */
  notify(names: string[], host: string): HandlerSpec[] {
    const reached: HandlerSpec[] = [];
    this.handlers.forEach((h, i) => {
      if (!names.some((n) => answers(h, n))) return;
      let hosts = this.pending.get(i);
      if (!hosts) this.pending.set(i, (hosts = new Set()));
      hosts.add(host);
      reached.push(h);
    });
    return reached;
  }

  /**
   * The first pending handler (definition order) with its eligible hosts, removed from the queue.
   * Notifications of hosts that are not eligible (failed, unreachable) are dropped.
   */
  next(eligible: (host: string) => boolean): { handler: HandlerSpec; hosts: string[] } | undefined {
    const order = [...this.pending.keys()].sort((a, b) => a - b);
    for (const i of order) {
      const hosts = [...this.pending.get(i)!].filter(eligible);
      this.pending.delete(i);
      if (hosts.length > 0) return { handler: this.handlers[i], hosts };
    }
    return undefined;
  }

  get size(): number {
    return this.pending.size;
  }
}

function answers(h: HandlerSpec, name: string): boolean {
  if (h.name === name || h.listen.includes(name)) return true;
  return h.role !== undefined && `${h.role.name} : ${h.name}` === name;
}
