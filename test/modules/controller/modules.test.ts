// debug, assert, fail and set_fact as the engine calls them (plan; they never change anything).
import t from 'tap';
import { createConnection } from '../../../src/connection/factory.js';
import { TaskError } from '../../../src/errors.js';
import '../../../src/modules/index.js';
import { moduleContext, runModule } from '../../support/module-context.js';

const conn = createConnection('local', {
  kind: 'local',
  address: 'localhost',
  port: 22,
  user: 'root',
  connectTimeout: 1,
  connectRetries: 0,
  become: false,
});
const vars = { port: 8080, names: ['a', 'b'] };

t.test('debug: msg as given, var as its value', async (t) => {
  const msg = await runModule('debug', moduleContext(conn, { vars }), { msg: 'hello' });
  t.match(msg, { changed: false, plan: { msg: 'hello' } });
  const v = await runModule('debug', moduleContext(conn, { vars }), { var: 'names' });
  t.equal(v.plan.msg, 'names: ["a","b"]');
  t.same(v.plan.result, { names: ['a', 'b'] });
});

t.test('assert: passes (quietly if asked) or fails with fail_msg', async (t) => {
  const ok = await runModule('assert', moduleContext(conn, { vars }), { that: ['port == 8080', 'len(names) == 2'] });
  t.equal(ok.plan.msg, 'All assertions passed');
  const quiet = await runModule('assert', moduleContext(conn, { vars }), { that: 'port > 1', quiet: true });
  t.equal(quiet.plan.msg, undefined);
  await t.rejects(runModule('assert', moduleContext(conn, { vars }), { that: ['port == 1'], fail_msg: 'wrong port' }), {
    constructor: TaskError,
    message: 'wrong port',
  });
  await t.rejects(runModule('assert', moduleContext(conn, { vars }), { that: 'port == 1' }), { message: 'Assertion failed: port == 1' });
});

t.test('fail: always fails with its message', async (t) => {
  await t.rejects(runModule('fail', moduleContext(conn, { vars }), { msg: 'stop here' }), { constructor: TaskError, message: 'stop here' });
});

t.test('set_fact: facts for the engine to keep, also in check mode', async (t) => {
  const r = await runModule('set_fact', moduleContext(conn, { vars, check: true }), { answer: 42 });
  t.same(r.plan.facts, { answer: 42 });
  t.equal(r.changed, false);
});
