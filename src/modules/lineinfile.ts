/** lineinfile: one line present (or absent) in a text file, written atomically like copy. */
import { TaskError } from '../errors.js';
import { registerModule } from './registry.js';
import { fileFacts, type FileFacts } from './support/file-facts.js';
import { editLines, type LineEdit } from './support/line-edit.js';
import { applyManagedFile, plannedContent, planManagedFile, type ManagedFile } from './support/managed-file.js';
import { attributeProps, pathSchema } from './support/schema-parts.js';
import type { ModuleContext, ModuleDefinition } from './types.js';

export interface LineinfileArgs extends LineEdit {
  path: string;
  create?: boolean;
  backup?: boolean;
  validate?: string;
  owner?: string;
  group?: string;
  mode?: string | number;
}

async function desired(ctx: ModuleContext, args: LineinfileArgs): Promise<{ want: ManagedFile; facts: FileFacts } | undefined> {
  const facts = await fileFacts(ctx, args.path, true);
  if (facts.type === 'absent') {
    if (args.state === 'absent') return undefined;
    if (!args.create) throw new TaskError(`${args.path} does not exist on ${ctx.host} (set create: true to create it)`);
  } else if (facts.type !== 'file') {
    throw new TaskError(`${args.path} on ${ctx.host} is a ${facts.type}, not a file`);
  } else if (facts.content === undefined) {
    throw new TaskError(`${args.path} on ${ctx.host} is too large for lineinfile`);
  }
  const content = editLines(facts.content ?? '', args);
  return { want: fileArgs(args, content), facts };
}

function fileArgs(args: LineinfileArgs, content: string): ManagedFile {
  const { path, owner, group, mode, validate, backup } = args;
  return { dest: path, owner, group, mode, validate, backup, content };
}

export const lineinfile: ModuleDefinition<LineinfileArgs> = {
  name: 'lineinfile',
  readAhead: true,
  schema: {
    type: 'object',
    properties: {
      path: pathSchema,
      line: { type: 'string' },
      regexp: { type: 'string' },
      state: { enum: ['present', 'absent'] },
      insertafter: { type: 'string' },
      insertbefore: { type: 'string' },
      create: { type: 'boolean' },
      backup: { type: 'boolean' },
      validate: { type: 'string', pattern: '%s' },
      ...attributeProps,
    },
    required: ['path'],
    if: { not: { properties: { state: { const: 'absent' } }, required: ['state'] } },
    then: { required: ['line'] },
    else: { anyOf: [{ required: ['line'] }, { required: ['regexp'] }] },
    not: { required: ['insertafter', 'insertbefore'] },
    additionalProperties: false,
  },
  async plan(ctx, args) {
    const d = await desired(ctx, args);
    if (!d) return { changed: false };
    return planManagedFile(ctx, d.want, d.facts);
  },
  apply: (ctx, args, plan) => applyManagedFile(ctx, fileArgs(args, plannedContent(plan) as string), plan),
};

registerModule(lineinfile);
