// Ansible's task-level `args:` keyword: merged into the module's arguments (free-form included), the
// module's own arguments winning; checked offline with the position of the key inside args:.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { loadError, loadTestPlaybook } from '../support/load-playbook.js';
import { runCli } from '../support/run-cli.js';

t.test('args: is merged under the module arguments, free-form included', async (t) => {
  const pb = await loadTestPlaybook(
    t,
    [
      '- hosts: all',
      '  tasks:',
      '    - command: pwd',
      '      args: { chdir: /tmp, creates: /x }',
      '    - command: { cmd: pwd, chdir: /var }',
      '      args: { chdir: /tmp }',
      '',
    ].join('\n'),
  );
  const [a, b] = pb.plays[0].tasks;
  t.same(a.args, { chdir: '/tmp', creates: '/x', cmd: 'pwd' });
  t.match(a.argSources.chdir, { line: 4, column: 22 }, 'an argument from args: is located inside args:');
  t.notOk('args' in (a.keySources ?? {}), 'args is not a task keyword the engine sees');
  t.same(b.args, { cmd: 'pwd', chdir: '/var' }, "the module's own argument wins, as in Ansible");
});

t.test('a bad argument inside args: is reported at its own line and column', async (t) => {
  const msg = await loadError(t, '- hosts: all\n  tasks:\n    - command: pwd\n      args:\n        chdirr: /tmp\n');
  t.match(msg, /^playbook\.yaml:5:9: .*chdirr/);
  const wrong = await loadError(t, '- hosts: all\n  tasks:\n    - command: pwd\n      args:\n        chdir: 5\n');
  t.match(wrong, /^playbook\.yaml:5:16: .*chdir/);
});

t.test('args: must be a map', async (t) => {
  const msg = await loadError(t, '- hosts: all\n  tasks:\n    - command: pwd\n      args: chdir=/tmp\n');
  t.match(msg, /^playbook\.yaml:4:13: .*expected a map of the module's arguments/);
  const list = await loadError(t, '- hosts: all\n  tasks:\n    - command: pwd\n      args: [a]\n');
  t.match(list, /^playbook\.yaml:4:13: /);
});

t.test('the CLI runs command with args: chdir and creates (local connection)', async (t) => {
  const dir = t.testdir({ 'inventory.yaml': 'all:\n  hosts:\n    localhost: { ansible_connection: local }\n' });
  writeFileSync(
    join(dir, 'playbook.yaml'),
    [
      '- hosts: all',
      '  tasks:',
      '    - command: pwd',
      '      args: { chdir: /tmp }',
      '      register: r',
      '    - copy: { content: "{{ r.stdout }}", dest: "{{ playbook_dir }}/out" }',
      '    - shell: echo ran >> ran',
      '      args: { chdir: "{{ playbook_dir }}", creates: "{{ playbook_dir }}/out" }',
      '',
    ]
      .join('\n')
      .replaceAll('{{ playbook_dir }}', dir),
  );
  const r = await runCli(['playbook.yaml', '-i', 'inventory.yaml'], { cwd: dir });
  t.equal(r.code, 0, r.stderr);
  t.equal(readFileSync(join(dir, 'out'), 'utf8'), '/tmp');
  t.throws(() => readFileSync(join(dir, 'ran')), 'creates from args: skipped the shell task');
});
