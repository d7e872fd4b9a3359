/**
 * The reads a host's next tasks will make (src/engine/host-reads.ts sends them with the host's
 * current read): the tasks after this one in the play, in order, as long as their arguments are
 * known now. A task on the typed contract (src/modules/contract.ts) names its read without touching
 * the host (`fact(args)`); that is what is sent. The look stops at a task that registers a result,
 * sets facts or includes tasks (what follows may depend on it); it passes over a task that is not
 * selected, whose `when` is false now, or whose read depends on more than its arguments (a loop,
 * delegate_to, run_once, until/retries, a timeout, a fact that is a wait).
 */
import type { ReadRequest } from '../connection/types.js';
import { typedSpec } from '../modules/contract.js';
import { getModule } from '../modules/index.js';
import { isTaskSelected } from '../playbook/tags.js';
import { isBlock, type PlayItem, type PlaySpec, type TaskSpec } from '../playbook/types.js';
import { whenOf } from '../playbook/when.js';
import { truthy } from '../vars/expr.js';
import { evaluate } from '../vars/evaluate.js';
import { isUnknown } from '../vars/unknown.js';
import { taskEnvironment } from './environment.js';
import { varsFor } from './host-task.js';
import { MAX_AHEAD } from './host-reads.js';
import { renderArgs } from './render-args.js';
import { becomeOf, factInputOf, type TaskScope } from './task-scope.js';

const playTasks = new WeakMap<PlaySpec, TaskSpec[]>();

/** The tasks a host runs when nothing fails, in order: a block's tasks then its always. */
function tasksInOrder(items: readonly PlayItem[]): TaskSpec[] {
  return items.flatMap((i) => (isBlock(i) ? [...tasksInOrder(i.block), ...tasksInOrder(i.always)] : [i]));
}

export function upcomingReads(scope: TaskScope, limit = MAX_AHEAD): ReadRequest[] {
  const { run, play, task: current, playHosts } = scope;
  if (scope.handler || scope.target || !playHosts || run.options.readAhead === false) return [];
  let tasks = playTasks.get(play);
  if (!tasks) playTasks.set(play, (tasks = tasksInOrder(play.body)));
  const at = tasks.indexOf(current);
  if (at < 0 || current.register || current.include || getModule(current.module)?.setsFacts) return [];
  const out: ReadRequest[] = [];
  for (const task of tasks.slice(at + 1)) {
    if (out.length >= limit) break;
    const mod = getModule(task.module);
    if (!mod || mod.setsFacts || task.include) break;
    const selected = isTaskSelected(task.tags, run.options) && (run.startAt === undefined || run.startAt(task));
    const read = selected ? readOf({ ...scope, task, taskName: task.name }, playHosts) : undefined;
    if (read) out.push(read);
    if (task.register) break;
  }
  return out;
}

/** The read the task will make on this host, if it is known now. */
function readOf(scope: TaskScope, playHosts: string[]): ReadRequest | undefined {
  const { task } = scope;
  const spec = typedSpec(task.module);
  if (!spec?.fact || task.loop !== undefined || task.delegateTo !== undefined || task.runOnce) return undefined;
  if (task.until !== undefined || task.retries !== undefined || task.timeout !== undefined) return undefined;
  try {
    const vars = varsFor(scope, playHosts);
    for (const { text, source } of whenOf(task)) {
      const v = evaluate(text, vars, source);
      if (isUnknown(v) || !truthy(v)) return undefined;
    }
    const args = renderArgs(scope, vars);
    if (Object.values(args).some(isUnknown)) return undefined;
    const fact = spec.fact(args, factInputOf(scope));
    if (!fact || fact.live || fact.timeoutMs !== undefined) return undefined;
    // the same become as the task's own read (moduleContext), or a read made ahead is never used
    const b = becomeOf(scope, vars);
    const env = taskEnvironment(task, vars);
    return {
      command: fact.command,
      opts: { become: fact.become === false ? false : b.become, becomeUser: b.becomeUser, ...(env ? { env } : {}), ...(fact.join ? { join: fact.join } : {}), ...(fact.preludes ? { preludes: fact.preludes } : {}) },
    };
  } catch {
    // not known yet (facts to gather, a value from a later task): that task reads on its turn
    return undefined;
  }
}
