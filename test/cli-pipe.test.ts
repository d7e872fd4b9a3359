import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';

const BIN = join(import.meta.dirname, '..', 'bin', 'lbrun.js');

t.test('output piped into a reader that closes early (`| head -1`) is not a crash', async (t) => {
  const dir = t.testdir({
    'inventory.yaml': 'all:\n  hosts:\n    local-1: { lbrun_connection: local }\n',
    'playbook.yaml': [
      '- hosts: all',
      '  tasks:',
      '    - name: many lines of output',
      '      debug: { msg: "item {{ item }} of a long run" }',
      `      loop: [${Array.from({ length: 3000 }, (_, i) => i).join(', ')}]`,
      '',
    ].join('\n'),
  });
  const r = spawnSync('bash', ['-o', 'pipefail', '-c', `node ${BIN} playbook.yaml -i inventory.yaml --json | head -1`], { cwd: dir, encoding: 'utf8' });
  t.equal(r.stdout.split('\n').length, 2, 'head printed one line');
  t.notMatch(r.stderr, /EPIPE|Error/, 'no error on stderr');
  t.equal(r.status, 0, 'the pipeline succeeds');
});
