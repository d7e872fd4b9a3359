import { join } from 'node:path';
import t, { type Test } from 'tap';
import { validateDocument } from '../../src/load/schema.js';
import { loadYamlFile } from '../../src/load/yaml-file.js';

function errorsOf(t: Test, yaml: string, schema: 'playbook' | 'inventory') {
  const dir = t.testdir({ 'doc.yaml': yaml });
  return validateDocument(loadYamlFile(join(dir, 'doc.yaml')), schema).map((e) => e.message.replace(dir + '/', ''));
}

t.test('unknown play key: its line, the path, and a suggestion', async (t) => {
  const msgs = errorsOf(t, '- hosts: all\n  tsaks:\n    - debug: { msg: hi }\n', 'playbook');
  t.same(msgs, ["doc.yaml:2:3: unknown key 'tsaks' (at /0/tsaks); expected no extra key 'tsaks' (did you mean 'tasks'?)"]);
});

t.test('enum and type errors say what was expected in words', async (t) => {
  const msgs = errorsOf(t, '- hosts: all\n  connection: telnet\n  become: maybe\n  vars_files: vars.yaml\n', 'playbook');
  t.same(msgs, [
    'doc.yaml:2:15: invalid value "telnet" (at /0/connection); expected one of: ssh, local',
    'doc.yaml:3:11: invalid value "maybe" (at /0/become); expected true or false',
    'doc.yaml:4:15: invalid value "vars.yaml" (at /0/vars_files); expected a list of strings',
  ]);
});

t.test('missing required key points at the map', async (t) => {
  const msgs = errorsOf(t, '- name: no hosts\n  tasks: []\n', 'playbook');
  t.same(msgs, ["doc.yaml:1:3: missing key 'hosts' (at /0); expected a key 'hosts'"]);
});

t.test('alternatives: the error of the branch that fits, or the alternatives in words', async (t) => {
  const msgs = errorsOf(t, '- hosts: all\n  serial: [1, "abc"]\n  roles:\n    - { role: web, tagz: [x] }\n', 'playbook');
  t.same(msgs, [
    'doc.yaml:2:15: invalid value "abc" (at /0/serial/1); expected a positive integer or a percentage like "30%"',
    "doc.yaml:4:20: unknown key 'tagz' (at /0/roles/0/tagz); expected no extra key 'tagz' (did you mean 'tags'?)",
  ]);
});

t.test('several errors at once, in line order', async (t) => {
  const msgs = errorsOf(t, 'all:\n  hostz: {}\n  children:\n    web:\n      vars: [1]\n', 'inventory');
  t.equal(msgs.length, 2);
  t.match(msgs[0], "doc.yaml:2:3: unknown key 'hostz' (at /all/hostz); expected no extra key 'hostz' (did you mean 'hosts'?)");
  t.match(msgs[1], 'doc.yaml:5:13: invalid value [1] (at /all/children/web/vars); expected a map of variables');
});

t.test('import_playbook entries are validated as imports', async (t) => {
  const msgs = errorsOf(t, '- import_playbook: other.yaml\n  hosts: all\n', 'playbook');
  t.same(msgs, ["doc.yaml:2:3: unknown key 'hosts' (at /0/hosts); expected no extra key 'hosts' (valid keys: import_playbook, name, tags)"]);
});
