/** file: a directory, an absent path, an (empty if new) file, a symlink, or attributes of a file. */
import { posix } from 'node:path';
import { quote } from '../connection/quote.js';
import { TaskError } from '../errors.js';
import { registerModule } from './registry.js';
import { attributeChanges, attributeCommands, type WantedAttributes } from './support/attributes.js';
import { fileFacts, type FileFacts } from './support/file-facts.js';
import { mustRun } from './support/host-run.js';
import { attributeProps, pathSchema } from './support/schema-parts.js';
import { formatMode, parseMode } from './support/mode.js';
import type { ModuleContext, ModuleDefinition, PlanResult } from './types.js';

export interface FileArgs extends WantedAttributes {
  path: string;
  state?: 'directory' | 'absent' | 'touch' | 'link' | 'file';
  src?: string;
  recurse?: boolean;
}

/** The commands that bring `facts` to the wanted state; empty when nothing changes. */
export function fileCommands(facts: FileFacts, args: FileArgs, treeDiffers = false): { commands: string[]; what: string } {
  const p = quote(args.path);
  const state = args.state ?? (facts.type === 'absent' ? 'file' : facts.type);
  const attrs = (fresh: boolean) => (fresh || treeDiffers ? attributeCommands(p, args, args.recurse) : changedAttrs(facts, args, p));
  switch (state) {
    case 'absent':
      return facts.type === 'absent' ? none : { commands: [`rm -rf -- ${p}`], what: `remove ${args.path}` };
    case 'directory':
      if (facts.type === 'directory') return withWhat(attrs(false), `set attributes of ${args.path}`);
      if (facts.type !== 'absent') throw new TaskError(`${args.path} exists and is not a directory (it is a ${facts.type})`);
      return { commands: [`mkdir -p -- ${p}`, ...attrs(true)], what: `create directory ${args.path}` };
    case 'touch':
      if (facts.type === 'absent') return { commands: [`touch -- ${p}`, ...attrs(true)], what: `create ${args.path}` };
      return withWhat(attrs(false), `set attributes of ${args.path}`);
    case 'file':
      if (facts.type === 'absent') throw new TaskError(`${args.path} does not exist (use state: touch to create it)`);
      return withWhat(attrs(false), `set attributes of ${args.path}`);
    case 'link': {
      if (args.src === undefined) throw new TaskError('state: link needs src (the link target)');
      if (facts.type === 'link' && facts.linkTarget === args.src) return none;
      if (facts.type === 'directory') throw new TaskError(`${args.path} is a directory; refusing to replace it with a link`);
      const owner = args.owner !== undefined || args.group !== undefined ? [`chown -h ${quote(`${args.owner ?? ''}${args.group !== undefined ? `:${args.group}` : ''}`)} -- ${p}`] : [];
      return { commands: [`ln -sfn -- ${quote(args.src)} ${p}`, ...owner], what: `link ${args.path} -> ${args.src}` };
    }
    default:
      throw new TaskError(`${args.path} is a ${facts.type}; state must be given to change it`);
  }
}

const none = { commands: [] as string[], what: '' };
const withWhat = (commands: string[], what: string) => ({ commands, what: commands.length ? what : '' });

function changedAttrs(facts: FileFacts, args: FileArgs, p: string): string[] {
  const changes = attributeChanges(facts, args);
  return changes.length ? attributeCommands(p, { owner: changes.includes('owner') ? args.owner : undefined, group: changes.includes('group') ? args.group : undefined, mode: changes.includes('mode') ? args.mode : undefined }) : [];
}

/** recurse: does any entry below a directory have other owner/group/mode than wanted? */
async function treeDiffers(ctx: ModuleContext, facts: FileFacts, args: FileArgs): Promise<boolean> {
  if (!args.recurse || facts.type !== 'directory') return false;
  const tests: string[] = [];
  if (args.owner !== undefined) tests.push(/^\d+$/.test(args.owner) ? `! -uid ${args.owner}` : `! -user ${quote(args.owner)}`);
  if (args.group !== undefined) tests.push(/^\d+$/.test(args.group) ? `! -gid ${args.group}` : `! -group ${quote(args.group)}`);
  if (args.mode !== undefined) tests.push(`! -perm ${formatMode(parseMode(args.mode))}`);
  if (tests.length === 0) return false;
  const r = await mustRun(ctx, `find ${quote(args.path)} \\( ${tests.join(' -o ')} \\) -print -quit`, `checking ${args.path}`);
  return r.stdout.trim() !== '';
}

export const file: ModuleDefinition<FileArgs> = {
  name: 'file',
  readAhead: true,
  schema: {
    type: 'object',
    properties: {
      path: pathSchema,
      state: { enum: ['directory', 'absent', 'touch', 'link', 'file'] },
      src: pathSchema,
      recurse: { type: 'boolean' },
      ...attributeProps,
    },
    required: ['path'],
    additionalProperties: false,
  },
  async plan(ctx, args): Promise<PlanResult> {
    if (!posix.isAbsolute(args.path)) throw new TaskError(`path must be absolute, got ${JSON.stringify(args.path)}`);
    const facts = await fileFacts(ctx, args.path);
    const { commands, what } = fileCommands(facts, args, await treeDiffers(ctx, facts, args));
    const changed = commands.length > 0;
    if (changed && args.state !== 'absent') ctx.state.pendingPaths.add(args.path);
    const diff = ctx.diff && changed ? [{ path: args.path, before: `state: ${facts.type}\n`, after: `state: ${args.state ?? facts.type}\n` }] : undefined;
    return {
      changed,
      msg: changed ? `${ctx.check ? 'would ' : ''}${what}` : undefined,
      actions: commands,
      diff,
      result: { path: args.path, state: facts.type },
    };
  },
  async apply(ctx, args, plan) {
    await mustRun(ctx, (plan.actions as string[]).join(' && '), `file ${args.path}`);
    return { changed: true, msg: plan.msg };
  },
};

registerModule(file);
