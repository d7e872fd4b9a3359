/**
 * Checking the controller for the packages of src/setup/requirements.ts and installing what is
 * missing: with apt-get (progress shown) on Debian or Ubuntu as root, unless refused (--no-install,
 * LBRUN_NO_INSTALL=1); elsewhere, or without root, one error (exit 3) naming each missing package
 * and the one command that installs them.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, writeFileSync, unlinkSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { HostRequirementError } from '../errors.js';
import { REQUIREMENT_GROUPS, type Requirement, type RequirementGroup } from './requirements.js';

export interface Missing {
  requirement: Requirement;
  /** the commands (or files) of the package that were not found */
  absent: string[];
}

/** The requirements whose commands are not all on PATH (or whose files do not exist). */
export function findMissing(reqs: readonly Requirement[], path = process.env.PATH ?? ''): Missing[] {
  const dirs = path.split(delimiter).filter(Boolean);
  const found = (p: string): boolean =>
    p.startsWith('/') ? existsSync(p) : dirs.some((d) => isExecutable(join(d, p)));
  const out: Missing[] = [];
  const seen = new Set<string>();
  for (const r of reqs) {
    if (seen.has(r.package)) continue;
    seen.add(r.package);
    const absent = r.provides.filter((p) => !found(p));
    if (absent.length) out.push({ requirement: r, absent });
  }
  return out;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Debian, Ubuntu or a derivative (by /etc/os-release), with apt-get on PATH. */
export function isDebianLike(path = process.env.PATH ?? ''): boolean {
  let text = '';
  try {
    text = readFileSync('/etc/os-release', 'utf8');
  } catch {
    return false;
  }
  const field = (k: string): string => (new RegExp(`^${k}="?([^"\\n]*)"?$`, 'm').exec(text)?.[1] ?? '').toLowerCase();
  const ids = `${field('ID')} ${field('ID_LIKE')}`.split(/\s+/);
  return (ids.includes('debian') || ids.includes('ubuntu')) && findMissing([{ package: 'apt', provides: ['apt-get'], why: '' }], path).length === 0;
}

export interface EnsureOptions {
  /** what for, in the messages ("lbrun lab", "npm test") */
  label: string;
  /** false: only report (the --no-install flag); default: LBRUN_NO_INSTALL unset or 0 */
  install?: boolean;
  /** where the progress lines go (apt's own output goes to stderr) */
  log?: (line: string) => void;
}

/** Is installing refused by the environment (LBRUN_NO_INSTALL=1)? */
export function installRefusedByEnv(): boolean {
  const v = process.env.LBRUN_NO_INSTALL;
  return v !== undefined && v !== '' && v !== '0';
}

/**
 * Check a group's packages; install the missing ones when allowed and possible, else throw a
 * HostRequirementError (exit 3). Quick (a few file lookups) when everything is present.
 */
export async function ensureRequirements(group: RequirementGroup, opts: EnsureOptions): Promise<void> {
  const reqs = REQUIREMENT_GROUPS[group];
  addSbinToPath();
  let missing = findMissing(reqs);
  if (missing.length === 0) return;
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const root = process.getuid?.() === 0;
  const allowed = opts.install ?? !installRefusedByEnv();
  if (!(allowed && root && isDebianLike())) {
    throw new HostRequirementError(missingMessage(opts.label, missing, { root, debian: isDebianLike(), refused: !allowed }));
  }
  const pkgs = missing.filter((m) => !m.absent.every(offPath)).map((m) => m.requirement.package);
  if (pkgs.length === 0) throw new HostRequirementError(missingMessage(opts.label, missing, { root, debian: true, refused: false }));
  log(`${opts.label} needs ${pkgs.length === 1 ? 'a package' : 'packages'} that ${pkgs.length === 1 ? 'is' : 'are'} not installed; installing with apt-get:`);
  for (const m of missing) if (pkgs.includes(m.requirement.package)) log(`  ${m.requirement.package}: ${m.requirement.why}`);
  const t0 = Date.now();
  await aptInstall(pkgs);
  missing = findMissing(reqs);
  if (missing.length) {
    throw new HostRequirementError(
      `${missingMessage(opts.label, missing, { root, debian: true, refused: false })}\n(apt-get install ran, but these are still not found on PATH=${process.env.PATH ?? ''})`,
    );
  }
  log(`installed ${pkgs.join(' ')} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/** The one command that installs these packages, for who runs it. */
export function installCommand(pkgs: string[], root: boolean): string {
  return `${root ? '' : 'sudo '}apt-get install -y --no-install-recommends ${pkgs.join(' ')}`;
}

/** Where programs live on Debian besides PATH (root's sbin dirs are often off a user's PATH). */
const SYSTEM_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** As root, put the system's sbin directories on PATH (as sudo's secure_path does; `su` keeps a user's PATH). */
export function addSbinToPath(): void {
  if (process.getuid?.() !== 0) return;
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const add = ['/usr/local/sbin', '/usr/sbin', '/sbin'].filter((d) => !dirs.includes(d) && existsSync(d));
  if (add.length) process.env.PATH = [...dirs, ...add].join(delimiter);
}

/** Where a program off PATH is installed anyway, or undefined. */
function offPath(command: string): string | undefined {
  if (command.startsWith('/')) return undefined;
  return SYSTEM_DIRS.map((d) => join(d, command)).find(isExecutable);
}

/** One message: each missing package with why, then the one command that installs them. */
export function missingMessage(
  label: string,
  missing: Missing[],
  ctx: { root: boolean; debian: boolean; refused: boolean },
): string {
  const lines: string[] = [];
  const toInstall: string[] = [];
  const pathDirs = new Set<string>();
  for (const m of missing) {
    const found = m.absent.map(offPath);
    if (found.every(Boolean)) {
      found.forEach((f) => pathDirs.add(f!.slice(0, f!.lastIndexOf('/'))));
      lines.push(`  ${m.requirement.package}: installed (${found.join(', ')}), but not on PATH: ${m.requirement.why}`);
    } else {
      toInstall.push(m.requirement.package);
      const what = m.absent.map((a) => (a.startsWith('/') ? a : `\`${a}\``)).join(', ');
      lines.push(`  ${m.requirement.package} (${what} not found): ${m.requirement.why}`);
    }
  }
  const head = toInstall.length
    ? `${label} needs ${toInstall.length === 1 ? 'a package that is' : 'packages that are'} not installed on this machine:`
    : `${label} cannot find programs it needs on PATH=${process.env.PATH ?? ''}:`;
  lines.unshift(head);
  if (toInstall.length) {
    const cmd = installCommand(toInstall, ctx.root);
    if (ctx.debian) {
      lines.push(`Install ${toInstall.length === 1 ? 'it' : 'them'} with:`, `  ${cmd}`);
      if (ctx.root && ctx.refused) lines.push(`(lbrun did not install ${toInstall.length === 1 ? 'it' : 'them'}: --no-install or LBRUN_NO_INSTALL is set)`);
      else if (!ctx.root) lines.push(`(run as root, lbrun installs ${toInstall.length === 1 ? 'it' : 'them'} itself)`);
    } else {
      lines.push(
        'These are Debian/Ubuntu package names (lbrun installs them itself only there, as root):',
        `  ${cmd}`,
        'Elsewhere, install the equivalent packages with your system package manager.',
      );
    }
  }
  if (pathDirs.size) lines.push(`Add ${[...pathDirs].join(' and ')} to PATH: export PATH="$PATH:${[...pathDirs].join(':')}"`);
  return lines.join('\n');
}

/**
 * apt-get update, then apt-get install, their output on stderr as it comes. No service starts
 * while they install (policy-rc.d): lbrun needs the programs, not running daemons.
 */
async function aptInstall(pkgs: string[]): Promise<void> {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const policy = '/usr/sbin/policy-rc.d';
  let madePolicy = false;
  if (!existsSync(policy)) {
    try {
      writeFileSync(policy, '#!/bin/sh\n# lbrun: no service starts while lbrun installs its packages\nexit 101\n', { mode: 0o755 });
      madePolicy = true;
    } catch {
      // not fatal: a service may start
    }
  }
  try {
    await aptGet(['-o', 'DPkg::Lock::Timeout=300', 'update'], env);
    await aptGet(['-o', 'DPkg::Lock::Timeout=600', 'install', '-y', '--no-install-recommends', ...pkgs], env);
  } finally {
    if (madePolicy) {
      try {
        unlinkSync(policy);
      } catch {
        // already gone
      }
    }
  }
}

function aptGet(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    // apt's progress on stderr: stdout stays for results (lab up --json)
    const child = spawn('apt-get', args, { env, stdio: ['ignore', 2, 2] });
    child.on('error', (e) => reject(new HostRequirementError(`cannot run apt-get: ${e.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new HostRequirementError(`apt-get ${args.filter((a) => !a.startsWith('-') && !a.includes('=')).join(' ')} failed (exit ${code}); see its output above`));
    });
  });
}
