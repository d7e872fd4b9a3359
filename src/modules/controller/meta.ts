/** meta: steer the engine: flush_handlers (run notified handlers now), end_play, end_host. */
import { registerModule } from '../registry.js';
import type { ModuleDefinition, PlanResult } from '../types.js';

type Action = NonNullable<PlanResult['control']>;

export const meta: ModuleDefinition<{ action: Action }> = {
  name: 'meta',
  readAhead: true,
  controllerOnly: true,
  freeForm: 'action',
  schema: {
    type: 'object',
    properties: { action: { enum: ['flush_handlers', 'end_play', 'end_host'] } },
    required: ['action'],
    additionalProperties: false,
  },
  async plan(_ctx, args) {
    return { changed: false, control: args.action };
  },
  async apply() {
    return {};
  },
};

registerModule(meta);
