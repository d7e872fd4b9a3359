/** A task's module arguments for one host (the host's turn, and the reads of its next tasks). */
import { InputErrors } from '../errors.js';
import { getModule } from '../modules/index.js';
import { validateModuleArgs } from '../playbook/module-args.js';
import type { TaskSpec } from '../playbook/types.js';
import type { Vars } from '../types.js';
import { renderValue } from '../vars/render.js';
import { isUnknown } from '../vars/unknown.js';

/**
 * The module's arguments rendered with the host's variables, then checked by the module's schema and
 * value rules (the same check as the offline pass); an error names the argument's line.
 */
export function renderArgs({ task }: { task: TaskSpec }, vars: Vars): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(task.args)) out[k] = renderValue(v, vars, task.argSources[k] ?? task.source);
  const def = getModule(task.module);
  // arguments known only after a real run (--check) are judged then
  if (def && !Object.values(out).some(isUnknown)) InputErrors.throwIfAny(validateModuleArgs(def, out, (p) => task.argSources[String(p[0])] ?? task.source, [], { rendered: true }));
  return out;
}
