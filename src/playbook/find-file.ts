/**
 * The search path for template and file sources, the same at run time and offline: the role's
 * `templates/` (or `files/`), then the project's top-level `templates/` (or `files/`), then the
 * playbook's directory. An absolute name is used as is.
 */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { InputError, type Source } from '../errors.js';

export interface FindFileOptions {
  roleDir?: string;
  projectDir: string;
  playbookDir: string;
  /** Where the name was written (named in the error). */
  source: Source;
}

export function findFile(kind: 'templates' | 'files', name: string, opts: FindFileOptions): string {
  const what = kind === 'templates' ? 'template' : 'file';
  if (name === '') throw new InputError(`empty ${what} name`, opts.source);
  const candidates = isAbsolute(name)
    ? [name]
    : [...(opts.roleDir ? [join(opts.roleDir, kind, name)] : []), join(opts.projectDir, kind, name), join(opts.playbookDir, name)];
  const found = candidates.find((p) => existsSync(p) && statSync(p).isFile());
  if (found) return found;
  throw new InputError(`${what} '${name}' not found`, opts.source, { expected: `a file at one of: ${candidates.join(', ')}` });
}
