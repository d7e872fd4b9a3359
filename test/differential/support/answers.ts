/**
 * ansible-core's answers to the cases, recorded in test/differential/answers/MODULE.json (in git) by a live
 * run of the installed ansible-playbook, keyed by the case's text and stamped with ansible's version line.
 *
 * Running ansible for every case took most of the suite's time (an ansible task costs ~100x an lbrun task),
 * so a run takes the recorded answers and checks them against the live ansible-core on a random sample of
 * cases per module (LBRUN_DIFF_SAMPLE, default 4; the seed is printed, LBRUN_DIFF_SEED repeats it). Cases
 * with no recorded answer, and every case when the installed version differs from the recorded one, run
 * live. LBRUN_DIFF_LIVE=1 runs every case live; LBRUN_DIFF_RECORD=1 does too and rewrites the file.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Case, DIFF_DIR } from './cases.js';

/** Bumped when what a Seen holds changes: every recorded answer is then stale. */
const HARNESS = '1';

interface Recorded<S> {
  ansible: string;
  answers: Record<string, S>;
}

let version: Promise<string> | undefined;
function ansibleVersion(): Promise<string> {
  version ??= promisify(execFile)('ansible-playbook', ['--version'], { encoding: 'utf8' }).then((r) => r.stdout.split('\n')[0].trim());
  return version;
}

export const caseKey = (c: Case): string => createHash('sha256').update(JSON.stringify([HARNESS, c])).digest('hex').slice(0, 24);

const fileOf = (module: string) => join(DIFF_DIR, 'answers', `${module}.json`);

/** The module's recorded answers, or none when they were recorded with another ansible-core. */
export async function loadRecorded<S>(module: string): Promise<{ answers: Map<string, S>; note: string }> {
  const f = fileOf(module);
  if (!existsSync(f)) return { answers: new Map(), note: 'no recorded answers' };
  const doc = JSON.parse(readFileSync(f, 'utf8')) as Recorded<S>;
  const now = await ansibleVersion();
  if (doc.ansible !== now) return { answers: new Map(), note: `answers recorded with "${doc.ansible}", installed "${now}": all live` };
  return { answers: new Map(Object.entries(doc.answers)), note: `answers recorded with "${doc.ansible}"` };
}

export async function writeRecorded<S>(module: string, cases: Case[], seen: Map<string, S>): Promise<void> {
  const answers: Record<string, S> = {};
  for (const c of cases) answers[caseKey(c)] = seen.get(c.id)!;
  writeFileSync(fileOf(module), `${JSON.stringify({ ansible: await ansibleVersion(), answers }, null, 1)}\n`);
}

/** k distinct items of xs chosen by a seeded generator (mulberry32). */
export function sample<T>(xs: T[], k: number, seed: number): T[] {
  let a = seed >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pool = [...xs];
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, Math.min(k, pool.length));
}
