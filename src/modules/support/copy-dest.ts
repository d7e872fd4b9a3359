/**
 * Where copy and template write, as Ansible's copy action decides it: a dest ending in "/" or naming an
 * existing directory means dest/basename(src) (a missing "dir/" is created); `force: false` leaves an
 * existing dest alone; `mode: preserve` takes the controller file's mode.
 */
import { statSync } from 'node:fs';
import { basename, posix } from 'node:path';
import { TaskError } from '../../errors.js';
import type { ApplyResult, ModuleContext, PlanResult } from '../types.js';
import { fileFacts, followedFacts } from './file-facts.js';
import { applyManagedFile, plannedContent, planManagedFile, type ManagedFile } from './managed-file.js';

export interface CopyLikeArgs extends Omit<ManagedFile, 'content' | 'mode'> {
  src?: string;
  force?: boolean;
  mode?: string | number;
}

interface CopyActions {
  dest: string;
  makeParents: boolean;
  mode?: string | number;
  file: unknown;
}

export async function planCopyLike(ctx: ModuleContext, args: CopyLikeArgs, content: string | Buffer, srcPath?: string): Promise<PlanResult> {
  let dest = args.dest;
  if (!posix.isAbsolute(dest)) throw new TaskError(`dest must be an absolute path, got ${JSON.stringify(dest)}`);
  let makeParents = false;
  if (dest.endsWith('/')) {
    if (args.src === undefined) throw new TaskError(`can not use content with a dir as dest (${dest})`);
    dest = posix.join(dest, basename(args.src));
    makeParents = true;
  }
  let facts = await fileFacts(ctx, dest, ctx.diff);
  if (facts.type === 'directory' && !makeParents) {
    if (args.src === undefined) throw new TaskError(`can not use content with a dir as dest (${dest})`);
    dest = posix.join(dest, basename(args.src));
    facts = await fileFacts(ctx, dest, ctx.diff);
  }
  if (args.force === false && facts.type !== 'absent') return { changed: false, result: { dest } };
  if (facts.type === 'absent' && !makeParents) {
    // Ansible does not make the directory (only for a dest ending in "/"): fail, in --check too
    const dir = posix.dirname(dest);
    if ((await followedFacts(ctx, dir)).type !== 'directory' && !ctx.state.pendingPaths.has(dir)) throw new TaskError(`Destination directory ${dir} does not exist`);
  }
  const mode = args.mode === 'preserve' ? (srcPath ? statSync(srcPath).mode & 0o7777 : undefined) : args.mode;
  if (args.mode === 'preserve' && srcPath === undefined) throw new TaskError('mode: preserve needs src');
  const plan = await planManagedFile(ctx, { ...args, dest, mode, content, makeParents }, facts);
  return { ...plan, actions: { dest, makeParents, mode, file: plan.actions } satisfies CopyActions };
}

export function applyCopyLike(ctx: ModuleContext, args: CopyLikeArgs, plan: PlanResult): Promise<ApplyResult> {
  const a = plan.actions as CopyActions;
  const inner = { ...plan, actions: a.file };
  return applyManagedFile(ctx, { ...args, dest: a.dest, mode: a.mode, makeParents: a.makeParents, content: plannedContent(inner) }, inner);
}
