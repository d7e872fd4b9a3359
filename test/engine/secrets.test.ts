// Secrets never leave the engine: values of secret_vars (play and inventory) and the become
// password are masked in human output, JSON events, diffs, command output and -v logs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { runCli } from '../support/run-cli.js';

const INV = 'test/fixtures/engine/inventory.yaml';
const PB = 'test/fixtures/engine/secrets.yaml';
const CANARIES = ['canary-4c1f9b-secret', 'canary-inv-8d2e77', 'canary-become-51aa0c'];
const env = { LBRUN_BECOME_PASSWORD: 'canary-become-51aa0c' };

function noCanary(t: Test, text: string, what: string): void {
  for (const c of CANARIES) t.notOk(text.includes(c), `${what} does not contain ${c}`);
}

t.test('human output with --diff and -v masks every secret', async (t) => {
  const dir = t.testdir();
  const r = await runCli([PB, '-i', INV, '-e', `dir=${dir}`, '--diff', '-v'], { env });
  t.equal(r.code, 2, r.stderr);
  noCanary(t, r.stdout + r.stderr, 'output');
  t.match(r.stdout, 'password is ********');
  t.match(r.stdout, 'token is ********');
  t.match(r.stdout, 'become ********');
  t.match(r.stdout, '+password=********');
  t.match(r.stdout, 'err ********');
  t.match(r.stdout, 'failed: [h1] => bad ********');
  t.notMatch(r.stdout, 'not-secret-but-hidden', 'no_log hides the message');
  t.match(r.stdout, "hidden due to the 'no_log: true'");
  t.equal(readFileSync(join(dir, 'db.conf'), 'utf8'), 'password=canary-4c1f9b-secret\n', 'the host still gets the real value');
});

t.test('JSON events mask every secret', async (t) => {
  const dir = t.testdir();
  const r = await runCli([PB, '-i', INV, '-e', `dir=${dir}`, '--diff', '--json', '-v'], { env });
  t.equal(r.code, 2);
  noCanary(t, r.stdout + r.stderr, 'events');
  t.ok(r.events.length > 10);
  t.match(r.events.find((e) => e.task === 'A command prints it and fails' && e.event === 'host_result'), {
    status: 'failed',
    stdout: 'out ********',
    stderr: 'err ********',
  });
});
