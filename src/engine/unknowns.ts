/**
 * --check and values only a real run produces (docs/modules.md, "Check mode"). A task that would
 * change but did not run registers a partial result: what its plan knows (changed, dest, checksum)
 * is known, every other key (rc, stdout, backup_file, ...) is an Unknown named after it. A later
 * task that reads an unknown says what it would do and names the dependency; it never fails where
 * the real run might succeed:
 *
 * - arguments, a loop or a template that need an unknown: a host module is `changed` ("would run"),
 *   a controller module (debug, assert) is `ok`; nothing is planned;
 * - a `when` that is unknown: the task is planned as if it held and reported as the plan says
 *   (changed or ok), and a failure it would meet is reported as `ok` with "would fail if ...";
 * - `changed_when` unknown: `changed`; `failed_when` unknown: not failed.
 *
 * Every such result carries `unknown: [deps]` (JSON) and its message names them.
 */
import type { ModuleDefinition } from '../modules/types.js';
import type { Vars } from '../types.js';
import { depsText, partialResult } from '../vars/unknown.js';
import type { ItemOutcome } from './item.js';
import type { TaskScope } from './task-scope.js';

/** " (depends on r.stdout, known only after a real run)" */
export function dependsNote(deps: readonly string[]): string {
  return `depends on ${depsText(deps)}, known only after a real run`;
}

/**
 * The registered result of a task that would have run: `known` fields stay, the rest is unknown.
 * `failed` is known false unless ignore_errors: without it, tasks after a failure never run.
 */
export function notRunResult(scope: TaskScope, known: Vars): Vars {
  const out: Vars = { ...known, skipped: false };
  if (scope.task.ignoreErrors) delete out.failed;
  else out.failed = false;
  return partialResult(out);
}

/** Arguments, loop or template text that need an unknown: say what would run, plan nothing. */
export function unknownOutcome(scope: TaskScope, mod: ModuleDefinition | undefined, deps: readonly string[]): ItemOutcome {
  const runs = mod !== undefined && mod.controllerOnly !== true;
  const msg = runs ? `would run ${scope.task.module}` : `${scope.task.module}: cannot tell before a real run`;
  return {
    status: runs ? 'changed' : 'ok',
    changed: runs,
    msg,
    result: notRunResult(scope, runs ? { changed: true } : {}),
    unknown: [...deps],
  };
}

/** A task whose `when` could not be decided: the plan's verdict if it holds; never a failure. */
export function underUnknownWhen(scope: TaskScope, o: ItemOutcome, deps: readonly string[]): ItemOutcome {
  const unknown = [...new Set([...deps, ...(o.unknown ?? [])])];
  if (o.status === 'failed') return mayFail(scope, o.msg ?? 'failed', unknown);
  const known: Vars = { ...o.result };
  delete known.skipped;
  delete known.msg;
  if (o.changed) delete known.changed;
  const msg = `if ${whenText(scope)}: ${o.msg ?? (o.changed ? 'would change' : 'no change')}`;
  return { ...o, msg, result: partialResult({ ...known }), unknown };
}

function whenText(scope: TaskScope): string {
  return scope.task.when.join(' and ');
}

/** The outcome's message with its dependencies named once, at the end. */
export function withDependsNote(o: ItemOutcome): ItemOutcome {
  if (!o.unknown || o.unknown.length === 0) return o;
  return { ...o, msg: `${o.msg ?? (o.changed ? 'would change' : 'no change')} (${dependsNote(o.unknown)})` };
}

/** A failure met under a `when` that could not be decided: the real run may skip the task. */
export function mayFail(scope: TaskScope, msg: string, deps: readonly string[]): ItemOutcome {
  return {
    status: 'ok',
    changed: false,
    msg: `would fail if ${whenText(scope)}: ${msg}`,
    result: partialResult({ changed: false }),
    unknown: [...deps],
  };
}
