/**
 * retries / until / delay (Ansible's): the item runs again, `delay` seconds later, until every
 * `until` expression is true (they see the result under the task's `register` name), at most
 * 1 + retries times (retries defaults to 3 with until, delay to 5). `retries` without `until`
 * retries until the task does not fail (as ansible-core 2.16 does). Every attempt but the last is a
 * `retry` event ("FAILED - RETRYING: ..."); the last is the task's result, with `attempts`. In check
 * mode a task that would change did not run, so it is not retried.
 */
import { InterruptedError } from '../errors.js';
import type { Vars } from '../types.js';
import { truthy } from '../vars/expr.js';
import { evaluate } from '../vars/evaluate.js';
import { isUnknown } from '../vars/unknown.js';
import { runItem, type ItemOutcome } from './item.js';
import type { TaskScope } from './task-scope.js';

export const DEFAULT_RETRIES = 3;
export const DEFAULT_DELAY = 5;

/** Does the task retry at all? */
export function retries(scope: TaskScope): boolean {
  return scope.task.until !== undefined || scope.task.retries !== undefined;
}

export async function runAttempts(scope: TaskScope, vars: Vars, item?: unknown): Promise<ItemOutcome> {
  const { task, run } = scope;
  if (!retries(scope)) return runItem(scope, vars);
  const total = 1 + (task.retries ?? DEFAULT_RETRIES);
  const delayMs = (task.delay ?? DEFAULT_DELAY) * 1000;
  for (let attempt = 1; ; attempt++) {
    const start = Date.now();
    const o = await runItem(scope, vars);
    if (o.status === 'skipped') return o;
    if (o.notRun) {
      // check mode: it would run, so it did not: no attempt was made
      o.result.attempts = 0;
      return o;
    }
    o.result.attempts = attempt;
    const done = untilMet(scope, vars, o);
    if (done === true) return o;
    if (done instanceof Error) return failWith(o, done.message);
    if (attempt >= total) {
      // as Ansible reports it: attempts = retries once they are used up
      o.result.attempts = total - 1;
      return o.status === 'failed' ? o : failWith(o, o.msg ?? `until condition was still false after ${total} attempts`);
    }
    run.emit({
      event: 'retry',
      host: scope.host,
      task: scope.taskName,
      ...(scope.target ? { delegated_to: scope.target.host } : {}),
      attempt,
      retries_left: total - attempt,
      status: o.status,
      ...(o.msg !== undefined && !task.noLog ? { msg: o.msg } : {}),
      ...(item !== undefined ? { item: task.noLog ? '(hidden)' : item } : {}),
      duration_ms: Date.now() - start,
    });
    await sleep(delayMs, run.signal);
  }
}

/** true, false, or the error of an expression that could not be evaluated. */
function untilMet(scope: TaskScope, vars: Vars, o: ItemOutcome): boolean | Error {
  const { task } = scope;
  if (task.until === undefined) return o.status !== 'failed';
  const scoped = task.register ? { ...vars, [task.register]: o.result } : vars;
  try {
    return task.until.every((expr) => {
      const v = evaluate(expr, scoped, task.keySources?.until ?? task.source);
      // --check: what only a real run knows cannot be waited for
      return isUnknown(v) || truthy(v);
    });
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

function failWith(o: ItemOutcome, msg: string): ItemOutcome {
  o.result.failed = true;
  o.result.msg = msg;
  return { ...o, status: 'failed', msg };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(new InterruptedError('interrupted'));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new InterruptedError('interrupted'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
