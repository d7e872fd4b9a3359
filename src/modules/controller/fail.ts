/** fail: fail the task on this host with a message (usually under `when`). */
import { TaskError } from '../../errors.js';
import { registerModule } from '../registry.js';
import type { ModuleDefinition } from '../types.js';

export const fail: ModuleDefinition<{ msg?: string }> = {
  name: 'fail',
  readAhead: true,
  controllerOnly: true,
  freeForm: 'msg',
  schema: { type: 'object', properties: { msg: { type: 'string' } }, additionalProperties: false },
  async plan(_ctx, args) {
    throw new TaskError(args.msg ?? 'Failed as requested from task');
  },
  async apply() {
    return {};
  },
};

registerModule(fail);
