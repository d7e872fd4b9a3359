/**
 * include_tasks / include_role as the engine sees them: the include itself runs on the controller
 * (its when and loop are evaluated per host like any task's) and changes nothing; the batch then runs
 * the included tasks for each host and loop item (src/engine/include.ts). The loader
 * (src/playbook/includes.ts) builds these tasks from the include keys, with the included tasks.
 */
import { registerModule } from '../registry.js';
import type { ModuleDefinition } from '../types.js';

function includeModule(name: string): ModuleDefinition<{ file: string }> {
  return {
    name,
    controllerOnly: true,
    schema: { type: 'object', properties: { file: { type: 'string' } }, required: ['file'], additionalProperties: false },
    async plan(_ctx, args) {
      return { changed: false, msg: `included: ${args.file}`, result: { include: args.file } };
    },
    async apply() {
      return {};
    },
  };
}

registerModule(includeModule('include_tasks'));
registerModule(includeModule('include_role'));
