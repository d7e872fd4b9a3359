/** template: a mustache template rendered on the controller, then written like copy. */
import { registerModule } from './registry.js';
import { applyManagedFile, plannedContent, planManagedFile, type ManagedFile } from './support/managed-file.js';
import { attributeProps, pathSchema } from './support/schema-parts.js';
import type { ModuleContext, ModuleDefinition } from './types.js';

/** A managed file (dest, attributes, validate, backup) whose content is rendered from `src`. */
export interface TemplateArgs extends Omit<ManagedFile, 'content'> {
  src: string;
}

function desired(ctx: ModuleContext, args: TemplateArgs): ManagedFile {
  return { ...args, content: ctx.renderTemplate(ctx.findFile('templates', args.src)) };
}

export const template: ModuleDefinition<TemplateArgs> = {
  name: 'template',
  readAhead: true,
  schema: {
    type: 'object',
    properties: {
      src: pathSchema,
      dest: pathSchema,
      ...attributeProps,
      validate: { type: 'string', pattern: '%s' },
      backup: { type: 'boolean' },
    },
    required: ['src', 'dest'],
    additionalProperties: false,
  },
  templates: (args) => [args.src],
  plan: (ctx, args) => planManagedFile(ctx, desired(ctx, args)),
  apply: (ctx, args, plan) => applyManagedFile(ctx, { ...args, content: plannedContent(plan) }, plan),
};

registerModule(template);
