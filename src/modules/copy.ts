/** copy: a file with given content (or a controller file from files/), written atomically. */
import { readFileSync } from 'node:fs';
import { registerModule } from './registry.js';
import { applyCopyLike, planCopyLike, type CopyLikeArgs } from './support/copy-dest.js';
import { attributeProps, hostPathSchema, modeSchema, pathSchema } from './support/schema-parts.js';
import type { ModuleDefinition } from './types.js';

/** A managed file (dest, attributes, validate, backup, force) whose content is given or read from `src`. */
export interface CopyArgs extends CopyLikeArgs {
  content?: string;
}

export const copy: ModuleDefinition<CopyArgs> = {
  name: 'copy',
  schema: {
    type: 'object',
    properties: {
      content: { type: 'string' },
      src: pathSchema,
      dest: hostPathSchema,
      ...attributeProps,
      mode: { anyOf: [modeSchema, { const: 'preserve' }] },
      validate: { type: 'string', pattern: '%s' },
      backup: { type: 'boolean' },
      force: { type: 'boolean' },
    },
    required: ['dest'],
    oneOf: [{ required: ['content'] }, { required: ['src'] }],
    additionalProperties: false,
  },
  files: (args) => (args.src === undefined ? [] : [args.src]),
  plan(ctx, args) {
    const srcPath = args.src !== undefined ? ctx.findFile('files', args.src) : undefined;
    return planCopyLike(ctx, args, srcPath !== undefined ? readFileSync(srcPath) : args.content!, srcPath);
  },
  apply: (ctx, args, plan) => applyCopyLike(ctx, args, plan),
};

registerModule(copy);
