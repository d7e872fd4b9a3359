/**
 * A command whose SSH connection breaks mid-run (the sshd serving the session killed, as when sshd
 * is restarted or killed on the host) would go on running on the host: sshd does not signal a
 * session that has no terminal. lbrun reconnects and kills its process group, so nothing outlives
 * the run. Real CLI, real sshd on loopback; a unique marker per run in the command line, checked
 * (the sleep's own argument) checked long before the command would have ended by itself; the probe
 * has a positive control.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { runCli } from '../support/run-cli.js';
import { sshdHostVars, startSshd } from '../support/sshd.js';

const sshd = await startSshd('127.0.0.7');
t.teardown(() => sshd.stop());

/** A sleep duration no other process uses (about 5 minutes): the marker is the sleep's own argument. */
function uniqueSleep(): string {
  return `299.${String(randomInt(1e8)).padStart(8, '0')}7`;
}

/** Processes whose command line holds `marker` (pgrep -f; it never lists itself). */
function running(marker: string): string[] {
  try {
    return execFileSync('pgrep', ['-af', marker], { encoding: 'utf8' }).split('\n').filter((l) => l && !l.includes('pgrep'));
  } catch (e) {
    if ((e as { status?: number }).status === 1) return []; // pgrep: nothing matched
    throw e;
  }
}

/** The per-connection sshd processes (children of the listener), not the listener itself. */
function sessionSshds(): string[] {
  const listener = execFileSync('cat', [join(sshd.dir, 'sshd.pid')], { encoding: 'utf8' }).trim();
  try {
    return execFileSync('pgrep', ['-P', listener], { encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

const inventory = join(sshd.dir, 'orphan-inventory.yaml');
writeFileSync(inventory, `all:\n  hosts:\n    target:\n${sshdHostVars(sshd)}\n`);

t.test('the probe sees a running marked command (control)', async (t) => {
  const marker = uniqueSleep();
  const child = spawn('sleep', [marker]);
  await new Promise((r) => setTimeout(r, 300));
  t.equal(running(marker).length, 1, 'pgrep finds it');
  child.kill('SIGKILL');
});

t.test("sshd's session killed mid-command: the host is unreachable and the command is killed", async (t) => {
  const marker = uniqueSleep();
  const pb = join(sshd.dir, 'orphan.yaml');
  writeFileSync(pb, `- hosts: all\n  tasks:\n    - name: Long command\n      shell: "sleep ${marker}; echo done"\n`);
  let killed = false;
  const r = await runCli([pb, '-i', inventory, '--json'], {
    timeoutMs: 120_000,
    onSpawn: (child) => {
      let out = '';
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        if (!killed && out.includes('"task_start"')) {
          killed = true;
          // once the command runs on the host, kill the sshd processes serving lbrun's connection
          const poll = setInterval(() => {
            // the sleep itself runs (not only the shell about to start it)
            if (!running(marker).some((l) => / sleep \d/.test(l))) return;
            clearInterval(poll);
            for (const pid of sessionSshds()) execFileSync('kill', ['-KILL', pid]);
          }, 100);
        }
      });
    },
  });
  t.ok(killed, 'the session was killed while the command ran');
  t.equal(r.code, 4, `exit 4 (unreachable)\n${r.stderr.slice(-1000)}`);
  // checked right after the run: the command alone would run for another ~5 minutes
  t.same(running(marker), [], 'no process of the command is left on the host');
});
