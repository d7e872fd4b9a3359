/**
 * lineinfile: one line present (or absent) in a text file, written atomically like copy. A symlinked
 * path edits the file it points to (the link stays); `create: true` also makes missing parent
 * directories. The edit itself follows Ansible's rules (support/line-edit.ts).
 */
import { TaskError } from '../errors.js';
import { registerModule } from './registry.js';
import { fileFacts, followedFacts, type FileFacts } from './support/file-facts.js';
import { editLines, type LineEdit } from './support/line-edit.js';
import { applyManagedFile, plannedContent, planManagedFile, type ManagedFile } from './support/managed-file.js';
import { attributeProps, pathSchema, regexpSchema } from './support/schema-parts.js';
import type { ModuleContext, ModuleDefinition } from './types.js';

export interface LineinfileArgs extends LineEdit {
  path?: string;
  /** Ansible's aliases of path. */
  dest?: string;
  destfile?: string;
  name?: string;
  create?: boolean;
  backup?: boolean;
  validate?: string;
  owner?: string;
  group?: string;
  mode?: string | number;
}

const pathOf = (args: LineinfileArgs) => (args.path ?? args.dest ?? args.destfile ?? args.name)!;

async function desired(ctx: ModuleContext, args: LineinfileArgs): Promise<{ want: ManagedFile; facts: FileFacts } | undefined> {
  const path = pathOf(args);
  let facts = await fileFacts(ctx, path, true);
  if (facts.type === 'link') facts = await followedFacts(ctx, path, true);
  if (facts.type === 'absent') {
    if (args.state === 'absent') return undefined;
    if (!args.create) throw new TaskError(`Destination ${path} does not exist on ${ctx.host} (set create: true to create it)`);
  } else if (facts.type === 'directory') {
    throw new TaskError(`Path ${path} is a directory !`);
  } else if (facts.type !== 'file') {
    throw new TaskError(`${path} on ${ctx.host} is a ${facts.type}, not a file`);
  } else if (facts.content === undefined) {
    throw new TaskError(`${path} on ${ctx.host} is too large for lineinfile`);
  }
  const content = editLines(facts.content ?? '', args);
  return { want: fileArgs(args, facts.path, content), facts };
}

function fileArgs(args: LineinfileArgs, dest: string, content: string): ManagedFile {
  const { owner, group, mode, validate, backup } = args;
  return { dest, owner, group, mode, validate, backup, content, makeParents: true };
}

export const lineinfile: ModuleDefinition<LineinfileArgs> = {
  name: 'lineinfile',
  schema: {
    type: 'object',
    properties: {
      path: pathSchema,
      dest: pathSchema,
      destfile: pathSchema,
      name: pathSchema,
      line: { type: 'string' },
      regexp: regexpSchema,
      search_string: { type: 'string' },
      state: { enum: ['present', 'absent'] },
      insertafter: { ...regexpSchema, lbrunMarkers: true },
      insertbefore: { ...regexpSchema, lbrunMarkers: true },
      backrefs: { type: 'boolean' },
      firstmatch: { type: 'boolean' },
      create: { type: 'boolean' },
      backup: { type: 'boolean' },
      validate: { type: 'string', pattern: '%s' },
      ...attributeProps,
    },
    oneOf: [{ required: ['path'] }, { required: ['dest'] }, { required: ['destfile'] }, { required: ['name'] }],
    if: { not: { properties: { state: { const: 'absent' } }, required: ['state'] } },
    then: { required: ['line'] },
    else: { anyOf: [{ required: ['line'] }, { required: ['regexp'] }, { required: ['search_string'] }] },
    allOf: [
      { not: { required: ['insertafter', 'insertbefore'] } },
      { not: { required: ['regexp', 'search_string'] } },
      { if: { properties: { backrefs: { const: true } }, required: ['backrefs'] }, then: { required: ['regexp'] } },
    ],
    additionalProperties: false,
  },
  async plan(ctx, args) {
    const d = await desired(ctx, args);
    if (!d) return { changed: false };
    const plan = await planManagedFile(ctx, d.want, d.facts);
    return { ...plan, actions: { file: plan.actions, dest: d.want.dest } };
  },
  apply: (ctx, args, plan) => {
    const a = plan.actions as { file: unknown; dest: string };
    const inner = { ...plan, actions: a.file };
    return applyManagedFile(ctx, fileArgs(args, a.dest, plannedContent(inner) as string), inner);
  },
};

registerModule(lineinfile);
