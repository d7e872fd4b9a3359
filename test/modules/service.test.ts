// Real systemd runs in the lab (next issue); here the service module is tested through its facts
// parsing and the systemctl commands it plans.
import t from 'tap';
import { parseUnitFacts, serviceCommands, splitUnitBlocks, unitFactsCommand, unitFactsJoin, unitIsPending } from '../../src/modules/service.js';
import type { HostRunState } from '../../src/modules/types.js';
import { newState } from '../support/module-context.js';

const pendingOf = (s: HostRunState) => ({ packages: s.pendingPackages, paths: s.pendingPaths, users: s.pendingUsers });

const running = parseUnitFacts('LoadState=loaded\nActiveState=active\nUnitFileState=enabled\nNeedDaemonReload=no\n');
const stopped = parseUnitFacts('LoadState=loaded\nActiveState=inactive\nUnitFileState=disabled\nNeedDaemonReload=no\n');

t.test('converged units need no command', async (t) => {
  t.same(serviceCommands({ name: 'haproxy', state: 'started', enabled: true }, running, false), []);
  t.same(serviceCommands({ name: 'haproxy', state: 'stopped', enabled: false }, stopped, false), []);
});

t.test('start, enable, stop, restart, reload are planned from the facts', async (t) => {
  t.same(serviceCommands({ name: 'haproxy', state: 'started', enabled: true }, stopped, false), [
    'systemctl enable -- haproxy',
    'systemctl start -- haproxy',
  ]);
  t.same(serviceCommands({ name: 'haproxy', state: 'stopped' }, running, false), ['systemctl stop -- haproxy']);
  t.same(serviceCommands({ name: 'haproxy', state: 'restarted' }, running, false), ['systemctl restart -- haproxy']);
  t.same(serviceCommands({ name: 'haproxy', state: 'reloaded' }, running, false), ['systemctl reload -- haproxy']);
  t.same(serviceCommands({ name: 'haproxy', state: 'reloaded' }, stopped, false), ['systemctl start -- haproxy']);
  t.same(serviceCommands({ name: 'x', daemon_reload: true, state: 'started' }, { ...running, NeedDaemonReload: 'yes' }, false), [
    'systemctl daemon-reload',
  ]);
  t.same(serviceCommands({ name: "a'b", state: 'started' }, stopped, false), [`systemctl start -- 'a'\\''b'`]);
});

t.test('a unit an earlier task would install is pending (check mode says would change)', async (t) => {
  const state = newState();
  t.notOk(unitIsPending('keepalived', pendingOf(state)));
  state.pendingPackages.add('keepalived');
  t.ok(unitIsPending('keepalived', pendingOf(state)));
  t.ok(unitIsPending('keepalived.service', pendingOf(state)));
  state.pendingPaths.add('/etc/systemd/system/lb-health.service');
  t.ok(unitIsPending('lb-health', pendingOf(state)));
  t.same(serviceCommands({ name: 'keepalived', state: 'started', enabled: true }, { LoadState: 'not-found' }, true), [
    'systemctl enable -- keepalived',
    'systemctl start -- keepalived',
  ]);
});

// `systemctl show -p LoadState -p ActiveState -p UnitFileState -p NeedDaemonReload -- haproxy nosuch keepalived`
// on a lab node (systemd 252), byte for byte
const THREE_UNITS =
  'LoadState=loaded\nActiveState=active\nUnitFileState=enabled\nNeedDaemonReload=no\n\n' +
  'LoadState=not-found\nActiveState=inactive\nUnitFileState=\nNeedDaemonReload=no\n\n' +
  'LoadState=loaded\nActiveState=active\nUnitFileState=enabled\nNeedDaemonReload=no\n';

t.test('the reads of several units share one systemctl show, each given its own block', async (t) => {
  const join = unitFactsJoin('haproxy')!;
  t.equal(join.command(['haproxy', 'nosuch', "a'b"]), `systemctl show -p LoadState -p ActiveState -p UnitFileState -p NeedDaemonReload -- haproxy nosuch 'a'\\''b'`);
  t.equal(join.command(['haproxy']), unitFactsCommand('haproxy'), 'one item: the read\'s own command');
  const blocks = splitUnitBlocks(THREE_UNITS, 3)!;
  t.same(blocks.join('\n'), THREE_UNITS, 'nothing lost or added');
  t.same(parseUnitFacts(blocks[1]), { LoadState: 'not-found', ActiveState: 'inactive', UnitFileState: '', NeedDaemonReload: 'no' });
  t.ok(blocks.every((b) => b.endsWith('NeedDaemonReload=no\n')), 'each block as systemctl prints it for one unit');
  t.equal(splitUnitBlocks(THREE_UNITS, 2), undefined, 'more blocks than units');
  t.equal(splitUnitBlocks(THREE_UNITS, 4), undefined, 'fewer blocks than units');
  t.equal(splitUnitBlocks('LoadState=loaded\n\nnot a property\n', 2), undefined, 'a line that is no property');
  t.equal(splitUnitBlocks('', 1), undefined, 'nothing printed');
});

t.test('a unit pattern names any number of units: it reads on its own', async (t) => {
  for (const name of ['ha*', 'lb-?', 'a[bc]', 'x\\y']) t.equal(unitFactsJoin(name), undefined, name);
  t.ok(unitFactsJoin('getty@tty1.service'));
});
