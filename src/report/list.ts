/** --list-tasks and --list-hosts, printed like ansible-playbook prints them. */
import { relative } from 'node:path';
import { playHosts } from '../inventory/play-hosts.js';
import type { Inventory } from '../inventory/types.js';
import { isSilent } from '../playbook/silent.js';
import { isTaskSelected } from '../playbook/tags.js';
import type { PlaybookSpec } from '../playbook/types.js';

export interface ListOptions {
  tasks: boolean;
  hosts: boolean;
  tags: string[];
  skipTags: string[];
  limit?: string;
  cwd: string;
}

export function listPlaybook(playbook: PlaybookSpec, inventory: Inventory, opts: ListOptions): string {
  const out: string[] = ['', `playbook: ${relative(opts.cwd, playbook.file) || playbook.file}`];
  const scope = { inventory, options: { limit: opts.limit }, gone: new Set<string>() };
  playbook.plays.forEach((play, i) => {
    out.push('', `  play #${i + 1} (${play.hosts}): ${play.name}\tTAGS: [${sorted(play.tags)}]`);
    if (opts.hosts) {
      const hosts = playHosts(scope, play);
      out.push(`    pattern: ['${play.hosts}']`, `    hosts (${hosts.length}):`);
      for (const h of hosts) out.push(`      ${h}`);
    }
    if (opts.tasks) {
      out.push('    tasks:');
      for (const t of play.tasks) {
        if (isSilent(t) || !isTaskSelected(t.tags, { tags: opts.tags, skipTags: opts.skipTags })) continue;
        const name = t.role ? `${t.role.name} : ${t.name}` : t.name;
        out.push(`      ${name}\tTAGS: [${sorted(t.tags)}]`);
      }
    }
  });
  return `${out.join('\n')}\n`;
}

function sorted(tags: string[]): string {
  return [...new Set(tags)].sort().join(', ');
}
