#!/usr/bin/env node
/**
 * Break a documented promise on purpose and show that its test fails (docs/reliability.md,
 * "Broken on purpose").
 *
 *   node scripts/sabotage.js --list              every sabotage, its figure and its test
 *   node scripts/sabotage.js NAME...             run these
 *   node scripts/sabotage.js all [--offline]     run every one (--offline: skip those that need the lab)
 *   node scripts/sabotage.js --check             every header parses and every patch applies to HEAD
 *
 * Each test/sabotage/NAME.patch is a unified diff against the product code with a header of
 * `# key: value` lines before it:
 *   figure:  the figure as the docs word it
 *   breaks:  what the patch breaks, in one line
 *   test:    test file(s), space-separated, run with tap (`grep:` optional, tap's --grep)
 *   command: or a shell command instead of tests, with `exit:` the exit code it must give
 *   expect:  optional; a failing assertion (or, for a command, a line of output) must contain it
 *   lab:     yes when it needs the lab (skipped by --offline)
 * A sabotage runs in a throw-away git worktree of HEAD (/tmp/lbrun-sabotage-NAME): the patch is
 * applied (a patch that does not apply is an error), node_modules and .lab are linked from this
 * checkout, `npm run build`, then the tests must fail. The worktree is removed in every case.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const dir = join(root, 'test', 'sabotage');
const KEYS = new Set(['figure', 'breaks', 'test', 'grep', 'command', 'exit', 'expect', 'lab']);

/** Parse one patch file's header; throws on a header that lacks what a run needs. */
export function parseSabotage(name, text) {
  const meta = { name, file: join(dir, `${name}.patch`), tests: [], lab: false };
  for (const line of text.split('\n')) {
    if (!line.startsWith('#')) break;
    const m = /^#\s*([a-z-]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    const [, key, value] = m;
    if (!KEYS.has(key)) throw new Error(`${name}.patch: unknown header key '${key}'`);
    if (key === 'test') meta.tests.push(...value.trim().split(/\s+/));
    else if (key === 'lab') meta.lab = /^(yes|true)$/i.test(value.trim());
    else if (key === 'exit') meta.exit = Number(value.trim());
    else meta[key] = (meta[key] ? `${meta[key]} ` : '') + value.trim();
  }
  for (const k of ['figure', 'breaks']) if (!meta[k]) throw new Error(`${name}.patch: no '# ${k}:' line`);
  if (!meta.tests.length === !meta.command) throw new Error(`${name}.patch: needs either '# test:' or '# command:'`);
  if (meta.command && !Number.isInteger(meta.exit)) throw new Error(`${name}.patch: '# command:' needs '# exit:'`);
  if (!/^(diff --git|--- )/m.test(text)) throw new Error(`${name}.patch: no diff after the header`);
  return meta;
}

export function listSabotages() {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.patch')).sort()
    .map((f) => parseSabotage(f.slice(0, -'.patch'.length), readFileSync(join(dir, f), 'utf8')));
}

/** One line, at most 140 characters (an assertion's name can be a whole fast-check report). */
const short = (s) => { const one = String(s).replace(/\s+/g, ' ').trim(); return one.length > 140 ? `${one.slice(0, 139)}…` : one; };

function git(args, cwd = root) {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

/** Run a command, echoing nothing; resolves with its exit code and combined output. */
function run(cmd, args, opts) {
  return new Promise((done) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('close', (code, signal) => done({ code: code ?? (signal ? 128 : 1), out }));
  });
}

/**
 * Failing leaf assertions in raw TAP: a `not ok` that closes a `# Subtest:` of the same name at
 * the same indent is a parent, anything else a failed assertion.
 */
export function failingAssertions(tap) {
  const open = [];
  const failed = [];
  for (const line of tap.split('\n')) {
    const sub = /^(\s*)# Subtest: (.*)$/.exec(line);
    if (sub) { open.push({ indent: sub[1].length, name: sub[2].trim() }); continue; }
    const res = /^(\s*)(not ok|ok) \d+(?: - (.*?))?(?: # .*)?$/.exec(line);
    if (!res) continue;
    const indent = res[1].length;
    const name = (res[3] ?? '').trim();
    while (open.length && open[open.length - 1].indent > indent) open.pop();
    const top = open[open.length - 1];
    if (top && top.indent === indent && top.name === name) { open.pop(); continue; }
    if (res[2] === 'not ok') failed.push(name);
  }
  return failed;
}

/**
 * A lab sabotage may leave the lab configured by the broken code: converge it again with HEAD's,
 * as the lab tests converge it (the e2e VRRP password, the gate off), holding the lab's lock.
 */
async function restoreLab(wt) {
  spawnSync('git', ['reset', '--hard', '-q', 'HEAD'], { cwd: wt });
  const build = await run('npm', ['run', 'build'], { cwd: wt });
  const pass = /VRRP_PASS = '([^']+)'/.exec(readFileSync(join(wt, 'test/e2e/lab-site.ts'), 'utf8'))?.[1];
  if (build.code !== 0 || !pass) return `  (could not rebuild HEAD to converge the lab again: converge it with lbrun playbooks/site.yaml -i inventory/lab.yaml)\n`;
  const r = await run('flock', ['-x', '-w', '3600', '/run/lbrun-lab-tests.lock', 'node', 'bin/lbrun.js', 'playbooks/site.yaml', '-i', 'inventory/lab.yaml', '-e', 'keepalived_gate=false'], {
    cwd: wt, env: { ...process.env, LBRUN_VRRP_AUTH_PASS: pass },
  });
  return r.code === 0 ? '' : `  (converging the lab again with HEAD failed, exit ${r.code}: ${r.out.slice(-500)})\n`;
}

async function sabotage(s) {
  const started = Date.now();
  const wt = `/tmp/lbrun-sabotage-${s.name}`;
  const secs = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;
  if (existsSync(wt)) { spawnSync('git', ['worktree', 'remove', '--force', wt], { cwd: root }); rmSync(wt, { recursive: true, force: true }); }
  try {
    git(['worktree', 'add', '--detach', wt, 'HEAD']);
    git(['apply', '--index', '--whitespace=nowarn', s.file], wt); // --index: a new file is tracked, as a commit would make it
    for (const link of ['node_modules', '.lab']) {
      if (existsSync(join(root, link))) symlinkSync(realpathSync(join(root, link)), join(wt, link));
    }
    const env = { ...process.env, LBRUN_LAB_DIR: process.env.LBRUN_LAB_DIR ?? (existsSync(join(root, '.lab')) ? realpathSync(join(root, '.lab')) : undefined) };
    if (!env.LBRUN_LAB_DIR) delete env.LBRUN_LAB_DIR;
    const build = await run('npm', ['run', 'build'], { cwd: wt, env });
    if (build.code !== 0) return { ok: false, line: `SABOTAGE ${s.name}: build failed (${secs()})\n${build.out.slice(-2000)}` };
    if (s.command) {
      const r = await run('sh', ['-c', s.command], { cwd: wt, env });
      const lines = r.out.split('\n');
      const hit = s.expect ? lines.find((l) => l.includes(s.expect)) : undefined;
      const caught = r.code === s.exit && (!s.expect || hit !== undefined);
      if (!caught) return { ok: false, line: `SABOTAGE ${s.name}: NOT CAUGHT (exit ${r.code}, wanted ${s.exit}${s.expect && !hit ? `, no line with "${s.expect}"` : ''}; ${secs()})\n${r.out.slice(-3000)}` };
      return { ok: true, line: `SABOTAGE ${s.name}: caught (exit ${r.code}, e.g. "${short(hit ?? lines.filter(Boolean).pop() ?? '')}"; ${secs()})` };
    }
    const args = ['tap', '--disable-coverage', '--reporter=tap', ...(s.grep ? [`--grep=${s.grep}`] : []), ...s.tests];
    const r = await run('npx', args, { cwd: wt, env });
    const failed = failingAssertions(r.out);
    const wanted = s.expect ? failed.find((f) => f.includes(s.expect)) ?? (r.out.includes(s.expect) ? s.expect : undefined) : failed[0];
    if (r.code === 0 || (s.expect && wanted === undefined)) {
      return { ok: false, line: `SABOTAGE ${s.name}: NOT CAUGHT (exit ${r.code}, ${failed.length} failing assertions${s.expect ? `, none with "${s.expect}"` : ''}; ${secs()})${r.code ? `\n${r.out.slice(-3000)}` : ''}` };
    }
    return { ok: true, line: `SABOTAGE ${s.name}: caught (${failed.length} failing assertions, e.g. "${short(wanted ?? `exit ${r.code}`)}"; ${secs()})` };
  } catch (e) {
    return { ok: false, line: `SABOTAGE ${s.name}: ERROR ${e instanceof Error ? e.message : String(e)} (${secs()})` };
  } finally {
    if (s.lab && existsSync(wt)) process.stdout.write(await restoreLab(wt));
    spawnSync('git', ['worktree', 'remove', '--force', wt], { cwd: root });
    rmSync(wt, { recursive: true, force: true });
    spawnSync('git', ['worktree', 'prune'], { cwd: root });
  }
}

async function main(argv) {
  const all = listSabotages();
  if (argv.includes('--list')) {
    for (const s of all) {
      process.stdout.write(`${s.name}${s.lab ? ' (lab)' : ''}\n  figure: ${s.figure}\n  breaks: ${s.breaks}\n  ${s.command ? `command: ${s.command} (exit ${s.exit})` : `test: ${s.tests.join(' ')}${s.grep ? ` --grep=${s.grep}` : ''}`}\n`);
    }
    return 0;
  }
  if (argv.includes('--check')) {
    let bad = 0;
    for (const s of all) {
      const r = spawnSync('git', ['apply', '--check', s.file], { cwd: root, encoding: 'utf8' });
      if (r.status !== 0) { bad++; process.stdout.write(`SABOTAGE ${s.name}: does not apply\n${r.stderr}`); }
    }
    process.stdout.write(`${all.length - bad} of ${all.length} patches apply\n`);
    return bad ? 1 : 0;
  }
  const names = argv.filter((a) => !a.startsWith('-'));
  if (!names.length) {
    process.stderr.write('usage: node scripts/sabotage.js --list | --check | all [--offline] | NAME...\n');
    return 3;
  }
  let chosen;
  if (names.includes('all')) chosen = all.filter((s) => !(argv.includes('--offline') && s.lab));
  else {
    const unknown = names.filter((n) => !all.some((s) => s.name === n));
    if (unknown.length) { process.stderr.write(`unknown sabotage: ${unknown.join(', ')}\n`); return 3; }
    chosen = names.map((n) => all.find((s) => s.name === n));
  }
  let failures = 0;
  for (const s of chosen) {
    const r = await sabotage(s);
    if (!r.ok) failures++;
    process.stdout.write(`${r.line}\n`);
  }
  if (failures) process.stdout.write(`${failures} of ${chosen.length} sabotages not caught or not run\n`);
  return failures ? 1 : 0;
}

if (process.argv[1] && realpathSync(process.argv[1]) === realpathSync(import.meta.filename)) {
  process.exitCode = await main(process.argv.slice(2));
}
