/**
 * What command and shell share: creates/removes decide in one round trip whether to run; check mode
 * says "would run"; apply runs with chdir, environment and stdin and registers rc/stdout/stderr.
 */
import { quote } from '../../connection/quote.js';
import type { ApplyResult, ModuleContext, PlanResult } from '../types.js';
import { commandResult, hostRun } from './host-run.js';
import { pathSchema } from './schema-parts.js';

export interface CommandLikeArgs {
  chdir?: string;
  creates?: string;
  removes?: string;
  environment?: Record<string, string>;
  env?: Record<string, string>;
  stdin?: string;
}

export const commandLikeProps = {
  chdir: pathSchema,
  creates: pathSchema,
  removes: pathSchema,
  environment: { type: 'object', additionalProperties: { type: 'string' }, propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$' } },
  env: { type: 'object', additionalProperties: { type: 'string' }, propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$' } },
  stdin: { type: 'string' },
};

export async function planCommand(ctx: ModuleContext, args: CommandLikeArgs, shown: string | string[]): Promise<PlanResult> {
  const skip = (msg: string): PlanResult => ({
    changed: false,
    msg,
    result: { rc: 0, stdout: msg, stderr: '', stdout_lines: [msg], cmd: shown },
  });
  if (args.creates !== undefined || args.removes !== undefined) {
    const script = [
      args.creates !== undefined ? `[ -e ${quote(args.creates)} ] && echo creates` : '',
      args.removes !== undefined ? `[ -e ${quote(args.removes)} ] || echo removes` : '',
      'true',
    ].join('\n');
    const r = await hostRun(ctx, script, { cwd: args.chdir });
    if (r.stdout.includes('creates')) return skip(`skipped since ${args.creates} exists`);
    if (r.stdout.includes('removes')) return skip(`skipped since ${args.removes} does not exist`);
  }
  const line = Array.isArray(shown) ? shown.join(' ') : shown;
  return { changed: true, msg: ctx.check ? `would run: ${line}` : undefined };
}

export async function applyCommand(ctx: ModuleContext, args: CommandLikeArgs, line: string, shown: string | string[]): Promise<ApplyResult> {
  const r = await hostRun(ctx, line, { cwd: args.chdir, env: { ...args.env, ...args.environment }, stdin: args.stdin });
  const result = commandResult(r, shown);
  return {
    changed: true,
    failed: r.rc !== 0,
    msg: r.rc !== 0 ? `non-zero return code ${r.rc}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n').slice(-5).join('\n')}` : ''}` : undefined,
    result,
  };
}
