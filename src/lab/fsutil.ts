/** Small filesystem helpers. */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile, chmod, chown, stat } from 'node:fs/promises';
import { run } from './proc.js';
import path from 'node:path';

export function sha(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex');
}

export async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

export async function readText(p: string): Promise<string | null> {
  try {
    return await readFile(p, 'utf8');
  } catch {
    return null;
  }
}

/** Write a file atomically (temporary file beside it, then rename), with mode and owner. */
export async function writeAtomic(
  p: string,
  data: string,
  opts: { mode?: number; uid?: number; gid?: number } = {},
): Promise<void> {
  await mkdir(path.dirname(p), { recursive: true });
  const tmp = `${p}.lbrun-tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  await writeFile(tmp, data, { mode: opts.mode ?? 0o644 });
  await chmod(tmp, opts.mode ?? 0o644);
  if (opts.uid !== undefined) await chown(tmp, opts.uid, opts.gid ?? opts.uid);
  await rename(tmp, p);
}

/**
 * Remove a file or directory tree safely: first unmount whatever is mounted inside it (an
 * interrupted debootstrap leaves proc, sys or dev mounted in its target), then delete without
 * crossing into another file system.
 */
export async function rmrf(p: string): Promise<void> {
  const target = path.resolve(p);
  let info = '';
  try {
    info = await readFile('/proc/self/mountinfo', 'utf8');
  } catch {
    /* not Linux */
  }
  const inside = info
    .split('\n')
    .map((l) => (l.split(' ')[4] ?? '').replace(/\\040/g, ' '))
    .filter((m) => m === target || m.startsWith(`${target}/`))
    .sort((a, b) => b.length - a.length);
  for (const m of inside) {
    if ((await run('umount', [m])).code !== 0) await run('umount', ['-l', m]);
  }
  if (!(await exists(target))) return;
  const r = await run('rm', ['-rf', '--one-file-system', '--', target]);
  if (r.code !== 0) throw new Error(`cannot remove ${target}: ${r.stderr.trim()}`);
  await rm(target, { recursive: true, force: true });
}
