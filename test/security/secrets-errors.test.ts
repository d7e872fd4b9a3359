/**
 * Error messages of every command quote input values through the same redactor: the project's
 * secrets are learnt even from files that do not load (an absolute vars_files written as a list,
 * a playbook with a YAML error), the become password is masked in validate, and a crash is printed
 * through the sink too. Real CLI, local connection.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { runCli } from '../support/run-cli.js';

const BECOME = 'become-canary-55e1';
const env = { LBRUN_BECOME_PASSWORD: BECOME };

function project(t: Test, playbook: string, extra: Record<string, string> = {}) {
  const dir = t.testdir({
    'inv.yaml': 'all:\n  vars: { lbrun_connection: local, secret_vars: [pw, token] }\n  hosts: { h1: {} }\n',
    'site.yaml': playbook,
    ...extra,
  });
  return { dir, args: (cmd: string[]) => [...cmd, join(dir, 'site.yaml'), '-i', join(dir, 'inv.yaml')] };
}

t.test('a vars_files file anywhere, written as a list: validate and run mask its values', async (t) => {
  // a directory of its own, away from the project
  const outside = mkdtempSync(join(tmpdir(), 'lbrun-abs-vars-'));
  t.teardown(() => rmSync(outside, { recursive: true, force: true }));
  writeFileSync(join(outside, 'abs-vars.yaml'), '- token: abs-token-canary-991\n');
  const { args } = project(t, `- hosts: h1\n  vars_files: [${join(outside, 'abs-vars.yaml')}]\n  tasks: [{ debug: { msg: hi } }]\n`);
  for (const cmd of [['validate'], [], ['render', '--out', join(outside, 'r')]]) {
    const r = await runCli(cmd[0] === 'render' ? ['render', ...args([]).slice(0, 3), ...cmd.slice(1)] : args(cmd), { env });
    t.equal(r.code, 3, `${cmd.join(' ') || 'run'}: exit 3`);
    t.match(r.stderr, /abs-vars\.yaml:1:1: .*\*{8}/, 'the error names the file and shows the value masked');
    t.notMatch(r.stdout + r.stderr, 'abs-token-canary-991');
  }
});

t.test('an expression error quoting the become password, and a value computed from a secret', async (t) => {
  const { args } = project(
    t,
    `- hosts: h1\n  vars: { pw: pw-canary-4411 }\n  tasks:\n    - debug: { msg: "{{ int(env.LBRUN_BECOME_PASSWORD) }}" }\n    - debug: { msg: "{{ int(upper(pw)) }}" }\n`,
  );
  for (const cmd of [['validate'], []]) {
    const r = await runCli(args(cmd), { env });
    t.equal(r.code, 3);
    t.match(r.stderr, 'int() cannot convert ********');
    for (const leak of [BECOME, 'PW-CANARY-4411', 'pw-canary-4411']) t.notMatch(r.stdout + r.stderr, leak);
  }
});

t.test('a playbook that does not parse: its secrets are still known', async (t) => {
  const { args } = project(t, `- hosts: h1\n  vars:\n    pw: yaml-broken-canary-77\n    again: "yaml-broken-canary-77"\n  tasks: [{ debug: { msg: hi } }]\n  bad: *nope\n`);
  const r = await runCli(args(['validate']), { env });
  t.equal(r.code, 3);
  t.notMatch(r.stdout + r.stderr, 'yaml-broken-canary-77');
});

t.test('--list-tasks: a default name cut in the middle of a secret shows no part of it', async (t) => {
  const secret = 'list-canary-secret-value-0042';
  const { args } = project(
    t,
    `- hosts: h1\n  vars: { pw: ${secret} }\n  tasks:\n    - debug: { msg: "${'x'.repeat(50)}${secret}" }\n    - set_fact: { up: "{{ upper(pw) }}" }\n`,
  );
  const r = await runCli(args(['--list-tasks']), { env });
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, `${'x'.repeat(50)}********...`);
  for (const part of [secret.slice(0, 3), secret.slice(0, 7)]) t.notMatch(r.stdout, `x${part}`, `no beginning ${part}`);
  const run = await runCli(args(['-v']), { env });
  t.equal(run.code, 0, run.stderr);
  t.notMatch(run.stdout + run.stderr, secret.toUpperCase(), 'set_fact-derived value, also in its automatic task name');
  t.notMatch(run.stdout + run.stderr, 'x'.repeat(50) + secret.slice(0, 3));
});
