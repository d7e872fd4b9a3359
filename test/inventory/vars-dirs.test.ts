// group_vars/NAME/ and host_vars/NAME/ directories through the CLI: every YAML file inside, in lexical
// order (subdirectories included), above role defaults, as Ansible reads them.
import { join } from 'node:path';
import t from 'tap';
import { runCli } from '../support/run-cli.js';

const project = {
  'inv.yaml': 'all:\n  vars:\n    lbrun_connection: local\n  children:\n    web:\n      hosts:\n        w1: {}\n        w2: {}\n',
  group_vars: {
    'all.yaml': 'from_all_file: file\norder: all-file\n',
    all: { '10-first.yaml': 'order: first\nfrom_dir: a\n', '20-second.yml': 'order: second\n', 'notes.txt': 'order: ignored\n', '.hidden.yaml': 'order: hidden\n' },
    web: { 'main.yaml': 'color: blue\n', sub: { 'z.yaml': 'deep: true\n' } },
  },
  host_vars: { w2: { 'vars.yaml': 'color: red\n' } },
  roles: { r: { 'defaults.yaml': 'color: default\ndeep: false\n', 'tasks.yaml': '- debug: { msg: "{{ color }} {{ order }} {{ from_dir }} {{ from_all_file }} {{ deep }}" }\n' } },
  'site.yaml': '- hosts: web\n  roles: [r]\n',
};

t.test('directories are read in order and beat role defaults; host_vars dir beats group_vars', async (t) => {
  const dir = t.testdir(project);
  const r = await runCli([join(dir, 'site.yaml'), '-i', join(dir, 'inv.yaml'), '--json']);
  t.equal(r.code, 0, r.stderr);
  const msgs = Object.fromEntries(r.events.filter((e) => e.event === 'host_result').map((e) => [e.host, e.msg]));
  t.same(msgs, { w1: 'blue second a file true', w2: 'red second a file true' });
});

t.test('an error in a file of a group_vars directory names that file, exit 3', async (t) => {
  const dir = t.testdir({ ...project, group_vars: { web: { 'a.yaml': 'x: 1\n', 'b.yaml': 'x: 1\nx: 2\n' } } });
  const r = await runCli(['validate', join(dir, 'site.yaml'), '-i', join(dir, 'inv.yaml')]);
  t.equal(r.code, 3);
  t.match(r.stderr + r.stdout, `${join(dir, 'group_vars/web/b.yaml')}:2:1: duplicate key`);
});
