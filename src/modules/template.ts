/** template: a mustache template rendered on the controller, then written like copy (typed contract; tables in test/modules/tables/template/). */
import { statSync } from 'node:fs';
import { typedModule } from './contract.js';
import { registerModule } from './registry.js';
import { copyLikeProps, copyLikeSteps, type CopyLikeArgs, type CopyLikeFacts } from './support/copy-dest.js';
import type { ManagedFileData } from './support/managed-file.js';
import { pathSchema } from './support/schema-parts.js';

/** A managed file (dest, attributes, validate, backup, force) whose content is rendered from `src`. */
export interface TemplateArgs extends CopyLikeArgs {
  src: string;
}

export const template = typedModule<TemplateArgs, CopyLikeFacts, ManagedFileData>({
  name: 'template',
  schema: {
    type: 'object',
    properties: {
      src: pathSchema,
      ...copyLikeProps,
    },
    required: ['src', 'dest'],
    additionalProperties: false,
  },
  templates: (args) => [args.src],
  prepare(args, controller) {
    const path = controller.findFile('templates', args.src);
    return { ...args, body: controller.renderTemplate(path), srcMode: statSync(path).mode & 0o7777 };
  },
  ...copyLikeSteps,
});

registerModule(template);
