/**
 * The events a run emits, in order. `--json` writes each one as a line of NDJSON; the human
 * reporter prints them like ansible-playbook. Every string in an event has passed the redactor.
 */

export type HostStatus = 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable';

/** A file's change as a unified diff (only with --diff). */
export interface DiffEvent {
  path: string;
  /** Unified diff text ("--- path (before)" / "+++ path (after)" / hunks). */
  patch: string;
  /** Set for changes that are not shown as text (binary, too large). */
  summary?: string;
}

export interface RunStartEvent {
  event: 'run_start';
  playbook: string;
  inventory: string;
  check: boolean;
}

export interface PlayStartEvent {
  event: 'play_start';
  play: string;
  /** Host pattern of the play. */
  pattern: string;
  /** Hosts the play runs on (after --limit, without hosts that failed or were unreachable earlier). */
  hosts: string[];
}

export interface BatchStartEvent {
  event: 'batch_start';
  play: string;
  /** 1-based batch number (serial:). */
  batch: number;
  hosts: string[];
}

export interface TaskStartEvent {
  event: 'task_start';
  play: string;
  /** Display name: "role : name" for role tasks. */
  task: string;
  module: string;
  handler?: boolean;
}

export interface HostResultEvent {
  event: 'host_result';
  host: string;
  task: string;
  status: HostStatus;
  changed: boolean;
  /** The failure was ignored (ignore_errors): counted as ok, not failed. */
  ignored?: boolean;
  msg?: string;
  /** Exit status, stdout and stderr (last lines) of a failed command. */
  rc?: number;
  stdout?: string;
  stderr?: string;
  diff?: DiffEvent[];
  duration_ms: number;
  /** Set on the result of one loop item; the task's own result (counted in the recap) has none. */
  item?: unknown;
  /** On a loop task's own result: how many items it ran (the items were reported one by one). */
  items?: number;
  /** --check: what this result depends on that only a real run knows ("r.stdout"); msg names it too. */
  unknown?: string[];
  handler?: boolean;
  /** The failure was taken by a block's rescue: counted as rescued, not failed. */
  rescued?: boolean;
  /** delegate_to / local_action: the machine the task ran on for this host. */
  delegated_to?: string;
  /** retries / until: the attempts made (the earlier ones were `retry` events). */
  attempts?: number;
}

/** retries / until: an attempt that did not meet `until`; the next comes after the task's delay. */
export interface RetryEvent {
  event: 'retry';
  host: string;
  task: string;
  delegated_to?: string;
  /** 1-based number of the attempt that just ended. */
  attempt: number;
  retries_left: number;
  /** What the attempt came to (ok or changed when only `until` was false). */
  status: HostStatus;
  msg?: string;
  item?: unknown;
  duration_ms: number;
}

/** A handler was notified on a host by a changed task. */
export interface HandlerNotifiedEvent {
  event: 'handler_notified';
  host: string;
  handler: string;
  by: string;
}

/** The play stopped early (any_errors_fatal, max_fail_percentage, meta: end_play). */
export interface PlayAbortEvent {
  event: 'play_abort';
  play: string;
  reason: string;
}

/** -v output of a module. */
export interface LogEvent {
  event: 'log';
  host: string;
  task: string;
  msg: string;
}

export interface HostCounts {
  ok: number;
  changed: number;
  failed: number;
  skipped: number;
  unreachable: number;
  rescued: number;
  ignored: number;
}

export interface RecapEvent {
  event: 'recap';
  hosts: Record<string, HostCounts>;
  duration_ms: number;
  check: boolean;
  interrupted?: boolean;
  /** Per host: commands run (SSH round trips), files put, bytes sent; hosts no task tried to connect to are absent. */
  stats?: Record<string, { commands: number; puts: number; bytesOut: number }>;
  /** Reads made ahead with a host's earlier read, and how many of them answered a later task. */
  read_ahead?: { read: number; used: number };
}

export type RunEvent =
  | RunStartEvent
  | PlayStartEvent
  | BatchStartEvent
  | TaskStartEvent
  | HostResultEvent
  | RetryEvent
  | HandlerNotifiedEvent
  | PlayAbortEvent
  | LogEvent
  | RecapEvent;
