/** evaluate(): an expression against vars, with lazy templating (render's resolver); expr.ts and render.ts do not import each other. */
import type { Expression } from 'jsep';
import type { Source } from '../errors.js';
import type { Vars } from '../types.js';
import { evaluateWith } from './expr.js';
import { resolveNested } from './render.js';

export function evaluate(expr: Expression | string, vars: Vars, source: Source, resolving: string[] = []): unknown {
  return evaluateWith(resolveNested, expr, vars, source, resolving);
}
