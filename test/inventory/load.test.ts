import { join } from 'node:path';
import t from 'tap';
import { loadInventory } from '../../src/inventory/load.js';

const FIXTURE = join(import.meta.dirname, '../fixtures/load/inventory/hosts.yaml');

t.test('hosts in definition order, groups with children and ancestors', async (t) => {
  const inv = await loadInventory(FIXTURE);
  t.same([...inv.hosts.keys()], ['solo', 'web-01', 'web-02', 'db-01']);
  t.same(inv.groups.get('site')?.children, ['web', 'db']);
  t.same(inv.hosts.get('web-02')?.groups, ['all', 'site', 'web', 'db']);
  t.same(inv.hosts.get('solo')?.groups, ['all']);
  t.match(inv.hosts.get('web-01')?.source, { file: FIXTURE, line: 16, column: 13 });
});

t.test('precedence: all < parent group (+ group_vars file) < child group < host < host_vars file', async (t) => {
  const inv = await loadInventory(FIXTURE);
  const v = (h: string) => inv.hosts.get(h)?.vars ?? {};
  t.equal(v('solo').layer, 'all', 'only all applies');
  t.equal(v('db-01').layer, 'db', 'child group beats parent group and its group_vars file');
  t.equal(v('db-01').from_group_file, true, 'group_vars/site.yaml is merged into site');
  t.equal(v('web-01').layer, 'host', "host's own vars beat groups");
  t.equal(v('web-02').layer, 'host-file', 'host_vars file beats everything');
  t.equal(v('web-02').sibling, 'db', 'siblings of the same depth: the later definition wins');
  t.equal(v('web-02').own, true, 'a host listed twice merges its vars');
  t.equal(v('web-01').only_all, 1);
  t.equal(v('web-01').only_site, 1);
});

t.test('cycles in children are errors naming the chain and the line', async (t) => {
  const dir = t.testdir({ 'inv.yaml': 'all:\n  children:\n    a:\n      children:\n        b:\n          children:\n            a: {}\n' });
  await t.rejects(loadInventory(join(dir, 'inv.yaml')), {
    message: `${join(dir, 'inv.yaml')}:7:13: group 'a' is its own ancestor: all -> a -> b -> a; expected children that do not contain their parents`,
  });
});

t.test('schema errors of the inventory (top key must be all)', async (t) => {
  const dir = t.testdir({ 'inv.yaml': 'al:\n  hosts: {}\n' });
  await t.rejects(loadInventory(join(dir, 'inv.yaml')), { message: /inv\.yaml:1:1: unknown key 'al' .*did you mean 'all'/s, exitCode: 3 });
});

t.test('an error in a group_vars file names that file', async (t) => {
  const dir = t.testdir({
    'inv.yaml': 'all:\n  hosts:\n    h1:\n',
    group_vars: { 'all.yaml': 'a: 1\na: 2\n' },
  });
  await t.rejects(loadInventory(join(dir, 'inv.yaml')), { message: `${join(dir, 'group_vars/all.yaml')}:2:1: duplicate key` });
});
