/**
 * proxmox_lxc with `driver: lab`, for real: `lbrun playbooks/provision.yaml -i inventory/lab.yaml`
 * makes the lab's hosts (the same ensureHost as `lbrun lab up`), they answer SSH, and a second run
 * changes nothing. A throw-away host (lbprov, 10.213.0.44) shows create from nothing, stop and
 * remove. The lab is shared: holdLab() serialises lab-using test files, and the lab is left up.
 */
import { access, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { hostState, removeHost, sshBanner } from '../../src/lab/index.js';
import { LAB_HOSTS, ensureLab, holdLab, labSsh } from '../lab/helpers.js';
import { recap, runCli, type CliResult } from '../support/run-cli.js';

const SPARE = { name: 'lbprov', address: '10.213.0.44' };
const exists = (p: string) => promisify(access)(p).then(() => true, () => false);

await holdLab();
t.teardown(async () => {
  if ((await hostState(SPARE.name)).running || (await exists(join((await hostState(SPARE.name)).dir, 'base')))) await removeHost(SPARE.name);
  await ensureLab();
});

/** The lab is shared: another test may be restarting sshd on a host right now. Give it a minute. */
async function banner(address: string): Promise<string | null> {
  const end = Date.now() + 60_000;
  for (;;) {
    const b = await sshBanner(address);
    if (b || Date.now() > end) return b;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

const labResults = (r: CliResult) => r.events.filter((e) => e.event === 'host_result' && /Lab host|lab host/.test(String(e.task)));

t.test('provision.yaml with inventory/lab.yaml: hosts run and answer SSH; a second run changes nothing', async (t) => {
  const first = await runCli(['playbooks/provision.yaml', '-i', 'inventory/lab.yaml', '--json'], { timeoutMs: 600_000 });
  t.equal(first.code, 0, first.stderr);
  t.same(labResults(first).map((e) => e.host).sort(), Object.keys(LAB_HOSTS), 'the lab task ran on lb-01..03');
  for (const [name, address] of Object.entries(LAB_HOSTS)) {
    const st = await hostState(name);
    t.ok(st.running, `${name} runs`);
    t.equal(st.address, address);
    t.match(await banner(address), /^SSH-2\.0-OpenSSH/, `${name} answers SSH on ${address}:22`);
    const who = await labSsh(name, 'hostname');
    t.equal(who.stdout.trim(), name, `ssh root@${address} with the lab key reaches ${name}`);
  }
  const second = await runCli(['playbooks/provision.yaml', '-i', 'inventory/lab.yaml', '--json'], { timeoutMs: 600_000 });
  t.equal(second.code, 0, second.stderr);
  for (const [h, c] of Object.entries(recap(second))) t.equal(c.changed, 0, `${h}: changed=0`);
  t.same(labResults(second).map((e) => e.status), ['ok', 'ok', 'ok']);
});

t.test('a lab host from nothing: created and started, converged, stopped, removed', async (t) => {
  if ((await hostState(SPARE.name)).running) await removeHost(SPARE.name);
  const dir = mkdtempSync(join(tmpdir(), 'lbrun-lab-provision-'));
  const inventory = join(dir, 'inventory.yaml');
  writeFileSync(
    inventory,
    `all:\n  children:\n    loadbalancers:\n      vars: { provision_driver: lab, lxc_prefix: 24, lxc_gateway: 10.213.0.1 }\n` +
      `      hosts:\n        ${SPARE.name}: { lbrun_host: ${SPARE.address} }\n`,
  );
  const statePlay = join(dir, 'state.yaml');
  writeFileSync(
    statePlay,
    `- hosts: loadbalancers\n  tasks:\n    - name: lab host state\n      proxmox_lxc:\n        driver: lab\n` +
      `        hostname: "{{ inventory_hostname }}"\n        net0: { address: "{{ lbrun_host }}/24" }\n        state: "{{ wanted }}"\n`,
  );
  const provision = () => runCli(['playbooks/provision.yaml', '-i', inventory, '--json'], { timeoutMs: 600_000 });
  const setState = (wanted: string) => runCli([statePlay, '-i', inventory, '--json', '--diff', '-e', `wanted=${wanted}`], { timeoutMs: 600_000 });

  const created = await provision();
  t.equal(created.code, 0, created.stderr);
  t.equal(recap(created)[SPARE.name].changed, 1);
  t.match(labResults(created)[0].msg, /lab host lbprov \(10\.213\.0\.44\) created and started; SSH answers on 10\.213\.0\.44:22/);
  t.match(await banner(SPARE.address), /^SSH-2\.0-OpenSSH/);
  t.equal(recap(await provision())[SPARE.name].changed, 0, 'second run: changed=0');

  const stopped = await setState('stopped');
  t.equal(stopped.code, 0, stopped.stderr);
  t.match(stopped.events.find((e) => e.event === 'host_result'), { status: 'changed', msg: /lab host lbprov \(10\.213\.0\.44\) stopped/ });
  t.notOk((await hostState(SPARE.name)).running, 'not running');
  t.ok(await exists(join((await hostState(SPARE.name)).dir, 'base')), 'its disk is kept');
  t.equal(recap(await setState('stopped'))[SPARE.name].changed, 0);

  const removed = await setState('absent');
  t.equal(removed.code, 0, removed.stderr);
  t.match(removed.events.find((e) => e.event === 'host_result'), { status: 'changed', msg: /removed/ });
  t.notOk(await exists((await hostState(SPARE.name)).dir), 'its disk is gone');
  const again = await setState('absent');
  t.match(again.events.find((e) => e.event === 'host_result'), { status: 'ok', msg: /lab host lbprov \(10\.213\.0\.44\) is absent/ });
});
