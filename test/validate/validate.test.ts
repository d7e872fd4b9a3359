import { join } from 'node:path';
import t, { type Test } from 'tap';
import { InputErrors } from '../../src/errors.js';
import { validateProject } from '../../src/validate/walk.js';

const PROJECT = join(import.meta.dirname, '../fixtures/load/project');
const INVENTORY = join(import.meta.dirname, '../fixtures/load/inventory/hosts.yaml');

t.test('the fixture project is valid for every host', async (t) => {
  const { playbook, inventory } = await validateProject({ playbookFile: join(PROJECT, 'playbooks/site.yaml'), inventoryFile: INVENTORY });
  t.equal(playbook.plays.length, 2);
  t.equal(inventory.hosts.size, 4);
});

/** A project whose templates/arguments use variables that only some hosts define. */
function project(t: Test) {
  return t.testdir({
    'inv.yaml': 'all:\n  hosts:\n    a: { port: 1, mode_var: "0644" }\n    b: { port: 2 }\n    c: {}\n',
    'playbook.yaml': [
      '- hosts: all',
      '  tasks:',
      '    - command: echo {{ port }}',
      '      register: out',
      '    - name: behind a false when',
      '      template: { src: t.mustache, dest: /etc/t }',
      '      when: inventory_hostname == "nobody"',
      '    - name: depends on a registered result',
      '      debug: { msg: "{{ out.stdout }}" }',
      '      when: out.rc == 0',
      '    - template: { src: t.mustache, dest: "/etc/{{ inventory_hostname }}.conf", mode: "{{ mode_var }}" }',
      '      when: port is defined',
      '    - template: { src: missing.mustache, dest: /etc/x }',
      '      when: inventory_hostname == "a"',
      '',
    ].join('\n'),
    templates: { 't.mustache': 'port {{port}}\nname {{name}}\n' },
  });
}

t.test('collects every error: templated args, template files, missing templates, per host', async (t) => {
  const dir = project(t);
  const err = await validateProject({ playbookFile: join(dir, 'playbook.yaml'), inventoryFile: join(dir, 'inv.yaml') }).catch((e: unknown) => e);
  t.ok(err instanceof InputErrors, 'several errors at once');
  t.equal((err as InputErrors).exitCode, 3);
  const msgs = (err as InputErrors).errors.map((e) => e.message.split(dir + '/').join(''));
  t.same(msgs, [
    `playbook.yaml:3:24: undefined variable 'port' (in "port") [host c]`,
    `playbook.yaml:11:90: undefined variable 'mode_var' (in "mode_var") [host b]`,
    `playbook.yaml:13:24: template 'missing.mustache' not found [host a]; expected a file at one of: templates/missing.mustache, missing.mustache`,
    `templates/t.mustache:2:6: undefined variable 'name' in template [host a]; expected 'name' defined (give it a default: false, [] or "")`,
  ]);
});

t.test('--limit restricts the hosts walked', async (t) => {
  const dir = project(t);
  const err = await validateProject({ playbookFile: join(dir, 'playbook.yaml'), inventoryFile: join(dir, 'inv.yaml'), limit: 'c', extraVars: { name: 'x' } }).catch((e: unknown) => e);
  t.match((err as Error).message, /^[^\n]*playbook\.yaml:3:24: undefined variable 'port' \(in "port"\) \[host c\]$/);
  const onlyA = (await validateProject({ playbookFile: join(dir, 'playbook.yaml'), inventoryFile: join(dir, 'inv.yaml'), limit: 'a', extraVars: { name: 'x' } }).catch((e: unknown) => e)) as Error;
  t.match(onlyA.message, /^[^\n]*playbook\.yaml:13:24: template 'missing\.mustache' not found \[host a\]/, 'host a alone: only its own problem');
  await t.rejects(validateProject({ playbookFile: join(dir, 'playbook.yaml'), inventoryFile: join(dir, 'inv.yaml'), limit: 'zz' }), { message: /^--limit:1:1: host pattern "zz": no host or group named 'zz'/ });
});

t.test('rendered arguments are validated against the module schema', async (t) => {
  const dir = t.testdir({
    'inv.yaml': 'all:\n  hosts:\n    a: { keep: maybe }\n',
    'playbook.yaml': '- hosts: all\n  tasks:\n    - template: { src: t.mustache, dest: /etc/t, backup: "{{ keep }}" }\n',
    't.mustache': 'x\n',
  });
  await t.rejects(validateProject({ playbookFile: join(dir, 'playbook.yaml'), inventoryFile: join(dir, 'inv.yaml') }), {
    message: `${join(dir, 'playbook.yaml')}:3:58: invalid value "maybe" [host a] (at /backup); expected true or false`,
  });
});

t.test('load errors of the playbook and the inventory are reported together', async (t) => {
  const dir = t.testdir({ 'inv.yaml': 'all:\n  hosts: [a]\n', 'playbook.yaml': '- hosts: all\n  tasks:\n    - debugg: {}\n' });
  const err = (await validateProject({ playbookFile: join(dir, 'playbook.yaml'), inventoryFile: join(dir, 'inv.yaml') }).catch((e: unknown) => e)) as InputErrors;
  t.same(err.errors.map((e) => `${e.source.file.replace(dir + '/', '')}:${e.source.line}`), ['playbook.yaml:3', 'inv.yaml:2']);
});

t.test('loops, set_fact and meta are walked like a run would', async (t) => {
  const dir = t.testdir({
    'inv.yaml': 'all:\n  hosts:\n    a: { users: [ann, bob] }\n',
    'playbook.yaml': [
      '- hosts: all',
      '  tasks:',
      '    - set_fact: { greeting: "hi {{ users[0] }}" }',
      '    - debug: { msg: "{{ greeting }} {{ person }}" }',
      '      loop: "{{ users }}"',
      '      loop_control: { loop_var: person }',
      '    - command: cat /etc/hostname',
      '      register: hn',
      '    - set_fact: { short: "{{ hn.stdout }}" }',
      '    - debug: { msg: "{{ short }} {{ item }}" }',
      '      loop: "{{ hn.stdout_lines }}"',
      '    - meta: flush_handlers',
      '    - debug: { msg: "{{ item.nope }}" }',
      '      loop: [{ x: 1 }]',
      '',
    ].join('\n'),
  });
  const err = (await validateProject({ playbookFile: join(dir, 'playbook.yaml'), inventoryFile: join(dir, 'inv.yaml') }).catch((e: unknown) => e)) as Error;
  t.equal(err.message, `${join(dir, 'playbook.yaml')}:13:25: 'item' has no key 'nope' (in "item.nope") [host a]`, 'only the real problem: facts and registered values are known names');
});

t.test('a missing copy src is found offline, in files/ of the role and the project', async (t) => {
  const dir = t.testdir({
    'inv.yaml': 'all:\n  hosts:\n    a:\n',
    'playbook.yaml': '- hosts: all\n  tasks:\n    - copy: { src: present.txt, dest: /etc/p }\n    - copy: { src: absent.txt, dest: /etc/a }\n',
    files: { 'present.txt': 'x\n' },
  });
  await t.rejects(validateProject({ playbookFile: join(dir, 'playbook.yaml'), inventoryFile: join(dir, 'inv.yaml') }), {
    message: `${join(dir, 'playbook.yaml')}:4:20: file 'absent.txt' not found [host a]; expected a file at one of: ${join(dir, 'files/absent.txt')}, ${join(dir, 'absent.txt')}`,
  });
});

t.test('names in sections that render nothing offline: a flag from an expression is known, a misspelling inside a fact or result is refused', async (t) => {
  const template = [
    '{{#ansible_default_ipv4}}{{address}} {{prefix}}{{/ansible_default_ipv4}}', // fact keys
    '{{#out}}{{stdout}} {{rc}}{{/out}}', // result keys
    '{{#ansible_default_ipv4}}{{peer_note}}{{/ansible_default_ipv4}}', // a key of a map in the data
    '{{#use_auth}}auth {{pas}}{{/use_auth}}', // the flag is '' from an expression: a known false flag
    '{{#ansible_default_ipv4}}{{src_ipp}}{{/ansible_default_ipv4}}', // near src_ip, in no map
    '',
  ].join('\n');
  const dir = t.testdir({
    'inv.yaml': 'all:\n  hosts:\n    a: { src_ip: 10.0.0.1, pass: s3cret, peers: [{ peer_note: x }] }\n',
    'playbook.yaml': [
      '- hosts: all',
      '  vars:',
      '    use_auth: "{{ env.LBRUN_TEST_NOT_SET_ANYWHERE is defined and env.LBRUN_TEST_NOT_SET_ANYWHERE or \'\' }}"',
      '  tasks:',
      '    - command: hostname',
      '      register: out',
      '    - template: { src: t.mustache, dest: /etc/t }',
      '',
    ].join('\n'),
    templates: { 't.mustache': template },
  });
  const err = (await validateProject({ playbookFile: join(dir, 'playbook.yaml'), inventoryFile: join(dir, 'inv.yaml') }).catch((e: unknown) => e)) as InputErrors;
  t.ok(err instanceof InputErrors, 'refused');
  const msgs = err.errors.map((e) => e.message.split(dir + '/').join(''));
  t.equal(msgs.length, 2, msgs.join('\n'));
  t.match(msgs[0], /^templates\/t\.mustache:4:19: undefined variable 'pas' in template \(did you mean 'pass'\?\) \(in a section that renders nothing/);
  t.match(msgs[1], /^templates\/t\.mustache:5:26: undefined variable 'src_ipp' in template \(did you mean 'src_ip'\?\): it is no variable, and no key of any map in the data/);
});
