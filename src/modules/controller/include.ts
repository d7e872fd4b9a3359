/**
 * include_tasks / include_role as the engine sees them: the include itself runs on the controller
 * (its when and loop are evaluated per host like any task's) and changes nothing; the batch then runs
 * the included tasks for each host and loop item (src/engine/include.ts). The loader
 * (src/playbook/includes.ts) builds these tasks from the include keys, with the included tasks.
 */
import { typedModule } from '../contract.js';
import { registerModule } from '../registry.js';

function includeModule(name: string) {
  return typedModule<{ file: string }, undefined, undefined>({
    name,
    controllerOnly: true,
    schema: { type: 'object', properties: { file: { type: 'string' } }, required: ['file'], additionalProperties: false },
    plan(args) {
      return { changed: false, note: `included: ${args.file}`, result: { include: args.file } };
    },
  });
}

registerModule(includeModule('include_tasks'));
registerModule(includeModule('include_role'));
