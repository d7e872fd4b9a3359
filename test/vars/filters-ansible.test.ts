// Filters and tests against the real thing: the same expressions rendered by lbrun (through the CLI)
// and by ansible-playbook 2.14 (ansible.utils.ipaddr needs python3-netaddr) must give equal values.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { runCli } from '../support/run-cli.js';

const VARS = {
  xs: ['b', 'a', 'b', 'C'],
  nums: [3, 1, 2],
  users: [
    { name: 'al', on: true, n: 2, ip: '10.0.0.1' },
    { name: 'bo', on: false, ip: '10.0.0.2' },
    { name: 'cy', on: true, n: 5, ip: '10.0.1.3' },
  ],
  s: '  Mixed Case  ',
  empty: '',
  zero: 0,
  numstr: '42',
  flt: '3.7',
  vip: '10.213.0.210/24',
  csv: 'a,b,,c',
  m: { a: 1, b: [1, 2], c: { d: 'x' } },
  yes: 'yes',
  ver: '22.04',
};

export const EXPRESSIONS = [
  "undefined_name | default('dflt')",
  "undefined_name | d('dflt')",
  "empty | default('dflt')",
  "empty | default('dflt', true)",
  "zero | default(7, true)",
  "m.nope | default('x')",
  "m.c.d | default('x')",
  "xs | join(',')",
  "xs | join",
  "xs | length",
  "m | length",
  "xs | count",
  "s | lower",
  "s | upper",
  "s | trim",
  "numstr | int + 1",
  "flt | int",
  "'abc' | int",
  "'abc' | int(5)",
  "flt | float",
  "yes | bool",
  "'off' | bool",
  "zero | bool",
  "xs | unique",
  "xs | unique | sort",
  "xs | sort(case_sensitive=true)",
  "nums | sort(reverse=true)",
  "xs | difference(['b'])",
  "xs | union(['z', 'a'])",
  "xs | intersect(['a', 'C', 'q'])",
  "users | map(attribute='name') | list",
  "users | map(attribute='name') | map('upper') | list",
  "users | selectattr('on') | map(attribute='name') | list",
  "users | rejectattr('on') | map(attribute='name') | list",
  "users | selectattr('n', 'defined') | map(attribute='n') | list",
  "users | selectattr('name', 'equalto', 'bo') | map(attribute='ip') | first",
  "users | selectattr('name', '==', 'cy') | list | length",
  "users | rejectattr('name', 'in', ['al', 'bo']) | map(attribute='name') | list",
  "users | selectattr('ip', 'match', '10[.]0[.]0[.]') | map(attribute='name') | join(' ')",
  "users | selectattr('ip', 'search', '1$') | map(attribute='name') | list",
  "xs | select('equalto', 'b') | list",
  "nums | first",
  "nums | last",
  "nums | min",
  "nums | max",
  "nums | sum",
  "xs | list",
  "nums | string",
  "'a-b-c' | replace('-', '+')",
  "'a-b-c' | replace('-', '+', 1)",
  "'host-01.lab' | regex_replace('^host-(\\d+)\\..*$', 'node\\1')",
  "'abc123def' | regex_search('\\d+')",
  "'abc' | regex_search('\\d+')",
  "'a.b' | regex_replace('\\.', '\\n')",
  "\"it's\" ~ '\\t'",
  "csv | split(',')",
  "'a b  c ' | split",
  "m | to_json",
  "m | to_json(sort_keys=true)",
  "'hello' | b64encode",
  "'aGVsbG8=' | b64decode",
  "'/etc/keepalived/keepalived.conf' | basename",
  "'/etc/keepalived/keepalived.conf' | dirname",
  "zero | ternary('yes', 'no')",
  "m | dict2items",
  "[{'key': 'k', 'value': 1}] | items2dict",
  "m | combine({'a': 2})",
  "[[1, [2]], 3] | flatten",
  "(nums | sort | first) + 10",
  "not empty | bool",
  "'x' ~ zero ~ 'y'",
  "xs | length > 3 and nums | sum == 6",
  "undefined_name is defined",
  "empty is not none",
  "ver is version('20.04', '>=')",
  "ver is version('24.04', '<')",
  "vip | ansible.utils.ipaddr('network')",
  "vip | ipaddr('prefix')",
  "vip | ansible.utils.ipaddr('netmask')",
  "vip | ansible.utils.ipaddr('address')",
  "vip | ansible.utils.ipaddr('broadcast')",
  "vip | ansible.utils.ipaddr('network/prefix')",
  "users | map(attribute='ip') | ansible.utils.ipaddr('address') | list",
  "'nope' | ansible.utils.ipaddr",
  // Jinja's inline if
  "'big' if nums | length > 2 else 'small'",
  "'a' if zero else 'b' if empty else 'c'",
  "'a' if zero == 1 else 'b' if zero == 0 else 'c'",
  "(('y' if not empty else 'z') | upper) ~ '!'",
  "undefined_name if undefined_name is defined else 'dflt'",
  "xs | select('equalto', 'b') | list if m.a == 1 else []",
  "'on' if yes | bool and m.c.d == 'x' else 'off'",
  "users | selectattr('on') | list | length if xs else 0",
];

const ansible = spawnSync('ansible-playbook', ['--version'], { encoding: 'utf8' });

t.test('every expression renders to what ansible-playbook renders', { skip: ansible.status !== 0 ? 'ansible-playbook is not installed' : false }, async (t) => {
  const tasks = EXPRESSIONS.map((e, i) => `    - name: x${i}\n      debug:\n        msg: '{{ (${e.replace(/'/g, "''")}) | to_json }}'\n`).join('');
  const dir = t.testdir({
    'inv.yaml': 'all:\n  hosts:\n    h1:\n      lbrun_connection: local\n      ansible_connection: local\n      ansible_python_interpreter: /usr/bin/python3\n',
    'site.yaml': `- hosts: all\n  gather_facts: false\n  vars: ${JSON.stringify(VARS)}\n  tasks:\n${tasks}`,
  });
  const ours = await runCli([join(dir, 'site.yaml'), '-i', join(dir, 'inv.yaml'), '--json']);
  t.equal(ours.code, 0, ours.stdout.slice(-2000) + ours.stderr);
  const theirs = spawnSync('ansible-playbook', ['-i', join(dir, 'inv.yaml'), join(dir, 'site.yaml')], {
    encoding: 'utf8',
    env: { ...process.env, ANSIBLE_STDOUT_CALLBACK: 'json', ANSIBLE_NOCOLOR: '1', ANSIBLE_DEPRECATION_WARNINGS: 'false' },
    cwd: dir,
  });
  t.equal(theirs.status, 0, theirs.stdout.slice(-3000) + theirs.stderr);
  const report = JSON.parse(theirs.stdout.slice(theirs.stdout.indexOf('{'))) as { plays: Array<{ tasks: Array<{ task: { name: string }; hosts: { h1: { msg: string } } }> }> };
  const want = new Map(report.plays[0].tasks.map((x) => [x.task.name, x.hosts.h1.msg]));
  const got = new Map(ours.events.filter((e) => e.event === 'host_result').map((e) => [e.task as string, e.msg as string]));
  EXPRESSIONS.forEach((e, i) => {
    t.same(JSON.parse(got.get(`x${i}`) ?? 'null'), JSON.parse(want.get(`x${i}`) ?? 'null'), e);
  });
});
