/** copy: a file with given content (or a controller file from files/), written atomically. */
import { readFileSync } from 'node:fs';
import { registerModule } from './registry.js';
import { applyManagedFile, plannedContent, planManagedFile, type ManagedFile } from './support/managed-file.js';
import { attributeProps, pathSchema } from './support/schema-parts.js';
import type { ModuleContext, ModuleDefinition } from './types.js';

/** A managed file (dest, attributes, validate, backup) whose content is given or read from `src`. */
export interface CopyArgs extends Omit<ManagedFile, 'content'> {
  content?: string;
  src?: string;
}

function desired(ctx: ModuleContext, args: CopyArgs): ManagedFile {
  const content = args.src !== undefined ? readFileSync(ctx.findFile('files', args.src)) : args.content!;
  return { ...args, content };
}

export const copy: ModuleDefinition<CopyArgs> = {
  name: 'copy',
  readAhead: true,
  schema: {
    type: 'object',
    properties: {
      content: { type: 'string' },
      src: pathSchema,
      dest: pathSchema,
      ...attributeProps,
      validate: { type: 'string', pattern: '%s' },
      backup: { type: 'boolean' },
    },
    required: ['dest'],
    oneOf: [{ required: ['content'] }, { required: ['src'] }],
    additionalProperties: false,
  },
  files: (args) => (args.src === undefined ? [] : [args.src]),
  plan: (ctx, args) => planManagedFile(ctx, desired(ctx, args)),
  apply: (ctx, args, plan) => applyManagedFile(ctx, { ...args, content: plannedContent(plan) }, plan),
};

registerModule(copy);
