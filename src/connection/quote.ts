/**
 * POSIX shell quoting. Every command line lbrun builds from arguments goes through here, so that
 * no argument can inject shell syntax.
 */

/** Characters that never need quoting as a word (no `=`: a first word `a=b` would be an assignment). */
const SAFE_WORD = /^[A-Za-z0-9_@%+:,./-]+$/;

/** Quote one argument for /bin/sh: the shell sees exactly `arg` as one word. NUL cannot be passed. */
export function quote(arg: string): string {
  if (arg.includes('\0')) throw new Error('a shell argument cannot contain a NUL byte');
  if (SAFE_WORD.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Quote an argv list into one command line. */
export function quoteArgs(argv: readonly string[]): string {
  return argv.map(quote).join(' ');
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** True when `name` may be used as an environment variable name. */
export function isEnvName(name: string): boolean {
  return ENV_NAME.test(name);
}

/** `export NAME='value'` lines for a shell script. Throws on a name that is not a valid variable. */
export function exportLines(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([name, value]) => {
      if (!isEnvName(name)) throw new Error(`invalid environment variable name: ${JSON.stringify(name)}`);
      return `export ${name}=${quote(value)}\n`;
    })
    .join('');
}
