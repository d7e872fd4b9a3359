/**
 * Faults on the lab, one after another, each with the same promises checked: no half-written file
 * (the old one byte-identical, or the new one whole where the write may have finished), no lbrun
 * temp file left on any host, no stray remote process, the other hosts finish, and two re-runs
 * afterwards converge (the second changes nothing).
 * The faults strike where it hurts: a link cut, sshd killed, SIGINT and SIGTERM all come while a
 * write is in flight (its temp file written and checked, its validate held by a file the test
 * creates: holdPoint), and the stray-process checks look for a marker unique to the run before the
 * process would have ended by itself. Every probe throws when it cannot look, and the first test
 * shows each one finding what it looks for (positive controls).
 *   unreachable from the start, link down mid-write, sshd killed mid-write, a hanging command (task
 *   timeout), the dpkg lock held by another process, a full destination filesystem, SIGINT and
 *   SIGTERM mid-write.
 * The lab is left up and converged (the drill's files and package are removed at the end).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import t, { type Test } from 'tap';
import { vethName } from '../../src/lab/config.js';
import { ensureLab, labExec } from '../lab/helpers.js';
import { recap, runCli, type CliResult } from '../support/run-cli.js';
import { randomBytes } from 'node:crypto';
import { drill, drillInventory, fileText, holdPoint, HOSTS, on, processes, reconverge, sleep, tempFiles, varsFile } from './lab-drill.js';

t.setTimeout(30 * 60_000);

const CONF = '/etc/lbrun-drill/drill.conf';
const figures = { faults: 0, interrupted: 0, halfWritten: 0, tempFiles: 0, strayProcesses: 0, notConverged: 0, othersUnfinished: 0 };

function explain(r: CliResult): string {
  const bad = r.events.filter((e) => e.event === 'host_result' && (e.status === 'failed' || e.status === 'unreachable'));
  return `exit ${r.code}\n${bad.map((e) => `${e.host} ${e.task}: ${e.status} ${e.msg ?? ''}`).join('\n')}\n${r.stderr.slice(-1500)}`;
}

/** The promises every fault must keep. `intact`: hosts whose drill.conf must still be `old`. */
async function afterFault(t: Test, label: string, opts: { intact?: string[]; old?: string; orNew?: string; procs?: string | RegExp }): Promise<void> {
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
    const whole = text === opts.old || (opts.orNew !== undefined && text === opts.orNew);
    if (!whole) figures.halfWritten++;
    if (opts.orNew === undefined) t.equal(text, opts.old, `${label}: ${h} ${CONF} is the old file, byte for byte`);
    else t.ok(whole, `${label}: ${h} ${CONF} is the old or the new file, whole (${JSON.stringify(text)})`);
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
/** A marker unique to this test run (in hold ids and sleep durations). */
const RUN = randomBytes(3).toString('hex');
/** A sleep duration no other process uses: the stray check finds exactly this command. */
const uniqueSleep = (secs: number) => `${secs}.${parseInt(RUN, 16)}${Math.floor(Math.random() * 1e6)}`;

/** Wait until the held write waits on `host` (throws after 60 s). */
async function untilHeld(hold: ReturnType<typeof holdPoint>, host: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await hold.held(host)) return;
    await sleep(100);
  }
  throw new Error(`${host}: the write was never held`);
}

/** What the fault must find in flight on `host`: the temp file of the write and its held validate. */
async function inFlight(t: Test, host: string, id: string): Promise<void> {
  const temps = await tempFiles(host);
  t.ok(temps.some((f) => f.startsWith('/etc/lbrun-drill/.drill.conf.lbrun-')), `${host}: the write's temp file exists when the fault strikes (${temps})`);
  t.ok((await processes(host, id)).length > 0, `${host}: its validate is waiting when the fault strikes`);
}

t.before(async () => {
  await ensureLab();
  const r = await drill([]);
  if (r.code !== 0) throw new Error(`the drill baseline failed: ${explain(r)}`);
});

t.teardown(async () => {
  for (const h of HOSTS) {
    await labExec(h, 'umount /etc/lbrun-drill-full 2>/dev/null; touch /run/lbrun-drill-go-x; rm -rf /etc/lbrun-drill /etc/lbrun-drill-full /run/lbrun-drill-*; ip link set eth0 up; systemctl start ssh');
    await labExec(h, 'dpkg -s socat >/dev/null 2>&1 && apt-get -y -q remove socat >/dev/null 2>&1; true', { timeoutMs: 120_000 });
  }
  for (const h of HOSTS) await runIp(['link', 'set', vethName(h), 'up']).catch(() => {});
});

async function runIp(args: string[]): Promise<void> {
  await promisify(execFile)('ip', args);
}

t.test('the probes see what they look for (positive controls)', async (t) => {
  const planted = '/etc/lbrun-drill/.drill.conf.lbrun-000000control';
  await on('lb-01', `touch ${planted}`);
  t.ok((await tempFiles('lb-01')).includes(planted), 'tempFiles finds a planted temp file');
  await on('lb-01', `rm -f ${planted}`);
  t.notOk((await tempFiles('lb-01')).includes(planted), 'and not once it is gone');
  const secs = uniqueSleep(30);
  await on('lb-02', `(setsid sleep ${secs} >/dev/null 2>&1 &)`);
  t.equal((await processes('lb-02', `sleep ${secs}`)).length, 1, 'processes finds a running marked command');
  const [pid] = (await processes('lb-02', `sleep ${secs}`))[0].trim().split(/\s+/);
  await on('lb-02', `kill ${pid}`);
  await sleep(200);
  t.same(await processes('lb-02', `sleep ${secs}`), [], 'and not once it is killed');
  const hold = holdPoint(`ctl${RUN}`);
  t.notOk(await hold.held('lb-01'), 'a hold not reached is not held');
});

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

t.test("a host's link goes down while a write is in flight: the others finish, exit 4", async (t) => {
  figures.faults++;
  const veth = vethName('lb-02');
  const id = `link${RUN}`;
  const hold = holdPoint(id);
  let cut: Promise<void> | undefined;
  const r = await drill([...hold.args, '-e', 'drill_hold_host=lb-02', '-e', 'drill_id=link'], {
    onTask: (task) => {
      if (task !== 'Drill config' || cut) return;
      cut = (async () => {
        await untilHeld(hold, 'lb-02');
        await inFlight(t, 'lb-02', id);
        await runIp(['link', 'set', veth, 'down']);
      })();
    },
  });
  await cut;
  await runIp(['link', 'set', veth, 'up']);
  t.ok(cut, 'the link was cut while the write was held');
  t.equal(r.code, 4, `exit 4\n${explain(r)}`);
  t.equal(recap(r)['lb-02']?.unreachable, 1, 'lb-02 unreachable');
  othersFinished(t, r, ['lb-01', 'lb-03'], 'link down');
  t.ok(r.durationMs < 60_000, `the run ended in ${r.durationMs} ms (a dead link is noticed, not waited out)`);
  // lb-02 answers again once its link is back; the held write goes on when released: it may
  // finish (its session may still be alive) or clean up, never leave a partial file
  for (let i = 0; i < 50 && (await labExec('lb-02', 'ping -c1 -W1 10.213.0.1')).code !== 0; i++) await sleep(200);
  await hold.release('lb-02');
  for (let i = 0; i < 100 && (await processes('lb-02', id)).length > 0; i++) await sleep(100);
  await hold.cleanup('lb-02');
  await afterFault(t, 'link down', { intact: ['lb-02'], old: BASE, orNew: 'drill link\n\n', procs: id });
});

t.test('sshd killed on a host while a write is in flight: the write is undone, the others finish, exit 4', async (t) => {
  figures.faults++;
  const id = `sshd${RUN}`;
  const hold = holdPoint(id);
  let killed: Promise<void> | undefined;
  const r = await drill([...hold.args, '-e', 'drill_hold_host=lb-03', '-e', 'drill_id=sshd'], {
    onTask: (task) => {
      if (task !== 'Drill config' || killed) return;
      killed = (async () => {
        await untilHeld(hold, 'lb-03');
        await inFlight(t, 'lb-03', id);
        // systemd starts sshd again (Restart=on-failure), as on a real node
        await labExec('lb-03', 'systemctl kill --signal=KILL ssh; pkill -KILL -x sshd; true');
      })();
    },
  });
  await killed;
  await on('lb-03', 'systemctl start ssh');
  t.ok(killed, 'sshd was killed while the write was held');
  t.equal(r.code, 4, `exit 4\n${explain(r)}`);
  t.equal(recap(r)['lb-03']?.unreachable, 1, 'lb-03 unreachable');
  othersFinished(t, r, ['lb-01', 'lb-02'], 'sshd killed');
  // not released: lbrun reconnected and killed the held write itself (its trap removed the temp file)
  t.same(await processes('lb-03', id), [], 'the held write was killed by lbrun, not left waiting');
  await hold.cleanup('lb-03');
  await afterFault(t, 'sshd killed', { intact: ['lb-03'], old: BASE, procs: id });
});

t.test('a command that hangs is stopped by the task timeout; its process is killed on the host', async (t) => {
  figures.faults++;
  const secs = uniqueSleep(600);
  const r = await drill(['-e', 'drill_hang=true', '-e', `drill_hang_sleep=${secs}`, '-e', 'drill_id=hang']);
  // checked at once: the command alone would run for another ten minutes
  for (const h of HOSTS) t.same(await processes(h, `sleep ${secs}`), [], `${h}: the hanging command was killed`);
  t.equal(r.code, 2, `exit 2\n${explain(r)}`);
  const timedOut = r.events.filter((e) => e.event === 'host_result' && e.task === 'Hanging command' && e.status === 'failed');
  t.same(timedOut.map((e) => e.host).sort(), HOSTS, 'the hanging task failed on every host');
  t.match(String(timedOut[0]?.msg), /timed out/, 'as a timeout');
  for (const e of timedOut) t.ok(Number(e.duration_ms) < 10_000, `${e.host}: stopped after ${e.duration_ms} ms`);
  await afterFault(t, 'hang', { intact: HOSTS, old: BASE, procs: `sleep ${secs}` });
});

t.test('the dpkg lock held by another process: apt waits, then succeeds', async (t) => {
  figures.faults++;
  await labExec('lb-02', 'dpkg -s socat >/dev/null 2>&1 && apt-get -y -q remove socat; true', { timeoutMs: 120_000 });
  // an fcntl lock on the dpkg frontend lock, as apt itself takes it, held until the test lets go:
  // only once apt is seen waiting for it (no race with how long the run takes to get there)
  const id = `dpkg${RUN}`;
  const holder = labExec(
    'lb-02',
    `python3 -c 'import fcntl, os, time
f = open("/var/lib/dpkg/lock-frontend", "a")
fcntl.lockf(f, fcntl.LOCK_EX)
open("/run/lbrun-drill-locked-${id}", "w").close()
while not os.path.exists("/run/lbrun-drill-unlock-${id}"): time.sleep(0.1)
print("held")'`,
    { timeoutMs: 180_000 },
  );
  for (let i = 0; i < 100 && (await labExec('lb-02', `test -e /run/lbrun-drill-locked-${id}`)).code !== 0; i++) await sleep(100);
  const pkgs = varsFile('socat', { drill_packages: ['socat'] });
  const run = drill(['-e', `@${pkgs}`, '--limit', 'lb-02']);
  let waiting: string[] = [];
  for (let i = 0; i < 600 && waiting.length === 0; i++) {
    await sleep(100);
    waiting = await processes('lb-02', /^apt-get .*install/);
  }
  t.ok(waiting.length > 0, `apt runs while the lock is held (${waiting})`);
  await sleep(2000);
  t.ok((await processes('lb-02', /^apt-get .*install/)).length > 0, 'and is still waiting 2 s later, not failed');
  await on('lb-02', `touch /run/lbrun-drill-unlock-${id}`);
  const held = await holder;
  const r = await run;
  await on('lb-02', `rm -f /run/lbrun-drill-locked-${id} /run/lbrun-drill-unlock-${id}`);
  t.match(held.stdout, /held/, 'the lock was held until the test let go');
  t.equal(r.code, 0, `exit 0\n${explain(r)}`);
  const apt = r.events.find((e) => e.event === 'host_result' && e.task === 'Drill packages');
  t.equal(apt?.status, 'changed', 'socat installed once the lock was free');
  t.equal((await labExec('lb-02', 'dpkg -s socat | grep Status')).stdout.trim(), 'Status: install ok installed');
  const again = await drill(['-e', `@${pkgs}`, '--limit', 'lb-02']);
  t.equal(Object.values(recap(again)).reduce((n, h) => n + h.changed, 0), 0, 'the re-run changes nothing');
  // apt and dpkg are done on lb-02 (the holder was this test's own python, gone now)
  await afterFault(t, 'dpkg lock', { procs: /^(apt-get|apt|dpkg|\/usr\/bin\/dpkg) / });
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

t.test('SIGINT while a write is in flight: exit 130, recap interrupted, the write undone', async (t) => {
  figures.faults++;
  figures.interrupted++;
  const id = `int${RUN}`;
  const hold = holdPoint(id);
  let sent: Promise<void> | undefined;
  const r = await drill([...hold.args, '-e', 'drill_id=sigint'], {
    onTask: (task, child) => {
      if (task !== 'Drill config' || sent) return;
      sent = (async () => {
        await untilHeld(hold, 'lb-01');
        await inFlight(t, 'lb-01', id);
        child.kill('SIGINT');
      })();
    },
  });
  await sent;
  t.equal(r.code, 130, `exit 130\n${explain(r)}`);
  t.equal(r.events.find((e) => e.event === 'recap')?.interrupted, true, 'the recap is marked interrupted');
  // never released: the held write must be gone (killed), not waiting to rename later
  t.same(await processes('lb-01', id), [], 'the held write was killed');
  await hold.cleanup('lb-01');
  // lb-02/03 were not held: their writes may have finished before the signal, whole
  for (const h of ['lb-02', 'lb-03']) t.ok([BASE, 'drill sigint\n\n'].includes(String(await fileText(h, CONF))), `SIGINT: ${h} has the old or the new file, whole`);
  await afterFault(t, 'SIGINT', { intact: ['lb-01'], old: BASE, procs: id });
});

t.test('SIGTERM while a write is in flight: exit 130, human recap says interrupted, the write undone', async (t) => {
  figures.faults++;
  figures.interrupted++;
  const id = `term${RUN}`;
  const hold = holdPoint(id);
  let sent: Promise<void> | undefined;
  const r = await runCli(['test/reliability/fixtures/drill.yaml', '-i', drillInventory(), ...hold.args, '-e', 'drill_id=sigterm'], {
    timeoutMs: 120_000,
    onSpawn: (child) => {
      let out = '';
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('TASK [Drill config]') && !sent) {
          sent = (async () => {
            await untilHeld(hold, 'lb-01');
            await inFlight(t, 'lb-01', id);
            child.kill('SIGTERM');
          })();
        }
      });
    },
  });
  await sent;
  t.equal(r.code, 130, `exit 130\n${r.stdout.slice(-1500)}\n${r.stderr}`);
  t.match(r.stdout, /PLAY RECAP \[interrupted\]/, 'the recap is marked interrupted');
  t.same(await processes('lb-01', id), [], 'the held write was killed');
  await hold.cleanup('lb-01');
  // lb-02/03 were not held: their writes may have finished before the signal, whole
  for (const h of ['lb-02', 'lb-03']) t.ok([BASE, 'drill sigterm\n\n'].includes(String(await fileText(h, CONF))), `SIGTERM: ${h} has the old or the new file, whole`);
  await afterFault(t, 'SIGTERM', { intact: ['lb-01'], old: BASE, procs: id });
});

t.test('figures', async (t) => {
  t.comment(
    `FIGURE faults_injected=${figures.faults} runs_interrupted=${figures.interrupted} half_written_files=${figures.halfWritten} temp_files_left=${figures.tempFiles} stray_processes=${figures.strayProcesses} others_unfinished=${figures.othersUnfinished} reruns_not_converged=${figures.notConverged}`,
  );
  t.equal(figures.halfWritten + figures.tempFiles + figures.strayProcesses + figures.notConverged + figures.othersUnfinished, 0, 'nothing lost');
});
