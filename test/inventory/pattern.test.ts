import { join } from 'node:path';
import t from 'tap';
import { loadInventory } from '../../src/inventory/load.js';
import { matchHosts } from '../../src/inventory/pattern.js';

const FIXTURE = join(import.meta.dirname, '../fixtures/load/inventory/hosts.yaml');

t.test('names, groups, globs, lists, exclusion and intersection in inventory order', async (t) => {
  const inv = await loadInventory(FIXTURE);
  const m = (p: string) => matchHosts(inv, p);
  t.same(m('all'), ['solo', 'web-01', 'web-02', 'db-01']);
  t.same(m('*'), m('all'));
  t.same(m('web'), ['web-01', 'web-02']);
  t.same(m('site'), ['web-01', 'web-02', 'db-01'], 'a group includes its children');
  t.same(m('db-01,solo'), ['solo', 'db-01'], 'inventory order, not pattern order');
  t.same(m('web:db'), ['web-01', 'web-02', 'db-01'], 'colon lists');
  t.same(m('web-0*'), ['web-01', 'web-02']);
  t.same(m('w?b-0[2]'), ['web-02']);
  t.same(m('d*'), ['web-02', 'db-01'], 'globs match group names too');
  t.same(m('site:!db'), ['web-01']);
  t.same(m('web:&db'), ['web-02']);
  t.same(m('!web'), ['solo', 'db-01'], 'only exclusions: from all hosts');
  t.same(m('nomatch*'), [], 'a glob that matches nothing selects nothing');
});

t.test('a plain name that is no host or group is an error at the given source, with a suggestion', async (t) => {
  const inv = await loadInventory(FIXTURE);
  t.throws(() => matchHosts(inv, 'web,dbb', { file: 'play.yaml', line: 2, column: 10 }), {
    message: /^play\.yaml:2:10: host pattern "web,dbb": no host or group named 'dbb' in .*hosts\.yaml \(did you mean 'db'\?\); expected a host or group of the inventory \(groups: all, site, web, db\)$/,
    exitCode: 3,
  });
  t.throws(() => matchHosts(inv, ' , '), { message: /empty host pattern/ });
});
