// apt's fact command on a real shell (the controller, a Debian system, through the local
// connection): a name that is not installed is an answer (exit 0), not a failed read, and the
// installed ones are found; a failing dpkg-query still fails the read.
import t from 'tap';
import { LocalConnection } from '../../src/connection/local.js';
import { aptFactsScript, parseAptFacts } from '../../src/modules/apt.js';

const conn = new LocalConnection('local', { become: false });

t.test('installed and missing names in one read, exit 0', async (t) => {
  for (const [latest, age] of [[false, false], [true, false], [false, true], [true, true]]) {
    const r = await conn.run(aptFactsScript(['dpkg', 'lbrun-no-such-package', 'coreutils'], latest, age), { become: false });
    t.equal(r.rc, 0, `latest=${latest} age=${age}: exit 0 (${r.stderr})`);
    const f = parseAptFacts(r.stdout);
    t.same([...f.installed].sort(), ['coreutils', 'dpkg'], `latest=${latest} age=${age}: the installed ones`);
    t.equal(Number.isFinite(f.cacheAge), age, `latest=${latest} age=${age}: the cache age only when asked`);
  }
});

t.test('only missing names: still an answer', async (t) => {
  const r = await conn.run(aptFactsScript(['lbrun-no-such-package'], false, false), { become: false });
  t.equal(r.rc, 0, 'exit 0');
  t.same([...parseAptFacts(r.stdout).installed], [], 'nothing installed');
});

t.test('a dpkg-query that cannot run fails the read', async (t) => {
  const r = await conn.run(aptFactsScript(['dpkg'], false, false), { become: false, env: { PATH: '/nonexistent' } });
  t.not(r.rc, 0, `exit ${r.rc}: not an empty answer`);
});
