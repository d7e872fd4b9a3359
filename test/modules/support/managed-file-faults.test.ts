/**
 * Nothing half-written, backups included, over a real loopback sshd and the real CLI: the write is
 * held in flight by a `validate` command that waits for a file the test creates, then lbrun is
 * interrupted once, twice, or SIGKILLed. Afterwards the destination is the old file and nothing
 * else is left beside it (no temp file, no backup, whole or truncated). A write to an immutable file
 * fails and leaves no backup behind.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { runCli, type CliResult } from '../../support/run-cli.js';
import { startSshd } from '../../support/sshd.js';

const sshd = await startSshd('127.0.0.23');
t.teardown(() => sshd.stop());

/** ext4 (not tmpfs): chattr +i needs a file system with attributes. */
const root = mkdtempSync('/var/tmp/lbrun-write-faults-');
t.teardown(() => {
  try {
    execFileSync('chattr', ['-R', '-i', root], { stdio: 'ignore' });
  } catch {
    // nothing was immutable
  }
  execFileSync('rm', ['-rf', root]);
});

const OLD = 'old content\n'.repeat(2000);
const NEW = 'new content\n'.repeat(2000);

function project(name: string, hold: boolean): { dir: string; args: string[] } {
  const dir = mkdtempSync(join(root, `${name}-`));
  const target = join(dir, 'target');
  execFileSync('mkdir', [target]);
  writeFileSync(join(target, 'app.conf'), OLD);
  writeFileSync(
    join(dir, 'hosts.yaml'),
    `all:\n  hosts:\n    h1:\n      lbrun_host: ${sshd.address}\n      lbrun_port: ${sshd.port}\n      lbrun_ssh_key: ${sshd.clientKey}\n      lbrun_known_hosts: ${sshd.knownHosts}\n      lbrun_connect_retries: 0\n`,
  );
  // the validate command says it holds, then waits until the test lets it go
  const validate = hold ? `touch ${dir}/held; while [ ! -e ${dir}/go ]; do sleep 0.05; done; test -s %s` : 'test -s %s';
  writeFileSync(
    join(dir, 'site.yaml'),
    `- hosts: all\n  tasks:\n    - name: write it\n      copy:\n        content: ${JSON.stringify(NEW)}\n        dest: ${target}/app.conf\n        backup: true\n        validate: ${JSON.stringify(validate)}\n`,
  );
  return { dir, args: [join(dir, 'site.yaml'), '-i', join(dir, 'hosts.yaml')] };
}

async function until(what: string, ok: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Start lbrun, wait until the write is held in validate, do `act` to it; returns the result. */
async function heldRun(dir: string, args: string[], act: (child: ChildProcess) => Promise<void>): Promise<CliResult> {
  let child: ChildProcess | undefined;
  const result = runCli(args, { onSpawn: (c) => (child = c) });
  await until('the write to be held', () => existsSync(join(dir, 'held')));
  await act(child as ChildProcess);
  return result;
}

function leftBeside(dir: string): string[] {
  return readdirSync(join(dir, 'target')).sort();
}

t.test('the write works, and keeps a whole backup', async (t) => {
  const { dir, args } = project('ok', false);
  const r = await runCli(args);
  t.equal(r.code, 0, r.stderr);
  t.equal(readFileSync(join(dir, 'target', 'app.conf'), 'utf8'), NEW);
  const files = leftBeside(dir);
  t.equal(files.length, 2, `the file and its backup: ${files.join(', ')}`);
  const backup = files.find((f) => f.endsWith('~')) as string;
  t.match(backup, /^app\.conf\.\d{14}~$/);
  t.equal(readFileSync(join(dir, 'target', backup), 'utf8'), OLD, 'the backup is the whole old file');
});

t.test('one SIGINT while the write is in flight: old file, nothing beside it', async (t) => {
  const { dir, args } = project('int', true);
  const r = await heldRun(dir, args, async (child) => {
    child.kill('SIGINT');
  });
  t.equal(r.code, 130, r.stdout + r.stderr);
  writeFileSync(join(dir, 'go'), '');
  await sleep(3000);
  t.equal(readFileSync(join(dir, 'target', 'app.conf'), 'utf8'), OLD);
  t.same(leftBeside(dir), ['app.conf'], 'no temp file, no backup');
});

t.test('two SIGINTs at once: old file, nothing beside it, even once the host side goes on', async (t) => {
  const { dir, args } = project('int2', true);
  const r = await heldRun(dir, args, async (child) => {
    child.kill('SIGINT');
    child.kill('SIGINT');
  });
  t.not(r.code, 0);
  // if the host side missed the stop, it now goes on: it must notice lbrun is gone
  writeFileSync(join(dir, 'go'), '');
  await sleep(4000);
  t.equal(readFileSync(join(dir, 'target', 'app.conf'), 'utf8'), OLD);
  t.same(leftBeside(dir), ['app.conf'], 'no temp file, no backup');
});

t.test('SIGKILL of lbrun: the host side never renames the new file over the old one', async (t) => {
  const { dir, args } = project('kill', true);
  const r = await heldRun(dir, args, async (child) => {
    child.kill('SIGKILL');
  });
  t.not(r.code, 0);
  writeFileSync(join(dir, 'go'), '');
  await sleep(6000);
  t.equal(readFileSync(join(dir, 'target', 'app.conf'), 'utf8'), OLD, 'the destination is the old file 6 s later');
  t.same(leftBeside(dir), ['app.conf'], 'no temp file, no backup');
});

t.test('a write to an immutable file fails and leaves no backup behind', async (t) => {
  const { dir, args } = project('immutable', false);
  const dest = join(dir, 'target', 'app.conf');
  try {
    execFileSync('chattr', ['+i', dest], { stdio: 'pipe' });
  } catch (err) {
    t.comment(`skipped: chattr +i is not possible here: ${String(err)}`);
    return;
  }
  const r = await runCli(args);
  execFileSync('chattr', ['-i', dest]);
  t.equal(r.code, 2, r.stdout);
  t.match(r.stdout, /failed: \[h1\] => writing .*app\.conf failed/);
  t.equal(readFileSync(dest, 'utf8'), OLD);
  t.same(leftBeside(dir), ['app.conf'], 'no temp file, no backup');
});
