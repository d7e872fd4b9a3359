/**
 * Taint marks what is computed from a secret, and only that: a map or list that merely holds a
 * secret somewhere (hostvars, a group's vars) does not make every value read through it secret.
 * Real CLI, local connection.
 */
import t from 'tap';
import { join } from 'node:path';
import { runCli } from '../support/run-cli.js';

const INVENTORY = `all:
  vars:
    lbrun_connection: local
    secret_vars: [pw, creds]
    pw: "s3cret-canary-77"
    creds: ["alpha-canary-1", "beta-canary-2"]
  hosts:
    a: { addr: "10.9.9.1" }
    b: { addr: "10.9.9.2" }
`;

const PLAYBOOK = `- hosts: all
  vars:
    peers: "{{ groups['all'] | map('extract', hostvars, 'addr') | list }}"
    up: "{{ pw | upper }}"
    joined: "{{ creds | join('+') | upper }}"
  tasks:
    - debug: { msg: "peers={{ peers | join(',') }} addr={{ addr }}" }
    - debug: { msg: "up={{ up }} joined={{ joined }}" }
    - set_fact: { low: "{{ pw | lower | replace('-', '_') }}" }
    - debug: { msg: "low={{ low }}" }
`;

t.test('values read through hostvars stay visible; strings computed from secrets are masked', async (t) => {
  const dir = t.testdir({ 'inv.yaml': INVENTORY, 'site.yaml': PLAYBOOK });
  const r = await runCli([join(dir, 'site.yaml'), '-i', join(dir, 'inv.yaml'), '-v']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, 'peers=10.9.9.1,10.9.9.2 addr=10.9.9.1', 'addresses read through hostvars are shown');
  t.match(r.stdout, 'up=******** joined=********', 'upper() of a secret and a join of secrets are masked');
  t.match(r.stdout, 'low=********', 'a set_fact derived from a secret is masked');
  for (const leak of ['S3CRET-CANARY-77', 'ALPHA-CANARY-1', 's3cret_canary_77', 's3cret-canary-77', 'alpha-canary-1']) {
    t.notOk(r.stdout.includes(leak) || r.stderr.includes(leak), `no ${leak}`);
  }
});

t.test('a filter name is not a variable; names in its arguments are', async (t) => {
  const dir = t.testdir({
    'inv.yaml': 'all:\n  vars: { lbrun_connection: local }\n  hosts: { h1: { x: "a" } }\n',
    'ok.yaml': `- hosts: h1\n  tasks:\n    - debug: { msg: "{{ x | upper | trim }}" }\n    - set_fact: { y: "{{ x | default('b') | lower }}" }\n    - debug: { msg: "{{ {'k': y} | dict2items | length }}" }\n`,
    'bad.yaml': `- hosts: h1\n  tasks:\n    - debug: { msg: "{{ x | default(nosuch) }}" }\n`,
  });
  const ok = await runCli(['validate', join(dir, 'ok.yaml'), '-i', join(dir, 'inv.yaml')]);
  t.equal(ok.code, 0, ok.stderr);
  const bad = await runCli(['validate', join(dir, 'bad.yaml'), '-i', join(dir, 'inv.yaml')]);
  t.equal(bad.code, 3);
  t.match(bad.stderr, /bad\.yaml:3:\d+: undefined variable 'nosuch'/);
});
