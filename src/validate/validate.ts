/**
 * `lbrun validate`: load the playbook and the inventory and walk every play x host x task offline
 * (no connection): schemas, modules and their arguments, every templated argument and every template
 * file rendered with each host's variables. Every problem is collected; InputErrors (exit 3).
 */
import type { Vars } from '../modules/types.js';
import type { Inventory } from '../inventory/types.js';
import type { PlaybookSpec } from '../playbook/types.js';
import { walkProject } from './walk.js';

export async function validateProject(opts: {
  playbookFile: string;
  inventoryFile: string;
  extraVars?: Vars;
  limit?: string;
  tags?: string[];
  skipTags?: string[];
}): Promise<{ playbook: PlaybookSpec; inventory: Inventory }> {
  const { playbook, inventory } = await walkProject(opts);
  return { playbook, inventory };
}
