/**
 * One task (or handler) map -> TaskSpec: the module key found and its arguments normalised and
 * validated, expressions parsed (so syntax errors point at their line), tags inherited.
 */
import { InputError, formatSource, type Source } from '../errors.js';
import { getModule, moduleNames } from '../modules/index.js';
import type { Vars } from '../types.js';
import { didYouMean } from '../load/did-you-mean.js';
import { sourceAt, type DocPath, type YamlFile } from '../load/yaml-file.js';
import { parseExpression } from '../vars/expr.js';
import { normaliseArgs, validateModuleArgs, type ModuleShape } from './module-args.js';
import { collect } from '../load/collect.js';
import { toList, union } from './normalise.js';
import type { HandlerSpec, RoleSpec, TaskExpression, TaskSpec } from './types.js';

export const TASK_KEYS = [
  'name', 'when', 'loop', 'loop_control', 'register', 'changed_when', 'failed_when', 'ignore_errors',
  'notify', 'tags', 'become', 'become_user', 'run_once', 'timeout', 'no_log', 'vars',
  'until', 'retries', 'delay', 'delegate_to', 'local_action', 'check_mode', 'diff', 'environment', 'throttle', 'args',
];
export const HANDLER_KEYS = [...TASK_KEYS, 'listen'];

/** Keywords a block passes on to the tasks inside it (a task's own value wins). */
export interface Inherited {
  become?: boolean;
  becomeUser?: string;
  ignoreErrors?: boolean;
  noLog?: boolean;
  runOnce?: boolean;
  timeout?: number;
  delegateTo?: string;
  checkMode?: boolean;
  diff?: boolean;
  environment?: Record<string, unknown>;
  throttle?: number;
  vars?: Vars;
  /** Where each inherited keyword is written (a block's line): errors in its value name it. */
  sources?: Record<string, Source>;
}

/**
 * Task keys whose values are expressions (a string or a list of them; a fixed boolean is not an
 * expression). Each is parsed at load (a syntax error names its line) and its names are resolved
 * offline before any connection (src/validate/expressions.ts). ownResult: the task's own `register`
 * name is in scope. A new expression-valued key is one line here.
 */
export const EXPRESSION_KEYS: ReadonlyArray<{ key: string; ownResult: boolean }> = [
  { key: 'when', ownResult: false },
  { key: 'changed_when', ownResult: true },
  { key: 'failed_when', ownResult: true },
  { key: 'until', ownResult: true },
];

export interface TaskContext {
  yf: YamlFile;
  errors: InputError[];
  /** Inherited tags (import + play + role). */
  tags: string[];
  /** Inherited conditions (a role entry's when:). */
  when: string[];
  /** Where each inherited condition is written (parallel to when). */
  whenSources?: Array<Source | undefined>;
  role?: RoleSpec;
  /** Keywords of the enclosing blocks. */
  inherit?: Inherited;
  /** Inside a block's rescue section. */
  inRescue?: boolean;
  /** Ids handed out so far in this playbook (to keep them unique when a file is used twice). */
  ids: Map<string, number>;
  /** Inherited vars (import_tasks / import_role vars:), below the task's own. */
  vars?: Vars;
}

export function parseTask(ctx: TaskContext, path: DocPath, raw: Record<string, unknown>, handler: false): TaskSpec | undefined;
export function parseTask(ctx: TaskContext, path: DocPath, raw: Record<string, unknown>, handler: true): HandlerSpec | undefined;
export function parseTask(ctx: TaskContext, path: DocPath, raw: Record<string, unknown>, handler: boolean): TaskSpec | HandlerSpec | undefined {
  const at = (p: DocPath, key = false): Source => sourceAt(ctx.yf, p, { key });
  const source = at(path);
  const local = localAction(ctx, path, raw);
  if (local === null) return undefined;
  if (local) raw = local.raw;
  const valid = handler ? HANDLER_KEYS : TASK_KEYS;
  const what = handler ? 'handler' : 'task';
  const others = Object.keys(raw).filter((k) => !valid.includes(k));
  const modules = others.filter((k) => getModule(k));
  const unknown = others.filter((k) => !getModule(k));
  const before = ctx.errors.length;
  if (modules.length > 1) {
    ctx.errors.push(new InputError(`several modules in one ${what}: ${modules.join(', ')}`, at([...path, modules[1]], true), { expected: 'one module per task' }));
  } else if (modules.length === 0 && unknown.length === 0) {
    ctx.errors.push(new InputError(`${what} has no module`, source, { expected: `one module key (${moduleNames().join(', ')})` }));
  } else if (modules.length === 0 && unknown.length === 1) {
    const name = unknown[0];
    ctx.errors.push(
      new InputError(`unknown module '${name}'${didYouMean(name, [...moduleNames(), ...valid])}`, at([...path, name], true), {
        expected: `a module (${moduleNames().join(', ')})`,
      }),
    );
  } else {
    for (const key of unknown) {
      ctx.errors.push(
        new InputError(`unknown ${what} key '${key}'${didYouMean(key, [...valid, ...moduleNames()])}`, at([...path, key], true), {
          expected: `one of the ${what} keys: ${valid.join(', ')}, and one module`,
        }),
      );
    }
  }
  if (ctx.errors.length > before) return undefined;

  const module = modules[0];
  const def = getModule(module) as ModuleShape;
  const locate = (p: DocPath, o?: { key?: boolean }) => sourceAt(ctx.yf, p, o);
  const argsPath = local?.argsPath ?? [...path, module];
  const own = normaliseArgs(def, raw[module], locate, argsPath);
  if (own instanceof InputError) {
    ctx.errors.push(own);
    return undefined;
  }
  const extra = taskArgs(raw.args, () => at([...path, 'args']));
  if (extra instanceof InputError) {
    ctx.errors.push(extra);
    return undefined;
  }
  // Ansible's `args:` keyword: merged under the module's own arguments (the module's own win).
  const args = { ...own, ...Object.fromEntries(Object.entries(extra).filter(([k]) => !(k in own))) };
  const fromArgs = (k: string) => k in extra && !(k in own);
  const argLocate = (p: DocPath, o?: { key?: boolean }) =>
    p.length > argsPath.length && argsPath.every((x, i) => p[i] === x) && fromArgs(String(p[argsPath.length]))
      ? locate([...path, 'args', ...p.slice(argsPath.length)], o)
      : locate(p, o);
  ctx.errors.push(...validateModuleArgs(def, args, argLocate, argsPath));
  const argSources: Record<string, Source> = {};
  for (const k of Object.keys(args)) argSources[k] = fromArgs(k) ? at([...path, 'args', k]) : local?.freeForm ? at(argsPath) : at([...argsPath, k]);
  const keySources: Record<string, Source> = {};
  for (const k of Object.keys(raw)) if (k !== module && k !== 'args') keySources[k] = at([...path, k === 'delegate_to' && local ? 'local_action' : k]);

  const expressions: TaskExpression[] = ctx.when.map((text, i) => ({ key: 'when', text, source: ctx.whenSources?.[i] ?? source, ownResult: false }));
  const when = [...ctx.when, ...conditions(ctx, raw.when, [...path, 'when'])];
  const changedWhen = fixedOrConditions(ctx, raw.changed_when, [...path, 'changed_when']);
  const failedWhen = fixedOrConditions(ctx, raw.failed_when, [...path, 'failed_when']);
  const until = raw.until === undefined || raw.until === null ? undefined : conditions(ctx, raw.until, [...path, 'until']);
  const inh = ctx.inherit ?? {};
  for (const { key, ownResult } of EXPRESSION_KEYS) expressions.push(...expressionsOf(ctx, raw[key], [...path, key], key, ownResult));
  for (const arg of def.expressionArgs ?? []) {
    const value = args[arg];
    const argPath = fromArgs(arg) ? [...path, 'args', arg] : [...argsPath, arg];
    if (typeof value === 'string' || Array.isArray(value)) expressions.push(...expressionsOf(ctx, value, argPath, `${module}.${arg}`, false));
  }
  const notifySources = Array.isArray(raw.notify) ? raw.notify.map((_, i) => at([...path, 'notify', i])) : raw.notify === undefined ? [] : [at([...path, 'notify'])];

  const spec: TaskSpec = {
    id: uniqueId(ctx.ids, formatSource(source)),
    name: typeof raw.name === 'string' ? raw.name : `${module} ${summary(args)}`.trim(),
    module,
    args,
    argSources,
    keySources: { ...inh.sources, ...keySources },
    source,
    when,
    expressions,
    notifySources,
    loop: raw.loop,
    loopVar: (raw.loop_control as { loop_var?: string } | undefined)?.loop_var ?? 'item',
    register: raw.register as string | undefined,
    changedWhen,
    failedWhen,
    ignoreErrors: (raw.ignore_errors as boolean | undefined) ?? inh.ignoreErrors ?? false,
    notify: toList(raw.notify),
    tags: union(ctx.tags, toList(raw.tags, true)),
    become: (raw.become as boolean | undefined) ?? inh.become,
    becomeUser: (raw.become_user as string | undefined) ?? inh.becomeUser,
    runOnce: (raw.run_once as boolean | undefined) ?? inh.runOnce ?? false,
    timeout: (raw.timeout as number | undefined) ?? inh.timeout,
    noLog: (raw.no_log as boolean | undefined) ?? inh.noLog ?? false,
    vars: { ...inh.vars, ...ctx.vars, ...(raw.vars as Vars | null | undefined) },
    role: ctx.role,
    until,
    retries: raw.retries as number | undefined,
    delay: raw.delay as number | undefined,
    delegateTo: (raw.delegate_to as string | undefined) ?? inh.delegateTo,
    checkMode: (raw.check_mode as boolean | undefined) ?? inh.checkMode,
    diff: (raw.diff as boolean | undefined) ?? inh.diff,
    environment: mergeEnv(inh.environment, raw.environment as Record<string, unknown> | undefined),
    throttle: (raw.throttle as number | undefined) ?? inh.throttle,
    ...(ctx.inRescue ? { inRescue: true } : {}),
  };
  if (!handler) return spec;
  return { ...spec, listen: toList(raw.listen) };
}

/** The `args:` keyword's map (Ansible's task-level module arguments); {} when absent. */
function taskArgs(value: unknown, source: () => Source): Record<string, unknown> | InputError {
  if (value === undefined || value === null) return {};
  if (typeof value === 'object' && !Array.isArray(value)) return { ...(value as Record<string, unknown>) };
  return new InputError(`args: must be a map of module arguments, not ${Array.isArray(value) ? 'a list' : JSON.stringify(value)}`, source(), {
    expected: 'a map of the module\'s arguments, e.g. args: { chdir: /tmp }',
  });
}

/** A block's keywords (and its enclosing blocks'), as its tasks inherit them. */
export function blockInherited(parent: Inherited | undefined, raw: Record<string, unknown>, at?: (key: string) => Source): Inherited {
  const p = parent ?? {};
  const sources = { ...p.sources };
  // each keyword the block sets is remembered where it is written
  const pick = <T>(key: string, dflt: T | undefined): T | undefined => {
    if (raw[key] === undefined || raw[key] === null) return dflt;
    if (at) sources[key] = at(key);
    return raw[key] as T;
  };
  const environment = pick<Record<string, unknown>>('environment', undefined);
  return {
    sources,
    become: pick('become', p.become),
    becomeUser: pick('become_user', p.becomeUser),
    ignoreErrors: pick('ignore_errors', p.ignoreErrors),
    noLog: pick('no_log', p.noLog),
    runOnce: pick('run_once', p.runOnce),
    timeout: pick('timeout', p.timeout),
    delegateTo: pick('delegate_to', p.delegateTo),
    checkMode: pick('check_mode', p.checkMode),
    diff: pick('diff', p.diff),
    environment: mergeEnv(p.environment, environment),
    throttle: pick('throttle', p.throttle),
    vars: { ...p.vars, ...(raw.vars as Vars | null | undefined) },
  };
}

/** A block's when: conditions, parsed now (each task inside evaluates them, as Ansible does). */
export function blockConditions(ctx: TaskContext, raw: Record<string, unknown>, path: DocPath): string[] {
  return conditions(ctx, raw.when, [...path, 'when']);
}

function mergeEnv(outer: Record<string, unknown> | undefined, inner: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!outer && !inner) return undefined;
  return { ...outer, ...inner };
}

/**
 * local_action: MODULE ARGS (or a map with module:) is the module on the controller: the task as if
 * written `MODULE: ARGS` with `delegate_to: localhost`. null: an error was recorded.
 */
function localAction(
  ctx: TaskContext,
  path: DocPath,
  raw: Record<string, unknown>,
): { raw: Record<string, unknown>; argsPath: DocPath; freeForm: boolean } | null | undefined {
  if (!('local_action' in raw)) return undefined;
  const at = [...path, 'local_action'];
  const value = raw.local_action;
  const rest = Object.fromEntries(Object.entries(raw).filter(([k]) => k !== 'local_action'));
  if ('delegate_to' in raw) {
    ctx.errors.push(new InputError('local_action and delegate_to in one task', sourceAt(ctx.yf, [...path, 'delegate_to'], { key: true }), { expected: 'one of them' }));
    return null;
  }
  let module: string;
  let args: unknown;
  if (typeof value === 'string') {
    const m = /^\s*(\S+)\s*([\s\S]*)$/.exec(value);
    module = m?.[1] ?? '';
    args = m?.[2] ? m[2] : null;
  } else if (value && typeof value === 'object' && !Array.isArray(value) && typeof (value as Record<string, unknown>).module === 'string') {
    const { module: name, ...more } = value as Record<string, unknown>;
    module = name as string;
    args = more;
  } else {
    ctx.errors.push(new InputError('local_action needs a module', sourceAt(ctx.yf, at), { expected: '"MODULE ARGS" or a map with module: and its arguments' }));
    return null;
  }
  if (!getModule(module)) {
    ctx.errors.push(
      new InputError(`unknown module '${module}' in local_action${didYouMean(module, moduleNames())}`, sourceAt(ctx.yf, at), {
        expected: `a module (${moduleNames().join(', ')})`,
      }),
    );
    return null;
  }
  if (module in rest) {
    ctx.errors.push(new InputError(`local_action and the module key '${module}' in one task`, sourceAt(ctx.yf, [...path, module], { key: true }), { expected: 'one module per task' }));
    return null;
  }
  return { raw: { ...rest, [module]: args, delegate_to: 'localhost' }, argsPath: at, freeForm: typeof value === 'string' };
}

/** when: as a list of expression strings, each parsed now so a syntax error names its line. */
export function conditions(ctx: Pick<TaskContext, 'yf' | 'errors'>, value: unknown, path: DocPath): string[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((v, i) => {
    const text = String(v);
    const src = sourceAt(ctx.yf, Array.isArray(value) ? [...path, i] : path);
    collect(ctx.errors, () => parseExpression(text, src));
    return text;
  });
}

/** The expressions of a key's value (each with its own source); unparsable ones were reported by conditions(). */
function expressionsOf(ctx: TaskContext, value: unknown, path: DocPath, key: string, ownResult: boolean): TaskExpression[] {
  if (value === undefined || value === null || typeof value === 'boolean') return [];
  const list = Array.isArray(value) ? value : [value];
  const out: TaskExpression[] = [];
  list.forEach((v, i) => {
    const text = String(v);
    const source = sourceAt(ctx.yf, Array.isArray(value) ? [...path, i] : path);
    // task keys were parsed (and reported) by conditions(); module arguments (assert.that) here
    const parsed = key.includes('.') ? collect(ctx.errors, () => parseExpression(text, source)) : collect([], () => parseExpression(text, source));
    if (parsed !== undefined) out.push({ key, text, source, ownResult });
  });
  return out;
}

function fixedOrConditions(ctx: TaskContext, value: unknown, path: DocPath): string[] | boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === undefined || value === null) return undefined;
  return conditions(ctx, value, path);
}

export function uniqueId(ids: Map<string, number>, base: string): string {
  const n = (ids.get(base) ?? 0) + 1;
  ids.set(base, n);
  return n === 1 ? base : `${base}#${n}`;
}

/** "name=haproxy state=present" (short) for tasks without a name. */
function summary(args: Record<string, unknown>): string {
  const text = Object.entries(args)
    .filter(([, v]) => v === null || typeof v !== 'object')
    .map(([k, v]) => (Object.keys(args).length === 1 ? String(v) : `${k}=${String(v)}`))
    .join(' ');
  if (text.length <= 60) return text;
  // never cut a {{ }} in half: the name is rendered like any templated string
  let cut = text.slice(0, 57);
  const open = cut.lastIndexOf('{{');
  if (open > cut.lastIndexOf('}}')) cut = cut.slice(0, open).trimEnd();
  return cut + '...';
}
