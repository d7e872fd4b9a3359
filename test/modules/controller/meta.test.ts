// Controller modules through the real CLI: meta end_host / end_play, and their silence.
import t from 'tap';
import { recap, runCli } from '../../support/run-cli.js';

t.test('meta: end_host ends one host, end_play ends the play for all; the next play runs', async (t) => {
  const r = await runCli(['test/fixtures/engine/meta.yaml', '-i', 'test/fixtures/engine/inventory.yaml', '--json']);
  t.equal(r.code, 0, r.stderr);
  const ran = r.events.filter((e) => e.event === 'host_result').map((e) => `${e.host}:${e.task}`);
  t.same(ran.filter((x) => x.endsWith(':Others go on')).sort(), ['h1:Others go on', 'h3:Others go on', 'h4:Others go on']);
  t.notOk(ran.some((x) => x.endsWith(':Never reached')));
  t.same(ran.filter((x) => x.endsWith(':h2 is back')), ['h2:h2 is back']);
  t.notOk(r.events.some((e) => e.event === 'task_start' && e.module === 'meta'), 'meta tasks print nothing');
  t.equal(recap(r).h2.failed, 0, 'end_host is not a failure');
});
