/**
 * Task lists and what they pull in (docs/file-formats.md): import_tasks and import_role are expanded now,
 * in place (each imported task keeps its own file:line:column; the import's when/tags/vars apply to
 * every task); include_tasks and include_role become one task whose included tasks are loaded and
 * checked now and run per host and loop item when the include runs (src/engine/include.ts). File
 * names are static: a `{{ }}` file name is an input error. Roles bring their dependencies and
 * handlers (src/playbook/roles.ts).
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InputError, formatSource, type Source } from '../errors.js';
import type { Vars } from '../types.js';
import { collect } from '../load/collect.js';
import { didYouMean } from '../load/did-you-mean.js';
import { validateDocument } from '../load/schema.js';
import { loadYamlFile, pointer, sourceAt, type DocPath, type YamlFile } from '../load/yaml-file.js';
import { toList, union } from './normalise.js';
import { flattenRoles, loadRoleUse, type LoadedRole, type RoleState, type RoleUse } from './roles.js';
import { parseExpression } from '../vars/expr.js';
import { blockConditions, blockInherited, conditions, parseTask, uniqueId, type TaskContext } from './task.js';
import { flattenItems, type BlockSpec, type HandlerSpec, type PlayItem, type RoleSpec, type TaskSpec } from './types.js';

/** What loading one play gathers besides its tasks. */
export interface PlayLoad extends RoleState {
  ids: Map<string, number>;
  /** Every role instance whose vars the whole play sees (roles:, import_role, dependencies). */
  roles: RoleSpec[];
  handlers: HandlerSpec[];
  /** Names and listen topics of every handler written, even one that failed to load. */
  topics: Set<string>;
}

export interface TaskListSource {
  yf: YamlFile;
  items: unknown;
  path: DocPath;
  bad: (p: DocPath) => boolean;
}

type Raw = Record<string, unknown>;
type Kind = 'import_tasks' | 'include_tasks' | 'import_role' | 'include_role';

export const INCLUDE_KEYS: Kind[] = ['import_tasks', 'include_tasks', 'import_role', 'include_role'];
const KEYS: Record<Kind, string[]> = {
  import_tasks: ['name', 'when', 'tags', 'vars'],
  include_tasks: ['name', 'when', 'tags', 'vars', 'loop', 'loop_control'],
  import_role: ['name', 'when', 'tags', 'vars'],
  include_role: ['name', 'when', 'tags', 'vars', 'loop', 'loop_control'],
};
const ROLE_ARGS = ['name', 'tasks_from', 'handlers_from', 'vars_from', 'defaults_from', 'allow_duplicates', 'public'];

/** Does a schema error sit at/below path (or, with exact, exactly at path itself)? */
export function badPaths(errors: InputError[]): (path: DocPath, exact?: boolean) => boolean {
  const pointers = errors.map((e) => e.path ?? '');
  return (path, exact = false) => {
    const p = pointer(path);
    return pointers.some((q) => q === p || (!exact && q.startsWith(p + '/')));
  };
}

/** A tasks or handlers file, schema-checked. */
export function listFile(pl: Pick<PlayLoad, 'errors'>, file: string | undefined, schema: 'tasks' | 'handlers'): TaskListSource | undefined {
  if (!file) return undefined;
  const yf = collect(pl.errors, () => loadYamlFile(file, { allowEmpty: true }));
  if (yf && yf.data === null && schema === 'tasks') {
    // a role or task file that silently does nothing is almost always a mistake (tasks commented out)
    pl.errors.push(new InputError('the tasks file holds no tasks (only comments or nothing)', { file, line: 1, column: 1 }, { expected: 'a list of tasks' }));
  }
  if (!yf || yf.data === null) return undefined;
  const errors = validateDocument(yf, schema);
  pl.errors.push(...errors);
  return { yf, items: yf.data, path: [], bad: badPaths(errors) };
}

/**
 * Tasks and blocks of a list, imports expanded and includes loaded. `chain`: task files being loaded
 * (cycles).
 */
export function taskList(pl: PlayLoad, list: TaskListSource | undefined, ctx: TaskContext, chain: string[]): PlayItem[] {
  if (!list || !Array.isArray(list.items)) return [];
  const out: PlayItem[] = [];
  list.items.forEach((item: unknown, k) => {
    const p = [...list.path, k];
    if (!item || typeof item !== 'object' || Array.isArray(item) || list.bad(p)) return;
    const raw = item as Raw;
    const here = { ...ctx, yf: list.yf };
    if ('block' in raw) {
      out.push(block(pl, list, here, p, raw, chain));
      return;
    }
    const stray = ['rescue', 'always'].find((key) => key in raw);
    if (stray) {
      pl.errors.push(new InputError(`${stray} without block`, sourceAt(list.yf, [...p, stray], { key: true }), { expected: `a block: list before ${stray}:` }));
      return;
    }
    const kind = INCLUDE_KEYS.find((key) => key in raw);
    if (kind) out.push(...include(pl, here, p, raw, kind, chain));
    else {
      const t = parseTask(here, p, raw, false);
      if (t) out.push(t);
    }
  });
  return out;
}

/**
 * block / rescue / always: the block's when, tags and keywords (become, vars, ...) are inherited by
 * every task inside (a task's own value wins), as Ansible does; the engine runs the sections.
 */
/**
 * ctx's conditions with more appended (a block's, an import's), each remembering where it is
 * written: an error in an inherited condition names the line of its `when:`, not the task's.
 */
function addWhen(ctx: TaskContext, texts: string[], path: DocPath, value: unknown): Pick<TaskContext, 'when' | 'whenSources'> {
  const sources = texts.map((_, i) => sourceAt(ctx.yf, Array.isArray(value) ? [...path, i] : path));
  return { when: [...ctx.when, ...texts], whenSources: [...ctx.when.map((_, i) => ctx.whenSources?.[i]), ...sources] };
}

function block(pl: PlayLoad, list: TaskListSource, ctx: TaskContext, path: DocPath, raw: Raw, chain: string[]): BlockSpec {
  const inner: TaskContext = {
    ...ctx,
    tags: union(ctx.tags, toList(raw.tags, true)),
    ...addWhen(ctx, blockConditions(ctx, raw, path), [...path, 'when'], raw.when),
    // an import's vars (ctx.vars) sit below the block's own
    inherit: blockInherited({ ...ctx.inherit, vars: { ...ctx.inherit?.vars, ...ctx.vars } }, raw, (key) => sourceAt(ctx.yf, [...path, key])),
    vars: {},
  };
  const section = (key: 'block' | 'rescue' | 'always') =>
    taskList(pl, { ...list, items: raw[key], path: [...path, key] }, key === 'rescue' ? { ...inner, inRescue: true } : inner, chain);
  return {
    kind: 'block',
    name: typeof raw.name === 'string' ? raw.name : undefined,
    source: sourceAt(ctx.yf, path),
    block: section('block'),
    rescue: section('rescue'),
    always: section('always'),
  };
}

export function handlerList(pl: PlayLoad, list: TaskListSource | undefined, ctx: TaskContext): HandlerSpec[] {
  if (!list || !Array.isArray(list.items)) return [];
  const out: HandlerSpec[] = [];
  list.items.forEach((item: unknown, k) => {
    const p = [...list.path, k];
    if (!item || typeof item !== 'object' || Array.isArray(item) || list.bad(p)) return;
    const kind = INCLUDE_KEYS.find((key) => key in (item as Raw));
    if (kind) {
      pl.errors.push(new InputError(`${kind} is not supported in handlers`, sourceAt(list.yf, [...p, kind], { key: true }), { expected: 'a handler with one module' }));
      return;
    }
    const t = parseTask({ ...ctx, yf: list.yf }, p, item as Raw, true);
    if (t) out.push(t);
  });
  addTopics(pl.topics, list.items);
  return out;
}

/**
 * The tasks of a role instance and its dependencies (dependencies first); their handlers join the
 * play's. `shared`: the roles' vars are seen by the whole play (roles:, import_role), not only by
 * their own tasks (include_role).
 */
export function roleTasks(pl: PlayLoad, loaded: LoadedRole, ctx: TaskContext, chain: string[], shared: boolean): PlayItem[] {
  const tasks: PlayItem[] = [];
  for (const r of flattenRoles(loaded)) {
    if (shared) pl.roles.push(r.role);
    const when = r.use.when;
    const whenAt = r.use.whenSource;
    if (whenAt) when.forEach((w) => collect(pl.errors, () => parseExpression(w, whenAt)));
    // a role entry's when is written in the playbook: its errors name that line
    const whenSources = [...ctx.when.map((_, i) => ctx.whenSources?.[i]), ...when.map(() => whenAt)];
    const roleCtx: TaskContext = { ...ctx, tags: union(ctx.tags, r.role.tags), role: r.role, when: [...ctx.when, ...when], whenSources, vars: {} };
    const file = r.tasksFile;
    if (file && chain.includes(file)) continue;
    tasks.push(...taskList(pl, listFile(pl, file, 'tasks'), roleCtx, file ? [...chain, file] : chain));
    pl.handlers.push(...handlerList(pl, listFile(pl, r.handlersFile, 'handlers'), { ...roleCtx, when: [] }));
  }
  return tasks;
}

function include(pl: PlayLoad, ctx: TaskContext, path: DocPath, raw: Raw, kind: Kind, chain: string[]): PlayItem[] {
  const at = (p: DocPath, key = false): Source => sourceAt(ctx.yf, [...path, ...p], { key });
  const before = pl.errors.length;
  for (const key of Object.keys(raw)) {
    if (key === kind || KEYS[kind].includes(key)) continue;
    const why = INCLUDE_KEYS.includes(key as Kind) ? `several includes in one task: ${kind}, ${key}` : `${kind} does not take the task key '${key}'${didYouMean(key, KEYS[kind])}`;
    pl.errors.push(new InputError(why, at([key], true), { expected: `${kind} with ${KEYS[kind].join(', ')}` }));
  }
  const when = conditions(ctx, raw.when, [...path, 'when']);
  const vars = { ...ctx.vars, ...((raw.vars as Vars | null | undefined) ?? {}) };
  if (kind === 'import_tasks' || kind === 'include_tasks') {
    const file = taskFile(pl, ctx, raw[kind], at([kind]), kind, chain);
    if (!file || pl.errors.length > before) return [];
    const list = listFile(pl, file, 'tasks');
    if (kind === 'import_tasks') {
      return taskList(pl, list, { ...ctx, tags: union(ctx.tags, toList(raw.tags, true)), ...addWhen(ctx, when, [...path, 'when'], raw.when), vars }, [...chain, file]);
    }
    const tasks = taskList(pl, list, { ...ctx, when: [], vars: {} }, [...chain, file]);
    return [includeSpec(ctx, path, raw, kind, file, tasks, when, vars)];
  }
  const use = roleArgs(pl, ctx, raw[kind], at([kind]), [...path, kind]);
  if (!use || pl.errors.length > before) return [];
  if (kind === 'import_role') {
    const loaded = loadRoleUse(pl, { ...use, tags: toList(raw.tags, true), when, whenSource: when.length ? sourceAt(ctx.yf, [...path, 'when']) : undefined, vars });
    return loaded ? roleTasks(pl, loaded, ctx, chain, true) : [];
  }
  const loaded = loadRoleUse(pl, use, [], true);
  if (!loaded) return [];
  const tasks = roleTasks(pl, loaded, { ...ctx, when: [], vars: {} }, chain, false);
  return [includeSpec(ctx, path, raw, kind, loaded.tasksFile ?? loaded.role.dir, tasks, when, vars)];
}

/** The include as a task: it runs the included tasks per host and loop item (src/engine/include.ts). */
function includeSpec(ctx: TaskContext, path: DocPath, raw: Raw, kind: Kind, file: string, tasks: PlayItem[], when: string[], vars: Vars): TaskSpec {
  const source = sourceAt(ctx.yf, path);
  const keySources: Record<string, Source> = {};
  for (const k of Object.keys(raw)) keySources[k] = sourceAt(ctx.yf, [...path, k]);
  const shown = kind === 'include_role' ? String((raw[kind] as Raw).name) : String(typeof raw[kind] === 'string' ? raw[kind] : (raw[kind] as Raw).file);
  return {
    id: uniqueId(ctx.ids, formatSource(source)),
    name: typeof raw.name === 'string' ? raw.name : `${kind} ${shown}`,
    module: kind,
    args: { file },
    argSources: { file: keySources[kind] },
    keySources,
    source,
    when: [...ctx.when, ...when],
    loop: raw.loop,
    loopVar: (raw.loop_control as { loop_var?: string } | undefined)?.loop_var ?? 'item',
    ignoreErrors: false,
    notify: [],
    tags: union(ctx.tags, toList(raw.tags, true)),
    runOnce: false,
    noLog: false,
    vars,
    role: ctx.role,
    include: { file, tasks },
  };
}

/** The file of import_tasks/include_tasks: relative to the including file, then to the role's tasks/. */
function taskFile(pl: PlayLoad, ctx: TaskContext, value: unknown, source: Source, kind: Kind, chain: string[]): string | undefined {
  const name = typeof value === 'string' ? value : value && typeof value === 'object' && !Array.isArray(value) ? (value as Raw).file : undefined;
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const extra = Object.keys(value).filter((k) => k !== 'file');
    if (extra.length) pl.errors.push(new InputError(`${kind} takes only file:, not '${extra[0]}'`, source, { expected: `${kind}: FILE or ${kind}: { file: FILE }` }));
  }
  if (typeof name !== 'string' || name.trim() === '') {
    pl.errors.push(new InputError(`${kind} needs a file name`, source, { expected: `${kind}: FILE (relative to this file)` }));
    return undefined;
  }
  if (name.includes('{{')) {
    pl.errors.push(new InputError(`${kind} file names must be static (lbrun loads and checks included files before the run)`, source, { expected: 'a file name without {{ }}; choose between files with when:' }));
    return undefined;
  }
  const candidates = [resolve(dirname(ctx.yf.file), name)];
  if (ctx.role) candidates.push(join(ctx.role.dir, 'tasks', name), join(ctx.role.dir, name));
  const file = candidates.find((f) => existsSync(f));
  if (!file) {
    pl.errors.push(new InputError(`${kind} file not found: ${candidates[0]}`, source, { expected: 'a tasks file relative to the file that includes it' }));
    return undefined;
  }
  if (chain.includes(file)) {
    pl.errors.push(new InputError(`${kind} cycle: ${[...chain, file].join(' -> ')}`, source, { expected: 'task files that do not include themselves' }));
    return undefined;
  }
  return file;
}

/** import_role / include_role arguments: a map with name (and tasks_from, vars_from, ...). */
function roleArgs(pl: PlayLoad, ctx: TaskContext, value: unknown, source: Source, path: DocPath): RoleUse | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value) || typeof (value as Raw).name !== 'string' || (value as Raw).name === '') {
    pl.errors.push(new InputError('a role include needs name:', source, { expected: 'name: ROLE (and optional tasks_from, vars_from, defaults_from, handlers_from)' }));
    return undefined;
  }
  const v = value as Raw;
  for (const k of Object.keys(v)) {
    if (!ROLE_ARGS.includes(k)) pl.errors.push(new InputError(`unknown role include argument '${k}'${didYouMean(k, ROLE_ARGS)}`, sourceAt(ctx.yf, [...path, k], { key: true }), { expected: ROLE_ARGS.join(', ') }));
  }
  const str = (k: string): string | undefined => (typeof v[k] === 'string' ? (v[k]) : undefined);
  return {
    name: v.name as string,
    tags: [],
    when: [],
    vars: {},
    from: { tasks: str('tasks_from'), handlers: str('handlers_from'), vars: str('vars_from'), defaults: str('defaults_from') },
    source,
  };
}

export function addTopics(topics: Set<string>, items: unknown): void {
  if (!Array.isArray(items)) return;
  for (const h of items as Raw[]) {
    if (typeof h?.name === 'string') topics.add(h.name);
    toList(h?.listen).forEach((t) => topics.add(t));
  }
}

/** Every task of a list, in blocks and included ones too (depth first, after their include). */
export function allTasks(items: readonly PlayItem[]): TaskSpec[] {
  return flattenItems(items).flatMap((t) => (t.include ? [t, ...allTasks(t.include.tasks)] : [t]));
}
