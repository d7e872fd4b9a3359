/**
 * Playbook loading (docs/file-formats.md): plays, import_playbook (relative, tags inherited, cycles are
 * errors), roles from <project>/roles/NAME/, tasks and handlers parsed and validated. Every problem
 * found is collected and thrown at once (InputErrors, exit 3).
 */
import { existsSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { InputError, InputErrors, formatSource, type Source } from '../errors.js';
import type { Vars } from '../types.js';
import { collect } from '../load/collect.js';
import { didYouMean } from '../load/did-you-mean.js';
import { validateDocument } from '../load/schema.js';
import { loadVarsFile } from '../load/vars-file.js';
import { loadYamlFile, sourceAt, type DocPath, type YamlFile } from '../load/yaml-file.js';
import { toList, union } from './normalise.js';
import { allTasks, badPaths, handlerList, roleTasks, taskList, type PlayLoad } from './includes.js';
import { isDir, loadRoleUse, roleUseOf } from './roles.js';
import { checkSerial } from './serial.js';
import type { TaskContext } from './task.js';
import { flattenItems, type HandlerSpec, type PlayItem, type PlaySpec, type PlaybookSpec, type TaskSpec } from './types.js';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface LoadPlaybookOptions {}

interface State {
  projectDir: string;
  /** The top playbook's directory (playbook_dir, also in imported plays, as in Ansible). */
  playbookDir: string;
  errors: InputError[];
  ids: Map<string, number>;
}

type Raw = Record<string, unknown>;

/** The project root: the playbook's directory, or its parent when that directory is `playbooks`. */
export function projectDirOf(playbookFile: string): string {
  const dir = dirname(resolve(playbookFile));
  return basename(dir) === 'playbooks' ? dirname(dir) : dir;
}

export async function loadPlaybook(file: string, _opts: LoadPlaybookOptions = {}): Promise<PlaybookSpec> {
  const abs = resolve(file);
  const st: State = { projectDir: projectDirOf(abs), playbookDir: dirname(abs), errors: [], ids: new Map() };
  const yf = collect(st.errors, () => loadYamlFile(abs));
  const plays = yf ? loadPlays(st, yf, [abs], []) : [];
  InputErrors.throwIfAny(st.errors);
  return { file: abs, projectDir: st.projectDir, plays };
}

/** The plays of one playbook file, imports expanded. `chain`: files being imported (for cycles). */
function loadPlays(st: State, yf: YamlFile, chain: string[], inheritedTags: string[]): PlaySpec[] {
  const schemaErrors = validateDocument(yf, 'playbook');
  st.errors.push(...schemaErrors);
  if (!Array.isArray(yf.data)) return [];
  const bad = badPaths(schemaErrors);
  const plays: PlaySpec[] = [];
  yf.data.forEach((item: unknown, i) => {
    if (!item || typeof item !== 'object' || Array.isArray(item) || bad([i], true)) return;
    const raw = item as Raw;
    if ('import_playbook' in raw) plays.push(...importPlaybook(st, yf, raw, i, chain, inheritedTags));
    else {
      const play = loadPlay(st, yf, raw, [i], inheritedTags, bad);
      if (play) plays.push(play);
    }
  });
  return plays;
}

function importPlaybook(st: State, yf: YamlFile, raw: Raw, i: number, chain: string[], inheritedTags: string[]): PlaySpec[] {
  const target = resolve(dirname(yf.file), String(raw.import_playbook));
  const src = sourceAt(yf, [i, 'import_playbook']);
  if (chain.includes(target)) {
    st.errors.push(new InputError(`import_playbook cycle: ${[...chain, target].join(' -> ')}`, src, { expected: 'playbooks that do not import themselves' }));
    return [];
  }
  if (!existsSync(target)) {
    st.errors.push(new InputError(`imported playbook not found: ${target}`, src, { expected: 'a playbook path relative to this file' }));
    return [];
  }
  if (isDir(target)) {
    st.errors.push(new InputError(`imported playbook ${target} is a directory`, src, { expected: 'a playbook file (YAML) relative to this file' }));
    return [];
  }
  const child = collect(st.errors, () => loadYamlFile(target));
  return child ? loadPlays(st, child, [...chain, target], union(inheritedTags, toList(raw.tags, true))) : [];
}

function loadPlay(st: State, yf: YamlFile, raw: Raw, path: DocPath, inheritedTags: string[], bad: (p: DocPath) => boolean): PlaySpec | undefined {
  const at = (p: DocPath): Source => sourceAt(yf, [...path, ...p]);
  const source = at([]);
  const hosts = Array.isArray(raw.hosts) ? raw.hosts.map(String).join(',') : String(raw.hosts ?? '');
  const tags = union(inheritedTags, toList(raw.tags, true));
  const serial = raw.serial === undefined || bad([...path, 'serial']) ? undefined : checkSerial(raw.serial, at(['serial']), st.errors);

  const vars: Vars = {};
  if (Array.isArray(raw.vars_files) && !bad([...path, 'vars_files'])) {
    raw.vars_files.forEach((f, j) => {
      const file = resolve(dirname(yf.file), String(f));
      if (!existsSync(file)) {
        st.errors.push(new InputError(`vars file not found: ${file}`, at(['vars_files', j]), { expected: 'a path relative to the playbook' }));
        return;
      }
      if (isDir(file)) {
        st.errors.push(new InputError(`vars file ${file} is a directory`, at(['vars_files', j]), { expected: 'a YAML file of variables, relative to the playbook' }));
        return;
      }
      Object.assign(vars, collect(st.errors, () => loadVarsFile(file).vars) ?? {});
    });
  }
  Object.assign(vars, (raw.vars as Vars | null | undefined) ?? {});

  const pl: PlayLoad = { projectDir: st.projectDir, errors: st.errors, ids: st.ids, seen: new Set(), roles: [], handlers: [], topics: new Set() };
  const body: PlayItem[] = [];
  const ctx = (tagList: string[]): TaskContext => ({ yf, errors: st.errors, tags: tagList, when: [], ids: st.ids });

  (Array.isArray(raw.roles) ? raw.roles : []).forEach((entry: unknown, j) => {
    if (bad([...path, 'roles', j])) return;
    const whenAt = typeof entry === 'object' && entry && 'when' in entry ? at(['roles', j, 'when']) : undefined;
    const loaded = loadRoleUse(pl, roleUseOf(entry, at(['roles', j]), whenAt));
    if (loaded) body.push(...roleTasks(pl, loaded, ctx(tags), [], true));
  });
  const own = { yf, items: raw.tasks, path: [...path, 'tasks'], bad };
  body.push(...taskList(pl, own, ctx(tags), [yf.file]));
  const tasks = flattenItems(body);
  pl.handlers.push(...handlerList(pl, { yf, items: raw.handlers, path: [...path, 'handlers'], bad }, ctx(tags)));
  const { roles, handlers, topics } = pl;

  checkHandlers(st, handlers, tasks, topics);
  checkHandlerGraph(st, handlers);
  return {
    name: typeof raw.name === 'string' ? raw.name : hosts,
    hosts,
    source,
    hostsSource: raw.hosts === undefined ? source : at(['hosts']),
    vars,
    roles,
    tasks,
    body,
    handlers,
    tags,
    serial,
    maxFailPercentage: raw.max_fail_percentage as number | undefined,
    anyErrorsFatal: raw.any_errors_fatal === true,
    become: raw.become === true,
    becomeUser: raw.become_user as string | undefined,
    becomeUserSource: raw.become_user === undefined ? undefined : at(['become_user']),
    playbookDir: st.playbookDir,
    connection: raw.connection as 'ssh' | 'local' | undefined,
    forceHandlers: raw.force_handlers as boolean | undefined,
  };
}

/**
 * Handlers that notify handlers: one that notifies itself, or a cycle (one -> two -> one), would run
 * without end. Reported at the notify entry that closes the loop. Templated notify entries are
 * judged per host by the offline walk.
 */
function checkHandlerGraph(st: State, handlers: HandlerSpec[]): void {
  const answering = (topic: string) => handlers.filter((h) => h.name === topic || h.listen.includes(topic));
  const state = new Map<HandlerSpec, 'open' | 'done'>();
  const stack: HandlerSpec[] = [];
  const visit = (h: HandlerSpec): void => {
    state.set(h, 'open');
    stack.push(h);
    h.notify.forEach((topic, i) => {
      if (topic.includes('{{')) return;
      for (const next of answering(topic)) {
        const where = h.notifySources?.[i] ?? h.keySources?.notify ?? h.source;
        if (next === h) {
          st.errors.push(new InputError(`handler '${h.name}' notifies itself (it would run again and again)`, where, { expected: 'a handler that does not notify itself' }));
        } else if (state.get(next) === 'open') {
          const loop = [...stack.slice(stack.indexOf(next)), next].map((x) => x.name).join(' -> ');
          st.errors.push(new InputError(`handlers notify each other in a cycle: ${loop}`, where, { expected: 'handlers whose notifications end' }));
        } else if (!state.has(next)) visit(next);
      }
    });
    stack.pop();
    state.set(h, 'done');
  };
  for (const h of handlers) if (!state.has(h)) visit(h);
}

/** Handler names are unique in a play; every notify names a handler or a listen topic. */
function checkHandlers(st: State, handlers: HandlerSpec[], tasks: TaskSpec[], topics: Set<string>): void {
  const seen = new Map<string, HandlerSpec>();
  for (const h of handlers) {
    const first = seen.get(h.name);
    if (first && first.id.split('#')[0] !== h.id.split('#')[0]) {
      st.errors.push(new InputError(`duplicate handler name '${h.name}' (first defined at ${formatSource(first.source)})`, h.source, { expected: 'unique handler names in a play' }));
    }
    if (!first) seen.set(h.name, h);
  }
  for (const t of [...allTasks(tasks), ...handlers]) {
    for (const [i, n] of t.notify.entries()) {
      if (topics.has(n) || n.includes('{{')) continue;
      st.errors.push(
        new InputError(`notify '${n}' names no handler of this play${didYouMean(n, topics)}`, t.notifySources?.[i] ?? t.keySources?.notify ?? t.source, {
          expected: topics.size ? `a handler name or listen topic: ${[...topics].join(', ')}` : 'a handler defined in the play or its roles',
        }),
      );
    }
  }
}
