/**
 * Test helpers for everything that runs against the lab (tap). The lab is one per machine and is
 * shared: ensureLab() takes a lock for the lifetime of the test process, so test files that use
 * the lab run one after another even when tap runs files in parallel.
 *
 *   import { ensureLab, labExec, vipHolder, stopBackend, startBackend } from './helpers.js';
 *   await ensureLab();                       // brings the lab up once; ~0.5 s when it is up
 *   const r = await labExec('lb-01', 'systemctl is-active haproxy');   // { code, rc, stdout, stderr }
 */
import { spawn } from 'node:child_process';
import {
  BACKENDS,
  DEFAULT_HOSTS,
  VIP,
  hostExec,
  hostState,
  keyPaths,
  labUp,
  findBackend,
  startBackend as libStartBackend,
  stopBackend as libStopBackend,
} from '../../src/lab/index.js';
import { holdLabLock } from '../../src/lab/hold-lock.js';
import { deleteLink } from '../../src/lab/network.js';

export { VIP, BACKENDS, DEFAULT_HOSTS };

/** Names and addresses of the three lab hosts. */
export const LAB_HOSTS: Record<string, string> = Object.fromEntries(DEFAULT_HOSTS.map((h) => [h.name, h.address]));

/** Paths of the lab's key files (.lab/ at the repository root). */
export const LAB_FILES = (() => {
  const p = keyPaths();
  return {
    dir: p.dir,
    privateKey: p.privateKey,
    publicKey: p.publicKey,
    knownHosts: p.knownHosts,
    becomePassword: p.becomePasswordFile,
    caCert: p.caCert,
  };
})();

export interface ExecResult {
  code: number;
  /** the same as code */
  rc: number;
  stdout: string;
  stderr: string;
}

// ---------------------------------------------------------------------------------------------
// one lab-using test process at a time

/** Hold the lab for this test process (released by the kernel when it exits). Waits for another
 *  holder: test files, the bench and anything else that takes src/lab/hold-lock.ts's lock. */
export async function holdLab(timeoutMs = 60 * 60_000): Promise<void> {
  await holdLabLock(timeoutMs);
}

// ---------------------------------------------------------------------------------------------

/**
 * Make sure the lab is up (lb-01..03 booted with sshd, the three stand-in API servers ready).
 * Idempotent and cheap when it is up; the first call on a machine builds the base (~1-2 min).
 * Takes the lab for this test process (see holdLab).
 */
export async function ensureLab(): Promise<void> {
  await holdLab();
  // always labUp: idempotent (~0.6 s when up), and it installs THIS checkout's key (.lab/) on hosts
  // a previous checkout started, so a fresh clone can use a lab that is still running
  const s = await labUp();
  if (!s.up) throw new Error(`the lab did not come up: ${JSON.stringify(s)}`);
}

/**
 * Run a shell command as root on a lab host, by entering the host's namespaces (no SSH: works even
 * while sshd is stopped). Never throws for a non-zero exit.
 */
export async function labExec(host: string, cmd: string, opts: { timeoutMs?: number; input?: string } = {}): Promise<ExecResult> {
  const r = await hostExec(host, cmd, opts);
  return { code: r.code, rc: r.code, stdout: r.stdout, stderr: r.stderr };
}

/** ssh options that trust exactly the lab's known_hosts and use the lab key. */
export function sshArgs(host: string, user = 'root'): string[] {
  const address = LAB_HOSTS[host] ?? host;
  return [
    '-F', '/dev/null',
    '-i', LAB_FILES.privateKey,
    '-o', `UserKnownHostsFile=${LAB_FILES.knownHosts}`,
    '-o', 'StrictHostKeyChecking=yes',
    '-o', 'BatchMode=yes',
    '-o', 'IdentitiesOnly=yes',
    '-o', 'ConnectTimeout=5',
    `${user}@${address}`,
  ];
}

/** Run a command on a lab host over real SSH (the way lbrun reaches it), as root or another user. */
export function labSsh(
  host: string,
  cmd: string,
  opts: { user?: string; input?: string; timeoutMs?: number } = {},
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', [...sshArgs(host, opts.user), cmd], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const c = code ?? (signal ? 128 : 1);
      resolve({ code: c, rc: c, stdout, stderr });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
  });
}

/** The lab host whose eth0 holds the VIP (10.213.0.210), or null. Several holders is an error. */
export async function vipHolder(): Promise<string | null> {
  const holders: string[] = [];
  await Promise.all(
    DEFAULT_HOSTS.map(async (h) => {
      if (!(await hostState(h.name)).running) return;
      const r = await hostExec(h.name, 'ip -4 -o addr show dev eth0', { timeoutMs: 10_000 });
      if (r.stdout.includes(` inet ${VIP}/`)) holders.push(h.name);
    }),
  );
  if (holders.length > 1) throw new Error(`the VIP is held by several hosts: ${holders.sort().join(', ')}`);
  return holders[0] ?? null;
}

/** Stop stand-in API server N (1-3, or its name k3s-lab-cp-0N): its process and address vanish. */
export async function stopBackend(n: number | string): Promise<void> {
  await libStopBackend(n);
}

/** Cut stand-in API server N off the network as a power loss would: its address vanishes, its
 *  process keeps running and closes nothing (stopBackend afterwards ends it). */
export async function cutBackend(n: number | string): Promise<void> {
  await deleteLink(findBackend(n).veth);
}

/** Start stand-in API server N again; resolves when it answers /readyz. */
export async function startBackend(n: number | string): Promise<void> {
  await libStartBackend(n);
}
