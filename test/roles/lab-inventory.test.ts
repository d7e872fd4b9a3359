/**
 * The lab inventory, rendered offline: the same roles with the lab's addresses, the real HTTPS
 * /readyz check against the stand-ins, and unicast VRRP where each node lists the others (never itself).
 * The interface and addresses come from the nodes' facts, which `render` cannot gather: the test
 * declares them in host_vars beside a copy of the inventory, as the nodes report them (the lab run
 * itself gathers them: test/e2e).
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { haproxyLines, haproxySection, kaBlock, kaList, kaValue, parseHaproxy, parseKeepalived, serverOptions } from './config-parse.js';
import { renderSite, type Rendered } from './render.js';
import { haproxyCheck, keepalivedCheck } from './validators.js';

const NODES: Record<string, string> = { 'lb-01': '10.213.0.11', 'lb-02': '10.213.0.12', 'lb-03': '10.213.0.13' };

let r: Rendered;
const inv = mkdtempSync(join(tmpdir(), 'lbrun-lab-inv-'));
t.before(async () => {
  copyFileSync('inventory/lab.yaml', join(inv, 'lab.yaml'));
  mkdirSync(join(inv, 'host_vars'));
  for (const [host, address] of Object.entries(NODES)) {
    writeFileSync(join(inv, 'host_vars', `${host}.yaml`), `ansible_default_ipv4: { interface: eth0, address: ${address} }\n`);
  }
  r = await renderSite(join(inv, 'lab.yaml'), Object.keys(NODES), { env: { LBRUN_VRRP_AUTH_PASS: undefined } });
});
t.teardown(() => {
  r?.cleanup();
  rmSync(inv, { recursive: true, force: true });
});

t.test('lbrun render renders the lab configs and they pass haproxy -c and keepalived -t', async (t) => {
  t.equal(r.cli.code, 0, `render exit code (stderr: ${r.cli.stderr.slice(-2000)})`);
  for (const [host, files] of r.hosts) {
    const h = haproxyCheck(files.haproxyFile);
    t.equal(h.code, 0, `${host}: haproxy -c\n${h.output}`);
    const k = keepalivedCheck(files.keepalivedFile, 'eth0');
    t.equal(k.code, 0, `${host}: keepalived -t\n${k.output}`);
  }
});

t.test('backends are the stand-ins, checked with HTTPS GET /readyz', async (t) => {
  for (const [host, files] of r.hosts) {
    const cfg = parseHaproxy(files.haproxy);
    const be = haproxySection(cfg, 'backend');
    t.same(haproxyLines(be, 'option', 'httpchk'), [['option', 'httpchk', 'GET', '/readyz']], `${host}: httpchk GET /readyz`);
    t.same(haproxyLines(be, 'http-check', 'expect'), [['http-check', 'expect', 'status', '200']], `${host}: expects 200`);
    t.equal(haproxyLines(be, 'option', 'tcp-check').length, 0, `${host}: no tcp-check`);
    const servers = haproxyLines(be, 'server');
    t.same(servers.map((l) => l[2]), ['10.213.0.201:6443', '10.213.0.202:6443', '10.213.0.203:6443'], `${host}: stand-ins`);
    for (const l of servers) {
      const o = serverOptions(l.slice(3), ['verify']);
      t.ok('check' in o && 'check-ssl' in o, `${host}: ${l[1]} checked over TLS`);
    }
    // the keepalived check asks HAProxy's monitor endpoint, which must exist
    const stats = haproxySection(cfg, 'frontend', 'stats');
    t.same(haproxyLines(stats, 'bind'), [['bind', '127.0.0.1:8404']], `${host}: health endpoint on loopback`);
    t.same(haproxyLines(stats, 'monitor-uri'), [['monitor-uri', '/healthz']], `${host}: monitor-uri /healthz`);
    const script = kaValue(kaBlock(parseKeepalived(files.keepalived), 'vrrp_script', 'chk_haproxy'), 'script')![0];
    t.match(script, 'http://127.0.0.1:8404/healthz', `${host}: chk_haproxy asks that endpoint`);
  }
});

t.test('unicast VRRP: each node sends from its own address to the others', async (t) => {
  for (const [host, files] of r.hosts) {
    const vi = kaBlock(parseKeepalived(files.keepalived), 'vrrp_instance');
    t.same(kaValue(vi, 'unicast_src_ip'), [NODES[host]], `${host}: unicast_src_ip`);
    const peers = kaList(vi, 'unicast_peer').map((l) => l[0]).sort();
    const others = Object.entries(NODES).filter(([h]) => h !== host).map(([, a]) => a).sort();
    t.same(peers, others, `${host}: peers are the other nodes`);
    t.same(kaList(vi, 'virtual_ipaddress').map((l) => l[0]), ['10.213.0.210/24'], `${host}: lab VIP`);
  }
});
