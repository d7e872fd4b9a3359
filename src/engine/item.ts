/**
 * One task (or one loop item) on one host: `when`, argument rendering, the module's plan, then
 * apply unless in check mode or nothing would change, then changed_when / failed_when.
 */
import { ConnectError, InputError, InterruptedError, TaskError, type Source } from '../errors.js';
import { getModule } from '../modules/index.js';
import type { FileDiff, ModuleContext, ModuleDefinition, PlanResult, Vars } from '../modules/types.js';
import { evaluate, truthy } from '../vars/expr.js';
import { renderValue } from '../vars/render.js';
import type { HostStatus } from './events.js';
import { guarded } from './guard.js';
import { planKey } from './read-ahead.js';
import { moduleContext, type TaskScope } from './task-scope.js';

export interface ItemOutcome {
  status: Exclude<HostStatus, 'unreachable'>;
  changed: boolean;
  msg?: string;
  diff?: FileDiff[];
  /** What `register` stores. */
  result: Vars;
  facts?: Vars;
  control?: PlanResult['control'];
}

/** Runs the item; throws ConnectError (host unreachable) and InterruptedError (run aborted). */
export async function runItem(scope: TaskScope, vars: Vars): Promise<ItemOutcome> {
  const { task } = scope;
  try {
    for (const cond of task.when) {
      if (!truthy(evaluate(cond, vars, task.keySources?.when ?? task.source))) {
        return { status: 'skipped', changed: false, result: { changed: false, skipped: true, false_condition: cond } };
      }
    }
    return await planAndApply(scope, vars);
  } catch (err) {
    if (err instanceof ConnectError || err instanceof InterruptedError) throw err;
    if (scope.run.signal.aborted) throw new InterruptedError('interrupted', { cause: err });
    const msg = err instanceof Error ? err.message : String(err);
    const isTaskError = err instanceof TaskError;
    return withConditions(scope, vars, { changed: false, failed: true, msg }, isTaskError ? err.details : {}, isTaskError);
  }
}

async function planAndApply(scope: TaskScope, vars: Vars): Promise<ItemOutcome> {
  const { run, task, host, settings } = scope;
  const mod = getModule(task.module);
  if (!mod) throw new InputError(`unknown module '${task.module}'`, task.source);
  const args = renderArgs(scope, vars);
  return guarded(
    async (signal) => {
      // opened inside the guard, so an interrupt does not wait for a slow handshake
      const conn = mod.controllerOnly ? run.pool.get(host, settings) : await run.pool.open(host, settings);
      const ctx = moduleContext(scope, conn, vars, signal);
      const plan = await planOf(scope, mod, ctx, args);
      const changes = plan.changed && !plan.skipped;
      const ahead = scope.readAhead;
      // a change (or, in check mode, a would-be change) voids every plan read ahead
      if (changes && ahead && !ahead.record) ahead.book.changed();
      const apply = changes && !ctx.check && !ahead?.record;
      const applied = apply ? await mod.apply(ctx, args, plan).finally(() => ahead?.book.changed()) : undefined;
      const changed = applied?.changed ?? changes;
      const outcome = withConditions(
        scope,
        vars,
        { changed, failed: applied?.failed === true, msg: applied?.msg ?? plan.msg },
        { ...plan.result, ...applied?.result },
        true,
        ctx.check && changed,
      );
      return { ...outcome, diff: applied?.diff ?? plan.diff, facts: plan.facts, control: plan.control };
    },
    run.signal,
    task.timeout === undefined ? undefined : task.timeout * 1000,
  );
}

/**
 * The module's plan. With a read-ahead (serial plays, src/engine/read-ahead.ts) the read-ahead
 * records it, and the host's turn takes the recorded answer when it is still good. Controller
 * modules are cheap and always planned on the spot.
 */
async function planOf(scope: TaskScope, mod: ModuleDefinition, ctx: ModuleContext, args: Record<string, unknown>): Promise<PlanResult> {
  const ahead = scope.readAhead;
  if (!ahead || mod.readAhead !== true || mod.controllerOnly) return mod.plan(ctx, args);
  const key = planKey(scope.task, args, ctx.become, ctx.becomeUser);
  if (ahead.record) {
    return ahead.book.record(scope.host, key, (renders) =>
      mod.plan(
        {
          ...ctx,
          renderTemplate: (path) => {
            const output = ctx.renderTemplate(path);
            renders.push([path, output]);
            return output;
          },
        },
        args,
      ),
    );
  }
  return (await ahead.book.take(scope.host, scope.task, key, ctx)) ?? mod.plan(ctx, args);
}

/**
 * Builds the registered result and applies changed_when / failed_when (which see the result under
 * the task's `register` name). A failure the module could not describe as a result (a thrown error
 * other than TaskError: a bad argument, an undefined variable) is not open to failed_when.
 */
function withConditions(
  scope: TaskScope,
  vars: Vars,
  base: { changed: boolean; failed: boolean; msg?: string },
  fields: Record<string, unknown>,
  applyConditions: boolean,
  notRunInCheckMode = false,
): ItemOutcome {
  const { task } = scope;
  const result: Vars = { ...fields, changed: base.changed, failed: base.failed, skipped: false };
  if (base.msg !== undefined) result.msg = base.msg;
  if (typeof result.stdout === 'string' && !('stdout_lines' in fields)) result.stdout_lines = lines(result.stdout);
  if (typeof result.stderr === 'string' && !('stderr_lines' in fields)) result.stderr_lines = lines(result.stderr);
  if (applyConditions) {
    const scoped = task.register ? { ...vars, [task.register]: result } : vars;
    try {
      if (task.changedWhen !== undefined) result.changed = condition(task.changedWhen, scoped, task.keySources?.changed_when ?? task.source);
      if (task.failedWhen !== undefined) {
        result.failed = condition(task.failedWhen, scoped, task.keySources?.failed_when ?? task.source);
        if (!result.failed) delete result.msg;
        else if (result.msg === undefined) result.msg = 'failed_when condition was true';
      }
    } catch (err) {
      // In check mode a task that would change did not run, so its result lacks what the
      // conditions read (rc, stdout): keep the plan's verdict rather than fail a dry run.
      if (!notRunInCheckMode) {
        result.failed = true;
        result.msg = err instanceof Error ? err.message : String(err);
      }
    }
  }
  const failed = result.failed === true;
  const changed = result.changed === true;
  return {
    status: failed ? 'failed' : changed ? 'changed' : 'ok',
    changed,
    msg: typeof result.msg === 'string' ? result.msg : undefined,
    result,
  };
}

/** A list of expressions: any true -> true. A fixed boolean is itself. */
function condition(c: string[] | boolean, vars: Vars, source: Source): boolean {
  if (typeof c === 'boolean') return c;
  return c.some((expr) => truthy(evaluate(expr, vars, source)));
}

/** The module's arguments rendered with the host's variables; an error names the argument's line. */
function renderArgs({ task }: TaskScope, vars: Vars): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(task.args)) out[k] = renderValue(v, vars, task.argSources[k] ?? task.source);
  return out;
}

function lines(s: string): string[] {
  if (s === '') return [];
  return s.replace(/\r?\n$/, '').split(/\r?\n/);
}
