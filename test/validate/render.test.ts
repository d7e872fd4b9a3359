import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { renderProject } from '../../src/validate/render.js';

const PROJECT = join(import.meta.dirname, '../fixtures/load/project');
const INVENTORY = join(import.meta.dirname, '../fixtures/load/inventory/hosts.yaml');

t.test('writes every host\'s rendered templates under OUT/<host>/<dest>', async (t) => {
  const out = t.testdir({});
  const { files } = await renderProject({ playbookFile: join(PROJECT, 'playbooks/site.yaml'), inventoryFile: INVENTORY, outDir: out });
  t.same(
    files.map((f) => [f.host, f.dest, f.path]),
    [
      ['web-01', '/etc/app/app.conf', join(out, 'web-01/etc/app/app.conf')],
      ['web-01', '/etc/motd', join(out, 'web-01/etc/motd')],
      ['web-02', '/etc/app/app.conf', join(out, 'web-02/etc/app/app.conf')],
      ['web-02', '/etc/motd', join(out, 'web-02/etc/motd')],
    ],
  );
  t.equal(readFileSync(join(out, 'web-01/etc/app/app.conf'), 'utf8'), '# shop on web-01\nlisten 8080\n# no backends\n');
  t.equal(readFileSync(join(out, 'web-02/etc/motd'), 'utf8'), 'Welcome to web-02 (hello), managed by lbrun.\n');
});

t.test('--host and -e select what is rendered', async (t) => {
  const out = t.testdir({});
  const { files } = await renderProject({
    playbookFile: join(PROJECT, 'playbooks/site.yaml'),
    inventoryFile: INVENTORY,
    outDir: out,
    host: 'web-02',
    extraVars: { backends: [{ name: 's1', addr: '10.0.0.9' }], greeting: 'hi' },
  });
  t.same(files.map((f) => f.host), ['web-02', 'web-02']);
  t.notOk(existsSync(join(out, 'web-01')));
  t.equal(readFileSync(join(out, 'web-02/etc/app/app.conf'), 'utf8'), '# shop on web-02\nlisten 8080\nserver s1 10.0.0.9\n');
  t.equal(readFileSync(join(out, 'web-02/etc/motd'), 'utf8'), 'Welcome to web-02 (hi), managed by lbrun.\n');
  await t.rejects(renderProject({ playbookFile: join(PROJECT, 'playbooks/site.yaml'), inventoryFile: INVENTORY, outDir: out, host: 'web-9' }), {
    message: /^--host:1:1: no host named 'web-9' in the inventory; expected solo, web-01, web-02, db-01$/,
  });
});

t.test('nothing is written when an input is invalid', async (t) => {
  const out = t.testdir({});
  await t.rejects(
    renderProject({ playbookFile: join(PROJECT, 'playbooks/site.yaml'), inventoryFile: INVENTORY, outDir: out, extraVars: { backends: [{ name: 's1' }] } }),
    { message: /app\.conf\.mustache:4:17: undefined variable 'addr' in template \[hosts web-01, web-02\]/, exitCode: 3 },
  );
  t.notOk(existsSync(join(out, 'web-01')));
});
