/**
 * The Ansible inventory of scenario A, made from lbrun's own reading of the project: for each host
 * of site.yaml's play, every variable lbrun's tasks see (role defaults < inventory < play vars,
 * `{{ }}` values rendered), plus the ansible_* connection variables of the same address, user, key.
 * So both tools render their templates from the very same values, and an inventory change reaches
 * both. A value that depends on the nodes' facts (keepalived_interface, keepalived_unicast_src_ip
 * and keepalived_unicast_peers by default) is unknown offline and left out: Ansible's role defaults
 * (bench/ansible/roles/keepalived/defaults/main.yml) compute it from the facts its play gathers, as
 * lbrun computes it from the facts it gathers at run time. `factVars` names those.
 */
import { writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { connectionSettings } from '../../dist/inventory/connection-vars.js';
import { loadInventory } from '../../dist/inventory/load.js';
import { matchHosts } from '../../dist/inventory/pattern.js';
import { loadPlaybook } from '../../dist/playbook/load.js';
import { taskVars } from '../../dist/vars/precedence.js';
import { renderValue } from '../../dist/vars/render.js';
import { Unknown } from '../../dist/vars/unknown.js';

const MAGIC = new Set(['inventory_hostname', 'groups', 'group_names', 'hostvars', 'play_hosts', 'lbrun_check_mode', 'env', 'secret_vars']);

/**
 * @param {{ playbook: string, inventory: string, out: string }} o
 * @returns {Promise<{ hosts: string[], group: string, knownHosts: string | undefined, factVars: string[] }>}
 */
export async function writeAnsibleInventory(o) {
  const [playbook, inventory] = await Promise.all([loadPlaybook(o.playbook), loadInventory(o.inventory)]);
  const play = playbook.plays[0];
  const hosts = matchHosts(inventory, play.hosts, play.source);
  const hostvars = {};
  let knownHosts;
  const factVars = new Set();
  for (const host of hosts) {
    const vars = taskVars({ inventory, host, play, playHosts: hosts });
    const s = connectionSettings(host, vars, dirname(inventory.file));
    knownHosts ??= s.knownHostsFile;
    const out = {
      ansible_host: s.address,
      ansible_port: s.port,
      ansible_user: s.user,
      ansible_ssh_private_key_file: s.privateKeyFile,
    };
    for (const [k, v] of Object.entries(vars)) {
      if (MAGIC.has(k) || k.startsWith('lbrun_') || k.startsWith('ansible_')) continue;
      const value = renderValue(v, vars, { file: inventory.file });
      if (hasUnknown(value)) factVars.add(k);
      else out[k] = value;
    }
    hostvars[host] = out;
  }
  const doc = { all: { children: { [play.hosts]: { hosts: hostvars } } } };
  writeFileSync(o.out, `${JSON.stringify(doc, null, 1)}\n`);
  return { hosts, group: play.hosts, knownHosts, factVars: [...factVars] };
}

function hasUnknown(v) {
  if (v instanceof Unknown) return true;
  if (Array.isArray(v)) return v.some(hasUnknown);
  if (v !== null && typeof v === 'object') return Object.values(v).some(hasUnknown);
  return false;
}
