/** template: a mustache template rendered on the controller, then written like copy. */
import { registerModule } from './registry.js';
import { applyCopyLike, planCopyLike, type CopyLikeArgs } from './support/copy-dest.js';
import { attributeProps, hostPathSchema, modeSchema, pathSchema } from './support/schema-parts.js';
import type { ModuleDefinition } from './types.js';

/** A managed file (dest, attributes, validate, backup, force) whose content is rendered from `src`. */
export interface TemplateArgs extends CopyLikeArgs {
  src: string;
}

export const template: ModuleDefinition<TemplateArgs> = {
  name: 'template',
  schema: {
    type: 'object',
    properties: {
      src: pathSchema,
      dest: hostPathSchema,
      ...attributeProps,
      mode: { anyOf: [modeSchema, { const: 'preserve' }] },
      validate: { type: 'string', pattern: '%s' },
      backup: { type: 'boolean' },
      force: { type: 'boolean' },
    },
    required: ['src', 'dest'],
    additionalProperties: false,
  },
  templates: (args) => [args.src],
  plan(ctx, args) {
    const path = ctx.findFile('templates', args.src);
    return planCopyLike(ctx, args, ctx.renderTemplate(path), path);
  },
  apply: (ctx, args, plan) => applyCopyLike(ctx, args, plan),
};

registerModule(template);
