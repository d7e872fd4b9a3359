#!/usr/bin/env node
/**
 * `npm run bench`: lbrun against ansible-playbook, side by side, same run, same hosts.
 *   Scenario B: a 10-task playbook on N loopback sshd (N = 10, 50, 200; cold and converged).
 *   Scenario A: playbooks/site.yaml on the lab's three hosts (cold, converged, --check --diff).
 *   Scenario C: a plain 5-task play (bench/plain/plain.yaml) on the lab's three hosts (converged,
 *               --check --diff), with Ansible tuned and as shipped, and the measured floor.
 * Prints a table of medians with ratios and writes bench/results/<date>.json and latest.md.
 *
 * Environment:
 *   BENCH_RUNS=5            runs per figure (medians)
 *   BENCH_COLD_RUNS=1       cold runs per tool in scenario A (each re-creates the three hosts)
 *   BENCH_SCALE=10,50,200   scenario B's host counts
 *   BENCH_ANSIBLE_HOST_RUNS=30   scenario B: ansible runs per figure = min(BENCH_RUNS, max(1,
 *                           this / N)): 3 at N=10, 1 at N=50 and N=200 (ansible needs ~0.1-0.2
 *                           CPU-seconds per task per host: N=200 is minutes per run on 2 cores)
 *   BENCH_ANSIBLE_COLD_MAX_N=50  scenario B: ansible's cold figure only up to this N
 *   BENCH_ANSIBLE_TIMEOUT_S=600  an ansible run stopped at this limit counts as "> limit"
 *   BENCH_SCENARIOS=A,B,C   which scenarios
 *   BENCH_SMOKE=1           the CI smoke: scenario B at N=10, 1 run, docs untouched; its only target
 *                           is a generous margin (lbrun >= BENCH_SMOKE_MIN_RATIO=3 x faster converged)
 *                           plus the equivalence of both tools' results
 *   BENCH_UPDATE_DOCS=0     do not replace the results in docs/benchmark.md (between its bench
 *                           markers); a measured run replaces them by default, --render only with =1
 * Exit code: 1 when the tools' results differ or a scenario failed; 2 when a target is not held
 * (`--report-only`: print the targets, exit 0 for them).
 * Needs root (the lab, sshd, apt) on Debian 12; installs ansible-core and time with apt-get.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ansibleVersion, ensureDeps } from './lib/deps.js';
import { load, machineInfo } from './lib/machine.js';
import { cleanup, timed } from './lib/proc.js';
import { scenarioA } from './lib/scenario-a.js';
import { scenarioB } from './lib/scenario-b.js';
import { scenarioC } from './lib/scenario-c.js';
import { resultsTable, targetList, targetsTable } from './lib/table.js';
import { ROOT } from './lib/tools.js';

const env = (name, dflt) => process.env[name] ?? dflt;
const int = (name, dflt) => {
  const v = Number(env(name, String(dflt)));
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a whole number >= 1`);
  return v;
};

function log(s) {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${s}\n`);
}

async function main() {
  // `node bench/run.js --render bench/results/X.json`: the markdown of an earlier run, no measuring
  if (process.argv[2] === '--render') {
    const doc = renderDoc(JSON.parse(readFileSync(process.argv[3], 'utf8')));
    process.stdout.write(doc);
    if (env('BENCH_UPDATE_DOCS', '') === '1') updateDocs(doc);
    return 0;
  }
  if (process.getuid?.() !== 0) {
    process.stderr.write('npm run bench needs root (the lab, sshd on loopback addresses, apt-get)\n');
    return 3;
  }
  const smoke = env('BENCH_SMOKE', '') === '1';
  const runs = smoke ? 1 : int('BENCH_RUNS', 5);
  const coldRuns = int('BENCH_COLD_RUNS', 1);
  const scale = smoke ? [10] : env('BENCH_SCALE', '10,50,200').split(',').filter(Boolean).map(Number);
  const ansibleHostRuns = int('BENCH_ANSIBLE_HOST_RUNS', 30);
  const ansibleColdMaxN = int('BENCH_ANSIBLE_COLD_MAX_N', 50);
  const ansibleTimeoutMs = int('BENCH_ANSIBLE_TIMEOUT_S', 600) * 1000;
  const scenarios = new Set((smoke ? 'B' : env('BENCH_SCENARIOS', 'A,B,C')).toUpperCase().split(','));
  const resultsDir = join(ROOT, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });

  await ensureDeps(log);
  const machine = await machineInfo();
  const res = { smoke: smoke ? { n: 10, minRatio: Number(env('BENCH_SMOKE_MIN_RATIO', '3')) } : undefined, machine, ansible: await ansibleVersion(), runs, coldRuns, ansibleColdMaxN, ansibleTimeoutMs, loadBefore: load() };
  const t0 = Date.now();
  log(`${machine.nproc} CPUs (${machine.cpu}), load ${res.loadBefore}; ${res.ansible}; ${runs} runs per figure`);

  res.startup = [];
  for (let i = 0; i < runs; i++) res.startup.push((await timed(process.execPath, [join(ROOT, 'bin', 'lbrun.js'), '--version'])).ms);

  if (scenarios.has('B')) {
    res.b = [];
    for (const n of scale) {
      const ansibleRuns = Math.min(runs, Math.max(1, Math.floor(ansibleHostRuns / n)));
      res.b.push(await scenarioB({ n, runs, ansibleRuns, ansibleCold: n <= ansibleColdMaxN, ansibleTimeoutMs, resultsDir, log }));
    }
  }
  // A after B: B needs no lab, so a lab test that holds the lab meanwhile has time to finish
  if (scenarios.has('A')) {
    try {
      res.a = await scenarioA({ runs, coldRuns, ansibleTimeoutMs, resultsDir, log });
    } catch (e) {
      res.aError = e instanceof Error ? e.message : String(e);
      log(`scenario A failed: ${res.aError}`);
    }
  }
  if (scenarios.has('C')) {
    try {
      res.c = await scenarioC({ runs, ansibleTimeoutMs, resultsDir, log });
    } catch (e) {
      res.cError = e instanceof Error ? e.message : String(e);
      log(`scenario C failed: ${res.cError}`);
    }
  }
  res.loadAfter = load();
  res.minutes = (Date.now() - t0) / 60_000;

  const doc = renderDoc(res);
  const stamp = machine.date.replace(/[:.]/g, '-');
  writeFileSync(join(resultsDir, `${stamp}.json`), `${JSON.stringify(res, null, 1)}\n`);
  writeFileSync(join(resultsDir, 'latest.md'), doc);
  process.stdout.write(`${doc}\n`);
  if (!smoke && env('BENCH_UPDATE_DOCS', '1') === '1') updateDocs(doc);
  const differs = (res.aError ? 1 : 0) + (res.cError ? 1 : 0) + (res.a?.equivalence.length ?? 0) + (res.c?.equivalence.length ?? 0) + (res.b ?? []).reduce((n, b) => n + b.equivalence.length, 0);
  if (differs) return 1;
  const missed = targetList(res).filter((t) => !t.held);
  for (const t of missed) log(`target not held: ${t.target} (measured ${t.measured})`);
  if (missed.length && !process.argv.includes('--report-only')) return 2;
  return 0;
}

/** The results as markdown: machine, the table, the targets, the equivalence proofs. */
function renderDoc(res) {
  const { machine } = res;
  const equivalence = [
    ...(res.a ? [res.a.equivalence.length ? `A: DIFFERENT: ${res.a.equivalence.join('; ')}` : `A: after each tool's cold run, lb-01..03 are identical (${res.a.fingerprintPaths ?? 'the'} files and directories the roles write: sha256, modes, owners; what lies beside them; packages; units enabled/active and haproxy.service's drop-ins; the VIP holder; sysctl); lbrun changes nothing on hosts ansible converged`] : []),
    ...(res.c ? [res.c.equivalence.length ? `C: DIFFERENT: ${res.c.equivalence.join('; ')}` : 'C: lbrun changes nothing on hosts ansible converged, and ansible nothing on hosts lbrun converged'] : []),
    ...(res.b ?? []).map((b) => (b.equivalence.length ? `B N=${b.n}: DIFFERENT: ${b.equivalence.slice(0, 5).join('; ')}` : `B N=${b.n}: ${b.proofs.join('; ') || 'not checked (ansible stopped at its time limit)'}`)),
  ];
  return [
    `### Run of ${machine.date.slice(0, 16).replace("T", " ")} UTC`,
    '',
    `Machine: ${machine.nproc} CPUs (${machine.cpu}), ${machine.memory}, ${machine.os}; node ${machine.node}; ${res.ansible}.`,
    `Load average before ${res.loadBefore}, after ${res.loadAfter}; the bench took ${res.minutes.toFixed(1)} min.`,
    '',
    ...(res.aError ? [`Scenario A failed: ${res.aError}`, ''] : []),
    ...(res.cError ? [`Scenario C failed: ${res.cError}`, ''] : []),
    resultsTable(res),
    '',
    targetsTable(res),
    '',
    'Equivalence:',
    ...equivalence.map((e) => `- ${e}`),
    '',
    '```',
    machine.free,
    '```',
    '',
  ].join('\n');
}

/** Replace what stands between the bench result markers of docs/benchmark.md. */
function updateDocs(doc) {
  const file = join(ROOT, 'docs', 'benchmark.md');
  const text = readFileSync(file, 'utf8');
  const re = /(<!-- bench:results -->\n)[\s\S]*?(<!-- \/bench:results -->)/;
  if (!re.test(text)) throw new Error(`${file} has no <!-- bench:results --> markers`);
  writeFileSync(file, text.replace(re, (_, a, b) => `${a}${doc}${b}`));
}

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    cleanup();
    process.stderr.write(`bench: ${sig}, stopped\n`);
    process.exit(130);
  });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? e.stack : e}\n`);
    process.exitCode = 1;
  },
);
