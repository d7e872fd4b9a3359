/** copy: a file with given content (or a controller file from files/), written atomically (typed contract; tables in test/modules/tables/copy/). */
import { readFileSync, statSync } from 'node:fs';
import { typedModule } from './contract.js';
import { registerModule } from './registry.js';
import { copyLikeProps, copyLikeSteps, type CopyLikeArgs, type CopyLikeFacts } from './support/copy-dest.js';
import type { ManagedFileData } from './support/managed-file.js';
import { pathSchema } from './support/schema-parts.js';

/** A managed file (dest, attributes, validate, backup, force) whose content is given or read from `src`. */
export interface CopyArgs extends CopyLikeArgs {
  content?: string;
}

export const copy = typedModule<CopyArgs, CopyLikeFacts, ManagedFileData>({
  name: 'copy',
  schema: {
    type: 'object',
    properties: {
      content: { type: 'string' },
      src: pathSchema,
      ...copyLikeProps,
    },
    required: ['dest'],
    oneOf: [{ required: ['content'] }, { required: ['src'] }],
    additionalProperties: false,
  },
  files: (args) => (args.src === undefined ? [] : [args.src]),
  prepare(args, controller) {
    if (args.src === undefined) return { ...args, body: args.content };
    const path = controller.findFile('files', args.src);
    return { ...args, body: readFileSync(path), srcMode: statSync(path).mode & 0o7777 };
  },
  ...copyLikeSteps,
});

registerModule(copy);
