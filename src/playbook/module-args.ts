/**
 * Module arguments: free-form normalising (`command: echo hi` -> { cmd: "echo hi" }) and validation
 * against the module's own ajv schema from the registry.
 */
import { InputError } from '../errors.js';
import type { ModuleDefinition } from '../modules/types.js';
import { compileSchema, validateData, type Locate } from '../load/schema.js';
import { pointer, type DocPath } from '../load/yaml-file.js';
import { checkArgRules } from '../modules/support/arg-rules.js';
import { hasTemplate } from '../vars/render.js';

/** What argument handling needs of a module definition. */
export type ModuleShape = Pick<ModuleDefinition, 'name' | 'schema' | 'freeForm' | 'expressionArgs'>;

/** The argument map of a module key's value, or an InputError when its shape is wrong. */
export function normaliseArgs(
  def: ModuleShape,
  value: unknown,
  locate: Locate,
  path: DocPath,
): Record<string, unknown> | InputError {
  if (value === null || value === undefined) return {};
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    if (def.freeForm) return { [def.freeForm]: value };
    return new InputError(`module '${def.name}' takes a map of arguments, not ${JSON.stringify(value)}`, locate(path), {
      expected: `a map of ${def.name} arguments`,
    });
  }
  if (Array.isArray(value)) {
    return new InputError(`module '${def.name}' takes a map of arguments, not a list`, locate(path), { expected: `a map of ${def.name} arguments` });
  }
  return { ...(value as Record<string, unknown>) };
}

/**
 * Validate arguments against the module's schema. Before rendering (`rendered: false`) a value that
 * is still a `{{ template }}` is not judged: it is checked again once rendered.
 */
export function validateModuleArgs(
  def: ModuleShape,
  args: Record<string, unknown>,
  locate: Locate,
  path: DocPath,
  opts: { rendered?: boolean } = {},
): InputError[] {
  const skip = opts.rendered ? undefined : (v: unknown) => typeof v === 'string' && v.includes('{{');
  const errors = validateData(compileSchema(def.schema), args, locate, path, skip);
  for (const p of checkArgRules(def.schema, args, skip && hasTemplate)) {
    if (!errors.some((e) => e.path === pointer([...path, p.arg]))) errors.push(new InputError(p.reason, locate([...path, p.arg], { key: p.atKey }), { expected: p.expected }));
  }
  return errors;
}
