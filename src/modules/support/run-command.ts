/**
 * What command and shell share (typed contract): creates/removes (and chdir) are read in one round
 * trip, a pure plan decides whether to run; apply runs with chdir, environment and stdin and
 * registers rc/stdout/stderr.
 */
import { quote } from '../../connection/quote.js';
import { TaskError } from '../../errors.js';
import type { ApplyResult, Fact, ModuleContext, Plan } from '../types.js';
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

/** What creates/removes and chdir find on the host before the command runs. */
export interface CommandFacts {
  /** chdir is not a directory that can be entered. */
  noChdir: boolean;
  /** Some path matches creates. */
  creates: boolean;
  /** Some path matches removes. */
  removes: boolean;
}

/**
 * The read before a command: creates/removes globs (relative ones from chdir, as Ansible); in --check
 * also whether chdir can be entered, so a dry run fails where the real run will. None otherwise: a
 * real run of a plain command costs no round trip before it runs.
 */
export function commandFact(args: CommandLikeArgs, check: boolean): Fact<CommandFacts> | undefined {
  if (args.creates === undefined && args.removes === undefined && !(check && args.chdir !== undefined)) return undefined;
  const script = [
    ...(args.chdir !== undefined ? [`cd -- ${quote(args.chdir)} 2>/dev/null || { echo no-chdir; exit 0; }`] : []),
    ...(args.creates !== undefined ? [anyMatch(args.creates, 'creates')] : []),
    ...(args.removes !== undefined ? [anyMatch(args.removes, 'removes-found')] : []),
    'true',
  ].join('\n');
  return {
    command: script,
    parse: (stdout) => {
      const words = stdout.split('\n');
      return { noChdir: words.includes('no-chdir'), creates: words.includes('creates'), removes: words.includes('removes-found') };
    },
  };
}

/** Run or not: Ansible's creates/removes rules; the change is "run: LINE" (the engine words "would run" in --check). */
export function planCommand(args: CommandLikeArgs, facts: CommandFacts | undefined, shown: string | string[]): Plan {
  if (facts?.noChdir) throw new TaskError(`Unable to change directory before execution: ${args.chdir} is not a directory`);
  // registered as Ansible registers it: stdout "skipped, since X exists", rc 0
  const skip = (why: string): Plan => ({
    changed: false,
    note: `skipped since ${why}`,
    result: { rc: 0, stdout: `skipped, since ${why}`, stderr: '', stdout_lines: [`skipped, since ${why}`], cmd: shown },
  });
  if (args.creates !== undefined && facts?.creates) return skip(`${args.creates} exists`);
  if (args.removes !== undefined && !facts?.removes) return skip(`${args.removes} does not exist`);
  return { changed: true, change: `run: ${Array.isArray(shown) ? shown.join(' ') : shown}` };
}

/** Run the command with chdir, environment and stdin; register rc/stdout/stderr; fail on rc != 0. */
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
