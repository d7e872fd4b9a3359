/**
 * Run a module's cases with both tools and list where lbrun diverges from ansible-core: per-task status of
 * the run, the second run and --check; the files and accounts after each; --check touching nothing; and
 * --check's verdict matching lbrun's own real run. A divergence fails unless the deliberate table
 * (test/differential/deliberate.yaml) lists it; a table entry that matches no divergence fails too.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import { caseKey, loadRecorded, sample, writeRecorded } from './answers.js';
import { type Aspect, type Case, DIFF_DIR, globMatch, loadCases, loadDeliberate } from './cases.js';
import { type Batch, runBatch, type Status, type Tool, writeController } from './runners.js';
import { readDb, removeAccounts, setUp, snapshotAccounts, snapshotFiles } from './world.js';

interface Seen {
  setup: string[];
  check: Status[];
  afterCheck: string[];
  run1: Status[];
  afterRun1: string[];
  run2: Status[];
  afterRun2: string[];
}

export interface Divergence {
  aspect: Aspect;
  /** Per-task "expected>lbrun" pairs for status aspects. */
  pairs?: string[];
  detail: string;
}

const same = (a: Status, b: Status) => a === b || (a === 'failed' && b === 'refused') || (a === 'refused' && b === 'failed');

function statusDiff(aspect: Aspect, want: Status[], got: Status[]): Divergence | undefined {
  if (want.length === got.length && want.every((s, i) => same(s, got[i]))) return undefined;
  const pairs = want.map((s, i) => (same(s, got[i]) ? undefined : `${s}>${got[i]}`)).filter((p): p is string => !!p);
  return { aspect, pairs, detail: `expected [${want.join(', ')}], lbrun [${got.join(', ')}]` };
}

function listDiff(aspect: Aspect, want: string[], got: string[]): Divergence | undefined {
  const missing = want.filter((l) => !got.includes(l));
  const extra = got.filter((l) => !want.includes(l));
  if (!missing.length && !extra.length) return undefined;
  return { aspect, detail: [...missing.map((l) => `- ${l}`), ...extra.map((l) => `+ ${l}`)].join('\n') };
}

export function compare(a: Seen, l: Seen, c: Case): Divergence[] {
  const out = [
    statusDiff('run1.status', a.run1, l.run1),
    listDiff('run1.files', a.afterRun1, l.afterRun1),
    statusDiff('run2.status', a.run2, l.run2),
    listDiff('run2.files', a.afterRun2, l.afterRun2),
  ];
  if (!c.noCheck) {
    out.push(statusDiff('check.status', a.check, l.check), listDiff('check.untouched', l.setup, l.afterCheck), statusDiff('check.verdict', l.run1, l.check));
  }
  return out.filter((d): d is Divergence => d !== undefined);
}

const run = Math.random().toString(36).slice(2, 6).padEnd(4, '0');

async function runTool(tool: Tool, cases: Case[], root: string): Promise<Map<string, Seen>> {
  const seen = new Map<string, Seen>();
  const mk = (phase: 'check' | 'real'): Batch => {
    const b: Batch = {
      tool,
      root: join(root, `${tool}-${phase}`),
      cases: cases.map((c, i) => ({ c, dir: join(root, `${tool}-${phase}`, 'cases', `c${i}`), prefix: `ld${tool[0]}${phase[0]}${run}${i}_` })),
    };
    for (const x of b.cases) setUp(x.c, x.dir, x.prefix);
    writeController(b);
    return b;
  };
  const snap = (b: Batch) => {
    const db = readDb();
    return new Map(b.cases.map((x) => [x.c.id, [...snapshotFiles(x.dir, x.prefix, db), ...snapshotAccounts(x.prefix, x.dir, db)]]));
  };
  const check = mk('check');
  const real = mk('real');
  try {
    const checkSetup = snap(check);
    // The check phase and the real runs use their own directories and accounts: run them side by side.
    const [checked, real1, real2] = await Promise.all([
      runBatch(check, true).then((status) => ({ status, after: snap(check) })),
      runBatch(real, false).then(async (status) => {
        const first = { status, after: snap(real) };
        const again = await runBatch(real, false);
        return [first, { status: again, after: snap(real) }] as const;
      }),
    ]).then(([c, [r1, r2]]) => [c, r1, r2] as const);
    for (const c of cases) {
      seen.set(c.id, {
        setup: checkSetup.get(c.id)!,
        check: checked.status.get(c.id)!,
        afterCheck: checked.after.get(c.id)!,
        run1: real1.status.get(c.id)!,
        afterRun1: real1.after.get(c.id)!,
        run2: real2.status.get(c.id)!,
        afterRun2: real2.after.get(c.id)!,
      });
    }
  } finally {
    removeAccounts([check, real].flatMap((b) => b.cases.map((x) => x.prefix)));
  }
  return seen;
}

/**
 * ansible-core's answers: the recorded ones (support/answers.ts), a random sample of them checked against a
 * live run, and the cases with no recorded answer run live.
 */
interface AnsibleAnswers {
  seen: Map<string, Seen>;
  /** Recorded answers run live again: the live answer and the recorded one must be equal. */
  rechecked: Array<{ id: string; live: Seen | undefined; recorded: Seen | undefined }>;
  notes: string[];
}

async function ansibleSeen(module: string, cases: Case[], root: string): Promise<AnsibleAnswers> {
  const record = process.env.LBRUN_DIFF_RECORD === '1';
  const live = record || process.env.LBRUN_DIFF_LIVE === '1';
  const { answers, note } = live ? { answers: new Map<string, Seen>(), note: 'every case live' } : await loadRecorded<Seen>(module);
  const seed = Number(process.env.LBRUN_DIFF_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const recorded = cases.filter((c) => answers.has(caseKey(c)));
  const checked = sample(recorded, Number(process.env.LBRUN_DIFF_SAMPLE ?? 4), seed);
  const toRun = cases.filter((c) => !answers.has(caseKey(c)) || checked.includes(c));
  const notes = [`${module}: ${note}; ${recorded.length} of ${cases.length} cases recorded; ${toRun.length} run live, ${checked.length} of them to check the recording (LBRUN_DIFF_SEED=${seed})`];
  const fresh = toRun.length ? await runTool('ansible', toRun, root) : new Map<string, Seen>();
  if (record) await writeRecorded(module, cases, fresh);
  else if (recorded.length < cases.length) notes.push(`${cases.length - recorded.length} cases have no recorded answer: LBRUN_DIFF_RECORD=1 records them`);
  return {
    seen: new Map(cases.map((c) => [c.id, fresh.get(c.id) ?? answers.get(caseKey(c))!])),
    rechecked: checked.map((c) => ({ id: c.id, live: fresh.get(c.id), recorded: answers.get(caseKey(c)) })),
    notes,
  };
}

export async function differential(t: Test, module: string): Promise<void> {
  const cases = loadCases(module);
  const table = loadDeliberate().filter((d) => cases.some((c) => globMatch(d.cases, c.id)));
  // removed in a finally, not a teardown: tap ends a root test with a teardown once it looks idle,
  // which an assertion made while the other tool still runs would cause
  const root = mkdtempSync(`/tmp/lbdiff-${module}-`);
  const timed = async <T>(p: Promise<T>): Promise<[T, number]> => {
    const t0 = Date.now();
    const v = await p;
    return [v, Math.round((Date.now() - t0) / 1000)];
  };
  const [[answers, aSecs], [l, lSecs]] = await Promise.all([timed(ansibleSeen(module, cases, root)), timed(runTool('lbrun', cases, root))]).finally(() =>
    rmSync(root, { recursive: true, force: true }),
  );
  answers.notes.forEach((n) => t.comment(n));
  for (const r of answers.rechecked) t.same(r.live, r.recorded, `${r.id}: the recorded answer is what ansible-core answers now`);
  const a = answers.seen;
  t.comment(`${module}: ansible-core ${aSecs}s, lbrun ${lSecs}s`);
  const report: string[] = [];
  const used = new Set<number>();
  let tolerated = 0;
  let diverging = 0;
  for (const c of cases) {
    const divs = compare(a.get(c.id)!, l.get(c.id)!, c);
    if (divs.length) diverging++;
    const open = divs.filter((d) => {
      const i = table.findIndex((e) => globMatch(e.cases, c.id) && e.aspects.includes(d.aspect) && (!e.pairs || !d.pairs || d.pairs.every((p) => e.pairs!.includes(p))));
      if (i < 0) return true;
      used.add(i);
      tolerated++;
      return false;
    });
    for (const d of open) report.push(`## ${c.id} ${d.aspect}\n${d.detail}`);
    t.same(open.map((d) => `${d.aspect}: ${d.detail}`), [], `${c.id} behaves as ansible-core's`);
  }
  const reports = join(DIFF_DIR, '.cache');
  mkdirSync(reports, { recursive: true });
  writeFileSync(join(reports, `${module}.report.txt`), report.join('\n'));
  table.forEach((e, i) => t.ok(used.has(i), `deliberate difference still happens: ${e.cases} ${e.aspects.join(',')} (${e.reason})`));
  t.comment(`${module}: ${cases.length} cases, ${diverging} with a difference, ${tolerated} deliberate differences`);
}
