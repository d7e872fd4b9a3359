/** set_fact: set host variables at the "registered" precedence (also in check mode). */
import { typedModule } from '../contract.js';
import { registerModule } from '../registry.js';
import { MAGIC_VARS } from '../../vars/precedence.js';
import type { Vars } from '../types.js';

export const setFact = typedModule<Vars, undefined, undefined>({
  name: 'set_fact',
  setsFacts: true,
  controllerOnly: true,
  schema: {
    type: 'object',
    minProperties: 1,
    propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
    // checked by support/arg-rules.ts
    lbrunReservedNames: [...MAGIC_VARS],
  },
  plan(args) {
    return { changed: false, facts: args, result: { ansible_facts: args } };
  },
});

registerModule(setFact);
