/** debug: print a message (`msg`, already rendered) or a variable's value (`var`). Changes nothing. */
import { isPartial, isUnknown, UnknownValueError } from '../../vars/unknown.js';
import { registerModule } from '../registry.js';
import type { ModuleDefinition } from '../types.js';
import { evaluate } from '../../vars/expr.js';

interface DebugArgs {
  msg?: unknown;
  var?: string;
}

export const debug: ModuleDefinition<DebugArgs> = {
  name: 'debug',
  readAhead: true,
  controllerOnly: true,
  schema: {
    type: 'object',
    properties: { msg: {}, var: { type: 'string', minLength: 1 } },
    additionalProperties: false,
    not: { required: ['msg', 'var'] },
  },
  async plan(ctx, args) {
    if (args.var !== undefined) {
      const value = evaluate(args.var, ctx.vars, ctx.source);
      // --check: a result that did not run is shown only by a real run
      if (isUnknown(value)) throw new UnknownValueError(value.deps);
      if (isPartial(value)) throw new UnknownValueError([args.var]);
      return { changed: false, msg: `${args.var}: ${show(value)}`, result: { [args.var]: value } };
    }
    if (isPartial(args.msg)) throw new UnknownValueError(['msg']);
    const msg = args.msg === undefined ? 'Hello world!' : show(args.msg);
    return { changed: false, msg, result: { msg: args.msg ?? msg } };
  },
  async apply() {
    return {};
  },
};

function show(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

registerModule(debug);
