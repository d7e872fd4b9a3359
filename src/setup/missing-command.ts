/**
 * A program that cannot be started becomes an error naming it and its package, never a bare
 * `spawn X ENOENT`. Every spawn of an external program in src/ reports its 'error' through here.
 */
import { HostRequirementError } from '../errors.js';
import { installCommand } from './host-packages.js';
import { packageOf } from './requirements.js';

/** The error to throw when starting `command` failed with `e` (spawn's 'error' event). */
export function spawnError(command: string, e: Error, what = 'lbrun'): Error {
  const code = (e as NodeJS.ErrnoException).code;
  if (code !== 'ENOENT' && code !== 'EACCES') return new Error(`cannot run ${command}: ${e.message}`);
  const pkg = packageOf(command);
  const why = code === 'ENOENT' ? `is not installed (not found on PATH=${process.env.PATH ?? ''})` : 'is not executable';
  const install = pkg ? `; it comes with the Debian package ${pkg}: ${installCommand([pkg], process.getuid?.() === 0)}` : '';
  return new HostRequirementError(`${what} needs the program \`${command}\`, which ${why}${install}`, { cause: e });
}
