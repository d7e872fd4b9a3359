/**
 * environment: on a task (or its block): variables exported for every command the task runs on its
 * host, values rendered with the host's variables (the transport quotes them; see connection/script.ts).
 */
import type { Connection } from '../connection/types.js';
import { withRunOptions } from '../connection/with-run-options.js';
import { InputError } from '../errors.js';
import type { TaskSpec } from '../playbook/types.js';
import type { Vars } from '../types.js';
import { renderValue } from '../vars/render.js';
import { isUnknown, UnknownValueError } from '../vars/unknown.js';

/** The task's environment rendered for one host (undefined: the task has none). */
export function taskEnvironment(task: TaskSpec, vars: Vars): Record<string, string> | undefined {
  if (!task.environment) return undefined;
  const at = task.keySources?.environment ?? task.source;
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(task.environment)) {
    const v = renderValue(value, vars, at);
    // --check: a value only a real run knows (src/engine/unknowns.ts)
    if (isUnknown(v)) throw new UnknownValueError(v.deps);
    if (v !== null && typeof v === 'object') throw new InputError(`environment ${name} must be a string, got ${Array.isArray(v) ? 'a list' : 'a map'}`, at);
    // as Ansible writes them: Python's str() of the value
    out[name] = v === true ? 'True' : v === false ? 'False' : v === null || v === undefined ? '' : String(v);
  }
  return out;
}

/** The connection with the environment added to every command (a command's own env wins). */
export function withEnvironment(conn: Connection, env: Record<string, string> | undefined): Connection {
  if (!env || Object.keys(env).length === 0) return conn;
  return withRunOptions(conn, (opts) => ({ ...opts, env: { ...env, ...opts.env } }));
}
