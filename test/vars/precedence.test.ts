import { join } from 'node:path';
import t from 'tap';
import { loadInventory } from '../../src/inventory/load.js';
import { loadPlaybook } from '../../src/playbook/load.js';
import { taskVars } from '../../src/vars/precedence.js';

/**
 * Layers low to high. Variable bK is set to 'low' in layer K and 'high' in layer K+1, so each
 * boundary is its own assertion; onlyK is set in layer K alone.
 */
const LAYERS = [
  'role defaults',
  'group all',
  'parent group',
  'child group',
  'host vars',
  'host_vars file',
  'vars_files',
  'play vars',
  'role vars',
  'task vars',
  'registered',
  'extra vars',
];

function layer(k: number): Record<string, string> {
  const out: Record<string, string> = { [`only${k}`]: LAYERS[k] };
  if (k < LAYERS.length - 1) out[`b${k}`] = 'low';
  if (k > 0) out[`b${k - 1}`] = 'high';
  return out;
}
const yaml = (o: Record<string, string>) => JSON.stringify(o);

t.test('precedence, one assertion per layer boundary', async (t) => {
  const dir = t.testdir({
    'inv.yaml': `all:\n  vars: ${yaml(layer(1))}\n  children:\n    parent:\n      vars: ${yaml(layer(2))}\n      children:\n        child:\n          vars: ${yaml(layer(3))}\n          hosts:\n            h1: ${yaml(layer(4))}\n            h2:\n`,
    host_vars: { 'h1.yaml': yaml(layer(5)) },
    'vf.yaml': yaml(layer(6)),
    'playbook.yaml': `- hosts: all\n  vars_files: [vf.yaml]\n  vars: ${yaml(layer(7))}\n  roles: [r]\n`,
    roles: { r: { 'defaults.yaml': yaml(layer(0)), 'vars.yaml': yaml(layer(8)), 'tasks.yaml': `- debug: { msg: hi }\n  vars: ${yaml(layer(9))}\n` } },
  });
  const inventory = await loadInventory(join(dir, 'inv.yaml'));
  const pb = await loadPlaybook(join(dir, 'playbook.yaml'));
  const play = pb.plays[0];
  const vars = taskVars({ inventory, host: 'h1', play, task: play.tasks[0], registered: layer(10), extraVars: layer(11) });
  for (let k = 0; k < LAYERS.length - 1; k++) {
    t.equal(vars[`b${k}`], 'high', `${LAYERS[k + 1]} beats ${LAYERS[k]}`);
  }
  for (let k = 0; k < LAYERS.length; k++) t.equal(vars[`only${k}`], LAYERS[k], `${LAYERS[k]} is visible`);
  const other = taskVars({ inventory, host: 'h2', play, task: play.tasks[0] });
  t.equal(other.b3, 'low', "another host does not see h1's vars");
  t.equal(other.only4, undefined);
});

t.test('magic variables', async (t) => {
  process.env.LBRUN_MARK = 'yes';
  process.env.NOT_LBRUN = 'no';
  const dir = t.testdir({
    'inv.yaml': 'all:\n  children:\n    lb:\n      hosts:\n        lb-01: { prio: 1, secret_vars: [token] }\n        lb-02: { prio: 2 }\n  vars: { secret_vars: [password] }\n',
    'playbook.yaml': '- hosts: lb\n  tasks:\n    - debug: { msg: hi }\n      vars: { secret_vars: [key] }\n',
  });
  const inventory = await loadInventory(join(dir, 'inv.yaml'));
  const play = (await loadPlaybook(join(dir, 'playbook.yaml'))).plays[0];
  const v = taskVars({ inventory, host: 'lb-01', play, task: play.tasks[0], check: true, extraVars: { inventory_hostname: 'spoof' } });
  t.equal(v.inventory_hostname, 'lb-01', 'magic variables cannot be overridden');
  t.same(v.groups, { all: ['lb-01', 'lb-02'], lb: ['lb-01', 'lb-02'] });
  t.same(v.group_names, ['lb']);
  t.match(v.hostvars, { 'lb-02': { prio: 2, inventory_hostname: 'lb-02' } });
  t.same(v.play_hosts, ['lb-01', 'lb-02']);
  t.equal(v.lbrun_check_mode, true);
  t.equal((v.env as Record<string, string>).LBRUN_MARK, 'yes');
  t.ok(Object.keys(v.env as object).every((k) => k.startsWith('LBRUN_')), 'only LBRUN_ environment variables');
  t.same((v.secret_vars as string[]).sort(), ['key', 'token'], 'secret_vars of every layer are united');
  const w = taskVars({ inventory, host: 'lb-02', play, playHosts: ['lb-02'] });
  t.same(w.play_hosts, ['lb-02']);
  t.equal(w.lbrun_check_mode, false);
  t.same(w.secret_vars, ['password']);
});
