/**
 * The validators precompiled by `npm run build` (dist/load/precompiled-schemas.cjs): the CLI gives
 * byte for byte the errors that ajv compiling the schemas gives (these tests run src/, which has no
 * precompiled file), without loading ajv's compiler; a schema edited after the build is not served
 * stale. Needs a build first, like every test that runs the CLI.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import t, { type Test } from 'tap';
import { LbrunError } from '../../src/errors.js';
import { walkProject } from '../../src/validate/walk.js';
import { REPO_ROOT, runCli } from '../support/run-cli.js';

const BUILT = join(REPO_ROOT, 'dist/load/precompiled-schemas.cjs');

/** Preloaded into the CLI: says on exit whether ajv's compiler was loaded. */
const PROBE = `process.on('exit', () => {
  const loaded = Object.keys(require.cache).some((f) => f.replace(/\\\\/g, '/').endsWith('/ajv/dist/core.js'));
  process.stderr.write(loaded ? 'PROBE: ajv compiler loaded\\n' : 'PROBE: no ajv compiler\\n');
});
`;

const INVENTORY = 'all:\n  hosts:\n    h1: { lbrun_host: 127.0.0.1, lbrun_port: 9 }\n';

/** Bad documents: document schemas (with anyOf/oneOf, cross-file $ref from a role) and module arguments. */
const CASES: Record<string, Record<string, string>> = {
  'play keys, enums, alternatives': {
    'playbook.yaml':
      '- hosts: all\n  tsaks: []\n  connection: telnet\n  serial: [1, "abc"]\n  max_fail_percentage: 150\n  roles:\n    - { role: web, tagz: [x] }\n',
  },
  'task keys and module arguments': {
    'playbook.yaml': [
      '- hosts: all',
      '  tasks:',
      '    - file: { path: /tmp/x, state: bogus, mode: [1] }',
      '    - command: { chdir: /tmp }',
      '    - copy: { dest: /tmp/y, content: hi, colour: red }',
      '    - user: { name: "", shell: 3 }',
      '    - service: { name: haproxy, state: dancing }',
      '    - wait_for: { port: "eighty" }',
      '    - name: x',
      '      whenn: true',
      '      debug: { msg: hi }',
      '',
    ].join('\n'),
  },
  'role tasks and handlers (schemas that refer to playbook.json)': {
    'playbook.yaml': '- hosts: all\n  roles: [web]\n',
    'roles/web/tasks.yaml': '- name: a\n  debug: { msg: hi }\n  loop: 3\n- sysctl: { name: net.ipv4.ip_forward, value: [1] }\n',
    'roles/web/handlers.yaml': '- name: h\n  listen: { a: 1 }\n  debug: { msg: hi }\n',
  },
  'inventory values': {
    'playbook.yaml': '- hosts: all\n  tasks:\n    - debug: { msg: hi }\n',
    'inventory.yaml': 'all:\n  hostz: {}\n  hosts:\n    h1: { lbrun_host: 127.0.0.1, lbrun_port: 99999 }\n  children:\n    web:\n      vars: [1]\n',
  },
};

function project(t: Test, files: Record<string, string>): string {
  const dir = t.testdir({ 'inventory.yaml': INVENTORY, 'probe.cjs': PROBE });
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** The errors of src/ (ajv compiles every schema there): the message the CLI would print. */
async function ajvErrors(dir: string): Promise<string> {
  try {
    await walkProject({ playbookFile: join(dir, 'playbook.yaml'), inventoryFile: join(dir, 'inventory.yaml') });
  } catch (e) {
    if (e instanceof LbrunError) return `${e.message}\n`;
    throw e;
  }
  throw new Error('the document was accepted');
}

t.test('the build made the precompiled validators', async (t) => {
  t.ok(existsSync(BUILT), `${BUILT} exists (run npm run build)`);
});

for (const [name, files] of Object.entries(CASES)) {
  t.test(`precompiled validators give ajv's errors: ${name}`, async (t) => {
    const dir = project(t, files);
    const expected = await ajvErrors(dir);
    const r = await runCli(['validate', 'playbook.yaml', '-i', 'inventory.yaml'], {
      cwd: dir,
      env: { NODE_OPTIONS: `--require ${join(dir, 'probe.cjs')}` },
    });
    t.equal(r.code, 3, r.stderr);
    t.equal(r.stderr, `${expected}PROBE: no ajv compiler\n`);
  });
}

t.test('a schema edited after the build is compiled, not served stale', async (t) => {
  const pkg = t.testdir({ 'inventory.yaml': INVENTORY, 'playbook.yaml': '- hosts: all\n  become: true\n  tasks:\n    - debug: { msg: hi }\n' });
  for (const part of ['bin', 'dist', 'schemas', 'package.json']) cpSync(join(REPO_ROOT, part), join(pkg, part), { recursive: true });
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(pkg, 'node_modules'));
  const schemaFile = join(pkg, 'schemas/playbook.json');
  const schema = readFileSync(schemaFile, 'utf8');
  const playBecome = '"become": { "type": "boolean" }';
  t.ok(schema.includes(playBecome), 'the play schema has become: boolean');
  writeFileSync(schemaFile, schema.replace(playBecome, '"become": { "type": "string" }'));

  // the copy's own CLI, whose dist/ has the validators precompiled from the schema as it was
  const r = await promisify(execFile)(process.execPath, [join(pkg, 'bin/lbrun.js'), 'validate', 'playbook.yaml', '-i', 'inventory.yaml'], { cwd: pkg }).then(
    () => ({ code: 0, stderr: '' }),
    (e: { code: number; stderr: string }) => e,
  );
  t.equal(r.code, 3, r.stderr);
  t.equal(r.stderr, `${join(pkg, 'playbook.yaml')}:2:11: invalid value true (at /0/become); expected a string\n`);
});
