/** assert: every expression in `that` must hold, or the task fails with fail_msg. */
import { TaskError } from '../../errors.js';
import { truthy } from '../../vars/expr.js';
import { evaluate } from '../../vars/evaluate.js';
import { isUnknown, unknownOf, UnknownValueError, type Unknown } from '../../vars/unknown.js';
import { typedModule } from '../contract.js';
import { registerModule } from '../registry.js';

interface AssertArgs {
  that: string | string[];
  fail_msg?: string;
  msg?: string;
  success_msg?: string;
  quiet?: boolean;
}

export const assert = typedModule<AssertArgs, undefined, undefined>({
  name: 'assert',
  controllerOnly: true,
  expressionArgs: ['that'],
  schema: {
    type: 'object',
    properties: {
      that: { anyOf: [{ type: 'string', minLength: 1 }, { type: 'array', items: { type: 'string' }, minItems: 1 }] },
      fail_msg: { type: 'string' },
      msg: { type: 'string' },
      success_msg: { type: 'string' },
      quiet: { type: 'boolean' },
    },
    required: ['that'],
    additionalProperties: false,
  },
  plan(args, _facts, input) {
    const that = typeof args.that === 'string' ? [args.that] : args.that;
    const unknown: Unknown[] = [];
    for (const expr of that) {
      const v = evaluate(expr, input.vars, input.source);
      // --check: holds or not only after a real run; a known false one still fails
      if (isUnknown(v)) unknown.push(v);
      else if (!truthy(v)) throw new TaskError(args.fail_msg ?? args.msg ?? `Assertion failed: ${expr}`, { assertion: expr });
    }
    if (unknown.length > 0) throw new UnknownValueError(unknownOf(...unknown).deps);
    const msg = args.quiet ? undefined : (args.success_msg ?? 'All assertions passed');
    return { changed: false, note: msg };
  },
});

registerModule(assert);
