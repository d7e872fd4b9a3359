// block / rescue / always through the real CLI (local connection): the recap counts rescued as
// ansible-playbook does (compared with ansible-core when it is installed), rescue sees
// ansible_failed_task / ansible_failed_result, always runs after failures, block keywords reach
// the tasks, and a rescued failure neither fails the host nor stops an any_errors_fatal play.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { recap, runCli, REPO_ROOT } from '../support/run-cli.js';

const INV = 'test/fixtures/engine/inventory.yaml';
const results = (r: { events: Array<Record<string, unknown>> }, task: string) =>
  r.events.filter((e) => e.event === 'host_result' && e.task === task);
const ranOn = (r: { events: Array<Record<string, unknown>> }, task: string) => results(r, task).map((e) => e.host as string).sort();

t.test('a failure in a block runs its rescue; the host is rescued, not failed', async (t) => {
  const r = await runCli(['test/fixtures/flow/block.yaml', '-i', INV, '--json']);
  t.equal(r.code, 0, 'a rescued host does not fail the run');
  t.same(ranOn(r, 'After the failure'), ['h1', 'h3', 'h4'], 'the failed host leaves the block');
  t.same(ranOn(r, 'Rescue sees the failure'), ['h2'], 'rescue runs only where the block failed');
  t.match(results(r, 'Rescue sees the failure')[0], { msg: 'rescued Fails on h2 rc=1' }, 'ansible_failed_task and ansible_failed_result');
  t.same(ranOn(r, 'Always runs'), ['h1', 'h2', 'h3', 'h4']);
  t.same(ranOn(r, 'Next task'), ['h1', 'h2', 'h3', 'h4'], 'the rescued host goes on');
  t.match(results(r, 'Fails on h2').find((e) => e.host === 'h2'), { status: 'failed', rescued: true });
  t.match(recap(r).h2, { failed: 0, rescued: 1, ok: 3 });
  t.match(recap(r).h1, { failed: 0, rescued: 0, ok: 4, changed: 1 });
});

t.test('a failed rescue fails the host after always; nested failures go to the outer rescue', async (t) => {
  const r = await runCli(['test/fixtures/flow/block-fail.yaml', '-i', INV, '--json']);
  t.equal(r.code, 2);
  t.same(ranOn(r, 'Inner always'), ['h1', 'h2', 'h3', 'h4'], "the inner block's always runs before the outer rescue");
  t.same(ranOn(r, 'Always after a failed rescue'), ['h1', 'h2', 'h3', 'h4']);
  t.same(ranOn(r, 'Cleanup'), ['h1', 'h3', 'h4'], 'always runs on a host whose block failed without rescue');
  t.same(ranOn(r, 'Survivors'), ['h1', 'h4']);
  t.same(recap(r), {
    h1: { ok: 7, changed: 3, unreachable: 0, failed: 0, skipped: 0, rescued: 1, ignored: 0 },
    h2: { ok: 3, changed: 1, unreachable: 0, failed: 1, skipped: 0, rescued: 1, ignored: 0 },
    h3: { ok: 5, changed: 2, unreachable: 0, failed: 1, skipped: 0, rescued: 0, ignored: 0 },
    h4: { ok: 7, changed: 3, unreachable: 0, failed: 0, skipped: 0, rescued: 0, ignored: 0 },
  });
});

t.test('the recap matches ansible-playbook on the same playbooks', async (t) => {
  // ansible-core is one of the controller's packages (src/setup/requirements.ts)
  const dir = mkdtempSync(join(tmpdir(), 'lbrun-block-'));
  const inv = join(dir, 'inventory.yaml');
  writeFileSync(inv, readFileSync(join(REPO_ROOT, INV), 'utf8').replace('lbrun_connection: local', 'ansible_connection: local'));
  for (const pb of ['block-fail.yaml', 'block-keywords.yaml']) {
    const file = join(REPO_ROOT, 'test/fixtures/flow', pb);
    const theirs = await promisify(execFile)('ansible-playbook', ['-i', inv, file], { env: { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_HOST_KEY_CHECKING: '0' } }).then(
      (x) => x.stdout,
      (e: { stdout: string }) => e.stdout,
    );
    const counts: Record<string, Record<string, number>> = {};
    for (const m of theirs.matchAll(/^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)\s+rescued=(\d+)\s+ignored=(\d+)/gm)) {
      const [, host, ok, changed, unreachable, failed, skipped, rescued, ignored] = m;
      counts[host] = { ok: +ok, changed: +changed, unreachable: +unreachable, failed: +failed, skipped: +skipped, rescued: +rescued, ignored: +ignored };
    }
    const ours = await runCli([file, '-i', INV, '--json']);
    t.same(recap(ours), counts, `${pb}: same recap as ansible-playbook`);
  }
});

t.test('block keywords reach its tasks; a rescued failure does not trip any_errors_fatal', async (t) => {
  const r = await runCli(['test/fixtures/flow/block-keywords.yaml', '-i', INV, '--json']);
  t.equal(r.code, 0);
  t.same(ranOn(r, 'Block var and when').filter((h) => results(r, 'Block var and when').find((e) => e.host === h)?.status === 'ok'), ['h1', 'h2']);
  t.match(results(r, 'Block var and when').find((e) => e.host === 'h1'), { msg: 'block-var' });
  t.match(results(r, 'Task var wins').find((e) => e.host === 'h1'), { msg: 'task-var' });
  t.match(results(r, 'Ignored failure').find((e) => e.host === 'h1'), { status: 'failed', ignored: true });
  t.same(ranOn(r, 'End'), ['h1', 'h2', 'h3', 'h4'], 'the play went on');
  t.match(recap(r).h3, { rescued: 1, failed: 0, ignored: 1 });

  const tagged = await runCli(['test/fixtures/flow/block-keywords.yaml', '-i', INV, '--json', '--tags', 'guarded']);
  const tasks = tagged.events.filter((e) => e.event === 'task_start').map((e) => e.task);
  t.same(tasks, ['Block var and when', 'Task var wins'], "the block's tags select its tasks");
});

t.test('check mode: a block whose command would run reports it and rescues nothing', async (t) => {
  const r = await runCli(['test/fixtures/flow/block.yaml', '-i', INV, '--json', '--check']);
  t.equal(r.code, 0);
  t.same(ranOn(r, 'Rescue sees the failure'), [], 'nothing failed: the command did not run');
  t.match(results(r, 'Fails on h2').find((e) => e.host === 'h2'), { status: 'changed' });
});

t.test('offline: a bad block is an input error at its line', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lbrun-block-'));
  const pb = join(dir, 'pb.yaml');
  writeFileSync(pb, '- hosts: web\n  tasks:\n    - block:\n        - debug: { msg: hi }\n      resuce:\n        - debug: { msg: x }\n    - rescue:\n        - debug: { msg: y }\n');
  const r = await runCli(['validate', pb, '-i', INV]);
  t.equal(r.code, 3);
  t.match(r.stderr, /pb\.yaml:5:7: .*resuce.*did you mean 'rescue'/);
  t.match(r.stderr, /pb\.yaml:7:7: rescue without block/);
  writeFileSync(pb, '- hosts: web\n  tasks:\n    - block:\n        - debug: { msg: hi }\n      rescue:\n        - debug: { msg: "{{ nope }}" }\n');
  const run = await runCli([pb, '-i', INV]);
  t.equal(run.code, 3, 'a rescue that never runs is still checked before any host');
  t.match(run.stderr, /pb\.yaml:6:\d+: undefined variable 'nope'/);
});
