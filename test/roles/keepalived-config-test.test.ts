/**
 * roles/keepalived validates keepalived.conf with lbrun-keepalived-config-test before it replaces
 * the live file. keepalived 2.2.0-2.2.7 (Debian 12: 2.2.7) kill their own `-t` (exit 143) whenever
 * scripts run as a non-root user (keepalived issues #2587, #2617); the wrapper must accept valid
 * configs there and still reject invalid ones, naming the real file and line.
 */
import { spawnSync } from 'node:child_process';
import t from 'tap';
import { labInventoryWithFacts, renderSite } from './render.js';
import { KEEPALIVED_TEST_WRAPPER, keepalivedCheck } from './validators.js';

const banner = spawnSync('keepalived', ['--version'], { encoding: 'utf8' });
const version = /Keepalived v(\d+\.\d+\.\d+)/.exec(`${banner.stdout ?? ''}${banner.stderr ?? ''}`)?.[1];
// an unknown version must not quietly pick a branch: the expectations below depend on it
if (!version) throw new Error(`cannot read the controller's keepalived version (keepalived --version: ${banner.error?.message ?? banner.stderr})`);
const buggy = /^2\.2\.[0-7]$/.test(version);
t.comment(`controller keepalived ${version}: ${buggy ? 'has' : 'does not have'} the config-test bug`);

// the interface and addresses are the nodes' facts: declared beside a copy of the lab inventory
const lab = labInventoryWithFacts();
t.teardown(lab.cleanup);

async function render(extra: string[]): Promise<{ file: string; cleanup(): void }> {
  const r = await renderSite(lab.inventory, ['lb-02'], { extra: ['--host', 'lb-02', ...extra], env: { LBRUN_VRRP_AUTH_PASS: undefined } });
  if (r.cli.code !== 0) throw new Error(`render failed (${r.cli.code}): ${r.cli.stderr}`);
  return { file: r.hosts.get('lb-02')!.keepalivedFile, cleanup: r.cleanup };
}

t.test('script_user root (the default): the wrapper and keepalived -t agree', async (t) => {
  const { file, cleanup } = await render([]);
  t.teardown(cleanup);
  t.equal(keepalivedCheck(file, 'eth0').code, 0, 'keepalived -t accepts it');
  t.equal(keepalivedCheck(file, 'eth0', [KEEPALIVED_TEST_WRAPPER]).code, 0, 'the wrapper accepts it');
});

t.test('a non-root script user: a valid config passes the wrapper', async (t) => {
  const { file, cleanup } = await render(['-e', 'keepalived_script_user=nobody']);
  t.teardown(cleanup);
  const raw = keepalivedCheck(file, 'eth0');
  if (buggy) t.equal(raw.code, 143, `keepalived ${version} -t kills itself (the bug this wrapper exists for)`);
  else t.equal(raw.code, 0, `keepalived ${version} -t accepts it`);
  const w = keepalivedCheck(file, 'eth0', [KEEPALIVED_TEST_WRAPPER]);
  t.equal(w.code, 0, `the wrapper accepts it\n${w.output}`);
  if (buggy) t.match(w.output, 'testing', 'and says it tested with script_user root');
});

t.test('a non-root script user: an invalid config still fails, naming the file and line', async (t) => {
  const { file, cleanup } = await render(['-e', 'keepalived_script_user=nobody', '-e', 'keepalived_router_id=300']);
  t.teardown(cleanup);
  const w = keepalivedCheck(file, 'eth0', [KEEPALIVED_TEST_WRAPPER]);
  t.not(w.code, 0, 'the wrapper rejects virtual_router_id 300');
  t.not(w.code, 143, 'with keepalived\'s own verdict, not the bug\'s exit code');
  t.match(w.output, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: Line \\d+\\) number '300' outside range`), 'message names the file and line');
});

t.test('a missing interface fails the check (keepalived -t tests against the node)', async (t) => {
  const { file, cleanup } = await render([]);
  t.teardown(cleanup);
  const w = keepalivedCheck(file, 'ens99', [KEEPALIVED_TEST_WRAPPER]);
  t.not(w.code, 0, 'rejected when eth0 does not exist');
  t.match(w.output, 'interface eth0', 'names the interface');
});
