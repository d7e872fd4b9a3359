/**
 * Offline name resolution of a task's expressions on one host: every expression-valued key and
 * argument (task.expressions: when, changed_when, failed_when, until, assert.that, debug.var) and
 * every `{{ }}` in the task's name, arguments, loop and notify. A name is resolved whatever the
 * values: `a or b` checks b even when a is true. Names the expression (or the task's when) tests
 * with `is defined` may be missing. A name only a later task registers is said so.
 */
import { InputError, formatSource, sourceWithin, type Source } from '../errors.js';
import { didYouMean } from '../load/did-you-mean.js';
import type { Vars } from '../types.js';
import type { TaskSpec } from '../playbook/types.js';
import { namesOf, parseExpression } from '../vars/expr.js';
import { evaluate } from '../vars/evaluate.js';
import { templateExpressions } from '../vars/render.js';
import { UNKNOWN } from '../vars/unknown.js';

export interface ExpressionScope {
  /** What the task sees on the host (names registered by earlier tasks: UNKNOWN values). */
  vars: Vars;
  /** Names registered by tasks of the play that come later (or by handlers), with where. */
  registeredLater: ReadonlyMap<string, Source>;
}

/**
 * Every name problem of the task's expressions on this host (empty: all names resolve). part
 * 'when': its conditions only (the walk then evaluates them: a false one skips the task, and what
 * a skipped task names need not exist); 'rest': everything else.
 */
export function checkTaskExpressions(task: TaskSpec, scope: ExpressionScope, part: 'when' | 'rest'): InputError[] {
  const errors: InputError[] = [];
  const base: Vars = { ...scope.vars };
  if (task.loop !== undefined) base[task.loopVar] = UNKNOWN;
  const guarded = new Set<string>();
  for (const e of task.expressions ?? []) if (e.key === 'when') namesOf(safeParse(e.text, e.source) ?? literal()).tested.forEach((n) => guarded.add(n));

  const check = (text: string, source: Source, vars: Vars, evaluateIt: boolean) => {
    const ast = safeParse(text, source);
    if (!ast) return; // a syntax error is reported by the loader or the renderer
    const { reads, tested } = namesOf(ast);
    const before = errors.length;
    for (const name of reads) {
      if (Object.hasOwn(vars, name) || tested.has(name) || guarded.has(name)) continue;
      const later = scope.registeredLater.get(name);
      // worded as the evaluator words it at run time
      const why = later ? ` (registered only by a later task, at ${formatSource(later)})` : didYouMean(name, Object.keys(vars));
      errors.push(new InputError(`undefined variable '${name}'${why} (in ${JSON.stringify(text.trim())})`, sourceWithin(source, text.trim(), name)));
    }
    // keys and types of known values (`result.stdout` of a map without it): as a run would find them
    if (evaluateIt && errors.length === before) {
      try {
        evaluate(text, vars, source);
      } catch (err) {
        if (!(err instanceof InputError)) throw err;
        errors.push(err);
      }
    }
  };

  if (part === 'when') {
    for (const e of task.expressions ?? []) if (e.key === 'when') check(e.text, e.source, base, false);
    return dedupe(errors);
  }
  for (const e of task.expressions ?? []) {
    if (e.key === 'when') continue;
    const vars = e.ownResult && task.register ? { ...base, [task.register]: UNKNOWN } : base;
    check(e.text, e.source, vars, true);
  }
  const templated: Array<[unknown, Source | undefined]> = [
    // a task without a name is named after its arguments, checked below
    [task.keySources?.name ? task.name : undefined, task.keySources?.name],
    [task.loop, task.keySources?.loop],
    ...task.notify.map((n, i): [unknown, Source | undefined] => [n, task.notifySources?.[i] ?? task.keySources?.notify]),
    ...Object.entries(task.args).map(([k, v]): [unknown, Source | undefined] => [v, task.argSources[k]]),
  ];
  for (const [value, source] of templated) {
    for (const text of templateExpressions(value)) check(text, source ?? task.source, base, false);
  }
  return dedupe(errors);
}

function safeParse(text: string, source: Source) {
  try {
    return parseExpression(text, source);
  } catch {
    return undefined;
  }
}

function literal() {
  return parseExpression('true', { file: '' });
}

function dedupe(errors: InputError[]): InputError[] {
  const seen = new Set<string>();
  return errors.filter((e) => !seen.has(e.message) && (seen.add(e.message), true));
}
