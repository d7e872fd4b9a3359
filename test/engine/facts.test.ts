// Facts on demand through the CLI (local connection): gathered in one command the first time a task of
// the host reads them (also another host's, through hostvars), never when no task does; unknown offline.
import { execFileSync } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { recap, runCli } from '../support/run-cli.js';
import { FACTS_SCRIPT, parseFacts } from '../../src/engine/facts.js';

const INV = 'all:\n  vars:\n    lbrun_connection: local\n  children:\n    lbs:\n      hosts:\n        h1: {}\n        h2: {}\n';
const route = execFileSync('sh', ['-c', 'ip -4 route show default | head -n 1'], { encoding: 'utf8' });
const dev = /dev\s+(\S+)/.exec(route)?.[1];
const address = dev ? /inet\s+([\d.]+)/.exec(execFileSync('ip', ['-o', '-4', 'addr', 'show', 'dev', dev], { encoding: 'utf8' }))?.[1] : undefined;

const stats = (events: Array<Record<string, unknown>>) => (events.find((e) => e.event === 'recap')?.stats ?? {}) as Record<string, { commands: number }>;

t.test('facts read by tasks: one command per host, values as the host reports them', { skip: dev ? false : 'no default IPv4 route here' }, async (t) => {
  const dir = t.testdir({
    'inv.yaml': INV,
    'site.yaml': [
      '- hosts: all',
      '  gather_facts: false',
      '  tasks:',
      '    - debug: { msg: "{{ ansible_default_ipv4.interface }} {{ ansible_default_ipv4.address }} {{ ansible_hostname }}" }',
      '    - debug: { msg: "{{ ansible_facts.distribution_version is version(\'1\', \'>=\') and ansible_memtotal_mb > 0 }}" }',
      "    - debug: { msg: \"{{ groups['lbs'] | difference([inventory_hostname]) | map('extract', hostvars, ['ansible_default_ipv4', 'address']) | list | join(',') }}\" }",
      '',
    ].join('\n'),
  });
  for (const check of [false, true]) {
    const r = await runCli([join(dir, 'site.yaml'), '-i', join(dir, 'inv.yaml'), '--json', ...(check ? ['--check'] : [])]);
    t.equal(r.code, 0, r.stdout + r.stderr);
    const msgs = r.events.filter((e) => e.event === 'host_result' && e.host === 'h1').map((e) => e.msg);
    t.same(msgs, [`${dev} ${address} ${hostname().split('.')[0]}`, 'true', address], check ? 'check mode gathers too' : 'run');
    t.same(Object.fromEntries(Object.entries(stats(r.events)).map(([h, s]) => [h, s.commands])), { h1: 1, h2: 1 }, 'one command per host, for all its fact reads');
    t.equal(recap(r).h1.ok, 3);
  }
});

t.test('no task reads facts: nothing is gathered', async (t) => {
  const dir = t.testdir({ 'inv.yaml': INV, 'site.yaml': '- hosts: all\n  tasks:\n    - debug: { msg: "{{ inventory_hostname }}" }\n' });
  const r = await runCli([join(dir, 'site.yaml'), '-i', join(dir, 'inv.yaml'), '--json']);
  t.equal(r.code, 0);
  t.same(stats(r.events), {}, 'no command ran');
});

t.test('offline: facts are unknown, a template that needs them is not rendered, the inventory may set them', async (t) => {
  const dir = t.testdir({
    'inv.yaml': INV.replace('h2: {}', 'h2: { ansible_default_ipv4: { interface: ens18 } }'),
    'templates': { 'x.conf.mustache': 'interface {{ansible_default_ipv4.interface}}\n' },
    'site.yaml': '- hosts: all\n  tasks:\n    - template: { src: x.conf.mustache, dest: /tmp/lbrun-never-written.conf }\n',
  });
  const v = await runCli(['validate', join(dir, 'site.yaml'), '-i', join(dir, 'inv.yaml')]);
  t.equal(v.code, 0, v.stderr);
  const out = join(dir, 'out');
  const r = await runCli(['render', join(dir, 'site.yaml'), '-i', join(dir, 'inv.yaml'), '--out', out]);
  t.equal(r.code, 0, r.stderr);
  const files = execFileSync('find', [out, '-type', 'f'], { encoding: 'utf8' }).trim().split('\n');
  t.equal(files.length, 1, 'only h2, whose inventory declares the fact, is rendered');
  t.match(files[0], /h2/);
  t.equal(execFileSync('cat', [files[0]], { encoding: 'utf8' }), 'interface ens18\n');
});

// The script the facts were first read with (10 processes): the reference the lean one must match.
const REFERENCE_SCRIPT = [
  'echo "hostname=$(hostname -s 2>/dev/null || hostname)"',
  'echo "fqdn=$(hostname -f 2>/dev/null || hostname)"',
  'echo "nodename=$(uname -n)"',
  'echo "route=$(ip -4 route show default 2>/dev/null | head -n 1)"',
  'ip -o -4 addr show 2>/dev/null | sed "s/^/addr=/"',
  'sed "s/^/os_/" /etc/os-release 2>/dev/null',
  'sed -n "s/^MemTotal: *\\([0-9]*\\).*/mem=\\1/p" /proc/meminfo',
  'echo "nproc=$(nproc 2>/dev/null)"',
].join('; ');

t.test('the facts script prints what the reference script prints, line for line', async (t) => {
  const run = (script: string) => execFileSync('sh', ['-c', script], { encoding: 'utf8' });
  const lean = run(FACTS_SCRIPT);
  t.equal(lean, run(REFERENCE_SCRIPT));
  t.same(parseFacts(lean), parseFacts(run(REFERENCE_SCRIPT)));
  t.match(lean, /^hostname=.+\nfqdn=.+\nnodename=.+\n/, 'control: it printed the names');
  t.match(lean, /\nos_ID=\w+\n/, 'control: and /etc/os-release');
  t.match(lean, /\nmem=\d+\n/, 'control: and the memory');
});
