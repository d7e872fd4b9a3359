/**
 * `--check` runs `validate:` on the lab's nodes (docs/modules.md, "Check mode"): a haproxy.cfg the
 * real `haproxy -c` refuses fails the dry run where the real run would fail, naming the validation, while the live
 * config, the running haproxy and the nodes' temp dirs are left exactly as they were.
 */
import t from 'tap';
import { explain, LAB_HOSTS, labSession, on, site } from './lab-site.js';

t.setTimeout(40 * 60_000);

const CFG = '/etc/haproxy/haproxy.cfg';
const state = async (h: string) => on(h, `sha256sum ${CFG}; stat -c %Y ${CFG}; pidof haproxy; ls -a /tmp /etc/haproxy`);

t.before(async () => {
  await labSession({ converge: true });
});

t.test('a broken haproxy value: --check fails with haproxy -c on the first node, as the rolling real run would, and nothing on a node changes', async (t) => {
  const before: Record<string, string> = {};
  for (const h of LAB_HOSTS) before[h] = await state(h);
  const r = await site(['--check', '--fail-on-change', '-e', 'haproxy_timeout_connect=5parsecs']);
  t.equal(r.code, 2, explain(r));
  const results = r.events.filter((x) => x.event === 'host_result' && x.task === 'haproxy : Write /etc/haproxy/haproxy.cfg');
  // the play is rolling (serial: 1): as in the real run, the first node's failure stops it there
  t.same(results.map((x) => x.host), ['lb-01'], 'only the first node got that far');
  t.match(results[0], { status: 'failed', msg: `validation of ${CFG} would fail on lb-01 (haproxy -c -f %s)` }, 'fails, naming the validation');
  t.match(String(results[0]?.msg), /unexpected character 'p' in 'timeout connect'/, "with haproxy's own complaint");
  for (const h of LAB_HOSTS) t.equal(await state(h), before[h], `${h}: same config bytes and mtime, same haproxy, nothing left in /tmp or beside the config`);
});

t.test('a valid change: --check validates it on the nodes and reports would change (exit 5)', async (t) => {
  const r = await site(['--check', '--fail-on-change', '-e', 'haproxy_timeout_connect=3s']);
  t.equal(r.code, 5, explain(r));
  for (const h of LAB_HOSTS) {
    const e = r.events.find((x) => x.event === 'host_result' && x.host === h && x.task === 'haproxy : Write /etc/haproxy/haproxy.cfg');
    t.match(e, { status: 'changed' }, `${h}: would change`);
    t.equal((await on(h, 'ls /tmp | grep -c lbrun-check- || true')).trim(), '0', `${h}: no temp dir left`);
  }
});
