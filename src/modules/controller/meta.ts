/** meta: steer the engine: flush_handlers (run notified handlers now), end_play, end_host. */
import { typedModule } from '../contract.js';
import { registerModule } from '../registry.js';
import type { PlanResult } from '../types.js';

type Action = NonNullable<PlanResult['control']>;

export const meta = typedModule<{ action: Action }, undefined, undefined>({
  name: 'meta',
  controllerOnly: true,
  freeForm: 'action',
  schema: {
    type: 'object',
    properties: { action: { enum: ['flush_handlers', 'end_play', 'end_host'] } },
    required: ['action'],
    additionalProperties: false,
  },
  plan(args) {
    return { changed: false, control: args.action };
  },
});

registerModule(meta);
