/**
 * Faults on the lab, one after another, each with the same promises checked: no half-written file
 * (the old one byte-identical), no lbrun temp file left on any host, no stray remote process, the
 * other hosts finish, and two re-runs afterwards converge (the second changes nothing).
 *   unreachable from the start, link down mid-run, sshd killed mid-task, a hanging command (task
 *   timeout), the dpkg lock held by another process, a full destination filesystem, SIGINT and
 *   SIGTERM during a run.
 * The lab is left up and converged (the drill's files and package are removed at the end).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import t, { type Test } from 'tap';
import { vethName } from '../../src/lab/config.js';
import { ensureLab, labExec } from '../lab/helpers.js';
import { recap, runCli, type CliResult } from '../support/run-cli.js';
import { drill, drillInventory, fileText, HOSTS, on, processes, reconverge, sleep, tempFiles, varsFile } from './lab-drill.js';

t.setTimeout(30 * 60_000);

const CONF = '/etc/lbrun-drill/drill.conf';
const figures = { faults: 0, interrupted: 0, halfWritten: 0, tempFiles: 0, strayProcesses: 0, notConverged: 0, othersUnfinished: 0 };

function explain(r: CliResult): string {
  const bad = r.events.filter((e) => e.event === 'host_result' && (e.status === 'failed' || e.status === 'unreachable'));
  return `exit ${r.code}\n${bad.map((e) => `${e.host} ${e.task}: ${e.status} ${e.msg ?? ''}`).join('\n')}\n${r.stderr.slice(-1500)}`;
}

/** The promises every fault must keep. `intact`: hosts whose drill.conf must still be `old`. */
async function afterFault(t: Test, label: string, opts: { intact?: string[]; old?: string; procs?: string }): Promise<void> {
  for (const h of HOSTS) {
    const temps = await tempFiles(h);
    figures.tempFiles += temps.length;
    t.same(temps, [], `${label}: no temp file left on ${h}`);
    if (opts.procs) {
      const stray = await processes(h, opts.procs);
      figures.strayProcesses += stray.length;
      t.same(stray, [], `${label}: no stray '${opts.procs}' on ${h}`);
    }
  }
  for (const h of opts.intact ?? []) {
    const text = await fileText(h, CONF);
    if (text !== opts.old) figures.halfWritten++;
    t.equal(text, opts.old, `${label}: ${h} ${CONF} is the old file, byte for byte`);
  }
  const { second, changed } = await reconverge();
  if (second.code !== 0 || changed !== 0) figures.notConverged++;
  t.equal(second.code, 0, `${label}: the re-run succeeds\n${explain(second)}`);
  t.equal(changed, 0, `${label}: the second re-run changes nothing`);
}

function othersFinished(t: Test, r: CliResult, others: string[], label: string): void {
  const counts = recap(r);
  for (const h of others) {
    const done = counts[h] && counts[h].failed === 0 && counts[h].unreachable === 0 && counts[h].ok + counts[h].changed >= 3;
    if (!done) figures.othersUnfinished++;
    t.ok(done, `${label}: ${h} finished (${JSON.stringify(counts[h])})`);
  }
}

const BASE = 'drill base\n\n';

t.before(async () => {
  await ensureLab();
  const r = await drill([]);
  if (r.code !== 0) throw new Error(`the drill baseline failed: ${explain(r)}`);
});

t.teardown(async () => {
  for (const h of HOSTS) {
    await labExec(h, 'umount /etc/lbrun-drill-full 2>/dev/null; rm -rf /etc/lbrun-drill /etc/lbrun-drill-full; ip link set eth0 up; systemctl start ssh');
    await labExec(h, 'dpkg -s socat >/dev/null 2>&1 && apt-get -y -q remove socat >/dev/null 2>&1; true', { timeoutMs: 120_000 });
  }
  for (const h of HOSTS) await runIp(['link', 'set', vethName(h), 'up']).catch(() => {});
});

async function runIp(args: string[]): Promise<void> {
  await promisify(execFile)('ip', args);
}

t.test('a host unreachable from the start: the others finish, exit 4', async (t) => {
  figures.faults++;
  const r = await drill(['-e', 'drill_id=unreach'], { inventory: drillInventory({ withUnreachable: true }) });
  t.equal(r.code, 4, `exit 4\n${explain(r)}`);
  t.equal(recap(r)['lb-04']?.unreachable, 1, 'lb-04 unreachable');
  othersFinished(t, r, HOSTS, 'unreachable');
  for (const h of HOSTS) t.equal(await fileText(h, CONF), 'drill unreach\n\n', `${h} has the new file`);
  await drill([]); // back to the base file
  await afterFault(t, 'unreachable', { intact: HOSTS, old: BASE });
});

t.test("a host's link goes down during a slow task: the others finish, exit 4", async (t) => {
  figures.faults++;
  const veth = vethName('lb-02');
  let cut = false;
  const r = await drill(['-e', 'drill_sleep=6', '-e', 'drill_id=link'], {
    onTask: (task) => {
      if (task === 'Slow step' && !cut) {
        cut = true;
        setTimeout(() => void runIp(['link', 'set', veth, 'down']), 1000);
      }
    },
  });
  await runIp(['link', 'set', veth, 'up']);
  t.ok(cut, 'the link was cut during the slow step');
  t.equal(r.code, 4, `exit 4\n${explain(r)}`);
  t.equal(recap(r)['lb-02']?.unreachable, 1, 'lb-02 unreachable');
  othersFinished(t, r, ['lb-01', 'lb-03'], 'link down');
  t.ok(r.durationMs < 60_000, `the run ended in ${r.durationMs} ms (a dead link is noticed, not waited out)`);
  // lb-02 answers again once its link is back
  for (let i = 0; i < 50 && (await labExec('lb-02', 'ping -c1 -W1 10.213.0.1')).code !== 0; i++) await sleep(200);
  await afterFault(t, 'link down', { intact: ['lb-02'], old: BASE, procs: 'sleep 6$' });
});

t.test('sshd killed on a host during a task: the others finish, exit 4', async (t) => {
  figures.faults++;
  let killed = false;
  const r = await drill(['-e', 'drill_sleep=6', '-e', 'drill_id=sshd'], {
    onTask: (task) => {
      if (task === 'Slow step' && !killed) {
        killed = true;
        setTimeout(() => void labExec('lb-03', 'systemctl kill --signal=KILL ssh; pkill -KILL -x sshd; true'), 1000);
      }
    },
  });
  await on('lb-03', 'systemctl start ssh');
  t.ok(killed, 'sshd was killed during the slow step');
  t.equal(r.code, 4, `exit 4\n${explain(r)}`);
  t.equal(recap(r)['lb-03']?.unreachable, 1, 'lb-03 unreachable');
  othersFinished(t, r, ['lb-01', 'lb-02'], 'sshd killed');
  await afterFault(t, 'sshd killed', { intact: ['lb-03'], old: BASE, procs: 'sleep 6$' });
});

t.test('a command that hangs is stopped by the task timeout; its process is killed on the host', async (t) => {
  figures.faults++;
  const r = await drill(['-e', 'drill_hang=true', '-e', 'drill_id=hang']);
  t.equal(r.code, 2, `exit 2\n${explain(r)}`);
  const timedOut = r.events.filter((e) => e.event === 'host_result' && e.task === 'Hanging command' && e.status === 'failed');
  t.same(timedOut.map((e) => e.host).sort(), HOSTS, 'the hanging task failed on every host');
  t.match(String(timedOut[0]?.msg), /timed out/, 'as a timeout');
  for (const e of timedOut) t.ok(Number(e.duration_ms) < 10_000, `${e.host}: stopped after ${e.duration_ms} ms`);
  await sleep(1500);
  await afterFault(t, 'hang', { intact: HOSTS, old: BASE, procs: 'sleep 600' });
});

t.test('the dpkg lock held by another process: apt waits, then succeeds', async (t) => {
  figures.faults++;
  await labExec('lb-02', 'dpkg -s socat >/dev/null 2>&1 && apt-get -y -q remove socat; true', { timeoutMs: 120_000 });
  // an fcntl lock on the dpkg frontend lock, as apt itself takes it, for 10 s
  const holder = labExec('lb-02', `python3 -c "import fcntl,time; f=open('/var/lib/dpkg/lock-frontend','a'); fcntl.lockf(f, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(10)"`, { timeoutMs: 60_000 });
  await sleep(1500);
  const pkgs = varsFile('socat', { drill_packages: ['socat'] });
  const r = await drill(['-e', `@${pkgs}`, '--limit', 'lb-02']);
  const held = await holder;
  t.match(held.stdout, /locked/, 'the lock was held');
  t.equal(r.code, 0, `exit 0\n${explain(r)}`);
  const apt = r.events.find((e) => e.event === 'host_result' && e.task === 'Drill packages');
  t.equal(apt?.status, 'changed', 'socat installed');
  t.ok(Number(apt?.duration_ms) >= 5000, `apt waited for the lock (${apt?.duration_ms} ms)`);
  t.equal((await labExec('lb-02', 'dpkg -s socat | grep Status')).stdout.trim(), 'Status: install ok installed');
  const again = await drill(['-e', `@${pkgs}`, '--limit', 'lb-02']);
  t.equal(Object.values(recap(again)).reduce((n, h) => n + h.changed, 0), 0, 'the re-run changes nothing');
  await afterFault(t, 'dpkg lock', { procs: 'lock-frontend' });
});

t.test('a full destination filesystem: the write fails, the old file stays, no temp file', async (t) => {
  figures.faults++;
  const full = '/etc/lbrun-drill-full';
  await on('lb-01', `mkdir -p ${full} && mount -t tmpfs -o size=64k tmpfs ${full} && printf 'drill OLD\\n' > ${full}/drill.conf && (dd if=/dev/zero of=${full}/filler bs=1k 2>/dev/null || true) && df -k ${full} | tail -1`);
  const vars = varsFile('full', { drill_dir: full, drill_id: 'full', drill_padding: 'x'.repeat(32 * 1024) });
  const r = await drill(['-e', `@${vars}`]);
  t.equal(r.code, 2, `exit 2\n${explain(r)}`);
  const failed = r.events.find((e) => e.event === 'host_result' && e.host === 'lb-01' && e.status === 'failed');
  t.equal(failed?.task, 'Drill config', 'the template task failed on lb-01');
  t.match(String(failed?.msg), /No space left|space/i, `says why: ${failed?.msg}`);
  othersFinished(t, r, ['lb-02', 'lb-03'], 'full disk');
  t.equal(await fileText('lb-01', `${full}/drill.conf`), 'drill OLD\n', 'the old file is intact');
  const listing = (await on('lb-01', `ls -A ${full}`)).split('\n').filter(Boolean).sort();
  t.same(listing, ['drill.conf', 'filler'], 'nothing else in the full directory');
  await on('lb-01', `umount ${full}`);
  for (const h of HOSTS) await on(h, `rm -rf ${full}`);
  await afterFault(t, 'full disk', { intact: HOSTS, old: BASE });
});

t.test('SIGINT during a validated write: exit 130, recap interrupted, temp files removed', async (t) => {
  figures.faults++;
  figures.interrupted++;
  let sawTemp: string[] = [];
  const r = await drill(['-e', 'drill_validate_sleep=8', '-e', 'drill_id=sigint'], {
    onTask: (task, child) => {
      if (task !== 'Drill config') return;
      setTimeout(() => {
        // the write is in flight: its temp file exists now; a failed look is reported, not thrown into a timer
        tempFiles('lb-01')
          .then((f) => { sawTemp = f; }, (e: unknown) => { sawTemp = [`tempFiles failed: ${String(e)}`]; })
          .finally(() => child.kill('SIGINT'));
      }, 2500);
    },
  });
  t.ok(sawTemp.some((f) => f.startsWith('/etc/lbrun-drill/.drill.conf.lbrun-')), `a temp file existed when the signal came: ${sawTemp}`);
  t.equal(r.code, 130, `exit 130\n${explain(r)}`);
  t.equal(r.events.find((e) => e.event === 'recap')?.interrupted, true, 'the recap is marked interrupted');
  // past the end of the 8 s validation: an orphaned write would have renamed its file by now
  await sleep(7000);
  await afterFault(t, 'SIGINT', { intact: HOSTS, old: BASE, procs: 'sleep 8' });
});

t.test('SIGTERM during a slow task: exit 130, human recap says interrupted, no stray process', async (t) => {
  figures.faults++;
  figures.interrupted++;
  const r = await runCli(['test/reliability/fixtures/drill.yaml', '-i', drillInventory(), '-e', 'drill_sleep=9', '-e', 'drill_id=sigterm'], {
    timeoutMs: 120_000,
    onSpawn: (child) => {
      let out = '';
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('TASK [Slow step]') && !out.includes('sent')) {
          out += 'sent';
          setTimeout(() => child.kill('SIGTERM'), 1500);
        }
      });
    },
  });
  t.equal(r.code, 130, `exit 130\n${r.stdout.slice(-1500)}\n${r.stderr}`);
  t.match(r.stdout, /PLAY RECAP \[interrupted\]/, 'the recap is marked interrupted');
  t.ok(r.durationMs < 8000, `stopped in ${r.durationMs} ms, not after the 9 s sleep`);
  await sleep(1500);
  await afterFault(t, 'SIGTERM', { intact: HOSTS, old: BASE, procs: 'sleep 9' });
});

t.test('figures', async (t) => {
  t.comment(
    `FIGURE faults_injected=${figures.faults} runs_interrupted=${figures.interrupted} half_written_files=${figures.halfWritten} temp_files_left=${figures.tempFiles} stray_processes=${figures.strayProcesses} others_unfinished=${figures.othersUnfinished} reruns_not_converged=${figures.notConverged}`,
  );
  t.equal(figures.halfWritten + figures.tempFiles + figures.strayProcesses + figures.notConverged + figures.othersUnfinished, 0, 'nothing lost');
});
