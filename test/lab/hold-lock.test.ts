import { spawn } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { holdLabLock, releaseLabLock } from '../../src/lab/hold-lock.js';

const MODULE = new URL('../../src/lab/hold-lock.ts', import.meta.url).href;

/** A separate node process that takes the lock, prints "held", and keeps it until killed. */
function holder(lock: string) {
  const code = `import('${MODULE}').then(async (m) => { await m.holdLabLock(60000, ${JSON.stringify(lock)}); console.log('held'); setInterval(() => {}, 1000); });`;
  const child = spawn(process.execPath, [...process.execArgv, '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const held = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('held') && resolve());
    child.on('exit', (c) => reject(new Error(`holder exited ${c}`)));
  });
  return { child, held };
}

t.test('a second holder waits for the first, and a killed holder leaves no stale lock', async (t) => {
  const lock = join(t.testdir(), 'lab.lock');
  const first = holder(lock);
  await first.held;

  await t.rejects(holdLabLock(1500, lock), /held by another process/, 'a waiter times out while the lock is held');

  const started = Date.now();
  const waiting = holdLabLock(30_000, lock);
  setTimeout(() => first.child.kill('SIGKILL'), 500);
  await waiting;
  t.ok(Date.now() - started >= 400, 'the waiter got the lock only after the holder died');
  await t.resolves(holdLabLock(1000, lock), 'taking it again in the same process is immediate');
});

t.test('a released lock can be taken by another process at once', async (t) => {
  const lock = join(t.testdir(), 'lab.lock');
  await holdLabLock(1000, lock);
  releaseLabLock(lock);
  const other = holder(lock);
  t.teardown(() => { other.child.kill('SIGKILL'); });
  await other.held;
  t.pass('another process holds it after the release');
});
