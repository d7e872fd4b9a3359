/**
 * Secrets are marked where they enter: the values of variables named in any `secret_vars` list (any
 * scope) or in IMPLICIT_SECRET_NAMES, the become password, a registered result whose name is secret,
 * and (vars/expr.ts) any string an expression computes after reading a secret. Known values are
 * collected from every scope before the run; values computed at run time (templated, registered)
 * are learnt from each host's task variables. All go to the process's redactor (secrets/redact.ts).
 */
import { loadInventory } from '../inventory/load.js';
import type { Inventory } from '../inventory/types.js';
import type { Vars } from '../types.js';
import { loadPlaybook } from '../playbook/load.js';
import type { PlaybookSpec } from '../playbook/types.js';
import { secretNames, type Redactor } from '../secrets/redact.js';
import { taskVars } from '../vars/precedence.js';
import { renderValue } from '../vars/render.js';
import type { Source } from '../errors.js';
import { allTasks } from '../playbook/includes.js';
import { scanSecrets } from './secret-scan.js';
import { IMPLICIT_SECRET_NAMES } from './secret-names.js';

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
  const names = new Set<string>(IMPLICIT_SECRET_NAMES);
  for (const vars of all) for (const n of secretNames(vars)) names.add(n);
  for (const vars of all) redactor.addFromVars(vars, names);
  return names;
}

/** Learn the rendered values of the secret names (known ones, and the vars' own secret_vars). */
export function learnSecrets(vars: Vars, names: Set<string>, redactor: Redactor, source: Source): void {
  for (const name of new Set([...names, ...secretNames(vars)])) {
    if (!(name in vars)) continue;
    try {
      const value = renderValue(vars[name], vars, source);
      // a registered result: its values, not the keys lbrun fills (rc, cmd, changed...)
      if (value !== null && typeof value === 'object' && !Array.isArray(value) && 'changed' in value) redactor.addResult(value);
      else redactor.add(value);
    } catch {
      redactor.add(vars[name]);
    }
  }
}

export interface ProjectFiles {
  playbookFile: string;
  inventoryFile: string;
  extraVars?: Vars;
}

/**
 * Learn every secret of a project that may not load or validate (an error is about to be printed
 * and may quote one): the loaders' view when they succeed, rendered per host, plus a lenient scan of
 * the YAML files around the playbook and inventory when one of them does not load.
 */
export async function learnProjectSecrets(project: ProjectFiles, redactor: Redactor): Promise<void> {
  const [playbook, inventory] = await Promise.allSettled([loadPlaybook(project.playbookFile), loadInventory(project.inventoryFile)]);
  if (playbook.status === 'rejected' || inventory.status === 'rejected') scanSecrets([project.playbookFile, project.inventoryFile], redactor);
  const empty: Inventory = { hosts: new Map(), groups: new Map(), file: project.inventoryFile };
  const pb = playbook.status === 'fulfilled' ? playbook.value : { file: project.playbookFile, projectDir: '', plays: [] };
  const inv = inventory.status === 'fulfilled' ? inventory.value : empty;
  const names = collectSecrets(pb, inv, project.extraVars, redactor);
  // Secrets whose values are templated ("{{ env.LBRUN_TOKEN }}") are known only rendered, per host.
  for (const play of pb.plays) {
    for (const host of inv.hosts.keys()) {
      for (const task of [undefined, ...allTasks(play.tasks), ...play.handlers]) {
        try {
          learnSecrets(taskVars({ inventory: inv, host, play, task, extraVars: project.extraVars }), names, redactor, task?.source ?? play.source);
        } catch {
          // vars that do not render are the error being reported
        }
      }
    }
  }
}
