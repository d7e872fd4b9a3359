import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createConnection } from '../../src/connection/factory.js';
import { InterruptedError, TaskTimeoutError } from '../../src/errors.js';

const conn = createConnection('localhost', {
  kind: 'local',
  address: 'localhost',
  port: 22,
  user: 'root',
  connectTimeout: 5,
  connectRetries: 0,
  become: false,
});

t.test('runs with cwd, env and stdin; non-zero rc is a result, not an error', async (t) => {
  const r = await conn.run('printf "%s|" "$GREETING" "$(pwd)"; cat; exit 3', {
    cwd: '/tmp',
    env: { GREETING: `it's "quoted" $HOME` },
    stdin: 'from stdin',
  });
  t.same(r, { rc: 3, stdout: `it's "quoted" $HOME|/tmp|from stdin`, stderr: '' });
});

t.test('timeout kills the whole process group', async (t) => {
  // a duration no other process on the machine has (a plain "sleep 30" also matched "sleep 300")
  const background = `sleep 30.${process.pid}`;
  const started = Date.now();
  await t.rejects(conn.run(`${background} & sleep 31`, { timeoutMs: 300 }), TaskTimeoutError);
  t.ok(Date.now() - started < 5000, 'returned promptly');
  await new Promise((r) => setTimeout(r, 100));
  // living processes only: a killed child may linger a moment as a zombie (state Z)
  const ps = execFileSync('ps', ['-eo', 'stat=,args=']).toString().split('\n');
  t.same(ps.filter((l) => !l.trim().startsWith('Z') && l.trim().endsWith(background)), [], 'background child was killed too');
});

t.test('abort interrupts a running command', async (t) => {
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 200);
  await t.rejects(conn.run('sleep 20', { signal: ac.signal }), InterruptedError);
});

t.test('put writes the file with its mode; get reads it back as bytes', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lbrun-local-'));
  const file = join(dir, "name with 'quote'");
  const data = Buffer.from([0, 1, 2, 255, 10]);
  await conn.put(file, data, { mode: 0o640 });
  t.same(readFileSync(file), data);
  t.equal(statSync(file).mode & 0o777, 0o640);
  t.same(await conn.get(file), data);
  t.ok(conn.stats.commands >= 3 && conn.stats.puts === 1, 'stats count commands and puts');
});

t.test('become as root runs directly as root', async (t) => {
  const r = await conn.run('id -u', { become: true });
  t.equal(r.stdout.trim(), '0');
});
