/**
 * Secrets on the lab. keepalived.conf holds the VRRP password: it is written 0600 root:root on every
 * node, and no file the run leaves behind (backups, temp files) holds the password readable by
 * others. A canary VRRP password (random, 8 characters, from the environment like the inventory
 * expects) in `site.yaml --check --diff` never shows in human or JSON output, nor does the password
 * it would replace, nor the process lists of the controller and the three nodes.
 */
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import t from 'tap';
import { labExec } from '../lab/helpers.js';
import { runCli, type CliResult } from '../support/run-cli.js';
import { LAB_HOSTS, labSession, VRRP_PASS } from '../e2e/lab-site.js';

t.setTimeout(20 * 60_000);
t.before(async () => {
  await labSession({ converge: true });
});

const CANARY = `c${randomBytes(8).toString('base64url').replace(/[^A-Za-z0-9]/g, 'x').slice(0, 7)}`;
const figures = { psSamples: 0, leaks: 0 };

t.test('keepalived.conf (it holds the VRRP password) is 0600 root:root; nothing else exposes the password', async (t) => {
  for (const h of LAB_HOSTS) {
    const st = await labExec(h, 'stat -c "%a %U %G" /etc/keepalived/keepalived.conf');
    t.equal(st.stdout.trim(), '600 root root', `${h}: keepalived.conf mode`);
    t.equal((await labExec(h, `grep -cF 'auth_pass ${VRRP_PASS}' /etc/keepalived/keepalived.conf`)).stdout.trim(), '1', `${h}: it does hold the password`);
    const holders = await labExec(h, `grep -rlF -- '${VRRP_PASS}' /etc /root /tmp /var/tmp /var/backups /usr/local 2>/dev/null; true`);
    for (const f of holders.stdout.split('\n').filter(Boolean)) {
      const mode = (await labExec(h, `stat -c %a '${f}'`)).stdout.trim();
      t.equal(Number.parseInt(mode, 8) & 0o077, 0, `${h}: ${f} (${mode}) is readable by root only`);
    }
  }
});

/** Run the CLI while sampling `ps -eo args` on the controller and on every node. */
async function sampled(args: string[]): Promise<{ r: CliResult; leaked: string[] }> {
  let running = true;
  const leaked: string[] = [];
  const check = (where: string, out: string) => {
    figures.psSamples++;
    for (const line of out.split('\n')) if (line.includes(CANARY) || line.includes(VRRP_PASS)) leaked.push(`${where}: ${line.replaceAll(CANARY, 'CANARY')}`);
  };
  const loop = (async () => {
    while (running) {
      const local = await new Promise<string>((res) => {
        let s = '';
        const ps = spawn('ps', ['-eo', 'args'], { stdio: ['ignore', 'pipe', 'ignore'] });
        ps.stdout.on('data', (d: Buffer) => (s += d.toString()));
        ps.on('close', () => res(s));
      });
      check('controller', local);
      await Promise.all(LAB_HOSTS.map(async (h) => check(h, (await labExec(h, 'ps -eo args')).stdout)));
    }
  })();
  const r = await runCli(['playbooks/site.yaml', '-i', 'inventory/lab.yaml', ...args], { env: { LBRUN_VRRP_AUTH_PASS: CANARY }, timeoutMs: 10 * 60_000 });
  running = false;
  await loop;
  return { r, leaked };
}

for (const mode of [['--check', '--diff'], ['--check', '--diff', '--json']]) {
  t.test(`site.yaml ${mode.join(' ')} with a canary VRRP password`, async (t) => {
    const { r, leaked } = await sampled(mode);
    t.equal(r.code, 0, r.stderr.slice(-2000));
    const out = r.stdout + r.stderr;
    t.match(out, /auth_pass \*{8}/, 'the keepalived.conf diff is shown, masked');
    for (const [what, value] of [['the canary', CANARY], ['the password it replaces', VRRP_PASS]] as const) {
      const n = out.split(value).length - 1;
      figures.leaks += n;
      t.equal(n, 0, `output never shows ${what}`);
    }
    figures.leaks += leaked.length;
    t.same(leaked, [], 'no process list showed either password');
  });
}

t.test('figures', async (t) => {
  t.comment(`FIGURE lab_secret_runs=2 ps_samples=${figures.psSamples} leaks=${figures.leaks}`);
  t.equal(figures.leaks, 0);
});
