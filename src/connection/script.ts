/** The shell script a transport runs for one command: environment, working directory, command. */
import { exportLines, quote } from './quote.js';

export function buildScript(command: string, opts: { cwd?: string; env?: Record<string, string> } = {}): string {
  let script = opts.env ? exportLines(opts.env) : '';
  if (opts.cwd !== undefined) script += `cd -- ${quote(opts.cwd)} || exit 1\n`;
  return script + command;
}
