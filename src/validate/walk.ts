/**
 * The offline walk shared by `validate` and `render`: every play x matched host x task, with the
 * host's variables, rendering arguments and template files as a run would, without any connection.
 * Registered variables (and set_fact results that depend on them) are known names with unknown
 * values: what depends on them is skipped, not failed. `when:` is evaluated where it can be, so a
 * template behind a false `when` is not rendered.
 */
import { dirname } from 'node:path';
import { argumentSource, InputError, InputErrors, type Source } from '../errors.js';
import { didYouMean } from '../load/did-you-mean.js';
import { checkTaskExpressions } from './expressions.js';
import { checkTagFlags } from './tag-flags.js';
import { checkTemplateNames, type DataKeys } from '../vars/template-names.js';
import { whenOf } from '../playbook/when.js';
import type { Vars } from '../types.js';
import { getModule } from '../modules/index.js';
import { collect, collectAsync, inputErrorsOf } from '../load/collect.js';
import { connectionSettings, hostVarSource } from '../inventory/connection-vars.js';
import { loadInventory } from '../inventory/load.js';
import { matchHosts } from '../inventory/pattern.js';
import type { Inventory } from '../inventory/types.js';
import { loadPlaybook } from '../playbook/load.js';
import { validateModuleArgs, type ModuleShape } from '../playbook/module-args.js';
import { flattenItems, type PlaybookSpec, type PlaySpec, type TaskSpec } from '../playbook/types.js';
import { truthy } from '../vars/expr.js';
import { evaluate } from '../vars/evaluate.js';
import { taskVars } from '../vars/precedence.js';
import { renderValue } from '../vars/render.js';
import { renderTemplateFile } from '../vars/template.js';
import { UNKNOWN, isUnknown, UnknownValueError } from '../vars/unknown.js';
import { findFile } from '../playbook/find-file.js';
import { collectSecrets } from '../engine/secrets.js';
import { redactor } from '../secrets/redact.js';
import { checkDelegate } from '../engine/delegate.js';
import { becomeUserOf, becomeUserSource } from '../engine/become-user.js';

export interface WalkOptions {
  playbookFile: string;
  inventoryFile: string;
  extraVars?: Vars;
  limit?: string;
  /** Only this host (render --host). */
  host?: string;
  /** --tags / --skip-tags of a run: each must name a tag some task has. */
  tags?: string[];
  skipTags?: string[];
}

/** A template rendered for a host by a task. */
export interface RenderedTemplate {
  host: string;
  task: TaskSpec;
  /** Rendered task arguments (dest, ...). */
  args: Record<string, unknown>;
  /** Absolute path of the template source. */
  template: string;
  content: string;
}

export interface WalkResult {
  playbook: PlaybookSpec;
  inventory: Inventory;
  rendered: RenderedTemplate[];
}

/** Load both files, walk everything; all errors are thrown at once (InputErrors, exit 3). */
export async function walkProject(opts: WalkOptions): Promise<WalkResult> {
  const errors: InputError[] = [];
  const [playbook, inventory] = await Promise.all([
    collectAsync(errors, loadPlaybook(opts.playbookFile)),
    collectAsync(errors, loadInventory(opts.inventoryFile)),
  ]);
  if (!playbook || !inventory) {
    InputErrors.throwIfAny(errors);
    throw new Error('unreachable: loading failed without an error');
  }
  // secrets are known before anything renders: values computed from them are marked too (taint)
  collectSecrets(playbook, inventory, opts.extraVars, redactor);
  // The same problem on several hosts is reported once, naming the hosts.
  const byMessage = new Map<string, { err: InputError; hosts: string[] }>();
  const walked = new Set<string>();
  const note = (host: string, err: unknown) => {
    for (const e of inputErrorsOf(err)) {
      const seen = byMessage.get(e.message);
      if (!seen) byMessage.set(e.message, { err: e, hosts: [host] });
      else if (!seen.hosts.includes(host)) seen.hosts.push(host);
    }
  };
  const limit = opts.limit ? collect(errors, () => matchHosts(inventory, opts.limit as string, argumentSource('--limit', opts.limit as string))) : undefined;
  if (opts.host && !inventory.hosts.has(opts.host)) {
    errors.push(new InputError(`no host named '${opts.host}' in the inventory`, argumentSource('--host', opts.host), { expected: [...inventory.hosts.keys()].join(', ') }));
  }
  errors.push(...checkTagFlags(playbook, opts.tags, opts.skipTags));
  if (limit && limit.length === 0) errors.push(selectsNothing(inventory, opts.limit as string, 'no host of the inventory'));
  const rendered: RenderedTemplate[] = [];
  const itemKeys = dataKeysOf(playbook, inventory, opts.extraVars);
  const registered = new Map<string, Vars>();
  for (const play of playbook.plays) {
    const matched = collect(errors, () => matchHosts(inventory, play.hosts, play.hostsSource)) ?? [];
    const hosts = matched.filter((h) => (!limit || limit.includes(h)) && (!opts.host || h === opts.host));
    for (const host of hosts) {
      walked.add(host);
      try {
        const vars = taskVars({ inventory, host, play, extraVars: opts.extraVars, playHosts: matched, check: true });
        connectionSettings(host, vars, dirname(inventory.file), inventory.hosts.get(host)?.source, hostVarSource(inventory, host, play, opts.extraVars));
      } catch (err) {
        note(host, err);
      }
      const reg = registered.get(host) ?? {};
      registered.set(host, reg);
      const all = [...play.tasks, ...play.handlers];
      const walker = { playbook, inventory, play, host, playHosts: matched, extraVars: opts.extraVars ?? {}, registered: reg, rendered, topics: topicsOf(play), itemKeys };
      for (const [i, task] of all.entries()) {
        try {
          walkTask({ ...walker, registeredLater: registeredAfter(all, i, reg) }, task);
        } catch (err) {
          note(host, err);
        }
      }
    }
  }
  if (limit && limit.length > 0 && walked.size === 0 && !opts.host && playbook.plays.length > 0) {
    errors.push(selectsNothing(inventory, opts.limit as string, "no host of any play's hosts:"));
  }
  const perHost = [...byMessage.values()].sort((x, y) => compareSources(x.err, y.err));
  for (const { err, hosts } of perHost) {
    const suffix = hosts.length === walked.size && hosts.length > 1 ? ' [all hosts]' : ` [host${hosts.length > 1 ? 's' : ''} ${hosts.join(', ')}]`;
    errors.push(suffix ? new InputError(err.reason + suffix, err.source, { path: err.path, expected: err.expected }) : err);
  }
  InputErrors.throwIfAny(errors);
  return { playbook, inventory, rendered };
}

/** `--limit` that leaves nothing to run on (ansible-playbook refuses it too): exit 3 naming what exists. */
function selectsNothing(inventory: Inventory, pattern: string, what: string): InputError {
  return new InputError(`${JSON.stringify(pattern)} selects no host: it matches ${what}`, argumentSource('--limit', pattern), {
    expected: `hosts (${[...inventory.hosts.keys()].join(', ')}) or groups (${[...inventory.groups.keys()].join(', ')})`,
  });
}

/** Names registered by the tasks after index i (not registered before), with where. */
function registeredAfter(tasks: TaskSpec[], i: number, already: Vars): Map<string, Source> {
  const out = new Map<string, Source>();
  for (const t of tasks.slice(i + 1)) if (t.register && !Object.hasOwn(already, t.register) && !out.has(t.register)) out.set(t.register, t.keySources?.register ?? t.source);
  return out;
}

/**
 * Keys of the data, in the inventory, plays, roles and -e: for each variable name the keys of the maps
 * it holds (its list items, or its map value), which template sections over an empty list check their
 * names against; and every key of any map at any depth, which a name in a section unknown offline
 * (a fact, a result) may be.
 */
function dataKeysOf(playbook: PlaybookSpec, inventory: Inventory, extraVars: Vars | undefined): DataKeys {
  const byName = new Map<string, Set<string>>();
  const all = new Set<string>();
  const seen = new Set<object>();
  const every = (v: unknown): void => {
    if (v === null || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) return v.forEach(every);
    for (const [k, x] of Object.entries(v)) {
      all.add(k);
      every(x);
    }
  };
  const add = (vars: Vars | undefined) => {
    for (const [name, value] of Object.entries(vars ?? {})) {
      all.add(name);
      every(value);
      const maps = Array.isArray(value) ? value : [value];
      for (const m of maps) {
        if (m === null || typeof m !== 'object' || Array.isArray(m)) continue;
        const keys = byName.get(name) ?? new Set<string>();
        Object.keys(m).forEach((k) => keys.add(k));
        byName.set(name, keys);
      }
    }
  };
  for (const h of inventory.hosts.values()) add(h.vars);
  for (const play of playbook.plays) {
    add(play.vars);
    for (const r of play.roles) {
      add(r.defaults);
      add(r.vars);
    }
    for (const t of [...play.tasks, ...play.handlers]) add(t.vars);
  }
  add(extraVars);
  return { of: (name) => byName.get(name), has: (key) => all.has(key) };
}

/** Handler names and listen topics of a play. */
function topicsOf(play: PlaySpec): Set<string> {
  const out = new Set<string>();
  for (const h of play.handlers) {
    out.add(h.name);
    h.listen.forEach((t) => out.add(t));
  }
  return out;
}

function compareSources(a: InputError, b: InputError): number {
  return a.source.file.localeCompare(b.source.file) || (a.source.line ?? 0) - (b.source.line ?? 0) || (a.source.column ?? 0) - (b.source.column ?? 0);
}

interface Walker {
  playbook: PlaybookSpec;
  inventory: Inventory;
  play: PlaySpec;
  host: string;
  playHosts: string[];
  extraVars: Vars;
  /** What earlier tasks registered on this host (unknown values offline). */
  registered: Vars;
  rendered: RenderedTemplate[];
  /** Names registered only by later tasks of the play. */
  registeredLater: ReadonlyMap<string, Source>;
  /** Handler names and listen topics of the play. */
  topics: ReadonlySet<string>;
  /** Keys of the data: by variable, and at all. */
  itemKeys: DataKeys;
}

/** One task on one host. Errors are thrown (several as InputErrors) and collected by the caller. */
function walkTask(w: Walker, task: TaskSpec): void {
  const errors: InputError[] = [];
  // what a rescue sees (and keeps seeing after it): the failed task and its result
  if (task.inRescue) Object.assign(w.registered, { ansible_failed_task: UNKNOWN, ansible_failed_result: UNKNOWN });
  const vars = taskVars({ inventory: w.inventory, host: w.host, play: w.play, task, registered: w.registered, extraVars: w.extraVars, playHosts: w.playHosts, check: true });
  try {
    const scope = { vars, registeredLater: w.registeredLater };
    InputErrors.throwIfAny(checkTaskExpressions(task, scope, 'when'));
    // when: is evaluated per loop item (the loop first), as the run does
    const runs = (v: Vars) =>
      whenOf(task).every(({ text, source }) => {
        const r = evaluate(text, v, source);
        return isUnknown(r) || truthy(r);
      });
    if (task.loop === undefined && !runs(vars)) return;
    InputErrors.throwIfAny(checkTaskExpressions(task, scope, 'rest'));
    checkNotify(w, task, vars, errors);
    checkTaskKeywords(w, task, vars, errors);
    const loopSource = task.keySources?.loop ?? task.source;
    const loop = task.loop === undefined ? [undefined] : renderValue(task.loop, vars, loopSource);
    if (isUnknown(loop)) return;
    if (!Array.isArray(loop)) throw new InputError(`loop must be a list, got ${JSON.stringify(loop)}`, loopSource, { expected: 'a list' });
    const facts: Vars = {};
    for (const item of loop) {
      const itemVars = task.loop === undefined ? vars : { ...vars, [task.loopVar]: item };
      if (task.loop !== undefined && !runs(itemVars)) continue;
      const before = errors.length;
      const args = renderArgs(task, itemVars, errors);
      if (errors.length === before) collect(errors, () => renderValue(task.name, itemVars, task.keySources?.name ?? task.source));
      if (!args) continue;
      const def = getModule(task.module) as (ModuleShape & { templates?(a: unknown): string[]; files?(a: unknown): string[] }) | undefined;
      if (!def) continue;
      const locate = (p: ReadonlyArray<string | number>) => task.argSources[String(p[0])] ?? task.source;
      errors.push(...validateModuleArgs(def, args, locate, [], { rendered: true }));
      const where = { roleDir: task.role?.dir, projectDir: w.playbook.projectDir, playbookDir: dirname(w.playbook.file), source: task.argSources.src ?? task.source };
      for (const name of def.files?.(args) ?? []) collect(errors, () => findFile('files', name, where));
      for (const name of def.templates?.(args) ?? []) {
        const path = collect(errors, () => findFile('templates', name, where));
        const names = path === undefined ? [] : (collect(errors, () => checkTemplateNames(path, itemVars, w.itemKeys)) ?? []);
        errors.push(...names);
        const content = path === undefined || names.length ? undefined : collect(errors, () => renderKnown(path, itemVars));
        if (path !== undefined && content !== undefined) w.rendered.push({ host: w.host, task, args, template: path, content });
      }
      if (task.module === 'set_fact') Object.assign(facts, args);
      if (task.include) walkIncluded(w, task, task.loop === undefined ? task.vars : { ...task.vars, [task.loopVar]: item }, errors);
    }
    if (task.module === 'set_fact') for (const k of Object.keys(task.args)) if (!(k in facts)) facts[k] = UNKNOWN;
    Object.assign(w.registered, facts);
  } finally {
    if (task.register) w.registered[task.register] = UNKNOWN;
  }
  InputErrors.throwIfAny(errors);
}

/** The tasks an include runs, for one loop item, with the include's vars (as src/engine/include.ts). */
function walkIncluded(w: Walker, task: TaskSpec, vars: Vars, errors: InputError[]): void {
  for (const child of flattenItems(task.include?.tasks ?? [])) {
    try {
      walkTask(w, { ...child, vars: { ...child.vars, ...vars } });
    } catch (err) {
      errors.push(...inputErrorsOf(err));
    }
  }
}

/**
 * The keywords a run evaluates per host besides when/loop/arguments: until (with the registered
 * result unknown), delegate_to (an inventory host or localhost), environment values.
 */
function checkTaskKeywords(w: Walker, task: TaskSpec, vars: Vars, errors: InputError[]): void {
  if (task.until) {
    const scoped = task.register ? { ...vars, [task.register]: UNKNOWN } : vars;
    for (const cond of task.until) collect(errors, () => evaluate(cond, scoped, task.keySources?.until ?? task.source));
  }
  if (task.delegateTo !== undefined) {
    const at = task.keySources?.delegate_to ?? task.source;
    const name = collect(errors, () => renderValue(task.delegateTo, vars, at));
    if (typeof name === 'string') collect(errors, () => checkDelegate(w.inventory, name, at));
  }
  const becomeUser = task.becomeUser ?? w.play.becomeUser;
  if (becomeUser !== undefined) collect(errors, () => becomeUserOf(becomeUser, vars, becomeUserSource(task, w.play)));
  for (const value of Object.values(task.environment ?? {})) {
    const v = collect(errors, () => renderValue(value, vars, task.keySources?.environment ?? task.source));
    if (v !== null && typeof v === 'object' && !isUnknown(v)) {
      errors.push(new InputError(`environment values must be strings, got ${JSON.stringify(v)}`, task.keySources?.environment ?? task.source, { expected: 'a string, number or boolean' }));
    }
  }
}

/** A templated notify must render to a handler name or listen topic of the play (it is not dropped). */
function checkNotify(w: Walker, task: TaskSpec, vars: Vars, errors: InputError[]): void {
  task.notify.forEach((n, i) => {
    if (!n.includes('{{')) return;
    const source = task.notifySources?.[i] ?? task.keySources?.notify ?? task.source;
    const name = collect(errors, () => renderValue(n, vars, source));
    if (name === undefined || isUnknown(name) || (typeof name === 'string' && w.topics.has(name))) return;
    errors.push(
      new InputError(`notify ${JSON.stringify(n)} renders to ${JSON.stringify(name)}, which names no handler of this play${didYouMean(String(name), w.topics)}`, source, {
        expected: w.topics.size ? `a handler name or listen topic: ${[...w.topics].join(', ')}` : 'a handler defined in the play or its roles',
      }),
    );
  });
}

/** Rendered arguments, or undefined when one depends on a value only known at run time. */
function renderArgs(task: TaskSpec, vars: Vars, errors: InputError[]): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  let known = true;
  for (const [k, v] of Object.entries(task.args)) {
    const r = collect(errors, () => renderValue(v, vars, task.argSources[k] ?? task.source));
    if (r === undefined || isUnknown(r)) known = false;
    else out[k] = r;
  }
  return known ? out : undefined;
}

/** A template's text, or undefined when it depends on a value only known at run time. */
function renderKnown(path: string, vars: Vars): string | undefined {
  try {
    return renderTemplateFile(path, vars);
  } catch (err) {
    if (err instanceof UnknownValueError) return undefined;
    throw err;
  }
}

/**
 * `lbrun validate`: load the playbook and the inventory and walk every play x host x task offline
 * (no connection). Every problem is collected; InputErrors (exit 3).
 */
export async function validateProject(opts: {
  playbookFile: string;
  inventoryFile: string;
  extraVars?: Vars;
  limit?: string;
  tags?: string[];
  skipTags?: string[];
}): Promise<{ playbook: PlaybookSpec; inventory: Inventory }> {
  const { playbook, inventory } = await walkProject(opts);
  return { playbook, inventory };
}
