/**
 * Roles (docs/file-formats.md, docs/roles.md): <project>/roles/NAME/ with tasks, handlers, defaults,
 * vars (lbrun's flat NAME.yaml or Ansible's NAME/main.yml) and meta/main.yml `dependencies:`, which
 * run before the role, with their parameters as role vars, each once per play (same name and same
 * parameters) unless the role's meta says `allow_duplicates: true`. Cycles are errors.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, type Source } from '../errors.js';
import type { Vars } from '../types.js';
import { collect } from '../load/collect.js';
import { didYouMean } from '../load/did-you-mean.js';
import { loadYamlFile, sourceAt, type YamlFile } from '../load/yaml-file.js';
import { loadVarsFile } from '../load/vars-file.js';
import { toList } from './normalise.js';
import type { RoleSpec } from './types.js';

/** A role as written where it is used: a name, or a map (role/name, tags, when, vars, params). */
export interface RoleUse {
  name: string;
  tags: string[];
  when: string[];
  /** vars: and, for meta dependencies, any other key (Ansible's role parameters). */
  vars: Vars;
  /** tasks_from / handlers_from / vars_from / defaults_from (import_role, include_role). */
  from?: { tasks?: string; handlers?: string; vars?: string; defaults?: string };
  source: Source;
  /** Where the `when:` of the use is written (its expressions are checked there). */
  whenSource?: Source;
}

/** One role loaded: its spec and its task/handler files (not parsed yet). */
export interface LoadedRole {
  role: RoleSpec;
  use: RoleUse;
  tasksFile?: string;
  handlersFile?: string;
  /** Dependencies are loaded before it (a list already in run order). */
  deps: LoadedRole[];
}

export interface RoleState {
  projectDir: string;
  errors: InputError[];
  /** name + parameters of every role instance of the play so far (each runs once). */
  seen: Set<string>;
}

const META_DEP_KEYS = ['role', 'name', 'tags', 'when', 'vars'];

/**
 * The role and its dependencies, each not yet in the play (or allowed twice). `chain`: roles being
 * loaded (for cycles). `always`: load it even if it already ran (include_role).
 */
export function loadRoleUse(st: RoleState, use: RoleUse, chain: string[] = [], always = false): LoadedRole | undefined {
  const rolesDir = join(st.projectDir, 'roles');
  const dir = join(rolesDir, use.name);
  if (!isDir(dir)) {
    const available = isDir(rolesDir) ? readdirSync(rolesDir).filter((r) => isDir(join(rolesDir, r))).sort() : [];
    st.errors.push(
      new InputError(`role '${use.name}' not found in ${rolesDir}${didYouMean(use.name, available)}`, use.source, {
        expected: available.length ? `one of the roles: ${available.join(', ')}` : `a directory ${dir}`,
      }),
    );
    return undefined;
  }
  if (chain.includes(use.name)) {
    st.errors.push(new InputError(`role dependency cycle: ${[...chain, use.name].join(' -> ')}`, use.source, { expected: 'roles that do not depend on themselves' }));
    return undefined;
  }
  const meta = loadMeta(st, dir);
  const key = `${use.name}\0${JSON.stringify(use.vars)}\0${JSON.stringify(use.from ?? {})}`;
  if (st.seen.has(key) && !meta.allowDuplicates && !always) return undefined;
  st.seen.add(key);

  const deps: LoadedRole[] = [];
  for (const dep of meta.deps) {
    const loaded = loadRoleUse(st, { ...dep, tags: [...use.tags, ...dep.tags], when: [...use.when, ...dep.when] }, [...chain, use.name]);
    if (loaded) deps.push(loaded);
  }
  const varsOf = (base: string, from?: string): Vars => {
    const file = from ? fromFile(dir, base, from) : roleFile(dir, base);
    if (from && !file) {
      st.errors.push(new InputError(`role '${use.name}' has no ${base} file '${from}'`, use.source, { expected: `a file ${join(dir, base, from + '.yaml')}` }));
    }
    return (file && collect(st.errors, () => loadVarsFile(file).vars)) || {};
  };
  const role: RoleSpec = {
    name: use.name,
    dir,
    defaults: varsOf('defaults', use.from?.defaults),
    vars: varsOf('vars', use.from?.vars),
    params: use.vars,
    tags: use.tags,
    source: use.source,
  };
  const tasksFile = use.from?.tasks ? fromFile(dir, 'tasks', use.from.tasks) : roleFile(dir, 'tasks');
  if (!tasksFile) {
    const want = use.from?.tasks ? join(dir, 'tasks', use.from.tasks + '.yaml') : join(dir, 'tasks.yaml');
    st.errors.push(new InputError(`role '${use.name}' has no ${use.from?.tasks ? `tasks file '${use.from.tasks}'` : 'tasks.yaml'}`, use.source, { expected: `a file ${want}` }));
  }
  const handlersFile = use.from?.handlers ? fromFile(dir, 'handlers', use.from.handlers) : roleFile(dir, 'handlers');
  return { role, use, tasksFile, handlersFile, deps };
}

/** The role instances in run order: dependencies first (depth first), then the role. */
export function flattenRoles(loaded: LoadedRole): LoadedRole[] {
  return [...loaded.deps.flatMap(flattenRoles), loaded];
}

/** A role use from a play's `roles:` entry (string or map). */
export function roleUseOf(entry: unknown, source: Source, whenSource?: Source): RoleUse {
  if (typeof entry === 'string') return { name: entry, tags: [], when: [], vars: {}, source };
  const e = entry as Record<string, unknown>;
  return {
    name: String(e.role ?? e.name),
    tags: toList(e.tags, true),
    when: toList(e.when),
    vars: (e.vars as Vars | null) ?? {},
    source,
    whenSource,
  };
}

interface Meta {
  deps: RoleUse[];
  allowDuplicates: boolean;
}

/** meta/main.yml (or .yaml, or lbrun's flat meta.yaml): dependencies and allow_duplicates. */
function loadMeta(st: RoleState, dir: string): Meta {
  const file = roleFile(dir, 'meta');
  if (!file) return { deps: [], allowDuplicates: false };
  const yf = collect(st.errors, () => loadYamlFile(file, { allowEmpty: true }));
  if (!yf || yf.data === null) return { deps: [], allowDuplicates: false };
  const data = yf.data as Record<string, unknown>;
  const fail = (path: Array<string | number>, why: string, expected: string): Meta => {
    st.errors.push(new InputError(why, sourceAt(yf, path), { expected }));
    return { deps: [], allowDuplicates: false };
  };
  if (typeof data !== 'object' || Array.isArray(data)) return fail([], 'role meta must be a map', 'a map with dependencies: and allow_duplicates:');
  const allow = data.allow_duplicates ?? false;
  if (typeof allow !== 'boolean') return fail(['allow_duplicates'], 'allow_duplicates must be true or false', 'a boolean');
  const raw = data.dependencies ?? [];
  if (!Array.isArray(raw)) return fail(['dependencies'], 'dependencies must be a list', 'a list of role names or maps with role:');
  const deps: RoleUse[] = [];
  raw.forEach((d: unknown, i) => {
    const at = sourceAt(yf, ['dependencies', i]);
    if (typeof d === 'string' && d !== '') deps.push({ name: d, tags: [], when: [], vars: {}, source: at });
    else if (d && typeof d === 'object' && !Array.isArray(d) && typeof ((d as Record<string, unknown>).role ?? (d as Record<string, unknown>).name) === 'string') {
      deps.push(depUse(yf, d as Record<string, unknown>, i, at));
    } else {
      st.errors.push(new InputError('a dependency must be a role name or a map with role:', at, { expected: 'role: NAME (and optional tags, when, vars, parameters)' }));
    }
  });
  return { deps, allowDuplicates: allow };
}

/** A dependency map: role/name, tags, when, vars; other keys are parameters (role vars), as in Ansible. */
function depUse(yf: YamlFile, d: Record<string, unknown>, i: number, source: Source): RoleUse {
  const params = Object.fromEntries(Object.entries(d).filter(([k]) => !META_DEP_KEYS.includes(k)));
  return {
    name: String(d.role ?? d.name),
    tags: toList(d.tags, true),
    when: toList(d.when),
    vars: { ...params, ...((d.vars as Vars | null) ?? {}) },
    source,
    whenSource: d.when === undefined ? undefined : sourceAt(yf, ['dependencies', i, 'when']),
  };
}

/** NAME.yaml, NAME.yml, NAME/main.yaml or NAME/main.yml inside a role (Ansible layouts work too). */
export function roleFile(dir: string, base: string): string | undefined {
  return [`${base}.yaml`, `${base}.yml`, `${base}/main.yaml`, `${base}/main.yml`].map((f) => join(dir, f)).find((f) => existsSync(f));
}

/** tasks_from: X -> tasks/X.yaml, tasks/X.yml or tasks/X, as in Ansible (the same for handlers, vars, defaults). */
function fromFile(dir: string, base: string, name: string): string | undefined {
  return [`${base}/${name}.yaml`, `${base}/${name}.yml`, `${base}/${name}`]
    .map((f) => join(dir, f))
    .find((f) => existsSync(f) && !isDir(f));
}

export function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
