// One connection per host: an ssh host that cannot be reached (a closed loopback port) is
// "unreachable", leaves the run, and the other hosts go on; exit 4.
import t from 'tap';
import { recap, runCli } from '../support/run-cli.js';

t.test('an unreachable host leaves the run; the others go on; exit 4', async (t) => {
  const r = await runCli(
    ['test/fixtures/engine/unreachable.yaml', '-i', 'test/fixtures/engine/unreachable-inventory.yaml', '--json'],
    // an agent socket that does not exist: credentials "exist", so the TCP connect is what fails
    { env: { SSH_AUTH_SOCK: '/nonexistent/agent.sock' } },
  );
  t.equal(r.code, 4, r.stderr);
  t.match(r.events.find((e) => e.event === 'host_result' && e.host === 'dead'), {
    status: 'unreachable',
    task: 'Needs a connection',
    msg: /ECONNREFUSED|refused/,
  });
  t.notOk(r.events.some((e) => e.event === 'host_result' && e.host === 'dead' && e.task === 'Second task'));
  t.same(recap(r), {
    alive: { ok: 2, changed: 1, failed: 0, skipped: 0, unreachable: 0, rescued: 0, ignored: 0 },
    dead: { ok: 0, changed: 0, failed: 0, skipped: 0, unreachable: 1, rescued: 0, ignored: 0 },
  });
  const human = await runCli(['test/fixtures/engine/unreachable.yaml', '-i', 'test/fixtures/engine/unreachable-inventory.yaml'], {
    env: { SSH_AUTH_SOCK: '/nonexistent/agent.sock' },
  });
  t.match(human.stdout, /unreachable: \[dead\] => .*127\.0\.0\.1/);
  t.match(human.stdout, /dead +: ok=0 +changed=0 +unreachable=1 +failed=0/);
});
