/** Running commands for a module: with the task's become, timeout and abort signal. */
import type { ExecOptions, ExecResult } from '../../connection/types.js';
import { TaskError } from '../../errors.js';
import type { ModuleContext } from '../types.js';

export function hostRun(ctx: ModuleContext, command: string, opts: ExecOptions = {}): Promise<ExecResult> {
  return ctx.conn.run(command, {
    become: ctx.become,
    becomeUser: ctx.becomeUser,
    timeoutMs: ctx.timeoutMs,
    signal: ctx.signal,
    ...opts,
  });
}

/** Run and fail the task (with the command's output) when rc != 0. */
export async function mustRun(ctx: ModuleContext, command: string, what: string, opts: ExecOptions = {}): Promise<ExecResult> {
  const r = await hostRun(ctx, command, opts);
  if (r.rc !== 0) {
    const said = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-20).join('\n');
    throw new TaskError(`${what} failed on ${ctx.host} (rc ${r.rc})${said ? `: ${said}` : ''}`, {
      rc: r.rc,
      stdout: r.stdout,
      stderr: r.stderr,
    });
  }
  return r;
}

/** The result every command-like module registers: rc, stdout, stderr, stdout_lines. */
export function commandResult(r: ExecResult, cmd: string | string[], stripEnds = true): Record<string, unknown> {
  // Ansible strips every trailing CR/LF (strip_empty_ends, default true).
  const end = (s: string) => (stripEnds ? s.replace(/[\r\n]+$/, '') : s);
  const stdout = end(r.stdout);
  return {
    rc: r.rc,
    stdout,
    stderr: end(r.stderr),
    stdout_lines: stdout === '' ? [] : stdout.split(/\r?\n/),
    cmd,
  };
}
