/**
 * A variable holding shell metacharacters ($(...), backticks, ;, quotes, newlines, |, &&) cannot run
 * a command on a host through any module argument that reaches a command line. Real runs over SSH
 * against a real sshd on loopback: each payload would create a marker file if it were executed;
 * the shell module (which runs its text through a shell by design) is the control that proves the
 * payloads work. Arguments the schemas refuse (user/group/hostname names, ...) must stop the run
 * before any host is contacted (exit 3).
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import { runCli } from '../support/run-cli.js';
import { startSshd } from '../support/sshd.js';

// isolateHostname: the sshd (and all it runs) has its own UTS namespace and /etc/hostname
const sshd = await startSshd('127.0.0.2', { isolateHostname: true });
t.teardown(async () => {
  await sshd.stop();
  try {
    execFileSync('userdel', ['lbrun-inj']);
  } catch {
    // never created: good
  }
});
const M = join(sshd.dir, 'markers');
const W = join(sshd.dir, 'work');
mkdirSync(M);
mkdirSync(W);
writeFileSync(join(sshd.dir, 't.mustache'), 'value: {{ item }}\n');

/** The payloads of one task: each creates M/pwned-<id>-<k> if a shell ever executes it. */
function payloads(id: string): string[] {
  const m = (k: number) => `${M}/pwned-${id}-${k}`;
  return [
    `$(touch ${m(1)})`,
    `\`touch ${m(2)}\``,
    `x; touch ${m(3)}`,
    `x' ; touch ${m(4)} ; echo '`,
    `x" ; touch ${m(5)} ; echo "`,
    `x\ntouch ${m(6)}`,
    `x | touch ${m(7)}`,
    `x && touch ${m(8)}`,
    `x\`touch ${m(9)}\`$(touch ${m(10)})'"\\`,
  ];
}

/** Module arguments that reach a command line on the host, each fed every payload. */
const REACH: Record<string, Record<string, unknown>> = {
  'command-free-form': { command: 'echo {{ item }}' },
  'command-argv': { command: { argv: ['echo', '{{ item }}'] } },
  'command-chdir': { command: { cmd: 'true', chdir: '{{ item }}' } },
  'command-creates': { command: { cmd: 'true', creates: '{{ item }}' } },
  'command-removes': { command: { cmd: 'true', removes: '{{ item }}' } },
  'file-path': { file: { path: `${W}/f-{{ item }}`, state: 'touch' } },
  'file-owner': { file: { path: `${W}/owned`, state: 'touch', owner: '{{ item }}' } },
  'file-group': { file: { path: `${W}/grouped`, state: 'touch', group: '{{ item }}' } },
  'file-link-src': { file: { path: `${W}/link`, state: 'link', src: '{{ item }}' } },
  'copy-dest': { copy: { content: 'x\n', dest: `${W}/c-{{ item }}` } },
  'copy-owner': { copy: { content: 'x\n', dest: `${W}/c-owned`, owner: '{{ item }}' } },
  'template-dest': { template: { src: join(sshd.dir, 't.mustache'), dest: `${W}/t-{{ item }}` } },
  'lineinfile-line': { lineinfile: { path: `${W}/lines`, line: '{{ item }}', create: true } },
  'apt-name': { apt: { name: '{{ item }}', state: 'present' } },
  'service-name': { service: { name: '{{ item }}', state: 'started' } },
  'sysctl-value': { sysctl: { name: 'kernel.lbrun_injection_test', value: '{{ item }}', sysctl_file: `${W}/99-test.conf`, reload: false } },
  'user-shell': { user: { name: 'lbrun-inj', shell: '{{ item }}', create_home: false } },
};
/** Arguments whose schema refuses such values: the run must stop before contacting a host. */
const REFUSED: Record<string, Record<string, unknown>> = {
  'user-name': { user: { name: '{{ item }}' } },
  'group-name': { group: { name: '{{ item }}' } },
  'hostname-name': { hostname: { name: '{{ item }}' } },
  'sysctl-name': { sysctl: { name: '{{ item }}', value: 1 } },
  'wait_for-host': { wait_for: { host: '{{ item }}', port: 22, timeout: 1 } },
  'file-mode': { file: { path: `${W}/moded`, state: 'touch', mode: '{{ item }}' } },
};

const inventory = join(sshd.dir, 'inventory.yaml');
writeFileSync(
  inventory,
  `all:\n  hosts:\n    target: { lbrun_host: ${sshd.address}, lbrun_port: ${sshd.port}, lbrun_ssh_key: ${sshd.clientKey}, lbrun_known_hosts: ${sshd.knownHosts} }\n`,
);

/** A playbook with one looping task per case (errors ignored), and its payload vars file. */
function write(name: string, cases: Record<string, Record<string, unknown>>): string[] {
  const vars: Record<string, string[]> = {};
  const tasks = Object.entries(cases).map(([id, body]) => {
    vars[`p_${id.replace(/\W/g, '_')}`] = payloads(id);
    return { name: id, ...body, loop: `{{ p_${id.replace(/\W/g, '_')} }}`, ignore_errors: true };
  });
  const pb = join(sshd.dir, `${name}.yaml`);
  writeFileSync(pb, stringify([{ name, hosts: 'all', tasks }]));
  writeFileSync(join(sshd.dir, `${name}-vars.yaml`), stringify(vars));
  return [pb, '-i', inventory, '-e', `@${join(sshd.dir, `${name}-vars.yaml`)}`, '--json'];
}

const markers = () => readdirSync(M).sort();
/** Counted from what ran: payload results on the host, payloads refused before any host, markers made. */
const figures = { args: 0, onHost: 0, refusedOffline: 0, executed: 0, refusedArgs: 0 };

t.test('the payloads are real: the shell module runs them (control)', async (t) => {
  const r = await runCli(write('control', { control: { shell: 'echo {{ item }}' } }));
  t.equal(r.code, 0, r.stderr);
  const made = markers().filter((m) => m.startsWith('pwned-control-'));
  // under `echo`, payloads 4 and 5 are quoted text and 9 is a syntax error: the other six run
  t.same(made.map((m) => Number(m.split('-').pop())).sort((a, b) => a - b), [1, 2, 3, 6, 7, 8], 'the shell ran six of them');
});

t.test('no argument that reaches a command line executes a payload', async (t) => {
  const before = markers().filter((m) => !m.startsWith('pwned-control-'));
  t.same(before, []);
  const r = await runCli(write('reach', REACH), { timeoutMs: 20 * 60_000 });
  t.not(r.code, 3, `the run was not refused as input\n${r.stderr}`);
  for (const id of Object.keys(REACH)) {
    // one result per loop item: the payload reached the host as data
    const results = r.events.filter((e) => e.event === 'host_result' && e.task === id && e.item !== undefined);
    t.equal(results.length, payloads(id).length, `${id}: ran on the host for every payload (${results.length} results)`);
    figures.onHost += results.length;
  }
  const executed = markers().filter((m) => !m.startsWith('pwned-control-'));
  t.same(executed, [], 'no marker was created');
  t.notOk(existsSync('/tmp/pwned'), 'nothing in /tmp either');
  figures.args += Object.keys(REACH).length;
  figures.executed += executed.length;
});

for (const [id, body] of Object.entries(REFUSED)) {
  t.test(`${id}: refused before any host is contacted`, async (t) => {
    const r = await runCli(write(id, { [id]: body }));
    t.equal(r.code, 3, `exit 3\n${r.stderr.slice(0, 600)}`);
    t.notOk(r.events.some((e) => e.event === 'host_result'), 'no task ran');
    t.same(markers().filter((m) => m.startsWith(`pwned-${id}-`)), []);
    // each payload refused with its own error line
    const refused = r.stderr.split('\n').filter((l) => l.includes('pwned-') && /invalid value/.test(l)).length;
    t.equal(refused, payloads(id).length, `each of the ${payloads(id).length} payloads was refused with its own error`);
    figures.refusedArgs++;
    figures.refusedOffline += refused;
  });
}

t.test('figures', async (t) => {
  t.comment(
    `FIGURE injection_args=${figures.args + figures.refusedArgs} payloads_on_host=${figures.onHost} payloads_refused_offline=${figures.refusedOffline} args_refused_offline=${figures.refusedArgs} commands_injected=${figures.executed}`,
  );
  t.equal(figures.executed, 0);
});
