/** The host_result event of one task (or loop item) on one host, honouring no_log and --diff. */
import { toDiffEvents } from './diff.js';
import { maskReplacedSecrets } from '../secrets/redact.js';
import type { FileDiff, Vars } from '../types.js';
import type { HostResultEvent, HostStatus } from './events.js';
import { diffOf, type TaskScope } from './task-scope.js';

export const NO_LOG_MSG = "the output has been hidden due to the 'no_log: true' specified for this result";

/** Lines of a failed command's stdout/stderr shown with the failure. */
const TAIL_LINES = 10;

export interface ResultFacts {
  status: HostStatus;
  changed: boolean;
  ignored?: boolean;
  msg?: string;
  diff?: FileDiff[];
  result?: Vars;
  durationMs: number;
  item?: unknown;
  items?: number;
  /** --check: values known only after a real run that this result depends on. */
  unknown?: string[];
  rescued?: boolean;
}

export function hostResultEvent(scope: TaskScope, r: ResultFacts): HostResultEvent {
  const e: HostResultEvent = {
    event: 'host_result',
    host: scope.host,
    task: scope.taskName,
    status: r.status,
    changed: r.changed,
    duration_ms: r.durationMs,
  };
  if (r.ignored) e.ignored = true;
  if (r.rescued) e.rescued = true;
  if (scope.handler) e.handler = true;
  if (scope.target) e.delegated_to = scope.target.host;
  if (typeof r.result?.attempts === 'number') e.attempts = r.result.attempts;
  if (r.items !== undefined) e.items = r.items;
  if (r.unknown !== undefined && r.unknown.length > 0) e.unknown = r.unknown;
  if (scope.task.noLog) {
    if (r.status !== 'skipped') e.msg = NO_LOG_MSG;
    if (r.item !== undefined) e.item = '(hidden)';
    return e;
  }
  if (r.item !== undefined) e.item = r.item;
  if (r.msg !== undefined) e.msg = r.msg;
  if (r.status === 'failed' && r.result) {
    if (typeof r.result.rc === 'number') e.rc = r.result.rc;
    if (typeof r.result.stdout === 'string' && r.result.stdout !== '') e.stdout = tail(r.result.stdout);
    if (typeof r.result.stderr === 'string' && r.result.stderr !== '') e.stderr = tail(r.result.stderr);
  }
  if (diffOf(scope) && r.diff && r.diff.length > 0) e.diff = toDiffEvents(r.diff.map((d) => maskReplacedSecrets(d, scope.run.redactor)));
  return e;
}

function tail(s: string): string {
  const lines = s.replace(/\n$/, '').split('\n');
  return lines.slice(-TAIL_LINES).join('\n');
}
