// `validate:` runs in --check (src/modules/support/check-validate.ts), through the real CLI over a
// real sshd on loopback: the would-be file is checked by the same command in a private directory of
// the node's temp dir, never beside the live file; a config the node would refuse fails the dry run,
// the live file stays as it was, and nothing is left behind.
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { runCli } from '../support/run-cli.js';
import { startSshd } from '../support/sshd.js';

const ADDR = '127.0.0.41';
const sshd = await startSshd(ADDR);
t.teardown(() => sshd.stop());

const leftovers = () => readdirSync('/tmp').filter((f) => f.startsWith('lbrun-check-'));

/** A project writing haproxy.cfg (validated by the real `haproxy -c`) and app.conf (validated by a probe). */
function project(): { dir: string; target: string; pb: string; inv: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lbrun-cv-project-'));
  const target = mkdtempSync(join(tmpdir(), 'lbrun-cv-target-'));
  writeFileSync(join(dir, 'haproxy.cfg.mustache'), 'defaults\n    mode tcp\n    timeout connect {{timeout}}\n    timeout client 1h\n    timeout server 1h\nlisten api\n    bind 127.0.0.1:{{port}}\n    server a 127.0.0.1:6443\n');
  writeFileSync(
    join(dir, 'inv.yaml'),
    `all:\n  hosts:\n    node:\n      lbrun_host: ${ADDR}\n      lbrun_port: ${sshd.port}\n      lbrun_ssh_key: ${sshd.clientKey}\n      lbrun_known_hosts: ${sshd.knownHosts}\n      lbrun_connect_retries: 0\n`,
  );
  writeFileSync(
    join(dir, 'site.yaml'),
    `- hosts: all
  vars: { target: ${target} }
  tasks:
    - name: haproxy config
      template: { src: haproxy.cfg.mustache, dest: "{{ target }}/haproxy.cfg", validate: "haproxy -c -f %s" }
    - name: probed config
      copy:
        content: "{{ app }}\\n"
        dest: "{{ target }}/app.conf"
        validate: "sh -c 'dirname \\"$1\\" > {{ target }}/.seen-dir; basename \\"$1\\" >> {{ target }}/.seen-dir; grep -q good \\"$1\\"' sh %s"
`,
  );
  return { dir, target, pb: join(dir, 'site.yaml'), inv: join(dir, 'inv.yaml') };
}

t.test('a config haproxy -c refuses fails --check, naming the validation; the live file is untouched', async (t) => {
  const p = project();
  const live = 'defaults\n    mode tcp\n# live\n';
  writeFileSync(join(p.target, 'haproxy.cfg'), live);
  const before = statSync(join(p.target, 'haproxy.cfg'));
  const r = await runCli([p.pb, '-i', p.inv, '-e', 'timeout=5parsecs', '-e', 'port=8443', '-e', 'app=good', '--check', '--json']);
  t.equal(r.code, 2, r.stdout);
  const e = r.events.find((x) => x.event === 'host_result' && x.task === 'haproxy config');
  t.match(e, { status: 'failed', msg: new RegExp(`validation of ${p.target}/haproxy.cfg would fail on node \\(haproxy -c -f %s\\)`) });
  t.match(String(e?.msg), /unexpected character 'p' in 'timeout connect'/, "haproxy's own complaint is shown");
  t.equal(readFileSync(join(p.target, 'haproxy.cfg'), 'utf8'), live);
  t.equal(statSync(join(p.target, 'haproxy.cfg')).mtimeMs, before.mtimeMs);
  t.same(readdirSync(p.target), ['haproxy.cfg'], 'nothing beside the live file');
  t.same(leftovers(), [], 'no temp directory left in /tmp');
});

t.test('a config the node accepts: --check says would change, validated away from the live file, leaves nothing', async (t) => {
  const p = project();
  const r = await runCli([p.pb, '-i', p.inv, '-e', 'timeout=5s', '-e', 'port=8443', '-e', 'app=good', '--check', '--json']);
  t.equal(r.code, 0, r.stdout);
  t.match(r.events.find((x) => x.event === 'host_result' && x.task === 'haproxy config'), { status: 'changed' });
  t.match(r.events.find((x) => x.event === 'host_result' && x.task === 'probed config'), { status: 'changed' });
  const [seenDir, seenName] = readFileSync(join(p.target, '.seen-dir'), 'utf8').trim().split('\n');
  t.match(seenDir, /^\/tmp\/lbrun-check-[0-9a-f]{12}$/, 'checked in a private directory of the temp dir');
  t.equal(seenName, 'app.conf', "under the live file's name");
  t.notOk(existsSync(seenDir), 'removed');
  t.same(readdirSync(p.target), ['.seen-dir'], 'no file was written');
  t.same(leftovers(), []);
});

t.test('the probe refuses: --check fails as the real run does, and the real run leaves the live file', async (t) => {
  const p = project();
  writeFileSync(join(p.target, 'app.conf'), 'good old\n');
  const check = await runCli([p.pb, '-i', p.inv, '-e', 'timeout=5s', '-e', 'port=8443', '-e', 'app=bad', '--check', '--json']);
  t.equal(check.code, 2);
  t.match(check.events.find((x) => x.event === 'host_result' && x.task === 'probed config'), { status: 'failed', msg: /validation of .*app\.conf would fail/ });
  const real = await runCli([p.pb, '-i', p.inv, '-e', 'timeout=5s', '-e', 'port=8443', '-e', 'app=bad', '--json']);
  t.equal(real.code, check.code, 'the real run fails where --check said it would');
  t.equal(readFileSync(join(p.target, 'app.conf'), 'utf8'), 'good old\n');
  t.same(leftovers(), []);
});

t.test('an unchanged file is not validated again in --check', async (t) => {
  const p = project();
  writeFileSync(join(p.target, 'app.conf'), 'good\n');
  const r = await runCli([p.pb, '-i', p.inv, '-e', 'timeout=5s', '-e', 'port=8443', '-e', 'app=good', '--check', '--json']);
  t.equal(r.code, 0, r.stdout);
  t.match(r.events.find((x) => x.event === 'host_result' && x.task === 'probed config'), { status: 'ok' });
  t.notOk(existsSync(join(p.target, '.seen-dir')), 'the validate command did not run');
});
