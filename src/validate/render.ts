/**
 * `lbrun render`: every template task rendered offline for each host (or one, --host) and written to
 * OUT/<host>/<dest without its leading slash>, so CI can review configs without touching a host.
 * Nothing is written when any input is invalid (InputErrors, exit 3).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize, resolve, sep } from 'node:path';
import { InputError } from '../errors.js';
import type { Vars } from '../types.js';
import { walkProject } from './walk.js';

export interface RenderOptions {
  playbookFile: string;
  inventoryFile: string;
  extraVars?: Vars;
  host?: string;
  outDir: string;
}

export async function renderProject(opts: RenderOptions): Promise<{ files: Array<{ host: string; dest: string; path: string }> }> {
  const { rendered } = await walkProject(opts);
  const out = resolve(opts.outDir);
  const files: Array<{ host: string; dest: string; path: string }> = [];
  for (const r of rendered) {
    const dest = typeof r.args.dest === 'string' ? r.args.dest : undefined;
    if (!dest) throw new InputError('template task has no dest', r.task.source, { expected: 'a dest argument' });
    const path = join(out, r.host, normalize(dest).replace(/^[/\\]+/, ''));
    if (!path.startsWith(join(out, r.host) + sep)) throw new InputError(`dest ${JSON.stringify(dest)} leaves the output directory`, r.task.argSources.dest ?? r.task.source);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, r.content);
    files.push({ host: r.host, dest, path });
  }
  return { files };
}
