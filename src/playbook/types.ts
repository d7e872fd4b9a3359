/**
 * The resolved model the loader hands to the engine: every play with its roles flattened into
 * tasks and handlers, tags inherited, sources kept. Arguments are NOT rendered here: they are
 * rendered per host at run time (and walked offline by `validate`/`render`).
 */
import type { Source } from '../errors.js';
import type { Vars } from '../types.js';

export interface RoleSpec {
  name: string;
  /** Absolute directory of the role. */
  dir: string;
  /** defaults.yaml (lowest precedence). */
  defaults: Vars;
  /** vars.yaml (above play vars). */
  vars: Vars;
  /** Parameters of this use of the role (a roles: entry's vars, a dependency's parameters): seen by
   *  the role's own tasks only, above registered vars (Ansible's role params). */
  params?: Vars;
  tags: string[];
  source: Source;
}

/** One expression of a task (a `when`, `changed_when`, ... item, or an expression argument like assert.that). */
export interface TaskExpression {
  /** The task key (`when`, `changed_when`, ...) or `<module>.<arg>` (`assert.that`). */
  key: string;
  text: string;
  /** Where the expression itself is written (a role entry's `when` is in the playbook). */
  source: Source;
  /** Is the task's own registered result in scope (changed_when, failed_when, until)? */
  ownResult: boolean;
}

export interface TaskSpec {
  /** Stable id, unique in the playbook (file:line:column). */
  id: string;
  /** Display name (may contain {{ }} templates); defaults to "module args-summary". */
  name: string;
  module: string;
  /** Arguments as written (free form normalised to the module's freeForm key), not rendered. */
  args: Record<string, unknown>;
  /** Source of each top-level argument, for error messages. */
  argSources: Record<string, Source>;
  /** Source of each task key's value (when, loop, notify, ...), for error messages. */
  keySources?: Record<string, Source>;
  source: Source;
  /** Expressions that must all be true (when:). */
  when: string[];
  /** Every expression of the task with its own source (inherited `when`s first): checked offline. */
  expressions?: TaskExpression[];
  /** Source of each notify entry (parallel to notify). */
  notifySources?: Source[];
  /** A list, or a template string that renders to a list. */
  loop?: unknown;
  loopVar: string;
  register?: string;
  /** Expressions (any true -> changed / failed), or a fixed boolean. */
  changedWhen?: string[] | boolean;
  failedWhen?: string[] | boolean;
  ignoreErrors: boolean;
  /** Handler names or listen topics. */
  notify: string[];
  /** Effective tags: own + role + play (+ import) tags. */
  tags: string[];
  become?: boolean;
  becomeUser?: string;
  runOnce: boolean;
  /** Seconds. */
  timeout?: number;
  /** Hide arguments and results from output (no_log). */
  noLog: boolean;
  /** Task vars (task-level precedence). */
  vars: Vars;
  /** The role the task came from, if any. */
  role?: RoleSpec;
  /** include_tasks / include_role: the tasks included, loaded and checked now, run per host and loop
   *  item when the include runs (with the include's vars and loop variable). */
  include?: { file: string; tasks: PlayItem[] };
  /** until: expressions (any true -> done), tried 1 + retries times, delay seconds apart. */
  until?: string[];
  /** Retries after the first attempt (with until, or alone: retried until it does not fail). */
  retries?: number;
  /** Seconds between attempts. */
  delay?: number;
  /** delegate_to (may hold {{ }}): the task runs there, for this host (local_action: localhost). */
  delegateTo?: string;
  /** check_mode: true runs the task as a check even without --check; false runs it for real even with it. */
  checkMode?: boolean;
  /** diff: false hides this task's diffs even with --diff; true shows them without it. */
  diff?: boolean;
  /** environment: variables exported for every command the task runs on the host (values may hold {{ }}). */
  environment?: Record<string, unknown>;
  /** At most this many hosts run the task at once. */
  throttle?: number;
  /** In a block's rescue section (ansible_failed_task / ansible_failed_result are set there). */
  inRescue?: boolean;
}

/** block / rescue / always: its keywords are already inherited by the tasks inside. */
export interface BlockSpec {
  kind: 'block';
  name?: string;
  source: Source;
  block: PlayItem[];
  rescue: PlayItem[];
  always: PlayItem[];
}

/** An entry of a play's (or role's) task list. */
export type PlayItem = TaskSpec | BlockSpec;

export function isBlock(item: PlayItem): item is BlockSpec {
  return (item as BlockSpec).kind === 'block';
}

/** The items with every task inside (blocks too) replaced by fn(task). */
export function mapTasks(items: readonly PlayItem[], fn: (t: TaskSpec) => TaskSpec): PlayItem[] {
  return items.map((i) => (isBlock(i) ? { ...i, block: mapTasks(i.block, fn), rescue: mapTasks(i.rescue, fn), always: mapTasks(i.always, fn) } : fn(i)));
}

/** Every task inside the items, in document order (block, rescue, always). */
export function flattenItems(items: readonly PlayItem[]): TaskSpec[] {
  return items.flatMap((i) => (isBlock(i) ? [...flattenItems(i.block), ...flattenItems(i.rescue), ...flattenItems(i.always)] : [i]));
}

export interface HandlerSpec extends TaskSpec {
  /** Topics the handler also answers to (listen:). */
  listen: string[];
}

export interface PlaySpec {
  name: string;
  /** Host pattern. */
  hosts: string;
  source: Source;
  /** Where `hosts:` is written (an unknown host or group is reported there). */
  hostsSource: Source;
  /** The top playbook's directory (playbook_dir). */
  playbookDir: string;
  /** Where the play's become_user is written (blamed when it renders to no user name). */
  becomeUserSource?: Source;
  vars: Vars;
  /** Files given by vars_files, already loaded into vars (in order). */
  roles: RoleSpec[];
  /** Role tasks (in role order), then the play's own tasks: every task, blocks flattened (document order). */
  tasks: TaskSpec[];
  /** The same tasks as written: blocks kept (what the engine runs). */
  body: PlayItem[];
  /** Role handlers then play handlers, in definition order. */
  handlers: HandlerSpec[];
  tags: string[];
  /** serial: batch sizes (numbers or "30%"), last one repeats; undefined = all hosts at once. */
  serial?: Array<number | string>;
  maxFailPercentage?: number;
  anyErrorsFatal: boolean;
  become: boolean;
  becomeUser?: string;
  /** Play-level connection override ("local" runs every task on the controller). */
  connection?: 'ssh' | 'local';
  forceHandlers?: boolean;
}

export interface PlaybookSpec {
  /** Absolute path of the top playbook. */
  file: string;
  /** Project root: where roles/ and templates/ are looked up (the playbook's dir, or its parent
   *  when the playbook sits in playbooks/). */
  projectDir: string;
  /** Plays in order, import_playbook expanded. */
  plays: PlaySpec[];
}
