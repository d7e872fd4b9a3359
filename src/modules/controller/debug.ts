/** debug: print a message (`msg`, already rendered) or a variable's value (`var`). Changes nothing. */
import { isPartial, isUnknown, UnknownValueError } from '../../vars/unknown.js';
import { typedModule } from '../contract.js';
import { registerModule } from '../registry.js';
import { evaluate } from '../../vars/evaluate.js';

interface DebugArgs {
  msg?: unknown;
  var?: string;
}

export const debug = typedModule<DebugArgs, undefined, undefined>({
  name: 'debug',
  controllerOnly: true,
  expressionArgs: ['var'],
  schema: {
    type: 'object',
    properties: { msg: {}, var: { type: 'string', minLength: 1 } },
    additionalProperties: false,
    not: { required: ['msg', 'var'] },
  },
  plan(args, _facts, input) {
    if (args.var !== undefined) {
      const value = evaluate(args.var, input.vars, input.source);
      // --check: a result that did not run is shown only by a real run
      if (isUnknown(value)) throw new UnknownValueError(value.deps);
      if (isPartial(value)) throw new UnknownValueError([args.var]);
      return { changed: false, note: `${args.var}: ${show(value)}`, result: { [args.var]: value } };
    }
    if (isPartial(args.msg)) throw new UnknownValueError(['msg']);
    const msg = args.msg === undefined ? 'Hello world!' : show(args.msg);
    return { changed: false, note: msg, result: { msg: args.msg ?? msg } };
  },
});

function show(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

registerModule(debug);
