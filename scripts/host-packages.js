#!/usr/bin/env node
/**
 * `node scripts/host-packages.js lab|tests|bench [--no-install]`: check the controller for the
 * Debian packages of that group (src/setup/requirements.ts, the one list) and install the missing
 * ones with apt-get (root on Debian/Ubuntu), like `lbrun lab up` does. `npm test` runs it as its
 * pretest step; .ci/deps.sh and the bench too. Exit 3 with one message when something is missing
 * and cannot be installed (not root, not Debian, --no-install or LBRUN_NO_INSTALL=1). Needs dist/.
 */
import { ensureRequirements } from '../dist/setup/host-packages.js';
import { REQUIREMENT_GROUPS } from '../dist/setup/requirements.js';

const args = process.argv.slice(2);
const groups = args.filter((a) => !a.startsWith('-'));
const unknown = [...groups.filter((g) => !(g in REQUIREMENT_GROUPS)), ...args.filter((a) => a.startsWith('-') && a !== '--no-install')];
if (groups.length === 0 || unknown.length) {
  process.stderr.write(`usage: node scripts/host-packages.js ${Object.keys(REQUIREMENT_GROUPS).join('|')}... [--no-install]\n`);
  process.exit(3);
}
try {
  for (const g of groups) {
    await ensureRequirements(g, {
      label: g === 'tests' ? 'npm test' : g === 'bench' ? 'npm run bench' : 'lbrun lab',
      install: args.includes('--no-install') ? false : undefined,
    });
  }
} catch (e) {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(e?.exitCode ?? 1);
}
