/** fail: fail the task on this host with a message (usually under `when`). */
import { TaskError } from '../../errors.js';
import { typedModule } from '../contract.js';
import { registerModule } from '../registry.js';

export const fail = typedModule<{ msg?: string }, undefined, undefined>({
  name: 'fail',
  controllerOnly: true,
  freeForm: 'msg',
  schema: { type: 'object', properties: { msg: { type: 'string' } }, additionalProperties: false },
  plan(args) {
    throw new TaskError(args.msg ?? 'Failed as requested from task');
  },
});

registerModule(fail);
