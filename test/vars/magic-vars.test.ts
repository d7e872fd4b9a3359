// Ansible's magic variables a playbook habitually uses: playbook_dir (the top playbook's, also in an
// imported one), inventory_dir and inventory_file, role_path and role_name inside a role,
// inventory_hostname_short. Through the real CLI on a local host; set_fact of one is refused.
import { join } from 'node:path';
import t from 'tap';
import { runCli } from '../support/run-cli.js';

t.test('playbook_dir, inventory_dir, inventory_file, role_path, role_name, inventory_hostname_short', async (t) => {
  const dir = t.testdir({
    inventory: { 'hosts.yaml': 'all:\n  hosts:\n    web1.example.org: { lbrun_connection: local }\n' },
    playbooks: {
      'site.yaml': '- import_playbook: more/other.yaml\n',
      more: { 'other.yaml': '- hosts: all\n  roles: [r]\n  tasks:\n    - name: top\n      debug: { msg: "{{ playbook_dir }}|{{ inventory_dir }}|{{ inventory_file }}|{{ inventory_hostname_short }}" }\n' },
    },
    roles: { r: { 'tasks.yaml': '- name: in role\n  debug: { msg: "{{ role_path }}|{{ role_name }}" }\n' } },
  });
  const r = await runCli([join(dir, 'playbooks/site.yaml'), '-i', join(dir, 'inventory/hosts.yaml'), '--json']);
  t.equal(r.code, 0, r.stderr);
  const msg = (task: string) => (r.events.find((e) => e.event === 'host_result' && e.task === task) as { msg?: string } | undefined)?.msg;
  t.equal(msg('top'), `${join(dir, 'playbooks')}|${join(dir, 'inventory')}|${join(dir, 'inventory/hosts.yaml')}|web1`);
  t.equal(msg('r : in role'), `${join(dir, 'roles/r')}|r`);
});

t.test('set_fact of a magic variable is refused before any host is contacted', async (t) => {
  const dir = t.testdir({
    'inv.yaml': 'all:\n  hosts:\n    a: { lbrun_connection: local }\n',
    'playbook.yaml': '- hosts: all\n  tasks:\n    - set_fact: { playbook_dir: /elsewhere }\n',
  });
  const r = await runCli([join(dir, 'playbook.yaml'), '-i', join(dir, 'inv.yaml')]);
  t.equal(r.code, 3, r.stdout);
  t.match(r.stderr, /playbook\.yaml:3:19: .*playbook_dir/);
});
