/**
 * One task on one host: variables, the loop (items run in order, each reported), register,
 * set_fact facts, the host_result event and the recap count. Unreachable hosts leave the run.
 */
import { ConnectError, InputError, InterruptedError } from '../errors.js';
import { getModule } from '../modules/index.js';
import type { Vars } from '../types.js';
import { renderValue } from '../vars/render.js';
import { isUnknown, type Unknown } from '../vars/unknown.js';
import { taskVars } from '../vars/precedence.js';
import type { HostStatus } from './events.js';
import { delegateTarget } from './delegate.js';
import type { ItemOutcome } from './item.js';
import { hostResultEvent, NO_LOG_MSG, type ResultFacts } from './result-event.js';
import { runAttempts } from './retry.js';
import { learnSecrets } from './secrets.js';
import { checkModeOf, type TaskScope } from './task-scope.js';
import { unknownOutcome, withDependsNote } from './unknowns.js';
import { withFacts } from './facts.js';

export interface HostOutcome {
  host: string;
  status: HostStatus;
  changed: boolean;
  /** A failure that ignore_errors turned into ok. */
  ignored: boolean;
  /** The registered result (also given to the other hosts of a run_once task). */
  result: Vars;
  control?: ItemOutcome['control'];
}

/** The host's variables for this task (precedence applied) plus magic variables. */
export function varsFor(scope: TaskScope, playHosts: string[]): Vars {
  const { run, play, task, host } = scope;
  const vars = taskVars({
    inventory: run.inventory,
    host,
    play,
    task,
    registered: run.memory(host).registered,
    extraVars: run.options.extraVars,
    playHosts,
    check: checkModeOf(scope),
  });
  learnSecrets(vars, run.secretNames, run.redactor, task.source);
  return vars;
}

/** Returns undefined when the run was interrupted meanwhile (nothing is reported or counted). */
export async function runOnHost(hostScope: TaskScope, playHosts: string[]): Promise<HostOutcome | undefined> {
  const { run, task, host } = hostScope;
  const start = Date.now();
  let outcome: HostOutcome;
  let scope = hostScope;
  try {
    const vars = varsFor(scope, playHosts);
    const target = delegateTarget(scope, vars, playHosts);
    if (target) scope = { ...scope, target };
    outcome = task.loop === undefined ? await single(scope, vars, start) : await loop(scope, vars, start);
  } catch (err) {
    if (err instanceof InterruptedError || run.signal.aborted) return undefined;
    if (err instanceof ConnectError) {
      run.gone.add(host);
      report(scope, { status: 'unreachable', changed: false, msg: err.message, durationMs: Date.now() - start });
      run.recap.count(host, 'unreachable');
      return { host, status: 'unreachable', changed: false, ignored: false, result: { unreachable: true, msg: err.message } };
    }
    const msg = err instanceof Error ? err.message : String(err);
    outcome = { host, status: 'failed', changed: false, ignored: task.ignoreErrors, result: { changed: false, failed: true, msg } };
    report(scope, { status: 'failed', changed: false, ignored: task.ignoreErrors, msg, durationMs: Date.now() - start });
  }
  const memory = run.memory(host);
  if (task.register) memory.registered[task.register] = outcome.result;
  const rescued = outcome.status === 'failed' && !outcome.ignored && scope.rescuable === true;
  if (rescued) {
    // what the rescue section sees (Ansible's names)
    memory.registered.ansible_failed_task = { name: scope.taskName, action: task.module, ...(task.noLog ? {} : { args: task.args }) };
    memory.registered.ansible_failed_result = task.noLog ? { failed: true, censored: NO_LOG_MSG } : outcome.result;
  }
  if (!quiet(scope, outcome.status)) run.recap.count(host, rescued ? 'rescued' : outcome.status, outcome.ignored);
  return outcome;
}

/** Silent (meta) tasks report and count only failures. */
function quiet(scope: TaskScope, status: HostStatus): boolean {
  return scope.silent && status !== 'failed' && status !== 'unreachable';
}

function report(scope: TaskScope, facts: ResultFacts): void {
  // A result registered under a secret name is secret from the start, also in its own task's line.
  const { register } = scope.task;
  if (register && facts.result && scope.run.secretNames.has(register)) scope.run.redactor.addResult(facts.result);
  const rescued = facts.status === 'failed' && !facts.ignored && scope.rescuable === true && facts.item === undefined;
  if (!quiet(scope, facts.status)) scope.run.emit(hostResultEvent(scope, rescued ? { ...facts, rescued } : facts));
}

async function single(scope: TaskScope, vars: Vars, start: number): Promise<HostOutcome> {
  return reported(scope, await runAttempts(scope, vars), start);
}

function reported(scope: TaskScope, o: ItemOutcome, start: number): HostOutcome {
  keepFacts(scope, o);
  const ignored = o.status === 'failed' && scope.task.ignoreErrors;
  report(scope, { ...o, ignored, durationMs: Date.now() - start });
  return { host: scope.host, status: o.status, changed: o.changed, ignored, result: o.result, control: o.control };
}

async function loop(scope: TaskScope, vars: Vars, start: number): Promise<HostOutcome> {
  const { run, task } = scope;
  const items = await withFacts(scope, () => loopItems(scope, vars));
  // --check: the list is known only after a real run (src/engine/unknowns.ts)
  if (isUnknown(items)) return reported(scope, withDependsNote(unknownOutcome(scope, getModule(task.module), items.deps)), start);
  const outcomes: ItemOutcome[] = [];
  for (const item of items) {
    if (run.signal.aborted) throw new InterruptedError('interrupted');
    const itemStart = Date.now();
    const o = await runAttempts(scope, { ...vars, [task.loopVar]: item }, item);
    o.result.item = item;
    keepFacts(scope, o);
    outcomes.push(o);
    const ignored = o.status === 'failed' && task.ignoreErrors;
    report(scope, { ...o, ignored, item, durationMs: Date.now() - itemStart });
  }
  const failed = outcomes.some((o) => o.status === 'failed');
  const changed = outcomes.some((o) => o.changed);
  const skipped = outcomes.every((o) => o.status === 'skipped');
  const status: HostStatus = failed ? 'failed' : changed ? 'changed' : skipped ? 'skipped' : 'ok';
  const msg = failed ? 'One or more items failed' : items.length === 0 ? 'No items in the list' : undefined;
  const result: Vars = { changed, failed, skipped, results: outcomes.map((o) => o.result) };
  if (msg) result.msg = msg;
  const ignored = failed && task.ignoreErrors;
  const unknown = [...new Set(outcomes.flatMap((o) => o.unknown ?? []))];
  report(scope, { status, changed, ignored, msg, durationMs: Date.now() - start, items: items.length, ...(unknown.length > 0 ? { unknown } : {}) });
  return { host: scope.host, status, changed, ignored, result };
}

/** The loop's items: a list as written (rendered), or a template that renders to a list. */
function loopItems(scope: TaskScope, vars: Vars): unknown[] | Unknown {
  const { task } = scope;
  const at = task.keySources?.loop ?? task.source;
  const items = renderValue(task.loop, vars, at);
  if (isUnknown(items)) return items;
  if (!Array.isArray(items)) {
    throw new InputError(`loop must be a list, got ${typeof items}`, at);
  }
  return items;
}

/** set_fact: facts become registered-precedence variables of the host. */
function keepFacts(scope: TaskScope, o: ItemOutcome): void {
  if (o.facts && o.status !== 'failed' && o.status !== 'skipped') Object.assign(scope.run.memory(scope.host).registered, o.facts);
}
