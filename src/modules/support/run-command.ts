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
  /** Ansible's default true: a newline is added to stdin. */
  stdin_add_newline?: boolean;
  /** Ansible's default true: trailing newlines are stripped from stdout/stderr. */
  strip_empty_ends?: boolean;
}

export const commandLikeProps = {
  chdir: pathSchema,
  creates: pathSchema,
  removes: pathSchema,
  environment: { type: 'object', additionalProperties: { type: 'string' }, propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$' } },
  env: { type: 'object', additionalProperties: { type: 'string' }, propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$' } },
  stdin: { type: 'string' },
  stdin_add_newline: { type: 'boolean' },
  strip_empty_ends: { type: 'boolean' },
};

/**
 * A path pattern as one shell word: glob characters (* ? [ ]) stay unquoted so the shell expands them
 * (as Ansible's glob.glob does for creates/removes); everything else is quoted.
 */
export function globWord(pattern: string): string {
  return pattern
    .split(/([*?[\]])/)
    .map((part, i) => (i % 2 ? part : part === '' ? '' : quote(part)))
    .join('');
}

/** A script line printing `word` when some path matches the pattern. */
const anyMatch = (pattern: string, word: string) => `for f in ${globWord(pattern)}; do [ -e "$f" ] || [ -L "$f" ] && echo ${word}; break; done`;

export async function planCommand(ctx: ModuleContext, args: CommandLikeArgs, shown: string | string[]): Promise<PlanResult> {
  const skip = (msg: string): PlanResult => ({
    changed: false,
    msg,
    result: { rc: 0, stdout: msg, stderr: '', stdout_lines: [msg], cmd: shown },
  });
  if (args.creates !== undefined || args.removes !== undefined) {
    const script = [
      args.creates !== undefined ? anyMatch(args.creates, 'creates') : '',
      args.removes !== undefined ? anyMatch(args.removes, 'removes-found') : '',
      'true',
    ].join('\n');
    const r = await hostRun(ctx, script, { cwd: args.chdir });
    if (r.stdout.includes('creates')) return skip(`skipped since ${args.creates} exists`);
    if (args.removes !== undefined && !r.stdout.includes('removes-found')) return skip(`skipped since ${args.removes} does not exist`);
  }
  const line = Array.isArray(shown) ? shown.join(' ') : shown;
  return { changed: true, msg: ctx.check ? `would run: ${line}` : undefined };
}

export async function applyCommand(ctx: ModuleContext, args: CommandLikeArgs, line: string, shown: string | string[]): Promise<ApplyResult> {
  const stdin = args.stdin !== undefined && args.stdin_add_newline !== false ? `${args.stdin}\n` : args.stdin;
  const r = await hostRun(ctx, line, { cwd: args.chdir, env: { ...args.env, ...args.environment }, stdin });
  const result = commandResult(r, shown, args.strip_empty_ends !== false);
  return {
    changed: true,
    failed: r.rc !== 0,
    msg: r.rc !== 0 ? `non-zero return code ${r.rc}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n').slice(-5).join('\n')}` : ''}` : undefined,
    result,
  };
}
