// The command line contract (docs/cli.md): commands, usage errors, input errors (exit 3 with
// file:line:col and no stack), exit codes, default inventory, validate and render.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { REPO_ROOT, recap, runCli } from './support/run-cli.js';

const INV = 'test/fixtures/engine/inventory.yaml';
const FX = 'test/fixtures/engine';

t.test('--help lists the commands; --version prints the package version', async (t) => {
  const help = await runCli(['--help']);
  t.equal(help.code, 0);
  for (const cmd of ['validate', 'render', 'lab', '--check', '--diff', '--tags', '--limit', '--forks', '--json']) {
    t.match(help.stdout, cmd);
  }
  const version = await runCli(['--version']);
  t.equal(version.code, 0);
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  t.equal(version.stdout.trim(), pkg.version);
});

t.test('usage errors exit 3 with a one-line message', async (t) => {
  for (const args of [[`${FX}/changes.yaml`, '--chek'], [`${FX}/changes.yaml`, '--bogus'], [`${FX}/changes.yaml`, '--forks', '0'], [`${FX}/changes.yaml`, '--forks', 'x'], []]) {
    const r = await runCli(args);
    t.equal(r.code, 3, args.join(' '));
    t.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
    t.equal(r.stdout, '');
  }
});

t.test('input errors exit 3 naming file:line:col, all at once, before anything runs', async (t) => {
  const cases: Array<[string, RegExp[]]> = [
    ['broken-schema.yaml', [/broken-schema\.yaml:6:7: unknown task key 'whn'/, /broken-schema\.yaml:8:7: unknown module 'frobnicate'/]],
    ['yaml-syntax.yaml', [/yaml-syntax\.yaml:\d+:\d+: YAML syntax error/]],
    ['undefined-var.yaml', [/templates\/app\.conf\.mustache:1:8: undefined variable 'port'/]],
  ];
  for (const [file, patterns] of cases) {
    const r = await runCli([`${FX}/${file}`, '-i', INV, '--json']);
    t.equal(r.code, 3, file);
    for (const p of patterns) t.match(r.stderr, p, file);
    t.notMatch(r.stderr, /\n\s+at /, 'no stack trace');
    t.equal(r.events.length, 0, 'no event: nothing ran');
  }
});

t.test('exit codes: 0 ok, 2 failed, 5 --fail-on-change', async (t) => {
  t.equal((await runCli([`${FX}/changes.yaml`, '-i', INV])).code, 0);
  t.equal((await runCli([`${FX}/changes.yaml`, '-i', INV, '--fail-on-change'])).code, 5);
  t.equal((await runCli([`${FX}/changes.yaml`, '-i', INV, '--fail-on-change', '--check'])).code, 5, 'would change');
  t.equal((await runCli([`${FX}/failing-command.yaml`, '-i', INV, '--fail-on-change'])).code, 2, '2 wins over 5');
});

t.test('the inventory defaults to $LBRUN_INVENTORY', async (t) => {
  const r = await runCli([`${FX}/changes.yaml`, '--json'], { env: { LBRUN_INVENTORY: INV } });
  t.equal(r.code, 0, r.stderr);
  t.same(Object.keys(recap(r)), ['h1']);
});

t.test('-e key=value and -e @file give extra variables', async (t) => {
  const dir = t.testdir({ 'vars.yaml': 'dir: /nonexistent\n' });
  const out = join(dir, 'out');
  const kv = await runCli(['render', `${FX}/render.yaml`, '-i', INV, '--out', out, '--host', 'h1', '-e', 'port=1']);
  t.equal(kv.code, 0, kv.stderr);
  t.match(readFileSync(join(out, 'h1/etc/app/app.conf'), 'utf8'), /^listen 1\n/, '-e port=1 wins over the play var');
  const missing = await runCli(['validate', `${FX}/files.yaml`, '-i', INV]);
  t.equal(missing.code, 3, 'dir is undefined without -e');
  t.match(missing.stderr, /files\.yaml:\d+:\d+: .*'dir'/);
  const file = await runCli(['validate', `${FX}/files.yaml`, '-i', INV, '-e', `@${dir}/vars.yaml`]);
  t.equal(file.code, 0, file.stderr);
});

t.test('validate checks offline and summarises; render writes each host\'s templates', async (t) => {
  const ok = await runCli(['validate', `${FX}/render.yaml`, '-i', INV]);
  t.equal(ok.code, 0, ok.stderr);
  t.equal(ok.stdout, 'ok: 1 plays, 1 tasks, 5 hosts, 4 templates rendered\n');
  const bad = await runCli(['validate', `${FX}/broken-schema.yaml`, '-i', INV]);
  t.equal(bad.code, 3);
  t.match(bad.stderr, /broken-schema\.yaml:6:7:/);
  const out = t.testdir();
  const r = await runCli(['render', `${FX}/render.yaml`, '-i', INV, '--out', out, '--host', 'h2']);
  t.equal(r.code, 0, r.stderr);
  t.equal(readFileSync(join(out, 'h2/etc/app/app.conf'), 'utf8'), 'listen 8443\nname h2\n');
});
