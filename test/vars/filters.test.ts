// Filters through the CLI: offline checks (unknown filter with a suggestion, argument counts, unknown
// tests and ipaddr queries: exit 3 at file:line:column before any host), and Jinja precedence.
import { join } from 'node:path';
import t from 'tap';
import { runCli } from '../support/run-cli.js';

const INV = 'all:\n  vars:\n    lbrun_connection: local\n  hosts:\n    h1: {}\n';

t.test('bad filters are input errors at their line, found offline', async (t) => {
  const dir = t.testdir({
    'inv.yaml': INV,
    'site.yaml': [
      '- hosts: all',
      '  vars:',
      '    xs: [a]',
      '  tasks:',
      "    - debug: { msg: \"{{ xs | joni(',') }}\" }",
      "    - debug: { msg: \"{{ xs | join(',', 'x', 'y') }}\" }",
      "    - debug: { msg: \"{{ '10.0.0.1/24' | ansible.utils.ipaddr('netwrk') }}\" }",
      "    - debug: { msg: \"{{ xs | map('lowr') | list }}\" }",
      '',
    ].join('\n'),
  });
  for (const cmd of [['validate'], ['--json']]) {
    const r = await runCli(cmd[0] === 'validate' ? ['validate', join(dir, 'site.yaml'), '-i', join(dir, 'inv.yaml')] : [join(dir, 'site.yaml'), '-i', join(dir, 'inv.yaml'), '--json']);
    t.equal(r.code, 3, `${cmd.join(' ') || 'run'}: exit 3`);
    const out = r.stdout + r.stderr;
    const at = (line: number, col: number) => `${join(dir, 'site.yaml')}:${line}:${col}`;
    t.match(out, `${at(5, 30)}: invalid expression " xs | joni(',') ": unknown filter 'joni' (did you mean 'join'?)`);
    t.match(out, `${at(6, 24)}: invalid expression " xs | join(',', 'x', 'y') ": filter join takes at most 2 argument(s)`);
    t.match(out, /ipaddr: unknown query 'netwrk' \(did you mean 'network'\?\)/);
    t.match(out, /unknown filter 'lowr' in map\(\) \(did you mean 'lower'\?\)/);
    t.notOk(r.events.some((e) => e.event === 'host_result'), 'no host was touched');
  }
  const when = t.testdir({ 'inv.yaml': INV, 'site.yaml': "- hosts: all\n  tasks:\n    - debug: { msg: ok }\n      when: xs | selectattr('a', 'eqalto', 1) | list\n" });
  const r = await runCli(['validate', join(when, 'site.yaml'), '-i', join(when, 'inv.yaml')]);
  t.equal(r.code, 3);
  t.match(r.stderr, `${join(when, 'site.yaml')}:4:13: invalid expression "xs | selectattr('a', 'eqalto', 1) | list": unknown test 'eqalto' (did you mean 'equalto'?)`);
});

t.test('filters in when, loop and arguments; precedence as in Jinja', async (t) => {
  const dir = t.testdir({
    'inv.yaml': INV,
    'site.yaml': [
      '- hosts: all',
      '  vars:',
      "    peers: [{ name: lb-01, ip: 10.0.0.1 }, { name: lb-02, ip: 10.0.0.2 }, { name: lb-03 }]",
      "    port: '8404'",
      '  tasks:',
      "    - debug: { msg: \"{{ item }}\" }",
      "      loop: \"{{ peers | selectattr('ip', 'defined') | map(attribute='ip') | list }}\"",
      "      when: item | ipaddr('address') and port | int + 1 == 8405 and not missing | default(false) | bool",
      "    - debug: { msg: \"{{ peers | map(attribute='name') | map('upper') | join(',') }} {{ 1 + '2' | int }}\" }",
      '',
    ].join('\n'),
  });
  const r = await runCli([join(dir, 'site.yaml'), '-i', join(dir, 'inv.yaml'), '--json']);
  t.equal(r.code, 0, r.stdout + r.stderr);
  t.same(
    r.events.filter((e) => e.event === 'host_result' && e.msg).map((e) => e.msg),
    ['10.0.0.1', '10.0.0.2', 'LB-01,LB-02,LB-03 3'],
  );
});
