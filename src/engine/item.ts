/**
 * One task (or one loop item) on one host: `when`, argument rendering, the module's plan, then
 * apply unless in check mode or nothing would change, then changed_when / failed_when.
 */
import { ConnectError, InputError, InterruptedError, TaskError, type Source } from '../errors.js';
import { getModule } from '../modules/index.js';
import type { PlanResult } from '../modules/types.js';
import type { FileDiff, Vars } from '../types.js';
import { truthy } from '../vars/expr.js';
import { evaluate } from '../vars/evaluate.js';
import { isUnknown, unknownOf, UnknownValueError, type Unknown } from '../vars/unknown.js';
import { renderArgs } from './render-args.js';
import { whenOf } from '../playbook/when.js';
import type { HostStatus } from './events.js';
import { guarded } from './guard.js';
import { planChanges } from './module-step.js';
import { taskEnvironment, withEnvironment } from './environment.js';
import { withReadsAhead } from './host-reads.js';
import { upcomingReads } from './upcoming-reads.js';
import { moduleContext, targetOf, type TaskScope } from './task-scope.js';
import { mayFail, notRunResult, underUnknownWhen, unknownOutcome, withDependsNote } from './unknowns.js';
import { FactsNeeded } from '../vars/facts.js';
import { withFacts } from './facts.js';

export interface ItemOutcome {
  status: Exclude<HostStatus, 'unreachable'>;
  changed: boolean;
  msg?: string;
  diff?: FileDiff[];
  /** What `register` stores. */
  result: Vars;
  facts?: Vars;
  control?: PlanResult['control'];
  /** --check: the values only a real run knows that this outcome depends on (src/engine/unknowns.ts). */
  unknown?: string[];
  /** Check mode: the task would change, so it did not run (its result lacks what running gives). */
  notRun?: boolean;
}

/** Runs the item; throws ConnectError (host unreachable) and InterruptedError (run aborted). */
export async function runItem(scope: TaskScope, vars: Vars): Promise<ItemOutcome> {
  // facts read for the first time: gathered, then the item is evaluated again (nothing was applied yet)
  return withDependsNote(await withFacts(scope, () => outcomeOf(scope, vars)));
}

async function outcomeOf(scope: TaskScope, vars: Vars): Promise<ItemOutcome> {
  const { task } = scope;
  // deps of `when`s that only a real run could decide (--check): the task is planned as if they held
  const pending: string[] = [];
  try {
    for (const { text: cond, source } of whenOf(task)) {
      const v = evaluate(cond, vars, source);
      if (isUnknown(v)) pending.push(...v.deps);
      else if (!truthy(v)) return { status: 'skipped', changed: false, result: { changed: false, skipped: true, false_condition: cond } };
    }
    const o = await planAndApply(scope, vars);
    return pending.length > 0 ? underUnknownWhen(scope, o, pending) : o;
  } catch (err) {
    if (err instanceof ConnectError || err instanceof InterruptedError || err instanceof FactsNeeded) throw err;
    if (scope.run.signal.aborted) throw new InterruptedError('interrupted', { cause: err });
    if (err instanceof UnknownValueError) {
      const o = unknownOutcome(scope, getModule(task.module), err.deps);
      return pending.length > 0 ? underUnknownWhen(scope, o, pending) : o;
    }
    const msg = err instanceof Error ? err.message : String(err);
    if (pending.length > 0) return mayFail(scope, msg, pending);
    const isTaskError = err instanceof TaskError;
    return withConditions(scope, vars, { changed: false, failed: true, msg }, isTaskError ? err.details : {}, isTaskError);
  }
}

async function planAndApply(scope: TaskScope, vars: Vars): Promise<ItemOutcome> {
  const { run, task } = scope;
  const { host, settings } = targetOf(scope);
  const mod = getModule(task.module);
  if (!mod) throw new InputError(`unknown module '${task.module}'`, task.source);
  const args = renderArgs(scope, vars);
  // set_fact keeps unknowns as values; any other module needs its arguments known to plan
  if (!mod.setsFacts) {
    const unknown = Object.values(args).filter(isUnknown);
    if (unknown.length > 0) throw new UnknownValueError(unknownOf(...unknown).deps);
  }
  const env = taskEnvironment(task, vars);
  return guarded(
    async (signal) => {
      // opened inside the guard, so an interrupt does not wait for a slow handshake
      const conn = mod.controllerOnly ? run.pool.get(host, settings) : await run.pool.open(host, settings);
      // the module's reads go with the reads of the host's next tasks (src/engine/host-reads.ts)
      const ctx = moduleContext(scope, withEnvironment(withReadsAhead(conn, (limit) => upcomingReads(scope, limit)), env), vars, signal);
      const plan = await mod.plan(ctx, args);
      const changes = planChanges(plan);
      const apply = changes && !ctx.check;
      const applied = apply ? await mod.apply(ctx, args, plan) : undefined;
      const changed = applied?.changed ?? changes;
      // after an apply, facts the conditions read are gathered and only the conditions evaluated again
      const outcome = await withFacts(scope, () =>
        withConditions(scope, vars, { changed, failed: applied?.failed === true, msg: applied?.msg ?? plan.msg }, { ...plan.result, ...applied?.result }, true, changes && !apply),
      );
      return { ...outcome, diff: applied?.diff ?? plan.diff, facts: plan.facts, control: plan.control, notRun: changes && !applied };
    },
    run.signal,
    task.timeout === undefined ? undefined : task.timeout * 1000,
  );
}

/**
 * Builds the registered result and applies changed_when / failed_when (which see the result under
 * the task's `register` name). A failure the module could not describe as a result (a thrown error
 * other than TaskError: a bad argument, an undefined variable) is not open to failed_when.
 * `notRun`: the task would change but did not run (--check), so only what its plan knows is known
 * (src/engine/unknowns.ts); a condition that reads the rest is unknown, and does not fail the task.
 */
function withConditions(
  scope: TaskScope,
  vars: Vars,
  base: { changed: boolean; failed: boolean; msg?: string },
  fields: Record<string, unknown>,
  applyConditions: boolean,
  notRun = false,
): ItemOutcome {
  const { task } = scope;
  const result: Vars = notRun
    ? notRunResult(scope, { ...fields, changed: base.changed })
    : { ...fields, changed: base.changed, failed: base.failed, skipped: false };
  let msg = base.msg;
  if (!notRun && msg !== undefined) result.msg = msg;
  if (typeof result.stdout === 'string' && !('stdout_lines' in fields)) result.stdout_lines = lines(result.stdout);
  if (typeof result.stderr === 'string' && !('stderr_lines' in fields)) result.stderr_lines = lines(result.stderr);
  let changed = base.changed;
  let failed = base.failed;
  const unknowns: Unknown[] = [];
  if (applyConditions) {
    const scoped = task.register ? { ...vars, [task.register]: result } : vars;
    try {
      if (task.changedWhen !== undefined) {
        const c = condition(task.changedWhen, scoped, task.keySources?.changed_when ?? task.source);
        // unknown until a real run: reported as a possible change
        if (isUnknown(c)) unknowns.push(c);
        changed = isUnknown(c) ? true : c;
        result.changed = c;
      }
      if (task.failedWhen !== undefined) {
        const f = condition(task.failedWhen, scoped, task.keySources?.failed_when ?? task.source);
        if (isUnknown(f)) {
          unknowns.push(f);
          failed = false;
          if (task.ignoreErrors) result.failed = f;
        } else {
          failed = f;
          result.failed = f;
          if (!f) msg = undefined;
          else if (msg === undefined) msg = 'failed_when condition was true';
          if (!notRun) {
            if (msg === undefined) delete result.msg;
            else result.msg = msg;
          }
        }
      }
    } catch (err) {
      if (err instanceof FactsNeeded) throw err;
      failed = true;
      result.failed = true;
      msg = err instanceof Error ? err.message : String(err);
      result.msg = msg;
    }
  }
  const outcome: ItemOutcome = { status: failed ? 'failed' : changed ? 'changed' : 'ok', changed, msg, result };
  if (unknowns.length > 0) outcome.unknown = [...unknownOf(...unknowns).deps];
  return outcome;
}

/** A list of expressions: any true -> true; unknown when none is true and one is unknown. A fixed boolean is itself. */
function condition(c: string[] | boolean, vars: Vars, source: Source): boolean | Unknown {
  if (typeof c === 'boolean') return c;
  const unknowns: Unknown[] = [];
  for (const expr of c) {
    const v = evaluate(expr, vars, source);
    if (isUnknown(v)) unknowns.push(v);
    else if (truthy(v)) return true;
  }
  return unknowns.length > 0 ? unknownOf(...unknowns) : false;
}

function lines(s: string): string[] {
  if (s === '') return [];
  return s.replace(/\r?\n$/, '').split(/\r?\n/);
}
