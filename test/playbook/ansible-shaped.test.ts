// An Ansible-shaped project runs unchanged under lbrun and ansible-playbook (2.14): a role with a meta
// dependency, a group_vars directory, import_tasks, include_tasks with a loop, a block with rescue and
// always, retries/until, delegate_to: localhost with run_once, check_mode: false, `| default`.
// The same exit code and the same recap, except one known difference: ansible-playbook counts an
// include_tasks loop as one `ok` per included item, lbrun as one for the task.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { recap, runCli, REPO_ROOT } from '../support/run-cli.js';

const FX = join(REPO_ROOT, 'test/fixtures/ansible-shaped');
const args = (scratch: string) => [join(FX, 'site.yml'), '-i', join(FX, 'inventory/hosts.yml'), '-e', `scratch=${scratch}`];
const scratch = () => mkdtempSync(join(tmpdir(), 'lbrun-ansible-shaped-'));

async function ansible(extra: string[] = []): Promise<{ code: number; recap: Record<string, Record<string, number>> }> {
  const out = await promisify(execFile)('ansible-playbook', [...args(scratch()), ...extra], { env: { ...process.env, ANSIBLE_NOCOLOR: '1' } }).then(
    (x) => ({ code: 0, stdout: x.stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
  );
  const counts: Record<string, Record<string, number>> = {};
  for (const m of out.stdout.matchAll(/^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)\s+rescued=(\d+)\s+ignored=(\d+)/gm)) {
    const [, host, ok, changed, unreachable, failed, skipped, rescued, ignored] = m;
    counts[host] = { ok: +ok, changed: +changed, unreachable: +unreachable, failed: +failed, skipped: +skipped, rescued: +rescued, ignored: +ignored };
  }
  return { code: out.code, recap: counts };
}

t.test('the same project under lbrun and ansible-playbook', async (t) => {
  const ours = await runCli([...args(scratch()), '--json']);
  t.equal(ours.code, 0, ours.stderr + ours.stdout.slice(-2000));
  const theirs = await ansible();
  t.equal(theirs.code, 0);
  const INCLUDED_ITEMS = 2; // web_names: [alpha, beta]
  for (const [host, counts] of Object.entries(theirs.recap)) {
    t.same(recap(ours)[host], { ...counts, ok: counts.ok - (INCLUDED_ITEMS - 1) }, `${host}: the same recap`);
  }
  t.match(recap(ours).w2, { rescued: 1, failed: 0 }, 'w2 was rescued');
  const retries = ours.events.filter((e) => e.event === 'retry' && e.task === 'count attempts');
  t.equal(retries.length, 3, 'one retry per host');
  const once = ours.events.filter((e) => e.event === 'host_result' && e.task === 'on the controller, once');
  t.match(once, [{ host: 'w1', delegated_to: 'localhost' }]);
  t.equal(once.length, 1);
});

t.test('check mode: the same project says what it would do and fails nowhere', async (t) => {
  const ours = await runCli([...args(scratch()), '--json', '--check']);
  t.equal(ours.code, 0, ours.stderr + ours.stdout.slice(-2000));
  const ran = ours.events.find((e) => e.event === 'host_result' && e.task === 'runs in check mode too' && e.host === 'w1');
  t.match(ran, { status: 'ok' }, 'check_mode: false ran for real');
});
