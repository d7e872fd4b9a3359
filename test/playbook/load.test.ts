import { join } from 'node:path';
import t from 'tap';
import { InputErrors } from '../../src/errors.js';
import { loadPlaybook } from '../../src/playbook/load.js';
import { loadError, loadTestPlaybook } from '../support/load-playbook.js';

const PROJECT = join(import.meta.dirname, '../fixtures/load/project');
const SITE = join(PROJECT, 'playbooks/site.yaml');

t.test('plays, imports, roles, tags and defaults are resolved', async (t) => {
  const pb = await loadPlaybook(SITE);
  t.equal(pb.projectDir, PROJECT, 'a playbook in playbooks/ has its parent as project');
  t.same(pb.plays.map((p) => p.name), ['Base', 'Web servers']);
  const [base, web] = pb.plays;
  t.same(base.tasks[0].tags, ['base', 'always'], 'import tags are inherited');
  t.same(web.tasks.map((x) => x.name), ['App config', 'Motd', 'debug extra', 'Say {{ greeting }}', 'command echo hi', 'Use the registered result']);
  t.same(web.tasks[1].tags, ['webplay', 'motd'], 'play -> role -> task');
  t.same(web.tasks[2].tags, ['webplay', 'extra']);
  t.same(web.tasks[2].when, ['enable_extra'], "a role entry's when applies to its tasks");
  t.same(web.tasks[4].args, { cmd: 'echo hi' }, 'free form normalised to the module key');
  t.equal(web.tasks[4].changedWhen, false);
  t.equal(web.tasks[4].register, 'out');
  t.same(web.serial, [1, '50%']);
  t.same(web.vars, { greeting: 'hello', enable_extra: false }, 'vars_files then vars');
  t.same(web.roles.map((r) => [r.name, r.defaults, r.vars]), [
    ['web', { app_port: 8080, backends: [] }, { app_name: 'shop' }],
    ['extra', {}, {}],
  ]);
  t.same(web.handlers.map((h) => [h.name, h.listen]), [['reload web', []], ['restart app', ['app changed']]]);
  t.same(web.tasks[0].notify, ['app changed']);
  t.equal(web.tasks[0].role?.name, 'web');
  t.equal(web.tasks[0].id, `${join(PROJECT, 'roles/web/tasks.yaml')}:1:3`);
  t.match(web.tasks[0].argSources.dest, { file: join(PROJECT, 'roles/web/tasks.yaml'), line: 4, column: 11 });
});

t.test('unknown module: at its key, with a suggestion', async (t) => {
  const msg = await loadError(t, { 'playbook.yaml': '- hosts: all\n  tasks:\n    - name: x\n      debugg: { msg: hi }\n' });
  t.match(msg, /^playbook\.yaml:4:7: unknown module 'debugg' \(did you mean 'debug'\?\); expected a module \(.*debug.*\)$/);
});

t.test('unknown task key next to a module: valid keys listed', async (t) => {
  const msg = await loadError(t, { 'playbook.yaml': '- hosts: all\n  tasks:\n    - debug: { msg: hi }\n      whne: x\n' });
  t.match(msg, /^playbook\.yaml:4:7: unknown task key 'whne' \(did you mean 'when'\?\); expected one of the task keys: name, when, loop, .*, vars, until, .*, and one module$/);
});

t.test('bad module arguments are checked against the module schema', async (t) => {
  const msg = await loadError(t, {
    'playbook.yaml': '- hosts: all\n  tasks:\n    - template:\n        src: a.mustache\n        dset: /etc/a\n',
  });
  t.match(msg, "playbook.yaml:3:7: missing key 'dest' (at /0/tasks/0/template); expected a key 'dest'");
  t.match(msg, "playbook.yaml:5:9: unknown key 'dset' (at /0/tasks/0/template/dset); expected no extra key 'dset' (did you mean 'dest'?)");
});

t.test('a templated argument is judged only after rendering', async (t) => {
  const pb = await loadTestPlaybook(t, '- hosts: all\n  tasks:\n    - template: { src: a, dest: /a, backup: "{{ keep }}" }\n');
  t.equal(pb.plays[0].tasks[0].args.backup, '{{ keep }}');
});

t.test('when syntax errors point at their line', async (t) => {
  const msg = await loadError(t, { 'playbook.yaml': '- hosts: all\n  tasks:\n    - debug: { msg: hi }\n      when:\n        - a == 1\n        - b ==\n' });
  t.match(msg, /^playbook\.yaml:6:14: invalid expression "b ==": /);
});

t.test('duplicate handler names in a play', async (t) => {
  const msg = await loadError(t, {
    'playbook.yaml': '- hosts: all\n  handlers:\n    - name: restart\n      debug: { msg: a }\n    - name: restart\n      debug: { msg: b }\n',
  });
  t.equal(msg, "playbook.yaml:5:7: duplicate handler name 'restart' (first defined at playbook.yaml:3:7); expected unique handler names in a play");
});

t.test('notify must name a handler or a listen topic', async (t) => {
  const msg = await loadError(t, {
    'playbook.yaml': '- hosts: all\n  tasks:\n    - debug: { msg: a }\n      notify: restart hapoxy\n  handlers:\n    - name: restart haproxy\n      debug: { msg: b }\n',
  });
  t.equal(msg, "playbook.yaml:4:15: notify 'restart hapoxy' names no handler of this play (did you mean 'restart haproxy'?); expected a handler name or listen topic: restart haproxy");
});

t.test('serial: schema shape and range', async (t) => {
  t.equal(
    await loadError(t, { 'playbook.yaml': '- hosts: all\n  serial: 0\n  tasks: []\n' }),
    'playbook.yaml:2:11: invalid value 0 (at /0/serial); expected a positive integer, a percentage like "30%", or a list of those',
  );
  t.equal(
    await loadError(t, { 'playbook.yaml': '- hosts: all\n  serial: [2, "150%"]\n  tasks: []\n' }),
    'playbook.yaml:2:11: invalid serial "150%"; expected a positive integer, a percentage like "30%" (above 0, at most 100), or a list of those',
  );
});

t.test('import cycles name the chain at the import line', async (t) => {
  const msg = await loadError(t, {
    'playbook.yaml': '- import_playbook: a.yaml\n',
    'a.yaml': '- hosts: all\n  tasks: []\n- import_playbook: playbook.yaml\n',
  });
  t.match(msg, /^a\.yaml:3:20: import_playbook cycle: .*playbook\.yaml -> .*a\.yaml -> .*playbook\.yaml; /);
  t.match(await loadError(t, { 'playbook.yaml': '- import_playbook: nope.yaml\n' }), /^playbook\.yaml:1:20: imported playbook not found: /);
});

t.test('a missing role is reported at the roles line with the roles available', async (t) => {
  const msg = await loadError(t, {
    'playbook.yaml': '- hosts: all\n  roles:\n    - haproxy\n    - keepalivd\n',
    roles: { haproxy: { 'tasks.yaml': '- debug: { msg: a }\n' }, keepalived: { 'tasks.yaml': '- debug: { msg: a }\n' } },
  });
  t.match(msg, /^playbook\.yaml:4:7: role 'keepalivd' not found in .*roles \(did you mean 'keepalived'\?\); expected one of the roles: haproxy, keepalived$/);
});

t.test('errors in role files name those files', async (t) => {
  const msg = await loadError(t, {
    'playbook.yaml': '- hosts: all\n  roles: [web]\n',
    roles: { web: { 'tasks.yaml': '- name: x\n  comand: ls\n', 'defaults.yaml': 'a: [\n' } },
  });
  t.match(msg, /roles\/web\/defaults\.yaml:1:4: YAML syntax error/);
  t.match(msg, /roles\/web\/tasks\.yaml:2:3: unknown module 'comand' \(did you mean 'command'\?\)/);
});

t.test('every error of every file is reported at once', async (t) => {
  const dir = t.testdir({
    'playbook.yaml': '- hosts: all\n  tsaks: []\n- hosts: all\n  tasks:\n    - debugg: {}\n    - command: {}\n',
  });
  const err = await loadPlaybook(join(dir, 'playbook.yaml')).catch((e: unknown) => e);
  t.ok(err instanceof InputErrors);
  t.same((err as InputErrors).errors.map((e) => `${e.source.line}:${e.source.column}`), ['2:3', '5:7', '6:7']);
});
