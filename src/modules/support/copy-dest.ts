/**
 * Where copy and template write, as Ansible's copy action decides it: a dest ending in "/" or naming an
 * existing directory means dest/basename(src) (a missing "dir/" is created); a dest whose directory
 * does not exist fails (in --check too); `force: false` leaves an existing dest alone; `mode:
 * preserve` takes the controller file's mode. The typed contract's parts shared by copy and template:
 * the schema's properties after src/content (copyLikeProps), one fact command (copyLikeFact), the pure
 * plan (planCopyLike), validate in --check and the write (copyLikeSteps).
 */
import { basename, posix } from 'node:path';
import { quote } from '../../connection/quote.js';
import { TaskError } from '../../errors.js';
import type { Fact, Plan, PlanInput, TypedModule } from '../types.js';
import { accountsPrelude, accountsScript, parseAccounts, parseSections, preludesOf, sectionsScript, type MissingAccounts } from './fact-sections.js';
import { fileFactsScript, filePrelude, followedTypeScript, parseFileFacts, parseFollowedType, type FileFacts } from './file-facts.js';
import { decideManagedFile, verifyManagedFile, writeManagedFile, type ManagedFile, type ManagedFileData } from './managed-file.js';
import { attributeProps, hostPathSchema, modeSchema } from './schema-parts.js';

export interface CopyLikeArgs extends Omit<ManagedFile, 'content' | 'mode'> {
  src?: string;
  force?: boolean;
  mode?: string | number;
  /** Set on the controller before the fact (TypedModule.prepare): the bytes to write, and the
   *  controller file's mode (for `mode: preserve`). */
  body?: string | Buffer;
  srcMode?: number;
}

export interface CopyLikeFacts {
  /** dest (or dest/basename(src) when dest ends in "/"). */
  dest: FileFacts;
  /** dest/basename(src) when dest is a directory or a symlink to one (with content: dest, read as absent). */
  inner?: FileFacts;
  /** The directory dest goes in, through its links: its path and type only. */
  parent: FileFacts;
  missing: MissingAccounts;
}

/** The schema properties of dest and how it is written (copy and template add their source before them). */
export const copyLikeProps = {
  dest: hostPathSchema,
  ...attributeProps,
  mode: { anyOf: [modeSchema, { const: 'preserve' }] },
  validate: { type: 'string', pattern: '%s' },
  backup: { type: 'boolean' },
  force: { type: 'boolean' },
};

/** Once the arguments are prepared (body, srcMode), copy and template are one module: fact, plan, verify, apply. */
export const copyLikeSteps: Required<Pick<TypedModule<CopyLikeArgs, CopyLikeFacts, ManagedFileData>, 'fact' | 'plan' | 'verify' | 'apply'>> = {
  fact: (args, input) => copyLikeFact(args, input),
  plan: planCopyLike,
  verify: (ctx, _args, plan) => verifyManagedFile(ctx, plan.data),
  apply: (ctx, _args, plan) => writeManagedFile(ctx, plan),
};

/** The path the facts are read for: a dest ending in "/" names dest/basename(src). */
const firstDest = (args: CopyLikeArgs) => (args.dest.endsWith('/') && args.src !== undefined ? posix.join(args.dest, basename(args.src)) : args.dest);

export function copyLikeFact(args: CopyLikeArgs, input: { diff?: boolean }): Fact<CopyLikeFacts> {
  const dest = firstDest(args);
  const withContent = input.diff === true;
  const inner = args.src !== undefined && !args.dest.endsWith('/') ? posix.join(dest, basename(args.src)) : undefined;
  // content comes last: dest's, or (only when dest is a directory, so dest printed none) inner's
  const parts: Array<[string, string]> = [
    ['accounts', accountsScript(args.owner, args.group)],
    ['parent', followedTypeScript(posix.dirname(dest.replace(/\/+$/, '') || '/'))],
    ['dest', fileFactsScript(dest, withContent)],
  ];
  let command = sectionsScript(parts);
  // a symlink to a directory is a directory here, as for Ansible's copy module (its isdir follows links)
  if (!args.dest.endsWith('/')) command += `\nif [ -d ${quote(dest)} ]; then\n${sectionsScript([['inner', inner ? fileFactsScript(inner, withContent) : 'echo absent']])}\nfi`;
  return {
    command,
    preludes: preludesOf(filePrelude([dest, inner]), accountsPrelude(args.owner, args.group)),
    parse(stdout) {
      const s = parseSections(stdout, ['accounts', 'parent', 'dest', 'inner']);
      const facts: CopyLikeFacts = {
        dest: parseFileFacts(dest, s.dest ?? 'absent\n'),
        parent: parseFollowedType(s.parent ?? `${posix.dirname(dest)}\nabsent\n`),
        missing: parseAccounts(s.accounts),
      };
      if (s.inner !== undefined) facts.inner = parseFileFacts(inner ?? dest, s.inner);
      return facts;
    },
  };
}

export function planCopyLike(args: CopyLikeArgs & { content?: string }, facts: CopyLikeFacts, input: PlanInput): Plan<ManagedFileData> {
  let dest = args.dest;
  if (!posix.isAbsolute(dest)) throw new TaskError(`dest must be an absolute path, got ${JSON.stringify(dest)}`);
  let makeParents: false | 'owned' = false;
  let here = facts.dest;
  if (dest.endsWith('/')) {
    if (args.src === undefined) throw new TaskError(`can not use content with a dir as dest (${dest})`);
    dest = posix.join(dest, basename(args.src));
    makeParents = 'owned';
    // a file where the directory goes: mkdir -p fails (Ansible's stat of dest does), in --check too
    if (facts.parent.type !== 'directory' && facts.parent.type !== 'absent') throw new TaskError(`${posix.dirname(dest)} is not a directory`);
  } else if (here.type === 'directory' || (here.type === 'link' && facts.inner !== undefined)) {
    if (args.src === undefined) throw new TaskError(`can not use content with a dir as dest (${dest})`);
    dest = posix.join(dest, basename(args.src));
    here = facts.inner ?? { path: dest, type: 'absent' };
  }
  if (args.force === false && here.type !== 'absent') return { changed: false, result: { dest } };
  if (here.type === 'absent' && !makeParents && here === facts.dest) {
    // Ansible does not make the directory (only for a dest ending in "/"): fail, in --check too
    const dir = posix.dirname(dest);
    if (facts.parent.type !== 'directory' && !input.pending.paths.has(dir)) throw new TaskError(`Destination directory ${dir} does not exist`);
  }
  if (args.mode === 'preserve' && args.src === undefined) throw new TaskError('mode: preserve needs src');
  const mode = args.mode === 'preserve' ? args.srcMode : args.mode;
  const content = args.body ?? args.content;
  if (content === undefined) throw new Error('copy/template: no content prepared');
  const { owner, group, validate, backup } = args;
  return decideManagedFile({ dest, owner, group, mode, validate, backup, content, makeParents, replaceLink: true }, here, facts.missing, input);
}
