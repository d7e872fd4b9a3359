/**
 * A host that accepts TCP and resets the connection before the SSH handshake is unreachable, not
 * an internal error: ssh2 reports such a connection twice (ECONNRESET, then "Connection lost
 * before handshake"), and the second report must not escape as an uncaught exception.
 */
import { createServer, type Socket } from 'node:net';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { runCli } from '../support/run-cli.js';

t.test('a host that resets the connection before the handshake is unreachable (exit 4), no internal error', async (t) => {
  let contacts = 0;
  const server = createServer((s: Socket) => {
    contacts++;
    s.resetAndDestroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => server.close());
  const port = (server.address() as { port: number }).port;
  const dir = t.testdir({
    'known_hosts': '',
    'inv.yaml': `all:\n  hosts:\n    h1: { lbrun_host: 127.0.0.1, lbrun_port: ${port}, lbrun_ssh_key: id, lbrun_known_hosts: known_hosts }\n`,
    'site.yaml': '- hosts: all\n  tasks:\n    - command: "true"\n',
  });
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'id')]);
  for (let i = 0; i < 5; i++) {
    const r = await runCli([join(dir, 'site.yaml'), '-i', join(dir, 'inv.yaml')]);
    t.equal(r.code, 4, `run ${i}: exit 4 (unreachable)\n${r.stderr}`);
    t.match(r.stdout, /unreachable: \[h1\]/);
    t.notMatch(r.stderr, /internal error|^\s+at /m, 'no internal error, no stack trace');
  }
  t.ok(contacts >= 5, 'the host was contacted');
});
