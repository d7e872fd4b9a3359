/** set_fact: set host variables at the "registered" precedence (also in check mode). */
import { registerModule } from '../registry.js';
import type { ModuleDefinition, Vars } from '../types.js';

export const setFact: ModuleDefinition<Vars> = {
  name: 'set_fact',
  readAhead: true,
  setsFacts: true,
  controllerOnly: true,
  schema: {
    type: 'object',
    minProperties: 1,
    propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
  },
  async plan(_ctx, args) {
    return { changed: false, facts: args, result: { ansible_facts: args } };
  },
  async apply() {
    return {};
  },
};

registerModule(setFact);
