// import_tasks / include_tasks / import_role / include_role and role meta dependencies through the CLI.
// test/fixtures/includes/site.yaml runs unchanged under ansible-playbook 2.14 with the same results
// and recap (checked when the fixture was written: ok=11 skipped=1 / ok=11 skipped=2).
import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import t from 'tap';
import { recap, runCli } from '../support/run-cli.js';

const FX = 'test/fixtures/includes';
const messages = (events: Array<Record<string, unknown>>, host: string) =>
  events.filter((e) => e.event === 'host_result' && e.host === host && e.status === 'ok' && typeof e.msg === 'string' && !e.msg.startsWith('included:')).map((e) => e.msg);

t.test('an Ansible-shaped playbook: dependencies, imports, includes with loop, role includes', async (t) => {
  const r = await runCli([`${FX}/site.yaml`, '-i', `${FX}/inventory.yaml`, '--json']);
  t.equal(r.code, 0, r.stderr);
  const common = ['base from-app', 'base default', 'app'];
  const tail = ['each a!', 'each b!'];
  t.same(messages(r.events, 'h1'), [...common, 'imported hello', 'two', ...tail, 'extra default', 'other included']);
  t.same(messages(r.events, 'h2'), [...common, ...tail, 'each z?', 'extra default', 'other included'], 'import when: applies to each imported task');
  t.same(recap(r).h1, { ok: 11, changed: 0, unreachable: 0, failed: 0, skipped: 1, rescued: 0, ignored: 0 });
  t.same(recap(r).h2, { ok: 11, changed: 0, unreachable: 0, failed: 0, skipped: 2, rescued: 0, ignored: 0 });
  const items = r.events.filter((e) => e.event === 'host_result' && e.task === 'include_tasks tasks/each.yaml' && e.host === 'h1' && e.item).map((e) => [e.item, e.msg]);
  t.same(items, [['a', `included: ${join(process.cwd(), FX, 'tasks/each.yaml')}`], ['b', `included: ${join(process.cwd(), FX, 'tasks/each.yaml')}`]], 'the include reports each loop item, like a task');
});

t.test('tags on import_tasks apply to every imported task', async (t) => {
  const r = await runCli([`${FX}/site.yaml`, '-i', `${FX}/inventory.yaml`, '--json', '--tags', 'imp', '--limit', 'h1']);
  t.equal(r.code, 0, r.stderr);
  t.same(messages(r.events, 'h1'), ['imported hello', 'two']);
});

t.test('include_tasks with a loop: --check reports the changes and writes nothing; the run writes them', async (t) => {
  const dir = t.testdir({
    'inv.yaml': 'all:\n  vars:\n    lbrun_connection: local\n  hosts:\n    h1: {}\n',
    'write.yaml': '- copy: { content: "{{ word }}\\n", dest: "{{ dir }}/{{ word }}.txt" }\n',
    'site.yaml': '- hosts: all\n  tasks:\n    - include_tasks: write.yaml\n      loop: [one, two]\n      loop_control: { loop_var: word }\n',
  });
  const args = [join(dir, 'site.yaml'), '-i', join(dir, 'inv.yaml'), '--json', '-e', `dir=${dir}`];
  const check = await runCli([...args, '--check']);
  t.equal(check.code, 0, check.stderr);
  t.equal(recap(check).h1.changed, 2);
  t.notOk(existsSync(join(dir, 'one.txt')), 'check mode wrote nothing');
  const real = await runCli(args);
  t.equal(recap(real).h1.changed, 2);
  t.equal(readFileSync(join(dir, 'two.txt'), 'utf8'), 'two\n');
  const again = await runCli(args);
  t.equal(recap(again).h1.changed, 0, 'converged');
});

t.test('offline: errors in imported and included files point at those files, exit 3', async (t) => {
  const dir = t.testdir({
    'inv.yaml': 'all:\n  vars:\n    lbrun_connection: local\n  hosts:\n    h1: {}\n',
    'imp.yaml': '- debug: { msg: ok }\n- debgu: { msg: typo }\n',
    'inc.yaml': '- name: bad expression\n  debug: { msg: "{{ nope }}" }\n',
    'site.yaml': [
      '- hosts: all',
      '  tasks:',
      '    - import_tasks: imp.yaml',
      '    - include_tasks: inc.yaml',
      '    - include_tasks: "{{ dyn }}.yaml"',
      '    - import_tasks: missing.yaml',
      '    - include_tasks: inc.yaml',
      '      notify: x',
      '    - import_role: { name: bse }',
      '',
    ].join('\n'),
    roles: { base: { 'tasks.yaml': '- debug: { msg: b }\n' } },
  });
  const r = await runCli(['validate', join(dir, 'site.yaml'), '-i', join(dir, 'inv.yaml')]);
  t.equal(r.code, 3, r.stdout);
  const out = r.stderr + r.stdout;
  t.match(out, `${join(dir, 'imp.yaml')}:2:3: unknown module 'debgu'`);
  t.match(out, `${join(dir, 'site.yaml')}:5:22: include_tasks file names must be static`);
  t.match(out, `${join(dir, 'site.yaml')}:6:21: import_tasks file not found`);
  t.match(out, `${join(dir, 'site.yaml')}:8:7: include_tasks does not take the task key 'notify'`);
  t.match(out, /role 'bse' not found .*did you mean 'base'/);
  // the included file is checked too once the loading errors are fixed
  const fixed = t.testdir({
    'inv.yaml': 'all:\n  vars:\n    lbrun_connection: local\n  hosts:\n    h1: {}\n',
    'inc.yaml': '- name: bad expression\n  debug: { msg: "{{ nope }}" }\n',
    'site.yaml': '- hosts: all\n  tasks:\n    - include_tasks: inc.yaml\n      loop: [1]\n',
  });
  const r2 = await runCli(['validate', join(fixed, 'site.yaml'), '-i', join(fixed, 'inv.yaml')]);
  t.equal(r2.code, 3);
  t.match(r2.stderr + r2.stdout, `${join(fixed, 'inc.yaml')}:2:21: undefined variable 'nope'`);
});

t.test('cycles: include_tasks of itself, a role depending on itself', async (t) => {
  const dir = t.testdir({
    'inv.yaml': 'all:\n  vars:\n    lbrun_connection: local\n  hosts:\n    h1: {}\n',
    'loop.yaml': '- include_tasks: loop.yaml\n',
    'site.yaml': '- hosts: all\n  roles: [a]\n  tasks:\n    - import_tasks: loop.yaml\n',
    roles: { a: { meta: { 'main.yml': 'dependencies: [b]\n' }, 'tasks.yaml': '- debug: {}\n' }, b: { 'meta.yaml': 'dependencies:\n  - role: a\n', 'tasks.yaml': '- debug: {}\n' } },
  });
  const r = await runCli(['validate', join(dir, 'site.yaml'), '-i', join(dir, 'inv.yaml')]);
  t.equal(r.code, 3);
  t.match(r.stderr + r.stdout, /loop\.yaml:1:18: include_tasks cycle/);
  t.match(r.stderr + r.stdout, /meta\.yaml:2:5: role dependency cycle: a -> b -> a/);
});

t.test('a dependency runs once per play unless allow_duplicates', async (t) => {
  const dir = t.testdir({
    'inv.yaml': 'all:\n  vars:\n    lbrun_connection: local\n  hosts:\n    h1: {}\n',
    'site.yaml': '- hosts: all\n  roles: [a, b, dup, dup]\n',
    roles: {
      common: { 'tasks.yaml': '- debug: { msg: common }\n' },
      a: { meta: { 'main.yaml': 'dependencies: [common]\n' }, 'tasks.yaml': '- debug: { msg: a }\n' },
      b: { meta: { 'main.yaml': 'dependencies: [common]\n' }, 'tasks.yaml': '- debug: { msg: b }\n' },
      dup: { meta: { 'main.yaml': 'allow_duplicates: true\n' }, 'tasks.yaml': '- debug: { msg: dup }\n' },
    },
  });
  const r = await runCli([join(dir, 'site.yaml'), '-i', join(dir, 'inv.yaml'), '--json']);
  t.equal(r.code, 0, r.stderr);
  t.same(messages(r.events, 'h1'), ['common', 'a', 'b', 'dup', 'dup']);
});
