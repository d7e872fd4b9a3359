/**
 * Secrets: the values of variables named in any `secret_vars` list (any scope). Known values are
 * collected from every scope before the run; values computed at run time (templated, registered)
 * are learnt from each host's task variables.
 */
import type { Inventory } from '../inventory/types.js';
import type { Vars } from '../modules/types.js';
import type { PlaybookSpec } from '../playbook/types.js';
import { secretNames, type Redactor } from '../report/redact.js';
import { renderValue } from '../vars/render.js';
import type { Source } from '../errors.js';
import { allTasks } from '../playbook/includes.js';

/** Every variable scope of the project (inventory, plays, roles, tasks, handlers, extra vars). */
function scopes(playbook: PlaybookSpec, inventory: Inventory, extraVars: Vars | undefined): Vars[] {
  const out: Vars[] = [];
  for (const g of inventory.groups.values()) out.push(g.vars);
  for (const h of inventory.hosts.values()) out.push(h.vars);
  for (const play of playbook.plays) {
    out.push(play.vars);
    for (const role of play.roles) out.push(role.defaults, role.vars, role.params ?? {});
    for (const t of [...allTasks(play.tasks), ...play.handlers]) {
      out.push(t.vars);
      if (t.role) out.push(t.role.defaults, t.role.vars, t.role.params ?? {});
    }
  }
  if (extraVars) out.push(extraVars);
  return out;
}

/** Collect the secret names, and the values those names have where written literally. */
export function collectSecrets(
  playbook: PlaybookSpec,
  inventory: Inventory,
  extraVars: Vars | undefined,
  redactor: Redactor,
): Set<string> {
  const all = scopes(playbook, inventory, extraVars);
  const names = new Set<string>();
  for (const vars of all) for (const n of secretNames(vars)) names.add(n);
  for (const vars of all) redactor.addFromVars(vars, names);
  return names;
}

/** Learn the rendered values of the secret names (known ones, and the vars' own secret_vars). */
export function learnSecrets(vars: Vars, names: Set<string>, redactor: Redactor, source: Source): void {
  for (const name of new Set([...names, ...secretNames(vars)])) {
    if (!(name in vars)) continue;
    try {
      redactor.add(renderValue(vars[name], vars, source));
    } catch {
      redactor.add(vars[name]);
    }
  }
}
