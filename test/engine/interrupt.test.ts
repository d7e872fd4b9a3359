// SIGINT mid-run: running commands are killed, connections closed, the recap is printed marked
// interrupted, exit 130.
import { execFileSync, spawn } from 'node:child_process';
import t from 'tap';
import { REPO_ROOT } from '../support/run-cli.js';

const MARKER = 'sleep 29.7381';

function sleepRunning(): boolean {
  try {
    execFileSync('pgrep', ['-f', MARKER]);
    return true;
  } catch {
    return false;
  }
}

t.test('SIGINT stops the run, kills the command, prints an interrupted recap, exits 130', async (t) => {
  const child = spawn(process.execPath, ['bin/lbrun.js', 'test/fixtures/engine/slow.yaml', '-i', 'test/fixtures/engine/inventory.yaml', '--json'], {
    cwd: REPO_ROOT,
    env: { ...process.env, NO_COLOR: '1' },
  });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.resume();
  // wait until the sleep runs
  const started = Date.now();
  while (!sleepRunning()) {
    if (Date.now() - started > 20_000) t.bailout('the sleep task never started');
    await new Promise((r) => setTimeout(r, 100));
  }
  const sent = Date.now();
  child.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  t.equal(code, 130);
  t.ok(Date.now() - sent < 10_000, 'stopped promptly');
  const events = stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  t.match(events.at(-1), { event: 'recap', interrupted: true });
  t.notOk(events.some((e) => e.task === 'Never reached' && e.event === 'host_result'), 'no task started after the interrupt');
  t.notOk(sleepRunning(), 'the sleep process is gone');
});
