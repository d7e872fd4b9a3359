/**
 * The module contract (docs/architecture.md): a module never touches the host until it knows what must change.
 *
 *   plan(ctx, args)        reads facts (batched, one round trip where possible) and says what would change
 *   apply(ctx, args, plan) performs plan.actions; called only when plan.changed and not in check mode
 *
 * Check mode is plan alone; the diff comes from plan. Arguments are validated against `schema` (ajv)
 * at load time, before any host is contacted.
 */
import type { Connection, ReadJoin, ReadPrelude } from '../connection/types.js';
import type { Source } from '../errors.js';
import type { FileDiff, Vars } from '../types.js';

export type { FileDiff, Vars };

/** What a module's fact may depend on besides its arguments (engine/task-scope.ts factInputOf). */
export interface FactInput {
  check: boolean;
  diff?: boolean;
}

/**
 * What an earlier task on this host would have done. In check mode nothing is installed, so a later
 * `service` task for a unit that an earlier `apt` task would install must say "would change" rather
 * than fail. Modules add to and read from this.
 */
export interface HostRunState {
  /** Packages an earlier task installs (or would install in check mode). */
  pendingPackages: Set<string>;
  /** Paths an earlier task writes (or would write in check mode). */
  pendingPaths: Set<string>;
  /** Users/groups an earlier task creates (or would create). */
  pendingUsers: Set<string>;
  /** Free-form per-host cache for facts modules want to share within one run (e.g. dpkg status). */
  cache: Map<string, unknown>;
}

export interface ModuleContext {
  /** Inventory name of the host. */
  host: string;
  conn: Connection;
  /** --check: plan only; apply is never called. */
  check: boolean;
  /** --diff: modules should fill plan.diff. */
  diff: boolean;
  /** become for this task (sudo unless root). Pass it on to conn.run/put/get. */
  become: boolean;
  becomeUser?: string;
  /** The host's variables for this task, rendered, with precedence applied. */
  vars: Vars;
  /** Where the task is defined, for messages. */
  source: Source;
  /** Role directory of the task, if it came from a role. */
  roleDir?: string;
  /** Find a file by the Ansible-like search path: the role's `templates/` (or `files/`), then the
   *  project's top-level `templates/` (or `files/`), then relative to the playbook. Throws InputError. */
  findFile(kind: 'templates' | 'files', name: string): string;
  /** Render a template file with the task's vars, strictly (undefined variable -> InputError). */
  renderTemplate(path: string): string;
  /** Per-host memory for this run, shared by all tasks of the host. */
  state: HostRunState;
  /** Per-task timeout in ms, if the task set one. */
  timeoutMs?: number;
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
  /** -v output (already redacted by the engine before printing). */
  log(message: string): void;
}

export interface PlanResult {
  changed: boolean;
  /** Short human message (e.g. "would install haproxy, keepalived"). */
  msg?: string;
  diff?: FileDiff[];
  /** Module-private description of the work for apply. */
  actions?: unknown;
  /** Values to register even when nothing runs (e.g. stat results). */
  result?: Record<string, unknown>;
  /** Plan decided the task does not apply (e.g. command's `creates` exists): status "skipped"? no -> ok. */
  skipped?: boolean;
  /** Variables to set on the host at the "registered" precedence (set_fact), also in check mode. */
  facts?: Vars;
  /** A controller-only request to the engine (meta): run notified handlers now, or end the play / host. */
  control?: 'flush_handlers' | 'end_play' | 'end_host';
}

export interface ApplyResult {
  /** Overrides plan.changed when the module learns more while applying (command: always true). */
  changed?: boolean;
  failed?: boolean;
  msg?: string;
  diff?: FileDiff[];
  /** Values for `register` (rc, stdout, stderr, ...). */
  result?: Record<string, unknown>;
}

export interface ModuleDefinition<A = Record<string, unknown>> {
  name: string;
  /** JSON Schema (draft 2020-12 subset ajv understands) of the arguments after free-form normalising. */
  schema: Record<string, unknown>;
  /** Arguments whose values are expressions (assert's `that`, debug's `var`): parsed at load, names resolved offline. */
  expressionArgs?: string[];
  /** If the module accepts a free-form string (`command: echo hi`), the argument it becomes. */
  freeForm?: string;
  /** Runs on the controller only (debug, assert, fail, set_fact, meta): needs no connection. */
  controllerOnly?: boolean;
  /** Its plan returns `facts` (set_fact): the tasks after it may read them. */
  setsFacts?: boolean;
  /** Template files this task renders (validate/render walk them offline): names as given in args. */
  templates?(args: A): string[];
  /** Controller files this task reads from files/ (validate checks they exist): names as given in args. */
  files?(args: A): string[];
  /** Run `apply` even in check mode? Never, except controller-only modules that change nothing. */
  plan(ctx: ModuleContext, args: A): Promise<PlanResult>;
  apply(ctx: ModuleContext, args: A, plan: PlanResult): Promise<ApplyResult>;
}

/**
 * The typed module contract (docs/architecture.md, "The module contract"). A module written to it is
 * turned into a ModuleDefinition by typedModule() (src/modules/contract.ts):
 *
 *   fact(args)                  Fact<F>: the one command that reads what the plan needs, and its parser;
 *                               known from the arguments alone, so the engine may read it ahead
 *                               (src/engine/host-reads.ts)
 *   plan(args, facts, input)    Plan<P>: a pure function, no host, no side effect
 *   apply(ctx, args, plan)      optional: by default the plan's commands run, in order, in one round trip
 *
 * Messages are worded as done ("create /etc/x"); the contract words them "would ..." in --check.
 */
export interface Fact<T> {
  /** A shell command that exits 0 (a missing thing is an answer, not an error). */
  command: string;
  /** Its stdout as typed facts. */
  parse(stdout: string): T;
  /** Run without become (a probe any user can make), or with a time limit of its own. */
  become?: false;
  timeoutMs?: number;
  /** Its answer depends on the moment it runs (a wait): never read ahead, never reused. */
  live?: true;
  /** How it joins reads of its kind in one command (ExecOptions.join). */
  join?: ReadJoin;
  /** Work it shares with reads of each kind in a round trip (ExecOptions.preludes). */
  preludes?: ReadPrelude[];
}

/** What a plan may know besides its arguments and facts: never the connection. */
export interface PlanInput {
  host: string;
  check: boolean;
  diff: boolean;
  /** What earlier tasks of this run install, write or create (or would, in --check). */
  pending: { packages: ReadonlySet<string>; paths: ReadonlySet<string>; users: ReadonlySet<string> };
  /** The fingerprint of the state an earlier task of this run brings a path to (Plan.planned), if any. */
  planned(path: string): string | undefined;
  /** The task's variables, for controller modules that evaluate expressions (assert, debug var). */
  vars: Vars;
  /** Where the task is, for their messages. */
  source: Source;
}

export interface Plan<P = undefined> {
  changed: boolean;
  /** The change, worded as done: "install haproxy", "run: systemctl start x". */
  change?: string;
  /** A message that is not a change (shown as is): "skipped since /x exists". */
  note?: string;
  diff?: FileDiff[];
  result?: Record<string, unknown>;
  skipped?: boolean;
  /** Commands the default apply runs, in order (joined with &&); each must exit 0. */
  commands?: string[];
  /** What later tasks of this run should know this one installs, writes or creates. */
  pending?: { packages?: string[]; paths?: string[]; users?: string[] };
  /** Paths this task changes -> a fingerprint of the state it brings them to: a later task in --check
   *  that wants the very same state says ok, as the real run will (support/planned.ts). */
  planned?: Record<string, string>;
  /** Module-private, typed data for the module's own apply. */
  data?: P;
  /** set_fact: host variables at the "registered" precedence. */
  facts?: Vars;
  /** meta: a request to the engine. */
  control?: PlanResult['control'];
}

export interface TypedModule<A, F = undefined, P = undefined> extends Omit<ModuleDefinition<A>, 'plan' | 'apply'> {
  /** The facts' command; undefined when this plan needs none (wait_for does not wait in --check). */
  fact?(args: A, input: FactInput): Fact<F> | undefined;
  /**
   * Prepare the arguments on the controller before the fact: what only the controller has (a file
   * from files/, a rendered template) goes into them, so the plan stays a pure function of them.
   */
  prepare?(args: A, controller: Pick<ModuleContext, 'findFile' | 'renderTemplate'>): A;
  /** Facts a controller module reads itself (an HTTP API, the lab) instead of a command on the host. */
  read?(ctx: ModuleContext, args: A): Promise<F>;
  /** A read-only probe in --check of a plan that changes something (validate the would-be file on the node). */
  verify?(ctx: ModuleContext, args: A, plan: Plan<P>): Promise<void>;
  plan(args: A, facts: F, input: PlanInput): Plan<P>;
  apply?(ctx: ModuleContext, args: A, plan: Plan<P>): Promise<ApplyResult>;
}
