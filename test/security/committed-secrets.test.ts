/**
 * No key or secret is committed: no tracked file, and no blob anywhere in the history, holds a
 * PRIVATE KEY block, the lab's private key or become password, or a canary of the security tests
 * (their canaries are random per run: finding one would mean test output was committed). The lab's
 * key material lives in .lab/, which git ignores; the scan fails when it cannot read it.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { labKeysDir } from '../../src/lab/config.js';
import { REPO_ROOT } from '../support/run-cli.js';

const git = (...args: string[]) => execFileSync('git', args, { cwd: REPO_ROOT, maxBuffer: 1 << 30 });

const LAB_SECRETS = [
  ['the lab become password', 'become_password'],
  ['the lab private key', 'id_ed25519'],
  ['the lab CA key', 'ca.key'],
] as const;

/** A lab secret's value; the lab (lbrun lab up, or LBRUN_LAB_DIR) is required, not optional. */
function labSecret(file: string): string {
  const p = join(labKeysDir(), file);
  if (!existsSync(p)) throw new Error(`${p} is missing: the scan needs the lab's secrets to look for (run lbrun lab up, or set LBRUN_LAB_DIR)`);
  return readFileSync(p, 'utf8').trim();
}

/** What must never be committed: patterns, plus the lab's own secret values when they exist. */
function forbidden(): Array<{ what: string; test: (text: string) => boolean }> {
  const rules = [
    { what: 'a PRIVATE KEY block', test: (s: string) => /-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----/.test(s) },
    { what: 'a secrets-test canary', test: (s: string) => /\b(cnry|bcm)-[0-9a-f]{12}\b/.test(s) },
  ];
  for (const [what, file] of LAB_SECRETS) {
    const value = labSecret(file);
    const needle = what === 'the lab become password' ? value : value.split('\n').slice(1, 2).join(''); // one base64 line of the key
    // a scan without the lab's own values would quietly look for less: refuse instead
    if (needle.length < 8) throw new Error(`${file} in ${labKeysDir()} is too short to look for (${needle.length} characters)`);
    rules.push({ what, test: (s: string) => s.includes(needle) });
  }
  return rules;
}

t.test('the scanner finds what it looks for (so a clean result means something)', async (t) => {
  const rules = forbidden();
  const key = ['-----BEGIN OPENSSH', 'PRIVATE KEY-----'].join(' ');
  t.ok(rules[0].test(`x\n${key}\nabc`), 'a key block is found');
  t.ok(rules[1].test(`token ${'cnry'}-${'0a'.repeat(6)} here`), 'a canary is found');
  t.notOk(rules[0].test('BEGIN PUBLIC KEY'), 'a public key is fine');
  t.equal(rules.length, 2 + LAB_SECRETS.length, 'every lab secret is looked for');
  for (const [i, [what, file]] of LAB_SECRETS.entries()) {
    t.ok(rules[2 + i].test(`x ${labSecret(file)} y`), `${what} is found in a file that holds it`);
    t.notOk(rules[2 + i].test('nothing secret here'), `${what}: a clean file is clean`);
  }
});

t.test('no tracked file holds a key or secret', async (t) => {
  const files = git('ls-files', '-z').toString().split('\0').filter(Boolean);
  const rules = forbidden();
  const hits: string[] = [];
  for (const f of files) {
    const p = join(REPO_ROOT, f);
    if (!existsSync(p)) continue; // deleted in the working tree, not yet committed
    const text = readFileSync(p).toString('latin1');
    for (const r of rules) if (r.test(text)) hits.push(`${f}: ${r.what}`);
  }
  t.same(hits, [], `${files.length} tracked files scanned`);
  t.comment(`FIGURE tracked_files_scanned=${files.length} secrets_found=${hits.length}`);
});

t.test('no blob in the history holds a key or secret', async (t) => {
  const objects = git('rev-list', '--all', '--objects').toString().split('\n').filter(Boolean);
  const names = new Map(objects.map((l) => [l.slice(0, 40), l.slice(41)]));
  // one `git cat-file --batch` for every object: "<id> <type> <size>\n<content>\n" each
  const out = execFileSync('git', ['cat-file', '--batch'], { cwd: REPO_ROOT, input: [...names.keys()].join('\n') + '\n', maxBuffer: 1 << 30 });
  const rules = forbidden();
  const hits: string[] = [];
  let blobs = 0;
  for (let at = 0; at < out.length; ) {
    const eol = out.indexOf(0x0a, at);
    const [id, kind, size] = out.subarray(at, eol).toString().split(' ');
    const content = out.subarray(eol + 1, eol + 1 + Number(size));
    at = eol + 1 + Number(size) + 1;
    if (kind !== 'blob') continue;
    blobs++;
    const text = content.toString('latin1');
    for (const r of rules) if (r.test(text)) hits.push(`${names.get(id)} (${id.slice(0, 10)}): ${r.what}`);
  }
  t.ok(blobs > 100, `${blobs} blobs scanned`);
  t.same(hits, []);
  t.comment(`FIGURE history_blobs_scanned=${blobs} secrets_found=${hits.length}`);
});

t.test('the lab key material is ignored by git, whether .lab is a directory or a link to one', async (t) => {
  // the repository's own ignore rules in a scratch repository: the answer does not depend on how
  // this checkout's .lab is made (git refuses to look beneath a link)
  const scratch = mkdtempSync(join(tmpdir(), 'lbrun-ignore-'));
  t.teardown(() => rmSync(scratch, { recursive: true, force: true }));
  const inScratch = (...args: string[]) => execFileSync('git', args, { cwd: scratch, stdio: 'pipe' });
  inScratch('init', '-q');
  copyFileSync(join(REPO_ROOT, '.gitignore'), join(scratch, '.gitignore'));
  const real = join(scratch, 'lab-keys');
  mkdirSync(real);
  const files = ['id_ed25519', 'become_password', 'ca.key'];
  for (const f of files) writeFileSync(join(real, f), 'x');
  const ignored = (path: string) => {
    try {
      inScratch('check-ignore', '-q', path);
      return true;
    } catch {
      return false;
    }
  };
  mkdirSync(join(scratch, '.lab'));
  for (const f of files) writeFileSync(join(scratch, '.lab', f), 'x');
  for (const f of files) t.ok(ignored(`.lab/${f}`), `.lab/${f} is ignored (.lab a directory)`);
  rmSync(join(scratch, '.lab'), { recursive: true });
  symlinkSync(real, join(scratch, '.lab'));
  t.ok(ignored('.lab'), '.lab is ignored (.lab a link to the key directory)');
  t.notOk(ignored('lab-keys/id_ed25519'), 'control: a key file elsewhere is not ignored, so the check can fail');
});
