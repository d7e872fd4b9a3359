/** The results as a markdown table (printed, and written to bench/results/latest.md). */
import { fmtMs, fmtRatio, median } from './stats.js';

const row = (cells) => `| ${cells.join(' | ')} |`;

/** The issue's targets: Ansible tuned / lbrun, Ansible as shipped / lbrun, N=200, lbrun / floor. */
const TUNED = 25;
const SHIPPED = 30;
const SCALE = 30;
const FLOOR = 2;

/** The floor (Node's start + handshakes + one round trip per task) beside lbrun's converged figure. */
function floorRow(name, S) {
  const f = S.floor;
  const l = median(S.lbrun.converged);
  const over = l / f.medianMs;
  const net = f.networkMs ? fmtMs(median(f.networkMs)) : '';
  const load = f.probeLoadMs ? `; loading Node and ssh2 took the probe ${fmtMs(median(f.probeLoadMs))}, not counted` : '';
  const what = `floor: node start ${fmtMs(median(f.nodeMs))} + handshakes and ${f.rounds} round trips${f.serial ? ' per host, hosts in turn' : ''}${net ? ` ${net}` : ''}${load}`;
  return row([name, what, fmtMs(l), `floor ${fmtMs(f.medianMs)}`, `lbrun = ${over.toFixed(2)}x floor`, `<= ${FLOOR}x floor`, over <= FLOOR ? 'yes' : '**no**', `${S.lbrun.converged.length}/${f.floorMs.length}`]);
}

/**
 * One figure: both tools' medians, the ratio, the target and whether it holds. `bound`: ansible was
 * stopped at its time limit, so its figure and the ratio are lower bounds.
 */
function figure(name, what, lb, an, target, opts = {}) {
  const l = median(lb);
  const a = median(an);
  const ratio = a / l;
  const gt = opts.bound ? '> ' : '';
  const met = target === undefined || !Number.isFinite(ratio) ? '' : ratio >= target ? 'yes' : opts.bound ? 'unknown' : `**no** (${fmtRatio(a, l)} < ${target}x)`;
  const ansible = an.length ? `${gt}${fmtMs(a)}` : `not run (${opts.skipped ?? 'budget'})`;
  return row([name, what, fmtMs(l), ansible, an.length ? `${gt}${fmtRatio(a, l)}` : '', target === undefined ? '' : `>= ${target}x`, met, `${lb.length}/${an.length}`]);
}

export function resultsTable(res) {
  const lines = [];
  lines.push(row(['Scenario', 'Figure', 'lbrun', 'ansible-playbook', 'Ansible / lbrun', 'Target', 'Met', 'Runs (lbrun/ansible)']));
  lines.push(row(Array(8).fill('---')));
  const A = res.a;
  if (A) {
    const name = 'A: site.yaml, 3 lab hosts, serial 1';
    lines.push(figure(name, 'cold (fresh hosts)', A.lbrun.cold, A.ansible.cold, 1));
    lines.push(figure(name, 'converged re-run, ansible tuned', A.lbrun.converged, A.ansible.converged, TUNED));
    lines.push(figure(name, '--check --diff, converged, ansible tuned', A.lbrun.check, A.ansible.check, TUNED));
    if (A.ansible.stock?.length) lines.push(figure(name, 'converged re-run, ansible as shipped (facts, no pipelining)', A.lbrun.converged, A.ansible.stock, SHIPPED));
    if (A.floor) lines.push(floorRow(name, A));
  }
  const C = res.c;
  if (C) {
    const name = 'C: plain play, 5 tasks, 3 lab hosts';
    lines.push(figure(name, 'converged re-run, ansible tuned', C.lbrun.converged, C.ansible.converged, TUNED));
    lines.push(figure(name, '--check --diff, converged, ansible tuned', C.lbrun.check, C.ansible.check, TUNED));
    if (C.ansible.stock?.length) lines.push(figure(name, 'converged re-run, ansible as shipped (facts, no pipelining)', C.lbrun.converged, C.ansible.stock, SHIPPED));
    if (C.floor) lines.push(floorRow(name, C));
  }
  for (const B of res.b ?? []) {
    const name = `B: 10 tasks, N=${B.n}, forks ${B.n}`;
    const skipped = `N > BENCH_ANSIBLE_COLD_MAX_N=${res.ansibleColdMaxN}`;
    lines.push(figure(name, 'cold (empty folders)', B.lbrun.cold, B.ansible.cold, undefined, { bound: B.ansible.timedOut.cold, skipped }));
    lines.push(figure(name, 'converged re-run', B.lbrun.converged, B.ansible.converged, B.n >= 200 ? SCALE : undefined, { bound: B.ansible.timedOut.converged }));
  }
  lines.push('');
  lines.push(row(['lbrun', ...columns(res).map((c) => c.name)]));
  lines.push(row(Array(columns(res).length + 1).fill('---')));
  const cols = columns(res);
  lines.push(row(['peak RSS (max over runs)', ...cols.map((c) => mb(Math.max(...c.rss)))]));
  lines.push(row(['converged: wall time per task per host', ...cols.map((c) => `${(median(c.converged) / c.taskHosts).toFixed(1)} ms`)]));
  lines.push(row(['converged: median task duration on a host', ...cols.map((c) => `${median(c.results).toFixed(0)} ms`)]));
  lines.push(row(['converged: SSH round trips per task', ...cols.map((c) => perTask(c.stats, 'commands'))]));
  lines.push(row(['converged: uploads per task', ...cols.map((c) => perTask(c.stats, 'puts'))]));
  if (res.startup) {
    lines.push('');
    lines.push(`lbrun start-up (\`node bin/lbrun.js --version\`, median of ${res.startup.length}): ${fmtMs(median(res.startup))}`);
  }
  return lines.join('\n');
}

/**
 * The issue's targets judged on a run: [{ target, measured, held }]. Only the figures this run
 * measured are judged (the targets need scenario A and N=200); `npm run bench` exits non-zero when
 * one is not held.
 */
export function targetList(res) {
  const out = [];
  const ratio = (lb, an) => median(an) / median(lb);
  const judge = (target, value, measured, held) => out.push({ target, measured, held: Number.isFinite(value) && held });
  const lab = (S, name) => {
    const conv = ratio(S.lbrun.converged, S.ansible.converged);
    const chk = ratio(S.lbrun.check, S.ansible.check);
    judge(`${name}: converged re-run >= ${TUNED}x faster than Ansible tuned`, conv, `${conv.toFixed(1)}x`, conv >= TUNED);
    judge(`${name}: --check --diff >= ${TUNED}x faster than Ansible tuned`, chk, `${chk.toFixed(1)}x`, chk >= TUNED);
    if (S.ansible.stock?.length) {
      const stock = ratio(S.lbrun.converged, S.ansible.stock);
      judge(`${name}: converged re-run >= ${SHIPPED}x faster than Ansible as shipped`, stock, `${stock.toFixed(1)}x`, stock >= SHIPPED);
    }
    if (S.floor) {
      const over = median(S.lbrun.converged) / S.floor.medianMs;
      judge(`${name}: converged re-run within ${FLOOR}x of the measured floor`, over, `${over.toFixed(2)}x`, over <= FLOOR);
    }
  };
  if (res.a) {
    lab(res.a, 'A');
    const cold = ratio(res.a.lbrun.cold, res.a.ansible.cold);
    judge('A: cold run no slower than Ansible', cold, `${cold.toFixed(1)}x`, cold >= 1);
  }
  if (res.c) lab(res.c, 'C');
  const b200 = (res.b ?? []).find((b) => b.n === 200);
  if (b200) {
    const r = ratio(b200.lbrun.converged, b200.ansible.converged);
    const gt = b200.ansible.timedOut.converged ? '> ' : '';
    judge(`B: converged at N=200 >= ${SCALE}x faster`, r, `${gt}${r.toFixed(1)}x`, r >= SCALE);
    const rss = Math.max(...b200.lbrun.rssKiB) / 1024;
    judge('B: lbrun peak RSS <= 150 MB at N=200', rss, `${rss.toFixed(0)} MB`, rss <= 150);
  }
  // the CI smoke (BENCH_SMOKE=1, N=10): only a generous margin, so a loaded machine cannot fail it
  if (res.smoke) {
    const b10 = (res.b ?? []).find((b) => b.n === res.smoke.n);
    const r = b10 ? ratio(b10.lbrun.converged, b10.ansible.converged) : NaN;
    judge(`smoke: converged at N=${res.smoke.n} >= ${res.smoke.minRatio}x faster`, r, `${r.toFixed(1)}x`, r >= res.smoke.minRatio);
  }
  return out;
}

/** The issue's targets: measured value and whether each holds. */
export function targetsTable(res) {
  const lines = [row(['Target', 'Measured', 'Held']), row(['---', '---', '---'])];
  for (const t of targetList(res)) lines.push(row([t.target, t.measured, t.held ? 'yes' : '**no**']));
  return lines.length > 2 ? lines.join('\n') : '(no target figure in this run: the targets need scenario A and N=200)';
}

function columns(res) {
  const cols = [];
  if (res.a) {
    const st = res.a.lbrun.stats;
    cols.push({ name: 'A converged', rss: res.a.lbrun.rssKiB, converged: res.a.lbrun.converged, results: res.a.lbrun.results, stats: st, taskHosts: st[0]?.results ?? NaN });
  }
  if (res.c) {
    const st = res.c.lbrun.stats;
    cols.push({ name: 'C converged', rss: res.c.lbrun.rssKiB, converged: res.c.lbrun.converged, results: res.c.lbrun.results, stats: st, taskHosts: st[0]?.results ?? NaN });
  }
  for (const B of res.b ?? []) {
    cols.push({ name: `B N=${B.n}`, rss: B.lbrun.rssKiB, converged: B.lbrun.converged, results: B.lbrun.results, stats: B.lbrun.stats, taskHosts: B.lbrun.stats[0]?.results ?? NaN });
  }
  return cols;
}

const mb = (kib) => (Number.isFinite(kib) ? `${(kib / 1024).toFixed(0)} MB` : 'n/a');

function perTask(stats, key) {
  const n = stats.reduce((s, x) => s + x.results, 0);
  return n ? (stats.reduce((s, x) => s + x[key], 0) / n).toFixed(2) : 'n/a';
}
