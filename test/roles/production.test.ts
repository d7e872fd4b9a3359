/**
 * The production inventory, rendered offline through the CLI (never contacted): every config passes
 * the real checkers, and what the configs MEAN matches the seed (backends, VIP, router id,
 * priorities, failover order, health check), read by parsing the files; plus the failover and
 * reload settings of docs/roles.md (VRRPv3, preempt_delay with every node BACKUP, track_file fed by
 * haproxy.service, faster dead-backend detection, hard-stop-after).
 */
import t from 'tap';
import { haproxyLines, haproxySection, kaBlock, kaList, kaValue, parseHaproxy, parseKeepalived, serverOptions } from './config-parse.js';
import { renderSite, type Rendered } from './render.js';
import { haproxyCheck, keepalivedCheck } from './validators.js';

const HOSTS = ['lb-01', 'lb-02', 'lb-03'];
const SEED_BACKENDS = [
  ['k3s-prod-cp-01', '192.168.0.201:6443'],
  ['k3s-prod-cp-02', '192.168.0.202:6443'],
  ['k3s-prod-cp-03', '192.168.0.203:6443'],
];
// the seed's priorities; every node is rendered BACKUP because preempt_delay needs it (lb-01 is
// still the preferred node: the highest priority)
const SEED_VRRP: Record<string, { state: string; priority: string }> = {
  'lb-01': { state: 'BACKUP', priority: '200' },
  'lb-02': { state: 'BACKUP', priority: '150' },
  'lb-03': { state: 'BACKUP', priority: '100' },
};

let r: Rendered;
t.before(async () => {
  r = await renderSite('inventory/hosts.yaml', HOSTS, { env: { LBRUN_VRRP_AUTH_PASS: undefined } });
});
t.teardown(() => r?.cleanup());

t.test('lbrun render renders every production config offline', async (t) => {
  t.equal(r.cli.code, 0, `render exit code (stderr: ${r.cli.stderr.slice(-2000)})`);
  t.same([...r.hosts.keys()], HOSTS);
});

t.test('HAProxy keeps the seed: *:6443 tcp frontend, round robin over the three API servers with tcp-check', async (t) => {
  for (const [host, files] of r.hosts) {
    const cfg = parseHaproxy(files.haproxy);
    const frontends = cfg.filter((s) => s.kind === 'frontend' && haproxyLines(s, 'bind').some((b) => b[1] === '*:6443'));
    t.equal(frontends.length, 1, `${host}: one frontend binds *:6443`);
    const fe = frontends[0];
    t.same(haproxyLines(fe, 'mode'), [['mode', 'tcp']], `${host}: frontend mode tcp`);
    t.equal(haproxyLines(fe, 'option', 'tcplog').length, 1, `${host}: option tcplog`);
    const beName = haproxyLines(fe, 'default_backend')[0]?.[1];
    const be = haproxySection(cfg, 'backend', beName);
    t.same(haproxyLines(be, 'mode'), [['mode', 'tcp']], `${host}: backend mode tcp`);
    t.same(haproxyLines(be, 'balance'), [['balance', 'roundrobin']], `${host}: balance roundrobin`);
    t.equal(haproxyLines(be, 'option', 'tcp-check').length, 1, `${host}: option tcp-check`);
    t.equal(haproxyLines(be, 'option', 'httpchk').length, 0, `${host}: no HTTP check by default`);
    const ds = serverOptions(haproxyLines(be, 'default-server')[0].slice(1), ['inter', 'fastinter', 'downinter', 'fall', 'rise', 'on-marked-down']);
    // a dead server out within inter + (fall-1) x fastinter + fall x timeout check (seed: 3 x 10 s)
    t.same([ds.inter, ds.fastinter, ds.downinter, ds.fall, ds.rise], ['2s', '1s', '5s', '3', '2'], `${host}: check timing`);
    const timeoutCheck = haproxyLines(haproxySection(cfg, 'defaults'), 'timeout', 'check')[0]?.[2];
    const s = (v: string) => (v.endsWith('ms') ? Number(v.slice(0, -2)) / 1000 : Number(v.replace(/s$/, '')));
    const outAfter = s(ds.inter) + (Number(ds.fall) - 1) * s(ds.fastinter) + Number(ds.fall) * s(timeoutCheck);
    t.ok(outAfter <= 10, `${host}: a dead server is out within ${outAfter} s (<= 10 s; the seed: ~30 s)`);
    // killing sessions at the mark-down would also kill the connects still under way (no redispatch)
    t.equal(ds['on-marked-down'], undefined, `${host}: a server marked down keeps the connects under way to it (they are retried elsewhere)`);
    t.same(haproxyLines(be, 'option', 'srvtcpka'), [['option', 'srvtcpka']], `${host}: keepalive probes to the servers`);
    const ka = (k: string) => haproxyLines(be, k)[0]?.[1] ?? '';
    const closedAfter = s(ka('srvtcpka-idle')) + Number(ka('srvtcpka-cnt')) * s(ka('srvtcpka-intvl'));
    t.ok(closedAfter <= 16, `${host}: an open connection to a dead server is closed within ${closedAfter} s of silence (<= 16 s; without probes: the tunnel timeout)`);
    const global = haproxySection(cfg, 'global');
    t.same(haproxyLines(global, 'hard-stop-after'), [['hard-stop-after', '30m']], `${host}: old workers end 30 min after a reload at the latest`);
    const servers = haproxyLines(be, 'server').map((l) => [l[1], l[2], 'check' in serverOptions(l.slice(3), [])]);
    t.same(servers, SEED_BACKENDS.map(([n, a]) => [n, a, true]), `${host}: the seed's servers, each with check`);
  }
});

t.test('keepalived keeps the seed: VIP 192.168.0.210/24 on eth0, router id 51, MASTER lb-01 200, BACKUP 150/100', async (t) => {
  for (const [host, files] of r.hosts) {
    const conf = parseKeepalived(files.keepalived);
    const global = kaBlock(conf, 'global_defs');
    t.ok(kaValue(global, 'enable_script_security'), `${host}: enable_script_security`);
    t.same(kaValue(global, 'script_user'), ['root'], `${host}: script_user root`);
    const script = kaBlock(conf, 'vrrp_script', 'chk_haproxy');
    t.same(kaValue(script, 'interval'), ['2'], `${host}: chk_haproxy every 2 s`);
    const instances = conf.filter((n) => n.key === 'vrrp_instance');
    t.equal(instances.length, 1, `${host}: one vrrp_instance`);
    const vi = instances[0];
    t.same(kaValue(vi, 'interface'), ['eth0'], `${host}: interface eth0`);
    t.same(kaValue(vi, 'virtual_router_id'), ['51'], `${host}: virtual_router_id 51`);
    t.same(kaValue(vi, 'state'), [SEED_VRRP[host].state], `${host}: state`);
    t.same(kaValue(vi, 'priority'), [SEED_VRRP[host].priority], `${host}: priority`);
    t.same(kaList(vi, 'virtual_ipaddress').map((l) => l[0]), ['192.168.0.210/24'], `${host}: VIP`);
    t.same(kaList(vi, 'track_script'), [['chk_haproxy']], `${host}: track_script chk_haproxy`);
    t.same(kaList(vi, 'track_file'), [['haproxy_unit']], `${host}: track_file haproxy_unit (haproxy.service's own state)`);
    t.same(kaValue(kaBlock(conf, 'track_file', 'haproxy_unit'), 'file'), ['/run/lbrun/haproxy-stopped'], `${host}: the state file`);
    t.same(kaValue(global, 'vrrp_version'), ['3'], `${host}: VRRPv3`);
    t.same(kaValue(vi, 'advert_int'), ['1'], `${host}: adverts every 1 s (safe on any LAN)`);
    t.same(kaValue(vi, 'preempt_delay'), ['60'], `${host}: a recovered node takes the VIP back once, after 60 s`);
    t.equal(kaValue(vi, 'nopreempt'), undefined, `${host}: preemption on (with the delay)`);
    t.same([kaValue(vi, 'garp_master_delay'), kaValue(vi, 'garp_master_refresh')], [['1'], ['60']], `${host}: GARP again after 1 s, refreshed every 60 s`);
    t.same(kaValue(global, 'max_auto_priority'), ['50'], `${host}: max_auto_priority`);
    t.match(kaValue(vi, 'notify')?.join(' '), /logger -t lbrun-vrrp/, `${host}: transitions logged`);
    t.equal(conf.filter((n) => n.key === 'vrrp_track_process').length, 0, `${host}: no track_process (containers)`);
    t.equal(kaValue(vi, 'authentication'), undefined, `${host}: no VRRP auth unless LBRUN_VRRP_AUTH_PASS is set`);
    t.equal(kaValue(vi, 'unicast_peer'), undefined, `${host}: multicast VRRP (the seed)`);
  }
  const order = HOSTS.map((h) => {
    const vi = kaBlock(parseKeepalived(r.hosts.get(h)!.keepalived), 'vrrp_instance');
    return { h, p: Number(kaValue(vi, 'priority')![0]) };
  })
    .sort((a, b) => b.p - a.p)
    .map((x) => x.h);
  t.same(order, ['lb-01', 'lb-02', 'lb-03'], 'failover order by priority: lb-01 -> lb-02 -> lb-03');
});

t.test('every production config passes haproxy -c and keepalived -t', async (t) => {
  for (const [host, files] of r.hosts) {
    const h = haproxyCheck(files.haproxyFile);
    t.equal(h.code, 0, `${host}: haproxy -c -f haproxy.cfg\n${h.output}`);
    const k = keepalivedCheck(files.keepalivedFile, 'eth0');
    t.equal(k.code, 0, `${host}: keepalived -t -f keepalived.conf\n${k.output}`);
  }
});

t.test('the VRRP password comes from LBRUN_VRRP_AUTH_PASS and is a secret', async (t) => {
  const pass = 'Pr0d-8ch';
  const withAuth = await renderSite('inventory/hosts.yaml', ['lb-01'], { extra: ['--host', 'lb-01'], env: { LBRUN_VRRP_AUTH_PASS: pass } });
  t.teardown(() => withAuth.cleanup());
  t.equal(withAuth.cli.code, 0, `render exit code (stderr: ${withAuth.cli.stderr.slice(-2000)})`);
  const vi = kaBlock(parseKeepalived(withAuth.hosts.get('lb-01')!.keepalived), 'vrrp_instance');
  t.same(kaList(vi, 'authentication'), [['auth_type', 'PASS'], ['auth_pass', pass]], 'auth block in the rendered file');
  const global = kaBlock(parseKeepalived(withAuth.hosts.get('lb-01')!.keepalived), 'global_defs');
  t.same(kaValue(global, 'vrrp_version'), ['2'], 'VRRPv2 with a password (VRRPv3 has no authentication)');
  t.notMatch(withAuth.cli.stdout + withAuth.cli.stderr, pass, 'the password never appears in the output');
  const k = keepalivedCheck(withAuth.hosts.get('lb-01')!.keepalivedFile, 'eth0');
  t.equal(k.code, 0, `keepalived -t accepts the auth block\n${k.output}`);
});

t.test('keepalived_track_process=true renders a valid vrrp_track_process (for VMs and bare metal)', async (t) => {
  const tp = await renderSite('inventory/hosts.yaml', ['lb-01'], { extra: ['--host', 'lb-01', '-e', 'keepalived_track_process=true'], env: { LBRUN_VRRP_AUTH_PASS: undefined } });
  t.teardown(() => tp.cleanup());
  t.equal(tp.cli.code, 0, tp.cli.stderr.slice(-2000));
  const conf = parseKeepalived(tp.hosts.get('lb-01')!.keepalived);
  t.same(kaValue(kaBlock(conf, 'vrrp_track_process', 'track_haproxy'), 'process'), ['haproxy'], 'tracks the haproxy process');
  t.same(kaList(kaBlock(conf, 'vrrp_instance'), 'track_process'), [['track_haproxy']], 'the instance uses it');
  const k = keepalivedCheck(tp.hosts.get('lb-01')!.keepalivedFile, 'eth0');
  t.equal(k.code, 0, `keepalived -t accepts it\n${k.output}`);
});
