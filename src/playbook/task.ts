/**
 * One task (or handler) map -> TaskSpec: the module key found and its arguments normalised and
 * validated, expressions parsed (so syntax errors point at their line), tags inherited.
 */
import { InputError, formatSource, type Source } from '../errors.js';
import { getModule, moduleNames } from '../modules/index.js';
import type { Vars } from '../modules/types.js';
import { didYouMean } from '../config/did-you-mean.js';
import { sourceAt, type DocPath, type YamlFile } from '../config/yaml-file.js';
import { parseExpression } from '../vars/expr.js';
import { normaliseArgs, validateModuleArgs, type ModuleShape } from './module-args.js';
import { collect } from '../config/collect.js';
import { toList, union } from './normalise.js';
import type { HandlerSpec, RoleSpec, TaskSpec } from './types.js';

export const TASK_KEYS = [
  'name', 'when', 'loop', 'loop_control', 'register', 'changed_when', 'failed_when', 'ignore_errors',
  'notify', 'tags', 'become', 'become_user', 'run_once', 'timeout', 'no_log', 'vars',
];
export const HANDLER_KEYS = [...TASK_KEYS, 'listen'];

export interface TaskContext {
  yf: YamlFile;
  errors: InputError[];
  /** Inherited tags (import + play + role). */
  tags: string[];
  /** Inherited conditions (a role entry's when:). */
  when: string[];
  role?: RoleSpec;
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
  const args = normaliseArgs(def, raw[module], locate, [...path, module]);
  if (args instanceof InputError) {
    ctx.errors.push(args);
    return undefined;
  }
  ctx.errors.push(...validateModuleArgs(def, args, locate, [...path, module]));
  const argSources: Record<string, Source> = {};
  for (const k of Object.keys(args)) argSources[k] = at([...path, module, k]);
  const keySources: Record<string, Source> = {};
  for (const k of Object.keys(raw)) if (k !== module) keySources[k] = at([...path, k]);

  const when = [...ctx.when, ...conditions(ctx, raw.when, [...path, 'when'])];
  const changedWhen = fixedOrConditions(ctx, raw.changed_when, [...path, 'changed_when']);
  const failedWhen = fixedOrConditions(ctx, raw.failed_when, [...path, 'failed_when']);

  const spec: TaskSpec = {
    id: uniqueId(ctx.ids, formatSource(source)),
    name: typeof raw.name === 'string' ? raw.name : `${module} ${summary(args)}`.trim(),
    module,
    args,
    argSources,
    keySources,
    source,
    when,
    loop: raw.loop,
    loopVar: (raw.loop_control as { loop_var?: string } | undefined)?.loop_var ?? 'item',
    register: raw.register as string | undefined,
    changedWhen,
    failedWhen,
    ignoreErrors: raw.ignore_errors === true,
    notify: toList(raw.notify),
    tags: union(ctx.tags, toList(raw.tags, true)),
    become: raw.become as boolean | undefined,
    becomeUser: raw.become_user as string | undefined,
    runOnce: raw.run_once === true,
    timeout: raw.timeout as number | undefined,
    noLog: raw.no_log === true,
    vars: { ...ctx.vars, ...((raw.vars as Vars | null | undefined) ?? {}) },
    role: ctx.role,
  };
  if (!handler) return spec;
  return { ...spec, listen: toList(raw.listen) };
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
