import { join } from 'node:path';
import t from 'tap';
import { findFile } from '../../src/playbook/find-file.js';

t.test('role templates/, then project templates/, then the playbook directory', async (t) => {
  const dir = t.testdir({
    roles: { web: { templates: { 'a.mustache': 'role' } } },
    templates: { 'a.mustache': 'project', 'b.mustache': 'project' },
    playbooks: { 'c.mustache': 'beside', 'site.yaml': '' },
    files: { 'f.txt': 'x' },
  });
  const opts = { roleDir: join(dir, 'roles/web'), projectDir: dir, playbookDir: join(dir, 'playbooks'), source: { file: 'tasks.yaml', line: 3, column: 5 } };
  t.equal(findFile('templates', 'a.mustache', opts), join(dir, 'roles/web/templates/a.mustache'));
  t.equal(findFile('templates', 'b.mustache', opts), join(dir, 'templates/b.mustache'));
  t.equal(findFile('templates', 'c.mustache', opts), join(dir, 'playbooks/c.mustache'));
  t.equal(findFile('files', 'f.txt', opts), join(dir, 'files/f.txt'));
  t.equal(findFile('templates', join(dir, 'templates/b.mustache'), opts), join(dir, 'templates/b.mustache'), 'absolute paths as is');
  t.throws(() => findFile('templates', 'nope.mustache', opts), {
    message: `tasks.yaml:3:5: template 'nope.mustache' not found; expected a file at one of: ${join(dir, 'roles/web/templates/nope.mustache')}, ${join(dir, 'templates/nope.mustache')}, ${join(dir, 'playbooks/nope.mustache')}`,
    exitCode: 3,
  });
});
